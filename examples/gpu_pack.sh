#!/usr/bin/env bash
# Packs, here, what examples/gpu_check.sh needs on the GPU machine. That machine reaches no package
# registry and takes at most 64 MiB of working tree and carried files, while the two binaries weigh
# about 95 MB each (70 stripped): so they travel stripped and compressed (about 41 MB together,
# 60 MB with --unfused's third),
# with Debian's Vulkan loader (libvulkan1, and the GL dispatch libraries of libglvnd that NVIDIA's
# Vulkan driver links to), which that machine may lack.
#
#   examples/gpu_pack.sh [--no-loader] [--unfused] [DIR]   # DIR: from the project root; .gpu (git-ignored)
#
# Builds with `--features ndarray,wgpu` (CI's last build, so a warm cache builds nothing), then
# writes DIR/plaindnn.gz, DIR/backends.gz (the flex-vs-wgpu agreement tests), DIR/debs/*.deb
# (unless --no-loader), DIR/reference/ (W2 and W3 of ../shared/bench, for PyTorch on CUDA beside
# wgpu, where that folder is here) and DIR/COMMIT. --unfused builds again without the default
# feature `fusion` (Burn's op fusion on wgpu) and adds DIR/plaindnn-unfused.gz, for
# examples/gpu_fusion.sh.
# On the GPU machine: carry DIR and run
#   bash examples/gpu_check.sh --packed DIR "$OUT"      # and/or examples/gpu_fusion.sh, the same way
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: examples/gpu_pack.sh [--no-loader] [--unfused] [DIR]"
loader=1
unfused=0
dir=.gpu
while [ $# -gt 0 ]; do
  case "$1" in
    --no-loader) loader=0 ;;
    --unfused) unfused=1 ;;
    -h | --help) echo "$usage"; exit 0 ;;
    -*) echo "gpu_pack: unknown option $1; $usage" >&2; exit 2 ;;
    *) dir=$1 ;;
  esac
  shift
done
# DIR is emptied below: only a folder that is new, empty or an earlier pack
if [ -n "$(ls -A "$dir" 2>/dev/null)" ] && [ ! -f "$dir/COMMIT" ]; then
  echo "gpu_pack: $dir holds files and is no earlier pack (no COMMIT): give a new or empty folder" >&2
  exit 2
fi
features=ndarray,wgpu
limit=$((60 * 1024 * 1024)) # 64 MiB less room for the working tree (about 3 MB)

# executable TARGET < cargo's JSON messages: the path of that target's executable
executable() {
  python3 -c '
import json, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == sys.argv[1]:
        print(m["executable"])' "$1"
}

echo "== build (features $features)"
bin=$(cargo build --release --features "$features" --message-format=json | executable plaindnn)
tests=$(cargo test --release --features "$features" --test backends --no-run --message-format=json |
  executable backends)
[ -x "$bin" ] && [ -x "$tests" ] || { echo "gpu_pack: cargo named no executable" >&2; exit 1; }
binaries=("plaindnn:$bin" "backends:$tests")
if [ "$unfused" = 1 ]; then
  without=flex,playground,cli,$features # the default features but `fusion`
  echo "== build (features $without, no default features)"
  # cargo copies each build to the same target/release/plaindnn: keep the first apart
  fused=$(mktemp)
  trap 'rm -f "$fused"' EXIT
  cp "$bin" "$fused"
  other=$(cargo build --release --no-default-features --features "$without" --message-format=json |
    executable plaindnn)
  [ -x "$other" ] || { echo "gpu_pack: cargo named no executable" >&2; exit 1; }
  cp "$other" "$fused.unfused"
  trap 'rm -f "$fused" "$fused.unfused"' EXIT
  binaries=("plaindnn:$fused" "backends:$tests" "plaindnn-unfused:$fused.unfused")
  # target/release/plaindnn back to the build with fusion (built already: a copy, no compiling)
  cargo build --release --features "$features" --quiet
fi

rm -rf "$dir"
mkdir -p "$dir"
for pair in "${binaries[@]}"; do
  name=${pair%%:*}
  strip -o "$dir/$name" "${pair#*:}"
  gzip -6 "$dir/$name"
done
git rev-parse HEAD > "$dir/COMMIT"

# the reference scripts do not travel with the working tree (../shared is beside it)
reference=../shared/bench
if [ -f "$reference/w2_mlp.py" ]; then
  mkdir -p "$dir/reference"
  cp "$reference"/{_common.py,w2_mlp.py,w3_deep.py} "$dir/reference/"
else
  echo "gpu_pack: no $reference/w2_mlp.py here, so no PyTorch comparison on the GPU machine"
fi

if [ "$loader" = 1 ]; then
  echo "== the Vulkan loader (libvulkan1, libglvnd, amd64) for a machine without one"
  lists=$(mktemp -d)
  o=(-qq -oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
  mkdir -p "$lists/partial" "$dir/debs"
  apt-get "${o[@]}" update
  # the loader and the GL dispatch libraries NVIDIA's ICD links to, as the device's notes advise
  (cd "$dir/debs" && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
  rm -rf "$lists"
fi

size=$(du -sb "$dir" | cut -f1)
if [ "$size" -gt "$limit" ]; then
  echo "gpu_pack: $dir holds $size bytes, more than the $limit that can travel" >&2
  exit 1
fi
echo "gpu_pack: $dir holds $((size / 1024 / 1024)) MiB; on the GPU machine, with $dir carried:"
echo "  bash examples/gpu_check.sh --packed $dir \"\$OUT\""
[ "$unfused" = 0 ] || echo "  bash examples/gpu_fusion.sh --packed $dir \"\$OUT\""
