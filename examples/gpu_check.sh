#!/usr/bin/env bash
# The GPU check: what a session with a GPU machine runs, in under 8 minutes, to fill the README's
# GPU row. That machine reaches no package registry, so everything is built here and carried:
#
#   cargo build --release --features wgpu                       # the binary
#   cargo test --release --features wgpu --test backends --no-run   # the agreement checks
#   examples/gpu_check.sh target/release/plaindnn target/release/deps/backends-<hash>
#
# Needs on the GPU machine: a Vulkan driver (NVIDIA: the driver's Vulkan ICD, e.g. Debian's
# nvidia-vulkan-icd; AMD/Intel: mesa-vulkan-drivers) and libvulkan1. Without one, wgpu sees no
# adapter (or only llvmpipe, a CPU rasteriser): the script says so and exits 2 before measuring;
# so it does when the binary or the test binary named is not there (tests/bench_scripts.py).
# Writes artifacts/bench/gpu-<UTC time>-{info,backends,bench-wgpu,bench-flex}.* (or into $3).
set -euo pipefail
bin=${1:?usage: $0 PLAINDNN_BUILT_WITH_WGPU [BACKENDS_TEST_BINARY] [OUT_DIR]}
agreement=${2:-}
# need PATH BUILD: PATH is an executable, or exit 2 naming the cargo command that builds it
need() {
  if [ ! -x "$1" ]; then
    echo "gpu_check: $1: no such executable; build it here with \`$2\` and carry it" >&2
    exit 2
  fi
}
need "$bin" "cargo build --release --features wgpu"
[ -z "$agreement" ] || need "$agreement" "cargo test --release --features wgpu --test backends --no-run"
out=${3:-artifacts/bench}
stamp=$(date -u +%Y%m%dT%H%MZ)
mkdir -p "$out"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

echo "== adapters"
"$bin" info --json | tee "$out/gpu-$stamp-info.json"
if ! grep -Eq '"kind": *"(DiscreteGpu|IntegratedGpu|VirtualGpu)"' "$out/gpu-$stamp-info.json"; then
  echo "gpu_check: wgpu found no GPU adapter (only a CPU one, or none): install the GPU's Vulkan" >&2
  echo "driver (NVIDIA: nvidia-vulkan-icd; AMD/Intel: mesa-vulkan-drivers) and libvulkan1" >&2
  exit 2
fi

echo "== train on the default backend (auto: the GPU)"
"$bin" train --epochs 20 --overwrite --out "$out/gpu-$stamp-run" | head -1

if [ -n "$agreement" ]; then
  echo "== flex and wgpu agree (forward, loss, one Adam step; a trained model's predictions)"
  "$agreement" --test-threads=1 2>&1 | tee "$out/gpu-$stamp-backends.txt"
fi

echo "== W2 and W3 on wgpu, then on flex (the same binary, the same session)"
"$bin" bench w2 w3 --backend wgpu --repeats 3 --json > "$out/gpu-$stamp-bench-wgpu.json"
"$bin" bench w2 w3 --backend flex --repeats 3 --json > "$out/gpu-$stamp-bench-flex.json"
echo "gpu_check: results in $out/gpu-$stamp-*"
