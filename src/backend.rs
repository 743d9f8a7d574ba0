//! The one place that knows which Burn backends were compiled in.
//!
//! `flex` is always there (burn-train itself runs on it); `ndarray` and `wgpu` are cargo features.

use std::fmt;
use std::str::FromStr;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A compute backend, picked at run time among those compiled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Burn's maintained pure-Rust CPU backend (the default).
    Flex,
    /// The ndarray CPU backend (deprecated upstream; `--features ndarray`).
    Ndarray,
    /// GPU through wgpu: Vulkan, Metal, DX12 (`--features wgpu`).
    Wgpu,
}

impl Backend {
    /// Every backend plaindnn knows, compiled in or not.
    pub const ALL: [Backend; 3] = [Backend::Flex, Backend::Ndarray, Backend::Wgpu];

    /// The lower-case name used on the command line and in `config.json`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Flex => "flex",
            Backend::Ndarray => "ndarray",
            Backend::Wgpu => "wgpu",
        }
    }

    /// Whether this binary was built with the backend.
    pub fn is_compiled(self) -> bool {
        match self {
            Backend::Flex => true,
            Backend::Ndarray => cfg!(feature = "ndarray"),
            Backend::Wgpu => cfg!(feature = "wgpu"),
        }
    }

    /// The backends compiled into this binary.
    pub fn compiled() -> Vec<Backend> {
        Self::ALL.into_iter().filter(|b| b.is_compiled()).collect()
    }

    /// The inference device of this backend (call `.autodiff()` on it to train).
    pub fn device(self) -> Result<Device> {
        if !self.is_compiled() {
            return Err(Error::BackendMissing {
                name: self.name().to_string(),
                compiled: names(&Self::compiled()),
            });
        }
        Ok(match self {
            Backend::Flex => Device::flex(),
            #[cfg(feature = "ndarray")]
            #[allow(deprecated)]
            // kept because the user asked for it; flex is the default
            Backend::Ndarray => Device::ndarray(),
            #[cfg(feature = "wgpu")]
            Backend::Wgpu => Device::wgpu(burn::tensor::DeviceKind::DefaultDevice),
            #[allow(unreachable_patterns)]
            _ => unreachable!("checked by is_compiled above"),
        })
    }
}

impl Default for Backend {
    fn default() -> Self {
        Backend::Flex
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|b| b.name() == s.to_ascii_lowercase())
            .ok_or_else(|| Error::Unknown {
                what: "backend",
                got: s.to_string(),
                valid: names(&Self::ALL),
            })
    }
}

fn names(backends: &[Backend]) -> String {
    let names: Vec<&str> = backends.iter().map(|b| b.name()).collect();
    names.join(", ")
}
