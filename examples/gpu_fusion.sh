#!/usr/bin/env bash
# Burn's op fusion on a GPU, measured: the same commit built with the default feature `fusion` and
# without it, `plaindnn bench --backend wgpu` on each build in turn, the order swapped every round
# so that neither build always runs first.
#
#   examples/gpu_pack.sh --unfused                     # here: .gpu/, about 60 MB
#   examples/gpu_fusion.sh --packed .gpu "$OUT"        # there, with .gpu carried
#   examples/gpu_fusion.sh FUSED UNFUSED [OUT_DIR]     # or with the two binaries themselves
#
# Each binary must be what its place says: `info --json` has wgpu_fusion true for FUSED and not
# for UNFUSED, or the script exits 2 before measuring. Both train the quadrant net for 20 epochs on
# wgpu (the last epoch's losses printed one above the other). Then GPU_FUSION_ROUNDS rounds (default
# 3) of GPU_FUSION_WORKLOADS (default w3 w2), --repeats 3 each, until GPU_FUSION_SECONDS (default
# 420): a benchmark still running then is killed and left out, and the script exits 1.
# GPU_CHECK_ALLOW_CPU=1 accepts a CPU adapter (files named cpu-adapter-fusion-*, not gpu-fusion-*),
# as examples/gpu_check.sh does.
# Writes OUT_DIR (default artifacts/bench)/gpu-fusion-<UTC time>-{info.json,train-fused.txt,
# train-unfused.txt} and -bench-<workload>-{fused,unfused}.jsonl, one `bench --json` per line and
# round, with the round added ("round": 1, ...): seven files with two workloads (the GPU machine
# hands back at most eight, so at most two workloads of w1, w2, w3).
set -euo pipefail
temporary=()
trap 'rm -rf "${temporary[@]}"' EXIT
# need, unpack, adapters
source "$(dirname "$0")/gpu_common.sh"

usage="usage: $0 --packed DIR [OUT_DIR], or $0 FUSED UNFUSED [OUT_DIR]"
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "gpu_fusion: $usage" >&2
  exit 2
fi
if [ "$1" = "--packed" ]; then
  # before unpack, which may install the Vulkan loader
  if [ ! -f "$2/plaindnn-unfused.gz" ]; then
    echo "gpu_fusion: $2/plaindnn-unfused.gz: not there; pack it here with" \
      "\`examples/gpu_pack.sh --unfused $2\` and carry $2" >&2
    exit 2
  fi
  unpack "$2"
  out=${3:-artifacts/bench}
else
  bin=$1
  unfused=$2
  out=${3:-artifacts/bench}
fi
need "$bin" "cargo build --release --features wgpu"
need "$unfused" "examples/gpu_pack.sh --unfused"
workloads=${GPU_FUSION_WORKLOADS:-w3 w2}
read -ra named <<<"$workloads"
if [ "${#named[@]}" -lt 1 ] || [ "${#named[@]}" -gt 2 ] ||
  [ -n "$(tr ' ' '\n' <<<"$workloads" | grep -vxE 'w1|w2|w3|' || true)" ]; then
  echo "gpu_fusion: GPU_FUSION_WORKLOADS=$workloads: give one or two of w1, w2, w3 (two make" \
    "seven files; the GPU machine hands back at most eight)" >&2
  exit 2
fi
for name in GPU_FUSION_ROUNDS GPU_FUSION_SECONDS; do
  if [ -n "${!name:-}" ] && ! [[ "${!name}" =~ ^[1-9][0-9]*$ ]]; then
    echo "gpu_fusion: $name=${!name}: give a whole number above 0" >&2
    exit 2
  fi
done
rounds=${GPU_FUSION_ROUNDS:-3}
budget=${GPU_FUSION_SECONDS:-420}
deadline=$((SECONDS + budget))
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

# build_of BINARY: what its `info --json` says it is: with wgpu and Burn's op fusion, with wgpu
# alone, or without wgpu
build_of() {
  local info
  info=$("$1" info --json | tr -d ' \n')
  if ! grep -q '"backends":\[[^]]*"wgpu"' <<<"$info"; then
    echo "without wgpu"
  elif grep -q '"wgpu_fusion":true' <<<"$info"; then
    echo "with wgpu and Burn's op fusion"
  else
    echo "with wgpu, without Burn's op fusion"
  fi
}
built=$(build_of "$bin")
if [ "$built" != "with wgpu and Burn's op fusion" ]; then
  echo "gpu_fusion: FUSED ($bin) must be built with wgpu and the default feature \`fusion\`;" \
    "it is a build $built" >&2
  exit 2
fi
built=$(build_of "$unfused")
if [ "$built" != "with wgpu, without Burn's op fusion" ]; then
  echo "gpu_fusion: UNFUSED ($unfused) must be built with wgpu and without the feature" \
    "\`fusion\` (\`examples/gpu_pack.sh --unfused\`); it is a build $built" >&2
  exit 2
fi
info=$(mktemp)
temporary+=("$info")
adapters "$bin" "$info"
mkdir -p "$out"
stem="$out/$kind-fusion-$(date -u +%Y%m%dT%H%MZ)"
rm -f "$stem"-* # a run earlier in the same minute: its lines are not this run's rounds
cp "$info" "$stem-info.json"

# binary BUILD: the executable of build `fused` or `unfused`
binary() { if [ "$1" = unfused ]; then echo "$unfused"; else echo "$bin"; fi; }

echo "== the quadrant net, 20 epochs, on each build"
run=$(mktemp -d)
temporary+=("$run")
for build in unfused fused; do
  "$(binary $build)" train --backend wgpu --epochs 20 --overwrite --out "$run/$build" \
    > "$stem-train-$build.txt"
  echo "$build: $(grep -E '^epoch 20/' "$stem-train-$build.txt" || true)"
done

# bench WORKLOAD BUILD ROUND: `bench --json` as one line, with the round, appended to its file;
# killed at the deadline
unfinished=0
bench() {
  local left=$((deadline - SECONDS)) result status=124
  if [ "$left" -gt 0 ]; then
    status=0
    result=$(timeout "$left" "$(binary "$2")" bench "$1" --backend wgpu --repeats 3 --json) ||
      status=$?
  fi
  if [ "$status" = 0 ]; then
    printf '{"round": %d, %s\n' "$3" "$(tr -d '\n' <<<"${result#*\{}")" >> "$stem-bench-$1-$2.jsonl"
    return
  fi
  unfinished=1
  if [ "$status" = 124 ]; then
    echo "gpu_fusion: $1 on the $2 build did not finish within GPU_FUSION_SECONDS (${budget} s)" >&2
  else
    echo "gpu_fusion: $1 on the $2 build failed with exit status $status (its message is above)" >&2
  fi
}
for round in $(seq "$rounds"); do
  if [ $((deadline - SECONDS)) -le 0 ]; then
    echo "gpu_fusion: rounds $round to $rounds not run: GPU_FUSION_SECONDS (${budget} s) passed" >&2
    unfinished=1
    break
  fi
  order="unfused fused"
  [ $((round % 2)) = 1 ] || order="fused unfused"
  for workload in $workloads; do
    for build in $order; do
      echo "== round $round: $workload, $build build"
      bench "$workload" "$build" "$round"
    done
  done
done

# the medians side by side, where python3 is here to read them
if command -v python3 >/dev/null; then
  python3 - "$stem" $workloads <<'EOF'
import json, sys
stem = sys.argv[1]
for workload in sys.argv[2:]:
    runs = {}  # (variant, path, metric) -> build -> round -> median
    for build in ("unfused", "fused"):
        try:
            lines = open(f"{stem}-bench-{workload}-{build}.jsonl").read().split("\n")
        except OSError:
            continue
        for line in filter(None, lines):
            bench = json.loads(line)
            for r in bench["results"]:
                key = (r["variant"], r["path"], r["metric"])
                runs.setdefault(key, {}).setdefault(build, {})[bench["round"]] = r["median"]
    for (variant, path, metric), by in sorted(runs.items()):
        rounds = sorted(set(by.get("unfused", {})) & set(by.get("fused", {})))
        unfused = [by["unfused"][n] for n in rounds]
        fused = [by["fused"][n] for n in rounds]
        # speed-up, round by round: more samples per second, or less time per step
        faster = [f / u if metric.endswith("per_s") else u / f for u, f in zip(unfused, fused)]
        print(f"{workload} {variant} {path} {metric}: unfused {[round(x) for x in unfused]}, "
              f"fused {[round(x) for x in fused]}, fusion's speed-up {[round(x, 2) for x in faster]}")
EOF
fi
echo "gpu_fusion: results in $stem-*"
exit "$unfinished"
