//! The fused passes as Burn operations with their own backward, through Burn's backend extension
//! API: on flex they run [`super::kernels`] and [`super::norm`] on the tensors' storage; under
//! autodiff each is one graph node whose backward runs the matching kernel.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::ops::ModuleOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Autodiff, Backend, Flex};
use burn::tensor::{Shape, TensorData};
use burn_flex::FlexTensor;

use super::adam::{self, AdamStep};
use super::kernels::{self, Kind, Mask};
use super::matmul::{fast_product_then, pair, product, product_then, MatRef, Then};
use super::norm;
use super::squares;

/// The operations plaindnn fuses, for the backends that have them (flex, and autodiff on flex).
#[backend_extension(Flex, Autodiff)]
pub trait Fused: Backend {
    /// `act(z)·mask`, element-wise.
    fn fused_activation(z: FloatTensor<Self>, kind: Kind, mask: Option<Mask>) -> FloatTensor<Self>;
    /// Batch Normalization of `[rows, units]` on the batch's statistics: `(y, μ, σ²)`.
    fn fused_batch_norm(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
    /// `x·W + b` for `x [rows, in]`, `W [in, out]`, `b [out]`, then the activation if any.
    fn fused_linear(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        activation: Option<Kind>,
    ) -> FloatTensor<Self>;
}

/// The fused passes over parameters and gradients, on flex (outside the graph).
#[backend_extension(Flex)]
pub trait FusedOptim: Backend {
    /// `Σ x²`, `[1]`, in f64.
    fn fused_sum_of_squares(x: FloatTensor<Self>) -> FloatTensor<Self>;

    /// One Adam step: `(p, m, v)` after it (`m` and `v` are not read on the first step).
    fn fused_adam(
        param: FloatTensor<Self>,
        grad: FloatTensor<Self>,
        moment_1: FloatTensor<Self>,
        moment_2: FloatTensor<Self>,
        step: AdamStep,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>);
}

impl FusedOptim for Flex {
    fn fused_sum_of_squares(x: FlexTensor) -> FlexTensor {
        let sum = squares::sum_of_squares(values(&contiguous(x)));
        FlexTensor::from_data(TensorData::new(vec![sum], [1]))
    }

    fn fused_adam(
        param: FlexTensor,
        grad: FlexTensor,
        moment_1: FlexTensor,
        moment_2: FlexTensor,
        step: AdamStep,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let grad = contiguous(grad);
        let mut m = owned(moment_1);
        let mut v = owned(moment_2);
        let (g, ms, vs) = (values(&grad), m.storage_mut(), v.storage_mut());
        let param = if is_own(&param) {
            let mut param = param;
            adam::step(step, param.storage_mut(), g, ms, vs);
            param
        } else {
            // burn-train's `Learner::optimizer_step` steps a clone of the model: every
            // parameter is shared there, and the new values go to a new buffer
            let param = contiguous(param);
            let new = adam::step_from(step, values(&param), g, ms, vs);
            tensor(new, shape(&param))
        };
        (param, m, v)
    }
}

impl Fused for Flex {
    fn fused_activation(z: FlexTensor, kind: Kind, mask: Option<Mask>) -> FlexTensor {
        if is_own(&z) {
            // nothing else holds the input (inference, frozen layers): overwrite it, as flex's
            // own element-wise ops do, instead of allocating and zeroing a new buffer
            let mut y = z;
            kernels::forward_in_place(kind, mask, y.storage_mut::<f32>());
            return y;
        }
        let z = contiguous(z);
        let mut y = vec![0.0f32; z.layout().num_elements()];
        kernels::forward(kind, mask, values(&z), &mut y);
        tensor(y, shape(&z))
    }

    fn fused_batch_norm(
        x: FlexTensor,
        gamma: FlexTensor,
        beta: FlexTensor,
        epsilon: f64,
    ) -> (FlexTensor, FlexTensor, FlexTensor) {
        let (x, gamma, beta) = (contiguous(x), contiguous(gamma), contiguous(beta));
        let units = values(&gamma).len();
        let (mean, var) = norm::statistics(values(&x), units);
        let mut y = vec![0.0f32; values(&x).len()];
        norm::normalize(
            values(&x),
            &mean,
            &var,
            values(&gamma),
            values(&beta),
            epsilon,
            &mut y,
        );
        let stats = |v: Vec<f32>| tensor(v, Shape::new([units]));
        (tensor(y, shape(&x)), stats(mean), stats(var))
    }

    fn fused_linear(
        x: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        activation: Option<Kind>,
    ) -> FlexTensor {
        // outside the graph: the tile unit's product where the processor has one
        linear(x, weight, bias, activation, fast_product_then)
    }
}

/// A product with work on each band ([`product_then`] or [`fast_product_then`]).
type Product = fn(MatRef, MatRef, Option<Then>) -> Vec<f32>;

/// `act(x·W + b)` through `product`.
fn linear(
    x: FlexTensor,
    weight: FlexTensor,
    bias: FlexTensor,
    activation: Option<Kind>,
    product: Product,
) -> FlexTensor {
    let (x, weight, bias) = (contiguous(x), contiguous(weight), contiguous(bias));
    let (rows, inputs, outputs) = linear_dims(&x, &weight);
    let b = values(&bias);
    // the bias after the product, as Burn adds it (the same rounding, so the same values),
    // and the activation: on each band by the core that made it, while it is in cache
    let then = |y: &mut [f32], first: usize, width: usize| {
        kernels::bias_then(activation, &b[first..first + width], y)
    };
    let y = product(
        MatRef::rows(values(&x), rows, inputs),
        MatRef::rows(values(&weight), inputs, outputs),
        Some(&then),
    );
    tensor(y, Shape::new([rows, outputs]))
}

/// `(rows, in, out)` of a product `x [rows, in] · W [in, out]`.
fn linear_dims(x: &FlexTensor, weight: &FlexTensor) -> (usize, usize, usize) {
    let (xs, ws) = (shape(x), shape(weight));
    (xs[0], xs[1], ws[1])
}

impl<C: CheckpointStrategy> Fused for Autodiff<Flex, C> {
    fn fused_activation(z: FloatTensor<Self>, kind: Kind, mask: Option<Mask>) -> FloatTensor<Self> {
        match ActivationBackward
            .prepare::<C>([z.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let z = contiguous(z.primitive().clone());
                let y = Flex::fused_activation(z.clone(), kind, mask);
                prep.finish((z, y.clone(), kind, mask), y)
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(Flex::fused_activation(z.into_primitive(), kind, mask))
            }
        }
    }

    fn fused_batch_norm(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
    ) -> (FloatTensor<Self>, FloatTensor<Self>, FloatTensor<Self>) {
        let prepared = BatchNormBackward
            .prepare::<C>([x.node(), gamma.node(), beta.node()])
            .compute_bound()
            .stateful();
        let (xp, gp) = (contiguous(x.into_primitive()), gamma.primitive().clone());
        let (y, mean, var) =
            Flex::fused_batch_norm(xp.clone(), gp.clone(), beta.into_primitive(), epsilon);
        let y = match prepared {
            OpsKind::Tracked(prep) => prep.finish((xp, gp, mean.clone(), var.clone(), epsilon), y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        };
        // the statistics are outputs for the running averages, not part of the graph
        (
            y,
            FloatTensor::<Self>::new(mean),
            FloatTensor::<Self>::new(var),
        )
    }

    fn fused_linear(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        activation: Option<Kind>,
    ) -> FloatTensor<Self> {
        if let Some(kind) = activation {
            // two nodes in the graph, each with its own backward
            let z = Self::fused_linear(x, weight, bias, None);
            return Self::fused_activation(z, kind, None);
        }
        let prepared = LinearBackward
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful();
        let (xp, wp) = (
            contiguous(x.into_primitive()),
            contiguous(weight.into_primitive()),
        );
        // Burn's own product bit for bit, as training's results are
        let y = linear(
            xp.clone(),
            wp.clone(),
            bias.into_primitive(),
            None,
            product_then,
        );
        match prepared {
            OpsKind::Tracked(prep) => prep.finish((xp, wp), y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        }
    }
}

#[derive(Debug)]
struct ActivationBackward;

impl Backward<Flex, 1> for ActivationBackward {
    type State = (FlexTensor, FlexTensor, Kind, Option<Mask>);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [parent] = ops.parents;
        let dy = contiguous(grads.consume::<Flex>(&ops.node));
        let (z, y, kind, mask) = ops.state;
        if let Some(node) = parent {
            let mut dz = vec![0.0f32; values(&z).len()];
            kernels::backward(kind, mask, values(&z), values(&y), values(&dy), &mut dz);
            grads.register::<Flex>(node.id, tensor(dz, shape(&z)));
        }
    }
}

#[derive(Debug)]
struct BatchNormBackward;

impl Backward<Flex, 3> for BatchNormBackward {
    /// x, γ, the batch's μ and σ², ε.
    type State = (FlexTensor, FlexTensor, FlexTensor, FlexTensor, f64);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_gamma, node_beta] = ops.parents;
        let dy = contiguous(grads.consume::<Flex>(&ops.node));
        let (x, gamma, mean, var, epsilon) = ops.state;
        let (dx, dgamma, dbeta) = norm::backward(
            values(&x),
            values(&dy),
            values(&mean),
            values(&var),
            values(&gamma),
            epsilon,
        );
        let units = Shape::new([dgamma.len()]);
        if let Some(node) = node_x {
            grads.register::<Flex>(node.id, tensor(dx, shape(&x)));
        }
        if let Some(node) = node_gamma {
            grads.register::<Flex>(node.id, tensor(dgamma, units.clone()));
        }
        if let Some(node) = node_beta {
            grads.register::<Flex>(node.id, tensor(dbeta, units));
        }
    }
}

/// A contiguous tensor whose storage is its own and starts at its first value, for writing in
/// place: one copy when shared or a view. Not `into_data`, which copies twice.
fn owned(t: FlexTensor) -> FlexTensor {
    if is_own(&t) {
        return t;
    }
    let t = contiguous(t);
    tensor(values(&t).to_vec(), shape(&t))
}

/// Whether `t` is the only holder of its storage and spans all of it, in order.
fn is_own(t: &FlexTensor) -> bool {
    let whole =
        matches!(t.layout().contiguous_offsets(), Some((0, end)) if end * 4 == t.bytes().len());
    whole && t.is_unique()
}

fn contiguous(t: FlexTensor) -> FlexTensor {
    if t.layout().contiguous_offsets().is_some() {
        t
    } else {
        t.to_contiguous()
    }
}

#[derive(Debug)]
struct LinearBackward;

impl Backward<Flex, 3> for LinearBackward {
    /// x and W.
    type State = (FlexTensor, FlexTensor);

    /// `dx = dy·Wᵀ`, `dW = xᵀ·dy`, `db = Σ_rows dy`.
    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_weight, node_bias] = ops.parents;
        let dy = contiguous(grads.consume::<Flex>(&ops.node));
        let (x, weight) = ops.state;
        let (rows, inputs, outputs) = linear_dims(&x, &weight);
        let dy_m = MatRef::rows(values(&dy), rows, outputs);
        let w_t = MatRef::rows(values(&weight), inputs, outputs).t();
        let x_t = MatRef::rows(values(&x), rows, inputs).t();
        let (dx_of, dw_of) = ((dy_m, w_t), (x_t, dy_m));
        let shaped = |c: Vec<f32>, (a, b): (MatRef, MatRef)| {
            tensor(c, Shape::new([a.shape().0, b.shape().1]))
        };
        let alone = |(a, b): (MatRef, MatRef)| shaped(product(a, b), (a, b));
        match (node_x, node_weight) {
            (Some(nx), Some(nw)) => {
                // through `pair`: both at once when both are large
                let (dx, dw) = pair(dx_of, dw_of);
                grads.register::<Flex>(nx.id, shaped(dx, dx_of));
                grads.register::<Flex>(nw.id, shaped(dw, dw_of));
            }
            (Some(nx), None) => grads.register::<Flex>(nx.id, alone(dx_of)),
            (None, Some(nw)) => grads.register::<Flex>(nw.id, alone(dw_of)),
            (None, None) => {}
        }
        if let Some(node) = node_bias {
            // Burn's own column sums (flex's reduction order), so the gradient is Burn's
            grads.register::<Flex>(node.id, Flex::linear_bias_backward(dy));
        }
    }
}

/// The values of a contiguous f32 tensor, in row-major order.
fn values(t: &FlexTensor) -> &[f32] {
    t.as_slice::<f32>()
        .expect("fused ops take contiguous f32 tensors (checked by the caller)")
}

fn shape(t: &FlexTensor) -> Shape {
    t.layout().shape().clone()
}

fn tensor(values: Vec<f32>, shape: Shape) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape))
}
