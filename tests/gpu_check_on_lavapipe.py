#!/usr/bin/env python3
"""The GPU check end to end on a machine without a GPU: examples/gpu_pack.sh --unfused packs the
binaries of CI's last build (`--features ndarray,wgpu`) and the same without Burn's fusion, small
enough to travel (the GPU machine takes at most 64 MiB), and examples/gpu_check.sh --packed unpacks
them and runs every step on Mesa's lavapipe, allowed by GPU_CHECK_ALLOW_CPU=1 and cut to W1 (W2 and
W3 take minutes on a CPU rasteriser). A benchmark still running at GPU_CHECK_SECONDS is cut, the
steps before it kept; without GPU_CHECK_ALLOW_CPU the same call refuses the CPU adapter with exit
status 2. examples/gpu_fusion.sh --packed runs both builds from the same pack: they train to the
same losses, the build that goes first alternates by round, and a build in the wrong place is
refused. (Input refused before anything runs, a
missing pack say, is tests/bench_scripts.py's.) Run by .ci/run after its wgpu build:
python3 tests/gpu_check_on_lavapipe.py
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "examples" / "gpu_pack.sh"
CHECK = ROOT / "examples" / "gpu_check.sh"
FUSION = ROOT / "examples" / "gpu_fusion.sh"
TRAVELS = 60 * 1024 * 1024  # the device's 64 MiB, less the working tree


def run(args, env=None, code=0):
    """Runs `args` in the project root; fails unless it exits with `code`."""
    done = subprocess.run(args, cwd=ROOT, env={**os.environ, **(env or {})},
                          capture_output=True, text=True)
    if done.returncode != code:
        sys.exit(f"{args} exited {done.returncode}, not {code}:\n{done.stdout}\n{done.stderr}")
    return done


def packed_binaries_fit_the_device(pack):
    run(["bash", str(PACK), "--no-loader", "--unfused", str(pack)])
    names = sorted(p.name for p in pack.iterdir())
    # reference/: the PyTorch scripts, where ../shared/bench is beside the project
    binaries = ["COMMIT", "backends.gz", "plaindnn-unfused.gz", "plaindnn.gz"]
    assert names in (binaries, binaries + ["reference"]), names
    size = sum(p.stat().st_size for p in pack.rglob("*") if p.is_file())
    assert size <= TRAVELS, f"the pack holds {size} bytes, more than {TRAVELS}"
    head = run(["git", "rev-parse", "HEAD"]).stdout.strip()
    assert (pack / "COMMIT").read_text().strip() == head
    # the build without fusion came last, and target/release/plaindnn is the default one again
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    info = json.loads(run([str(target / "release" / "plaindnn"), "info", "--json"]).stdout)
    assert info["wgpu_fusion"] is True, info


def the_check_runs_every_step_from_the_pack(pack, out):
    env = {"GPU_CHECK_ALLOW_CPU": "1", "GPU_CHECK_WORKLOADS": "w1"}
    run(["bash", str(CHECK), "--packed", str(pack), str(out)], env)
    files = sorted(os.path.basename(f) for f in glob.glob(str(out / "*")))
    assert len(files) == 5, files  # three, and one per workload and backend
    stem = glob.glob(str(out / "*-info.json"))[0][: -len("-info.json")]
    assert os.path.basename(stem).startswith("cpu-adapter-"), stem  # not to be taken for a GPU's
    info = json.load(open(f"{stem}-info.json"))
    assert "wgpu" in info["backends"] and info["wgpu_adapters"], info
    assert "best epoch" in open(f"{stem}-train.txt").read()
    assert "test result: ok. 3 passed" in open(f"{stem}-backends.txt").read()
    for backend in ("wgpu", "flex"):
        bench = json.load(open(f"{stem}-bench-{backend}-w1.json"))
        assert bench["backend"] == backend, bench
        medians = [r["median"] for r in bench["results"] if r["workload"] == "w1"]
        assert len(medians) == 2 and all(m > 0 for m in medians), bench


def benchmarks_past_the_deadline_are_cut_and_reported(pack, out):
    # W1 on lavapipe takes about 35 s: started with a few seconds left, then killed
    env = {"GPU_CHECK_ALLOW_CPU": "1", "GPU_CHECK_WORKLOADS": "w1", "GPU_CHECK_SECONDS": "10"}
    done = run(["bash", str(CHECK), "--packed", str(pack), str(out)], env, code=1)
    assert "w1 on wgpu did not finish within GPU_CHECK_SECONDS (10 s)" in done.stderr, done.stderr
    assert not glob.glob(str(out / "*-bench-*")), "a cut benchmark left a file"
    assert glob.glob(str(out / "*-backends.txt")), "the steps before the benchmarks were lost"


def a_cpu_adapter_is_refused_before_measuring(pack, out):
    done = run(["bash", str(CHECK), "--packed", str(pack), str(out)], code=2)
    assert "no GPU adapter" in done.stderr, done.stderr
    assert not out.exists() or not any(out.iterdir()), "files written before the refusal"


def a_failing_benchmark_is_told_from_a_cut_one(pack, out):
    env = {"GPU_CHECK_ALLOW_CPU": "1", "GPU_CHECK_WORKLOADS": "w9"}
    done = run(["bash", str(CHECK), "--packed", str(pack), str(out)], env, code=1)
    assert "w9 on wgpu failed with exit status 2" in done.stderr, done.stderr
    assert not glob.glob(str(out / "*-bench-*")), "a failed benchmark left a file"


def fusion_and_no_fusion_train_alike_and_are_both_timed(pack, out):
    env = {"GPU_CHECK_ALLOW_CPU": "1", "GPU_FUSION_WORKLOADS": "w1", "GPU_FUSION_ROUNDS": "2"}
    done = run(["bash", str(FUSION), "--packed", str(pack), str(out)], env)
    # the build that goes first alternates from round to round
    order = re.findall(r"== round (\d): w1, (\w+) build", done.stdout)
    assert order == [("1", "unfused"), ("1", "fused"), ("2", "fused"), ("2", "unfused")], order
    files = sorted(os.path.basename(f) for f in glob.glob(str(out / "*")))
    assert len(files) == 5, files  # info, two trainings, one file per build and workload
    stem = glob.glob(str(out / "cpu-adapter-fusion-*-info.json"))[0][: -len("-info.json")]
    assert json.load(open(f"{stem}-info.json"))["wgpu_fusion"] is True
    # the losses of every epoch; the times and the run folder's name differ
    epochs = {build: [re.sub(r"\s+\d+\.\d+s", "", line) for line in open(f"{stem}-train-{build}.txt")
                      if line.startswith("epoch")] for build in ("fused", "unfused")}
    assert len(epochs["fused"]) == 20 and epochs["fused"] == epochs["unfused"], epochs
    for build in ("fused", "unfused"):
        lines = [json.loads(line) for line in open(f"{stem}-bench-w1-{build}.jsonl")]
        assert [line["round"] for line in lines] == [1, 2], lines
        for result in lines:
            assert result["backend"] == "wgpu" and all(r["median"] > 0 for r in result["results"])
    assert "fusion's speed-up" in done.stdout, done.stdout


def builds_in_the_wrong_places_are_refused(pack, out):
    unpacked = out / "bin"
    unpacked.mkdir(parents=True)
    for name in ("plaindnn", "plaindnn-unfused"):
        with open(unpacked / name, "wb") as f:
            f.write(subprocess.run(["gzip", "-dc", str(pack / f"{name}.gz")], check=True,
                                   capture_output=True).stdout)
        (unpacked / name).chmod(0o755)
    fused, unfused = str(unpacked / "plaindnn"), str(unpacked / "plaindnn-unfused")
    for pair, refusal in [((unfused, fused), "FUSED"), ((fused, fused), "UNFUSED")]:
        done = run(["bash", str(FUSION), *pair, str(out / "results")], {"GPU_CHECK_ALLOW_CPU": "1"},
                   code=2)
        assert f"gpu_fusion: {refusal} (" in done.stderr, done.stderr
        assert not (out / "results").exists(), "files written before the refusal"


def main():
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        pack = folder / "pack"
        packed_binaries_fit_the_device(pack)
        the_check_runs_every_step_from_the_pack(pack, folder / "out")
        benchmarks_past_the_deadline_are_cut_and_reported(pack, folder / "cut")
        a_failing_benchmark_is_told_from_a_cut_one(pack, folder / "failed")
        a_cpu_adapter_is_refused_before_measuring(pack, folder / "refused")
        fusion_and_no_fusion_train_alike_and_are_both_timed(pack, folder / "fusion")
        builds_in_the_wrong_places_are_refused(pack, folder / "swapped")
    print("gpu_check_on_lavapipe: 7 passed")


if __name__ == "__main__":
    main()
