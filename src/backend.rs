//! The one place that knows which Burn backends were compiled in.
//!
//! `flex` is always there (burn-train itself runs on it); `ndarray` and `wgpu` are cargo features.

use std::fmt;
use std::str::FromStr;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// `XDG_RUNTIME_DIR` for a process started without one (no desktop session): while wgpu looks for
/// adapters, Mesa's Vulkan drivers ask Wayland for a display, and Wayland prints "error:
/// XDG_RUNTIME_DIR is invalid or not set" though nothing failed; a folder that holds no display
/// quiets it. The `plaindnn` command sets it first thing; a program it starts gets it unset again.
pub const NO_SESSION_RUNTIME_DIR: &str = "/nonexistent/plaindnn-no-session";

/// A compute backend, picked at run time among those compiled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// wgpu on a real GPU (discrete, integrated or virtual) when wgpu is compiled in and finds
    /// one, flex otherwise: a CPU adapter such as llvmpipe is slower than flex.
    Auto,
    /// Burn's maintained pure-Rust CPU backend.
    Flex,
    /// The ndarray CPU backend (deprecated upstream; `--features ndarray`).
    Ndarray,
    /// GPU through wgpu: Vulkan, Metal, DX12 (`--features wgpu`).
    Wgpu,
}

impl Default for Backend {
    /// The cargo feature picks it: `auto` in a build with `--features wgpu` (a GPU when there is
    /// one), `flex` otherwise.
    fn default() -> Self {
        if cfg!(feature = "wgpu") {
            Backend::Auto
        } else {
            Backend::Flex
        }
    }
}

/// A backend made concrete: what runs, on which device, and why it was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The concrete backend.
    pub backend: Backend,
    /// The device, e.g. `CPU` or `NVIDIA H200 (Vulkan)`.
    pub device: String,
    /// Why this one, e.g. `--backend flex` or `no GPU adapter found`.
    pub reason: String,
}

impl fmt::Display for Choice {
    /// `wgpu: NVIDIA H200 (Vulkan), the GPU wgpu found`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}, {}", self.backend, self.device, self.reason)
    }
}

impl Backend {
    /// Every backend plaindnn knows, compiled in or not.
    pub const ALL: [Backend; 4] = [
        Backend::Auto,
        Backend::Flex,
        Backend::Ndarray,
        Backend::Wgpu,
    ];

    /// The lower-case name used on the command line and in `config.json`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Auto => "auto",
            Backend::Flex => "flex",
            Backend::Ndarray => "ndarray",
            Backend::Wgpu => "wgpu",
        }
    }

    /// Whether this binary was built with the backend.
    pub fn is_compiled(self) -> bool {
        match self {
            Backend::Auto | Backend::Flex => true,
            Backend::Ndarray => cfg!(feature = "ndarray"),
            Backend::Wgpu => cfg!(feature = "wgpu"),
        }
    }

    /// The concrete backends compiled into this binary.
    pub fn compiled() -> Vec<Backend> {
        Self::ALL
            .into_iter()
            .filter(|b| *b != Backend::Auto && b.is_compiled())
            .collect()
    }

    /// `auto` made concrete: wgpu if it is compiled in and sees a GPU, else flex.
    pub fn resolve(self) -> Backend {
        match self {
            Backend::Auto => self.choose().backend,
            concrete => concrete,
        }
    }

    /// The concrete backend, its device and the reason, for the first line `train` prints.
    pub fn choose(self) -> Choice {
        self.choose_among(&self.adapters())
    }

    /// wgpu's adapters when they can matter (`auto`, `wgpu`): enumerating them starts a graphics
    /// instance, which a flex or ndarray run need not pay for.
    fn adapters(self) -> Vec<Adapter> {
        match self {
            Backend::Auto | Backend::Wgpu => wgpu_adapters(),
            Backend::Flex | Backend::Ndarray => Vec::new(),
        }
    }

    fn choose_among(self, adapters: &[Adapter]) -> Choice {
        let gpu = best_gpu(adapters);
        let (backend, reason) = match (self, &gpu) {
            (Backend::Auto, Some(_)) => (Backend::Wgpu, "the GPU wgpu found".to_string()),
            (Backend::Auto, None) => (Backend::Flex, no_gpu_reason(adapters)),
            (Backend::Flex, _) if !Backend::Wgpu.is_compiled() => {
                (Backend::Flex, "built without the wgpu feature".to_string())
            }
            (concrete, _) => (concrete, format!("--backend {concrete}")),
        };
        let device = match (backend, gpu.or_else(|| adapters.first())) {
            (Backend::Wgpu, Some(a)) => format!("{} ({})", a.name, a.api),
            (Backend::Wgpu, None) => "no adapter".to_string(),
            _ => "CPU".to_string(),
        };
        Choice {
            backend,
            device,
            reason,
        }
    }

    /// The inference device of this backend (call `.autodiff()` on it to train).
    pub fn device(self) -> Result<Device> {
        let adapters = self.adapters(); // enumerated once, for the choice and the check
        let backend = self.choose_among(&adapters).backend;
        if !backend.is_compiled() {
            return Err(Error::BackendMissing {
                name: backend.name().to_string(),
                compiled: names(&Self::compiled()),
            });
        }
        if backend == Backend::Wgpu && adapters.is_empty() {
            return Err(Error::invalid(
                "backend",
                "wgpu found no GPU adapter: install a Vulkan driver (Debian: mesa-vulkan-drivers), \
                 or use --backend flex (or auto to fall back)",
            ));
        }
        Ok(match backend {
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

/// A GPU adapter that wgpu can see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Adapter {
    /// e.g. `NVIDIA H100` or `llvmpipe (LLVM 15.0.6, 256 bits)`.
    pub name: String,
    /// DiscreteGpu, IntegratedGpu, VirtualGpu or Cpu (a software rasteriser such as lavapipe).
    pub kind: String,
    /// Driver name and version.
    pub driver: String,
    /// Graphics API: Vulkan, Metal, Dx12 or Gl.
    pub api: String,
}

/// The GPU Burn's default wgpu device takes: discrete first, then integrated, then virtual;
/// never a CPU adapter.
fn best_gpu(adapters: &[Adapter]) -> Option<&Adapter> {
    ["DiscreteGpu", "IntegratedGpu", "VirtualGpu"]
        .iter()
        .find_map(|kind| adapters.iter().find(|a| a.kind == *kind))
}

/// Why `auto` stays on the CPU.
fn no_gpu_reason(adapters: &[Adapter]) -> String {
    if !Backend::Wgpu.is_compiled() {
        return "built without the wgpu feature".to_string();
    }
    match adapters.first() {
        Some(cpu) => format!(
            "no GPU adapter found; --backend wgpu to use {} (a CPU rasteriser)",
            cpu.name
        ),
        None => "no GPU adapter found (a Vulkan, Metal or DX12 driver)".to_string(),
    }
}

/// Whether Burn's wgpu backend, as compiled, is its op-fusion wrapper (`burn_fusion::Fusion`):
/// what the `fusion` feature is for, read from the type itself.
pub fn wgpu_fusion() -> bool {
    #[cfg(feature = "wgpu")]
    return std::any::type_name::<burn::backend::Wgpu>().contains("Fusion<");
    #[cfg(not(feature = "wgpu"))]
    false
}

/// The adapters wgpu finds (none without the `wgpu` feature).
pub fn wgpu_adapters() -> Vec<Adapter> {
    #[cfg(feature = "wgpu")]
    {
        let instance = wgpu::Instance::default();
        let found =
            futures_lite::future::block_on(instance.enumerate_adapters(wgpu::Backends::PRIMARY));
        found
            .iter()
            .map(|a| {
                let info = a.get_info();
                Adapter {
                    name: info.name,
                    kind: format!("{:?}", info.device_type),
                    driver: format!("{} {}", info.driver, info.driver_info)
                        .trim()
                        .to_string(),
                    api: format!("{:?}", info.backend),
                }
            })
            .collect()
    }
    #[cfg(not(feature = "wgpu"))]
    Vec::new()
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
