#!/usr/bin/env bash
# The GPU check: what a session with a GPU machine runs, in under 8 minutes, to give the README its
# first GPU figures. That machine reaches no package registry and takes at most 64 MiB of carried
# files, so everything is built and packed here:
#
#   examples/gpu_pack.sh                                  # here: .gpu/, about 41 MB
#   examples/gpu_check.sh --packed .gpu "$OUT"            # there, with .gpu carried
#   examples/gpu_check.sh BIN [BACKENDS_TEST] [OUT_DIR]   # or with the binaries themselves
#
# Needs on the GPU machine a Vulkan driver (NVIDIA: the driver's Vulkan ICD; AMD/Intel:
# mesa-vulkan-drivers) and the Vulkan loader (libvulkan1, and libglvnd0 for NVIDIA's ICD). With
# --packed, a missing loader is unpacked from DIR/debs, and the NVIDIA ICD under /usr/local/nvidia
# is named to it.
# Without a GPU, wgpu sees no adapter (or only llvmpipe, a CPU rasteriser): the script says so and
# exits 2 before measuring; so it does when a binary named is not there (tests/bench_scripts.py).
# GPU_CHECK_ALLOW_CPU=1 runs it on a CPU adapter all the same (files named cpu-adapter-*, not
# gpu-*: tests/gpu_check_on_lavapipe.py); GPU_CHECK_WORKLOADS picks the workloads (default w3 w2);
# GPU_CHECK_SECONDS (default 420) ends the benchmarks by then, keeping those that finished, and
# exits 1 if one did not.
# Then, where python3 has torch with CUDA and the pack holds the reference scripts (DIR/reference;
# GPU_CHECK_REFERENCE without --packed), examples/compare_with_pytorch.py sets plaindnn on wgpu
# beside PyTorch on CUDA, W3 and W2, in the time left (GPU_CHECK_ROUNDS rounds, default 3).
# Writes OUT_DIR (default artifacts/bench)/gpu-<UTC time>-{info.json,train.txt,backends.txt},
# -bench-{wgpu,flex}-{w3,w2}.json and -vs-pytorch-cuda.json: eight files, as the GPU machine hands
# back at most eight.
set -euo pipefail
temporary=()
trap 'rm -rf "${temporary[@]}"' EXIT

# need, unpack, adapters
source "$(dirname "$0")/gpu_common.sh"

if [ "${1:-}" = "--packed" ]; then
  unpack "${2:?usage: $0 --packed DIR [OUT_DIR]}"
  out=${3:-artifacts/bench}
else
  bin=${1:?usage: $0 PLAINDNN_BUILT_WITH_WGPU [BACKENDS_TEST_BINARY] [OUT_DIR], or $0 --packed DIR [OUT_DIR]}
  agreement=${2:-}
  out=${3:-artifacts/bench}
  reference=${GPU_CHECK_REFERENCE:-}
fi
need "$bin" "cargo build --release --features wgpu"
[ -z "$agreement" ] || need "$agreement" "cargo test --release --features wgpu --test backends --no-run"
workloads=${GPU_CHECK_WORKLOADS:-w3 w2}
budget=${GPU_CHECK_SECONDS:-420}
if ! [[ "$budget" =~ ^[0-9]+$ ]]; then
  echo "gpu_check: GPU_CHECK_SECONDS=$budget: give a whole number of seconds (default 420)" >&2
  exit 2
fi
deadline=$((SECONDS + budget))
mkdir -p "$out"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
info=$(mktemp)
temporary+=("$info")

adapters "$bin" "$info"
stem="$out/$kind-$(date -u +%Y%m%dT%H%MZ)"
cp "$info" "$stem-info.json"

echo "== train on the default backend (auto: the GPU)"
run=$(mktemp -d)
temporary+=("$run")
"$bin" train --epochs 20 --overwrite --out "$run/quadrants" | tee "$stem-train.txt"

if [ -n "$agreement" ]; then
  echo "== flex and wgpu agree (forward, loss, one Adam step; a trained model's predictions)"
  "$agreement" --test-threads=1 2>&1 | tee "$stem-backends.txt"
fi

# bench WORKLOAD BACKEND: into its own file, killed when the deadline passes (what finished stays)
unfinished=0
bench() {
  local left=$((deadline - SECONDS)) file="$stem-bench-$2-$1.json" status=124
  if [ "$left" -gt 0 ]; then
    status=0
    timeout "$left" "$bin" bench "$1" --backend "$2" --repeats 3 --json > "$file" || status=$?
  fi
  [ "$status" = 0 ] && return
  rm -f "$file"
  unfinished=1
  if [ "$status" = 124 ]; then
    echo "gpu_check: $1 on $2 did not finish within GPU_CHECK_SECONDS (${budget} s)" >&2
  else
    echo "gpu_check: $1 on $2 failed with exit status $status (its message is above)" >&2
  fi
}
for workload in $workloads; do
  echo "== $workload on wgpu, then on flex (the same binary, the same session)"
  bench "$workload" wgpu
  bench "$workload" flex
done

# plaindnn on wgpu beside PyTorch on CUDA, W2 and W3 (PyTorch's GPU side has no other), in the time left
cuda='import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'
compared=$(tr ' ' '\n' <<<"$workloads" | grep -xE 'w2|w3' | paste -sd, || true)
if [ -z "$compared" ]; then
  echo "gpu_check: GPU_CHECK_WORKLOADS has neither w2 nor w3: no PyTorch comparison"
elif [ -z "$reference" ]; then
  echo "gpu_check: no reference scripts (pack them with ../shared/bench beside the project): no PyTorch comparison"
elif ! python3 -c "$cuda" 2>/dev/null; then
  echo "gpu_check: python3 here has no torch that sees a CUDA GPU: no PyTorch comparison"
elif [ $((deadline - SECONDS)) -le 0 ]; then
  echo "gpu_check: no time left (GPU_CHECK_SECONDS) for the PyTorch comparison" >&2
  unfinished=1
else
  echo "== plaindnn on wgpu beside PyTorch on CUDA"
  status=0
  timeout $((deadline - SECONDS)) python3 "$(dirname "$0")/compare_with_pytorch.py" --plaindnn "$bin" \
    --python "$(command -v python3)" --reference "$reference" --workloads "$compared" --backend wgpu \
    --torch-device cuda --threads "$(nproc)" --rounds "${GPU_CHECK_ROUNDS:-3}" --repeats 3 \
    --out "$stem-vs-pytorch-cuda.json" || status=$?
  if [ "$status" = 124 ]; then
    echo "gpu_check: the PyTorch comparison did not finish within GPU_CHECK_SECONDS (${budget} s)" >&2
    unfinished=1
  elif [ "$status" != 0 ]; then
    echo "gpu_check: the PyTorch comparison failed with exit status $status (its message is above)" >&2
    unfinished=1
  fi
fi
echo "gpu_check: results in $stem-*"
exit "$unfinished"
