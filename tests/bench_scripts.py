#!/usr/bin/env python3
"""The benchmark scripts refuse bad input before they time anything: exit status 2 and a
message on stderr that names the flag (or argument) and the way on, never a Python traceback.

  python3 tests/bench_scripts.py BIN      BIN: the plaindnn binary the scripts are given

Each check runs `examples/compare_with_pytorch.py`, `examples/compare_with_sklearn.py`,
`examples/gpu_check.sh`, `examples/gpu_pack.sh` or `examples/gpu_fusion.sh` with one bad input. A stand-in for a Python without torch (or
scikit-learn, or whose torch sees no GPU) is a shell script that prints the error such a Python
prints and exits 1, and one
for a plaindnn built without wgpu answers `info --json` as such a build does, so the check needs
no particular Python or build installed.
"""
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTORCH = ROOT / "examples" / "compare_with_pytorch.py"
SKLEARN = ROOT / "examples" / "compare_with_sklearn.py"
GPU_CHECK = ROOT / "examples" / "gpu_check.sh"
GPU_PACK = ROOT / "examples" / "gpu_pack.sh"
GPU_FUSION = ROOT / "examples" / "gpu_fusion.sh"


def refusal(script, flags, env=None):
    """(exit status, stderr) of one run; it must end within seconds, having timed nothing."""
    runner = ["bash"] if script.suffix == ".sh" else [sys.executable]
    done = subprocess.run([*runner, str(script), *flags], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env={**os.environ, **(env or {})})
    return done.returncode, done.stderr


def expect(script, flags, *words, env=None):
    code, err = refusal(script, flags, env)
    problems = []
    if code != 2:
        problems.append(f"exit status {code}, not 2")
    if "Traceback" in err:
        problems.append("a Python traceback")
    problems += [f"no `{w}`" for w in words if w not in err]
    if problems:
        sys.exit(f"{script.name} {' '.join(flags)}: {', '.join(problems)}; stderr:\n{err}")
    print(f"ok  {script.name} {' '.join(flags)}  →  {err.strip().splitlines()[-1]}")


def python_without(module, folder):
    """An executable that answers like a Python lacking `module`."""
    path = Path(folder) / f"python-without-{module}"
    path.write_text(f"#!/bin/sh\necho \"ModuleNotFoundError: No module named '{module}'\" >&2\nexit 1\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def python_without_cuda(folder):
    """An executable that imports anything, like a Python with torch, but whose torch finds no
    NVIDIA driver when a tensor is put on a GPU."""
    path = Path(folder) / "python-without-cuda"
    path.write_text('#!/bin/sh\ncase "$2" in *device=*) echo "RuntimeError: Found no NVIDIA driver '
                    'on your system." >&2; exit 1;; esac\nexit 0\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def plaindnn_with(backends, folder):
    """An executable that answers `info --json` like a plaindnn built with `backends`."""
    path = Path(folder) / f"plaindnn-with-{'-'.join(backends)}"
    listing = ", ".join(f'"{b}"' for b in backends)
    path.write_text(f"#!/bin/sh\necho '{{\"backends\": [{listing}]}}'\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
    missing = "/nonexistent/plaindnn"
    with tempfile.TemporaryDirectory() as folder:
        no_torch, no_sklearn = python_without("torch", folder), python_without("sklearn", folder)
        here = ["--reference", folder]  # a folder that exists, wherever ../shared is
        # a binary that is not there: named, with how to build it
        expect(PYTORCH, [*here, "--plaindnn", missing], f"--plaindnn {missing}", "cargo build --release")
        expect(SKLEARN, ["--plaindnn", missing], f"--plaindnn {missing}", "cargo build --release")
        # a Python that lacks what the references import: its own complaint, and where to look
        expect(PYTORCH, [*here, "--plaindnn", binary, "--python", no_torch],
               f"--python {no_torch}", "No module named 'torch'", "shared/bench/README.md")
        expect(SKLEARN, ["--plaindnn", binary, "--python", no_sklearn],
               f"--python {no_sklearn}", "No module named 'sklearn'", "shared/bench/README.md")
        expect(PYTORCH, [*here, "--plaindnn", binary, "--python", os.path.join(folder, "none")],
               "--python", "no such executable")
        # a backend the binary lacks: named, with what it has and the build that adds it
        flex_only = plaindnn_with(["flex"], folder)
        expect(PYTORCH, [*here, "--plaindnn", flex_only, "--backend", "wgpu"],
               "--backend wgpu", "compiled in: flex", "--features wgpu")
        expect(PYTORCH, [*here, "--plaindnn", binary, "--backend", "cuda"], "--backend cuda",
               "unknown backend", "auto, flex, ndarray, wgpu")
        expect(PYTORCH, [*here, "--plaindnn", binary, "--workloads", "w4", "--backend", "flex"],
               "--backend", "w4")
        # PyTorch on a GPU: the workloads it has, and a torch that sees no GPU
        expect(PYTORCH, [*here, "--plaindnn", binary, "--torch-device", "cuda", "--workloads", "w1,w2"],
               "--torch-device cuda", "w2 and w3 only", "w1")
        expect(PYTORCH, [*here, "--plaindnn", binary, "--python", python_without_cuda(folder),
                         "--torch-device", "cuda", "--workloads", "w2"],
               "--torch-device cuda", "Found no NVIDIA driver")
        # flags whose values could never run
        expect(PYTORCH, [*here, "--plaindnn", binary, "--workloads", "w1,w9"], "w9", "w1, w2, w3, w4")
        expect(PYTORCH, ["--plaindnn", binary, "--reference", os.path.join(folder, "none")],
               "--reference", "no such folder")
        expect(PYTORCH, ["--plaindnn", binary, "--rounds", "0"], "--rounds", "at least 1")
        expect(SKLEARN, ["--plaindnn", binary, "--epochs", "0"], "--epochs", "at least 1")
        # the GPU check: a binary or test binary not carried over, and a machine with no GPU
        # (this one: only a CPU adapter, or a binary without wgpu), refused before measuring
        out = os.path.join(folder, "gpu")
        expect(GPU_CHECK, [missing], missing, "cargo build --release --features wgpu")
        expect(GPU_CHECK, [binary, missing, out], missing, "--test backends --no-run")
        expect(GPU_CHECK, [binary, "", out], "no GPU adapter", "Vulkan")
        # a pack that is not there; a deadline that is not whole seconds
        expect(GPU_CHECK, ["--packed", missing], f"{missing}/plaindnn.gz", "gpu_pack.sh")
        expect(GPU_CHECK, [binary, "", out], "GPU_CHECK_SECONDS=7m", env={"GPU_CHECK_SECONDS": "7m"})
        # a folder of the user's to pack into: refused, not emptied, before anything is built
        kept = Path(folder) / "mine"
        kept.mkdir()
        (kept / "notes.txt").write_text("mine")
        expect(GPU_PACK, [str(kept)], str(kept), "no earlier pack")
        assert (kept / "notes.txt").exists(), "gpu_pack.sh emptied a folder it was refused"
        # fusion timed: one binary, not two; a pack without the unfused build; a round count
        # that is not a whole number; workloads that could not all come back; a build without
        # wgpu in FUSED's place (a build with wgpu in the wrong place: gpu_check_on_lavapipe.py)
        timed = os.path.join(folder, "fusion")
        expect(GPU_FUSION, [binary], "usage", "FUSED UNFUSED")
        expect(GPU_FUSION, [binary, missing, timed], missing, "gpu_pack.sh --unfused")
        single = Path(folder) / "single"
        single.mkdir()
        with open(single / "plaindnn.gz", "wb") as f:
            f.write(subprocess.run(["gzip", "-c", binary], capture_output=True, check=True).stdout)
        expect(GPU_FUSION, ["--packed", str(single), timed], "plaindnn-unfused.gz", "--unfused")
        expect(GPU_FUSION, [binary, binary, timed], "GPU_FUSION_ROUNDS=0", "whole number",
               env={"GPU_FUSION_ROUNDS": "0"})
        expect(GPU_FUSION, [binary, binary, timed], "GPU_FUSION_WORKLOADS=w1 w2 w3", "one or two",
               env={"GPU_FUSION_WORKLOADS": "w1 w2 w3"})
        expect(GPU_FUSION, [binary, binary, timed], "GPU_FUSION_WORKLOADS=w4", "one or two",
               env={"GPU_FUSION_WORKLOADS": "w4"})
        expect(GPU_FUSION, [binary, binary, timed], "FUSED", "default feature `fusion`",
               "a build without wgpu")
        assert not os.path.exists(timed), "gpu_fusion.sh wrote files before a refusal"
    print("bench_scripts: every bad input refused")


if __name__ == "__main__":
    main()
