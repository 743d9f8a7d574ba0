//! The network itself: activations, initialisation, the MLP module, its summary, the worked example.
//!
//! Knows nothing of data files or training.

pub mod activation;
mod batch_norm;
mod block;
pub mod dropout;
pub mod features;
mod fold;
pub mod init;
mod linear;
pub mod mlp;
mod mlp_config;
mod param_ids;
mod read;
pub mod rrelu;
pub mod safetensors;
pub mod summary;
pub mod worked_example;

pub use activation::{Activation, ActivationConfig, ACTIVATION_NAMES};
pub use block::Block;
pub use dropout::Dropout;
pub use features::{AddedFeature, FeatureMap};
pub use init::InitConfig;
pub use mlp::{FrozenPrefix, Mlp};
pub use mlp_config::{MlpConfig, MAX_PARAMS};
pub use param_ids::seeded_ids;
pub(crate) use read::read_f32;
pub use summary::Summary;
