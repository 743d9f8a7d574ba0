# Sourced by examples/gpu_check.sh and examples/gpu_fusion.sh: what both do on the GPU machine
# with a pack that examples/gpu_pack.sh made here, and the adapter check. `unpack` sets `bin`,
# `unfused` (the build without `fusion`, where packed), `agreement` (the backends test) and
# `reference` (the PyTorch scripts); the caller's `temporary` array collects what its EXIT trap
# removes.

me=$(basename "$0" .sh) # the script's name, for its messages

# need PATH BUILD: PATH is an executable, or exit 2 naming the command that builds it
need() {
  if [ ! -x "$1" ]; then
    echo "$me: $1: no such executable; build it here with \`$2\` and carry it" >&2
    exit 2
  fi
}

# unpack DIR: the Vulkan loader if this machine lacks one, and the binaries into a temporary folder
unpack() {
  local dir=$1
  if [ ! -f "$dir/plaindnn.gz" ]; then
    echo "$me: $dir/plaindnn.gz: not there; pack it here with \`examples/gpu_pack.sh $dir\`" \
      "and carry $dir" >&2
    exit 2
  fi
  # the loader, and the dispatch library that the NVIDIA driver's Vulkan ICD links to
  local nvidia=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json libraries
  libraries=$(ldconfig -p 2>/dev/null || true)
  if ! grep 'libvulkan\.so\.1' <<<"$libraries" >/dev/null ||
    { [ -f "$nvidia" ] && ! grep 'libGLdispatch\.so\.0' <<<"$libraries" >/dev/null; }; then
    if ! ls "$dir"/debs/*.deb >/dev/null 2>&1; then
      echo "$me: no Vulkan loader (libvulkan.so.1, libGLdispatch.so.0) here and none in" \
        "$dir/debs: pack again without --no-loader" >&2
      exit 2
    fi
    echo "== the Vulkan loader from $dir/debs"
    for f in "$dir"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia" ]; then
    export VK_DRIVER_FILES=$nvidia
  fi
  unpacked=$(mktemp -d)
  temporary+=("$unpacked")
  for name in plaindnn backends plaindnn-unfused; do
    if [ -f "$dir/$name.gz" ]; then
      gzip -dc "$dir/$name.gz" > "$unpacked/$name"
      chmod +x "$unpacked/$name"
    fi
  done
  bin=$unpacked/plaindnn
  unfused=$([ -x "$unpacked/plaindnn-unfused" ] && echo "$unpacked/plaindnn-unfused" || true)
  agreement=$([ -x "$unpacked/backends" ] && echo "$unpacked/backends" || true)
  reference=$([ -d "$dir/reference" ] && echo "$dir/reference" || true)
}

# adapters BIN INFO: BIN's `info --json` into INFO and on screen; `kind` is gpu, or cpu-adapter
# where wgpu sees no GPU and GPU_CHECK_ALLOW_CPU=1; otherwise exit 2 naming the driver packages
adapters() {
  echo "== adapters"
  "$1" info --json | tee "$2"
  kind=gpu
  if ! grep -Eq '"kind": *"(DiscreteGpu|IntegratedGpu|VirtualGpu)"' "$2"; then
    if [ "${GPU_CHECK_ALLOW_CPU:-}" != 1 ]; then
      echo "$me: wgpu found no GPU adapter (only a CPU one, or none): install the GPU's Vulkan" >&2
      echo "driver (NVIDIA: nvidia-vulkan-icd; AMD/Intel: mesa-vulkan-drivers) and libvulkan1" >&2
      exit 2
    fi
    echo "$me: no GPU adapter; GPU_CHECK_ALLOW_CPU=1, so on the CPU adapter (not GPU figures)"
    kind=cpu-adapter
  fi
}
