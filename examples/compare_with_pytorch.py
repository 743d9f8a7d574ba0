#!/usr/bin/env python3
"""plaindnn next to PyTorch / NumPy on the workloads W1–W4, in the same run, alternating.

Each round runs `plaindnn bench WORKLOAD --json` and the reference script from ../shared/bench/
(unchanged, copied to a scratch folder since that one is read-only), for every workload in turn —
W2 one network at a time (both sides take `--variants`), so the two sides of a ratio run within
a minute of each other — plaindnn first in odd rounds and the reference first in even ones; the
figure kept for each side is the median over rounds of each run's median. This machine is shared
and noisy: absolute times drift, ratios taken side by side hold better.

    python3 examples/compare_with_pytorch.py [--rounds 3] [--threads 2] [--backend flex]
    python3 examples/compare_with_pytorch.py --workloads w2,w3 --backend wgpu --torch-device cuda

With `--torch-device cuda` PyTorch runs W2 and W3 on the GPU (examples/pytorch_on_gpu.py: the
reference scripts' own networks and steps, tensors on the device), to set beside `--backend wgpu`;
the Python then needs torch and numpy only, and no GEMM peak is measured.

Needs the release binary (`cargo build --release`) and a Python with torch, numpy, scikit-learn
and threadpoolctl (`--python`, default ~/ref-venv/bin/python; ../shared/bench/README.md says how
to make one). Prints a Markdown table (speed ratio = plaindnn's speed / the reference's: above 1
means plaindnn is faster) and writes everything measured to --out as JSON.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

from script_checks import check_backend, check_binary, check_python, fail, positive, scratch_folder

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def default_binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "plaindnn")


def run_json(cmd, env=None, cwd=None, last_line=True):
    """The JSON a command printed: its last line (the references) or all of it (plaindnn)."""
    out = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1] if last_line else out.stdout)


def ours(args, workload, variant=None):
    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    backend = [] if workload == "w4" else ["--backend", args.backend]  # W4 runs no network
    cmd = [args.plaindnn, "bench", workload, *backend, "--repeats", str(args.repeats), "--json",
           *(["--variants", variant] if variant else [])]
    report = run_json(cmd, env=env, last_line=False)
    return {(m["variant"], m["path"], m["metric"]): m["median"] for m in report["results"]}


REFERENCE = {
    "w1": ("w1_quadrants.py", ["--adam", "default"]),
    "w2": ("w2_mlp.py", []),
    "w3": ("w3_deep.py", []),
    "w4": ("w4_sklearn.py", ["--skip-mlp"]),
}


# what the reference scripts say of their Python, kept in --out beside the figures
REFERENCE_ENV = {}
ENV_KEPT = ("torch", "numpy", "sklearn", "device", "device_name", "cpu_model", "nproc")


def theirs(args, workload, bench_dir, variant=None):
    script, extra = REFERENCE[workload]
    if args.torch_device != "cpu":  # the same workload, PyTorch's tensors on the GPU
        script, extra = os.path.join(HERE, "pytorch_on_gpu.py"), [workload, "--device", args.torch_device]
    threads = ["--lstsq-threads" if workload == "w4" else "--threads", str(args.threads)]
    cmd = [args.python, script, *threads, "--repeats", str(args.repeats), *extra,
           *(["--variants", variant] if variant else [])]
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    d = run_json(cmd, env=env, cwd=bench_dir)
    REFERENCE_ENV.update({k: v for k, v in d.get("env", {}).items() if k in ENV_KEPT})
    t = args.threads
    if workload == "w1":
        return {("plain", "us_per_step"): r["us_per_step"]["median"] for r in d["results"]
                if r["threads"] == t and r["adam"] == "default"}
    if workload == "w2":
        got = {}
        for r in d["results"]:
            if r["threads"] == t:
                got[(r["variant"], "train_samples_per_s")] = r["train_samples_per_s"]["median"]
                got[(r["variant"], "infer_samples_per_s")] = r["infer_samples_per_s"]["median"]
        return got
    if workload == "w3":
        return {(r["config"], "ms_per_step"): r["ms_per_step"]["median"] for r in d["timing"]
                if r["threads"] == t}
    return {(r["method"], "fit_ms"): r["ms"]["median"] for r in d["regression"] if r["threads"] == t}


def check_gpu_workloads(device, workloads):
    """PyTorch on a GPU runs W2 and W3 only (examples/pytorch_on_gpu.py)."""
    other = [w for w in workloads if w not in ("w2", "w3")]
    if other:
        fail(f"--torch-device {device}: PyTorch on a GPU runs w2 and w3 only, not {other[0]}; "
             "pass --workloads w2,w3")


def check_torch_device(python, device):
    """`--torch-device DEVICE` is one that `python`'s torch can put a tensor on."""
    probe = subprocess.run([python, "-c", f"import torch; torch.zeros(1, device={device!r})"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["it exited with an error"])[-1]
        fail(f"--torch-device {device}: {python}'s torch cannot use it ({last})")


# the instruction sets that pick the matrix kernels on both sides
FLAGS_KEPT = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16")


def processor(binary):
    """Which processor ran the run: /proc/cpuinfo's identity and kernel flags, and plaindnn's
    own word on its f32 kernel (`info --json`), since one model name covers several generations."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    flags = fields.get("flags", "").split()
    said = {k: fields[k] for k in ("vendor_id", "cpu family", "model", "model name") if k in fields}
    said["flags"] = [f for f in FLAGS_KEPT if f in flags]
    info = run_json([binary, "info", "--json"], last_line=False)
    said.update({k: info.get(k) for k in ("flex_f32_kernel", "flex_inference_on_amx")})
    return said


def gemm_peak(args, bench_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    d = run_json([args.python, "w0_gemm.py", "--threads", str(args.threads)], env=env, cwd=bench_dir)
    with open(os.path.join(bench_dir, "results", "w0_gemm.json"), "w") as f:
        f.write(json.dumps(d) + "\n")  # w2_mlp.py reads its peak from here
    best = max(r["gflops"]["median"] for r in d["results"] if r["threads"] == args.threads)
    return best, d.get("fma_probe")


# W2's networks, run one at a time on both sides
W2_VARIANTS = ["plain", "seed_default"]

# (workload, our variant, our path, metric, their key, higher is better)
ROWS = [
    ("w1", "plain", "bare", "us_per_step", ("plain", "us_per_step"), False),
    ("w1", "plain", "train", "us_per_step", ("plain", "us_per_step"), False),
    ("w2", "plain", "bare", "train_samples_per_s", ("plain", "train_samples_per_s"), True),
    ("w2", "plain", "train", "train_samples_per_s", ("plain", "train_samples_per_s"), True),
    ("w2", "plain", "infer", "infer_samples_per_s", ("plain", "infer_samples_per_s"), True),
    ("w2", "seed_default", "bare", "train_samples_per_s", ("seed_default", "train_samples_per_s"), True),
    ("w2", "seed_default", "train", "train_samples_per_s", ("seed_default", "train_samples_per_s"), True),
    ("w2", "seed_default", "infer", "infer_samples_per_s", ("seed_default", "infer_samples_per_s"), True),
    ("w3", "sigmoid_default", "bare", "ms_per_step", ("sigmoid_default", "ms_per_step"), False),
    ("w3", "elu_he", "bare", "ms_per_step", ("elu_he", "ms_per_step"), False),
    ("w3", "elu_he_bn", "bare", "ms_per_step", ("elu_he_bn", "ms_per_step"), False),
    ("w4", "lstsq", "lstsq", "fit_ms", ("numpy_lstsq_gelsd", "fit_ms"), False),
    ("w4", "lstsq", "lstsq", "fit_ms", ("sklearn_LinearRegression", "fit_ms"), False),
]
FLOP = {"train_samples_per_s": 6 * 535040, "infer_samples_per_s": 2 * 535040}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plaindnn", default=default_binary())
    ap.add_argument("--python", default=os.path.expanduser("~/ref-venv/bin/python"))
    ap.add_argument("--reference", default=os.path.join(ROOT, "..", "shared", "bench"))
    ap.add_argument("--workloads", default="w1,w2,w3,w4")
    ap.add_argument("--backend", help="plaindnn's backend for the networks, W1–W3 (default: flex)")
    ap.add_argument("--threads", type=positive, default=2)
    ap.add_argument("--rounds", type=positive, default=3)
    ap.add_argument("--repeats", type=positive, default=5)
    ap.add_argument("--torch-device", default="cpu",
                    help="PyTorch's device for W2 and W3: cpu (the reference scripts as they are) or "
                         "cuda (examples/pytorch_on_gpu.py runs them there)")
    ap.add_argument("--out", default=os.path.join(ROOT, "artifacts", "bench", "compare.json"))
    args = ap.parse_args()
    workloads = args.workloads.split(",")
    unknown = [w for w in workloads if w not in REFERENCE]
    if unknown:
        fail(f"--workloads: unknown workload `{unknown[0]}`; valid: {', '.join(REFERENCE)}")
    if not os.path.isdir(args.reference):
        fail(f"--reference {args.reference}: no such folder (the reference scripts, ../shared/bench)")
    if args.backend and set(workloads) == {"w4"}:
        fail("--backend: it picks the networks' backend (w1, w2, w3), and w4's least squares "
             "runs on the CPU without one; add a network workload or leave it out")
    args.backend = args.backend or "flex"
    check_binary(args.plaindnn)
    check_backend(args.plaindnn, args.backend)
    on_gpu = args.torch_device != "cpu"
    if on_gpu:
        check_gpu_workloads(args.torch_device, workloads)
    check_python(args.python, ["torch", "numpy"] if on_gpu else ["torch", "numpy", "sklearn", "threadpoolctl"])
    if on_gpu:
        check_torch_device(args.python, args.torch_device)

    bench_dir = scratch_folder("plaindnn-ref-", copy_of=args.reference)
    os.makedirs(os.path.join(bench_dir, "results"), exist_ok=True)
    peak, fma = (None, None) if on_gpu else gemm_peak(args, bench_dir)  # a CPU SGEMM: no GPU's peak
    cpu = processor(args.plaindnn)

    rounds = []
    for r in range(args.rounds):
        got = {}
        for w in workloads:
            t0 = time.time()
            got[w] = {"ours": {}, "theirs": {}}
            for variant in W2_VARIANTS if w == "w2" else [None]:
                sides = [("ours", lambda: ours(args, w, variant)),
                         ("theirs", lambda: theirs(args, w, bench_dir, variant))]
                for side, measure in sides if r % 2 == 0 else sides[::-1]:
                    got[w][side].update(measure())
            print(f"round {r + 1}/{args.rounds} {w}: {time.time() - t0:.0f} s", file=sys.stderr)
        rounds.append(got)

    def median(side, w, key):
        vals = [rd[w][side].get(key) for rd in rounds if rd[w][side].get(key) is not None]
        return statistics.median(vals) if vals else None

    table = []
    for w, variant, path, metric, their_key, higher in ROWS:
        if w not in workloads:
            continue
        a, b = median("ours", w, (variant, path, metric)), median("theirs", w, their_key)
        if a is None or b is None:
            continue
        ratio = a / b if higher else b / a
        flop = FLOP.get(metric) if peak else None
        table.append({"workload": w, "variant": variant, "path": path, "metric": metric,
                      "plaindnn": a, "reference": b, "reference_name": their_key[0],
                      "speed_ratio": ratio,
                      "plaindnn_pct_of_gemm_peak": 100 * a * flop / 1e9 / peak if flop else None,
                      "reference_pct_of_gemm_peak": 100 * b * flop / 1e9 / peak if flop else None})

    torch = "PyTorch" + (f" on {args.torch_device}" if on_gpu else "")
    ref_name = {"w1": torch, "w2": torch, "w3": torch, "w4": "NumPy/sklearn"}
    peak_said = (f"GEMM peak {peak:.0f} GFLOP/s (best of numpy/torch SGEMM, same threads)" if peak
                 else f"no GEMM peak measured (PyTorch on {args.torch_device})")
    name = cpu.get("model name") or platform.processor() or platform.machine()
    print(f"\n{name} (f32 kernel {cpu.get('flex_f32_kernel')}), {os.cpu_count()} cores, "
          f"{args.threads} threads, backend {args.backend}, {args.rounds} rounds × {args.repeats} runs, "
          f"{peak_said}")
    print("\n| workload | metric | plaindnn path | plaindnn | reference | speed ratio | % of GEMM peak (plaindnn / ref) |")
    print("|---|---|---|---|---|---|---|")
    for t in table:
        pct = (f"{t['plaindnn_pct_of_gemm_peak']:.0f} % / {t['reference_pct_of_gemm_peak']:.0f} %"
               if t["plaindnn_pct_of_gemm_peak"] is not None else "")
        print(f"| {t['workload'].upper()} {t['variant']} | {t['metric']} | {t['path']} | {t['plaindnn']:,.1f} | "
              f"{t['reference']:,.1f} ({ref_name[t['workload']]} {t['reference_name']}) | "
              f"{t['speed_ratio']:.2f}× | {pct} |")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "args": vars(args), "gemm_peak_gflops": peak,
                   "order": "W2 per network; plaindnn first in odd rounds, the reference in even",
                   "fma_probe": fma, "processor": cpu, "reference_env": REFERENCE_ENV, "table": table, "rounds": [
                       {w: {s: {"|".join(k): v for k, v in d[s].items()} for s in d} for w, d in rd.items()}
                       for rd in rounds]}, f, indent=1)
    print(f"\nwrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
