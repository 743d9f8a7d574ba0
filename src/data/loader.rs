//! Batches for Burn's training loop, cut straight from the feature matrix.
//!
//! Shuffling is seeded by (seed, epoch), so a resumed run sees the same batches as an
//! uninterrupted one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use burn::data::dataloader::{DataLoader, DataLoaderIterator, Progress};
use burn::data::dataset::DatasetError;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::augment::AugmentConfig;
use super::dataset::{Dataset, Subset, Targets};
use crate::random::mix;

/// One batch: inputs and their targets, on the loader's device.
#[derive(Clone, Debug)]
pub struct Batch {
    /// `[batch, features]`.
    pub inputs: Tensor<2>,
    /// Classes `[batch]` or values `[batch, outputs]`.
    pub targets: BatchTargets,
    /// Each row's weight in the loss, `[batch]` (its class's, with class weights); `None`: all 1.
    pub weights: Option<Tensor<1>>,
}

/// Targets of a batch.
#[derive(Clone, Debug)]
pub enum BatchTargets {
    /// Class indices, `[batch]`.
    Classes(Tensor<1, Int>),
    /// Target values, `[batch, outputs]`.
    Values(Tensor<2>),
}

impl Batch {
    /// Rows in the batch.
    pub fn len(&self) -> usize {
        self.inputs.dims()[0]
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows `indices` of `data`, as tensors on `device`, augmented if asked.
    pub fn gather(
        data: &Dataset,
        indices: &[usize],
        augment: Option<(&AugmentConfig, u64)>,
        device: &Device,
    ) -> Self {
        let width = data.width();
        let mut features = Vec::with_capacity(indices.len() * width);
        for &i in indices {
            features.extend_from_slice(data.row(i));
        }
        if let Some((config, seed)) = augment {
            config.apply(&mut features, width, data.image, seed);
        }
        let inputs = Tensor::from_data(TensorData::new(features, [indices.len(), width]), device);
        let targets = match &data.targets {
            Targets::Classes(classes) => {
                let picked: Vec<i64> = indices.iter().map(|&i| classes[i]).collect();
                BatchTargets::Classes(Tensor::from_data(
                    TensorData::new(picked, [indices.len()]),
                    device,
                ))
            }
            Targets::Values { values, width } => {
                let mut picked = Vec::with_capacity(indices.len() * width);
                for &i in indices {
                    picked.extend_from_slice(&values[i * width..(i + 1) * width]);
                }
                BatchTargets::Values(Tensor::from_data(
                    TensorData::new(picked, [indices.len(), *width]),
                    device,
                ))
            }
        };
        Batch {
            inputs,
            targets,
            weights: None,
        }
    }

    /// The batch with each row weighted by its class's `class_weights` entry, as the rows
    /// `indices` of `data` (classification) give them.
    fn weighted(mut self, data: &Dataset, indices: &[usize], class_weights: &[f32]) -> Self {
        if let Targets::Classes(classes) = &data.targets {
            let w: Vec<f32> = (indices.iter())
                .map(|&i| class_weights[classes[i] as usize])
                .collect();
            let device = self.inputs.device();
            self.weights = Some(Tensor::from_data(
                TensorData::new(w, [indices.len()]),
                &device,
            ));
        }
        self
    }
}

/// Splits a subset into batches, optionally shuffled and augmented by (seed, epoch).
#[derive(Clone)]
pub struct BatchLoader {
    data: Arc<Dataset>,
    rows: Arc<Vec<usize>>,
    batch_size: usize,
    shuffle_seed: Option<u64>,
    augment: Option<(AugmentConfig, u64)>,
    class_weights: Option<Arc<Vec<f32>>>,
    epoch: Arc<AtomicUsize>,
    device: Device,
}

impl BatchLoader {
    /// Batches of `batch_size` rows (the last may be smaller), in order unless shuffled.
    pub fn new(
        subset: Subset,
        batch_size: usize,
        shuffle_seed: Option<u64>,
        device: &Device,
    ) -> Self {
        Self {
            data: subset.data,
            rows: subset.rows,
            batch_size: batch_size.max(1),
            shuffle_seed,
            augment: None,
            class_weights: None,
            epoch: Arc::new(AtomicUsize::new(1)),
            device: device.clone(),
        }
    }

    /// Perturbs every batch with `config`, seeded by (`seed`, epoch, batch): training data only.
    pub fn with_augmentation(mut self, config: &AugmentConfig, seed: u64) -> Self {
        self.augment = config.is_active().then(|| (config.clone(), seed));
        self
    }

    /// Weights every row's loss by its class's entry of `weights` (Keras' `class_weight`):
    /// training data only, as Keras weighs the training loss alone.
    pub fn with_class_weights(mut self, weights: Option<&[f64]>) -> Self {
        self.class_weights = weights.map(|w| Arc::new(w.iter().map(|&x| x as f32).collect()));
        self
    }

    /// A handle through which the training loop tells the loader which epoch comes next.
    pub fn epoch_handle(&self) -> Arc<AtomicUsize> {
        self.epoch.clone()
    }

    fn order(&self) -> Vec<usize> {
        let mut order = self.rows.to_vec();
        if let Some(seed) = self.shuffle_seed {
            let epoch = self.epoch.load(Ordering::Relaxed) as u64;
            let mut rng = StdRng::seed_from_u64(mix(seed, epoch));
            order.shuffle(&mut rng);
        }
        order
    }
}

impl DataLoader<Batch> for BatchLoader {
    fn iter<'a>(&'a self) -> Box<dyn DataLoaderIterator<Batch> + 'a> {
        Box::new(BatchIter {
            loader: self,
            order: self.order(),
            position: 0,
            batch: 0,
        })
    }

    fn num_items(&self) -> usize {
        self.rows.len()
    }

    fn to_device(&self, device: &Device) -> Arc<dyn DataLoader<Batch>> {
        Arc::new(Self {
            device: device.clone(),
            ..self.clone()
        })
    }

    fn slice(&self, start: usize, end: usize) -> Arc<dyn DataLoader<Batch>> {
        let end = end.min(self.rows.len());
        let start = start.min(end);
        Arc::new(Self {
            rows: Arc::new(self.rows[start..end].to_vec()),
            ..self.clone()
        })
    }
}

struct BatchIter<'a> {
    loader: &'a BatchLoader,
    order: Vec<usize>,
    position: usize,
    batch: u64,
}

impl Iterator for BatchIter<'_> {
    type Item = Result<Batch, DatasetError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.position >= self.order.len() {
            return None;
        }
        let end = (self.position + self.loader.batch_size).min(self.order.len());
        let epoch = self.loader.epoch.load(Ordering::Relaxed) as u64;
        let augment = self
            .loader
            .augment
            .as_ref()
            .map(|(c, seed)| (c, mix(mix(*seed, epoch), self.batch)));
        let rows = &self.order[self.position..end];
        let mut batch = Batch::gather(&self.loader.data, rows, augment, &self.loader.device);
        if let Some(weights) = &self.loader.class_weights {
            batch = batch.weighted(&self.loader.data, rows, weights);
        }
        self.position = end;
        self.batch += 1;
        Some(Ok(batch))
    }
}

impl DataLoaderIterator<Batch> for BatchIter<'_> {
    fn progress(&self) -> Progress {
        Progress::new(self.position, self.order.len(), Some("items".to_string()))
    }
}
