//! Parameter ids drawn from the seed, so that one seed saves the same bytes.
//!
//! Burn names each parameter with a random 64-bit id (`ParamId::new`), and its records store the
//! ids (the optimizer's moments are keyed by them). Two runs with one seed then train the same
//! weights but save different `model.bpk` and `optim-N.bpk` files. Numbering the parameters in
//! the module's own order, mixed with the seed, makes the files a function of the run.

use burn::module::{Module, ModuleMapper, Param, ParamId, RunningState};
use burn::tensor::Tensor;

use super::Mlp;
use crate::random::mix;

/// `model` with its float parameters named `mix(seed, k)` in `Module::map`'s order, k = 0, 1, …,
/// then its BatchNorm running statistics (which `map` shows but keeps the ids of): unique within
/// the model, whatever it was assembled from (a loaded record keeps its own ids).
pub fn seeded_ids(model: Mlp, seed: u64) -> Mlp {
    let mut numbering = Numbering { seed, next: 0 };
    let mut model = model.map(&mut numbering);
    for norm in model.blocks.iter_mut().filter_map(|b| b.norm.as_mut()) {
        norm.running_mean = numbering.state(&norm.running_mean);
        norm.running_var = numbering.state(&norm.running_var);
    }
    model
}

struct Numbering {
    seed: u64,
    next: u64,
}

impl Numbering {
    fn id(&mut self) -> ParamId {
        self.next += 1;
        ParamId::from(mix(self.seed, self.next - 1))
    }

    fn state(&mut self, state: &RunningState<Tensor<1>>) -> RunningState<Tensor<1>> {
        RunningState::with_id(self.id(), state.value())
    }
}

impl ModuleMapper for Numbering {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (_, tensor, mapper) = param.consume();
        Param::from_mapped_value(self.id(), tensor, mapper)
    }
}

#[cfg(test)]
mod tests {
    use burn::module::ModuleVisitor;

    use super::*;
    use crate::model::{ActivationConfig, MlpConfig};

    #[derive(Default)]
    struct Ids(Vec<u64>);

    impl ModuleVisitor for Ids {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.id.val());
        }
    }

    fn ids(seed: u64) -> Vec<u64> {
        let mut config = MlpConfig::new(2, vec![5, 3], 4);
        config.batch_norm = true;
        config.activation = ActivationConfig::Prelu { init: 0.25 };
        let model = config
            .init(&burn::tensor::Device::flex(), 1)
            .expect("builds");
        let mut ids = Ids::default();
        seeded_ids(model, seed).visit(&mut ids);
        ids.0
    }

    #[test]
    fn every_parameter_and_running_statistic_gets_its_own_id_from_the_seed() {
        let a = ids(7);
        // per block W, b, γ, β, μ, σ², PReLU's slope; then the output's W and b
        assert_eq!(a.len(), 2 * 7 + 2);
        let distinct: std::collections::BTreeSet<_> = a.iter().collect();
        assert_eq!(distinct.len(), a.len(), "ids repeat: {a:?}");
        // `map` numbers the 4 running statistics too, before their own turn
        let numbers: Vec<u64> = (0..a.len() as u64 + 4).map(|k| mix(7, k)).collect();
        assert!(
            a.iter().all(|id| numbers.contains(id)),
            "ids not mix(7, k): {a:?}"
        );
        assert_eq!(ids(7), a, "the same seed names them alike");
        assert_ne!(ids(8), a, "another seed names them otherwise");
    }
}
