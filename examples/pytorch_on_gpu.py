#!/usr/bin/env python3
"""W2 and W3 of ../shared/bench in PyTorch on a GPU: the reference scripts' own data, networks,
initialisation and training steps (imported from them, unchanged), with the tensors on `--device`
and the clock read after the device has finished (`float(loss)` or a synchronise).

    python3 examples/pytorch_on_gpu.py w2|w3 [--device cuda] [--reference DIR] [--repeats 5]

Prints one JSON document shaped as the reference script's own (`results` for W2, `timing` for W3),
so `examples/compare_with_pytorch.py --torch-device cuda` reads it as it reads theirs. Eager
PyTorch, as the reference scripts: no torch.compile, no CUDA graphs. `--threads` sets PyTorch's
CPU threads, as theirs; the batch order is drawn as theirs, then moved to the device so
that gathering a batch copies nothing from the host.
"""
import argparse
import json
import os
import sys
import time


def parse():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload", choices=["w2", "w3"])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--reference", default=os.getcwd(), help="the folder of w2_mlp.py and w3_deep.py "
                    "(default: the current one, as compare_with_pytorch.py runs it)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--variants", default="plain,seed_default", help="W2's networks")
    ap.add_argument("--steps", type=int, default=100, help="W3's steps per timed run")
    return ap.parse_args()


def synchronise(device):
    import torch
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def w2_epoch(w2, model, opt, X, y, device, max_batches=None):
    """w2_mlp.train_epoch with the permutation on the device: the same batches, in the same order."""
    import torch
    import torch.nn.functional as F
    model.train()
    perm = torch.randperm(X.shape[0], generator=torch.Generator().manual_seed(0)).to(device)
    losses = []
    for bi, i in enumerate(range(0, X.shape[0], w2.BATCH)):
        if max_batches is not None and bi >= max_batches:
            break
        idx = perm[i:i + w2.BATCH]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
        losses.append(loss.detach())
    return float(torch.stack(losses[-50:]).mean())  # float() waits for the device


def w2(args, device):
    import torch
    import w2_mlp as w2
    X, y = (t.to(device) for t in w2.make_data())
    Xt, yt = (t.to(device) for t in w2.make_data(10000, seed=2))
    results = []
    for v in args.variants.split(","):
        fresh = lambda: w2.build(v).to(device)  # build() seeds torch, then inits on the CPU
        warm = fresh()
        w2_epoch(w2, warm, torch.optim.Adam(warm.parameters(), lr=1e-3), X, y, device, max_batches=50)
        times = []
        for _ in range(args.repeats):
            m = fresh()
            opt = torch.optim.Adam(m.parameters(), lr=1e-3)
            t0 = time.perf_counter()
            loss = w2_epoch(w2, m, opt, X, y, device)
            times.append(time.perf_counter() - t0)
        acc = w2.accuracy(m, Xt, yt)
        itimes = []
        for r in range(args.repeats + 1):  # the first is the warm-up
            synchronise(device)
            t0 = time.perf_counter()
            w2.infer(m, X)
            synchronise(device)
            itimes.append(time.perf_counter() - t0)
        results.append({"threads": args.threads, "variant": v,
                        "train_samples_per_s": w2.stats([w2.N / s for s in times], 0),
                        "infer_samples_per_s": w2.stats([w2.N / s for s in itimes[1:]], 0),
                        "train_loss_last50_batches": round(loss, 4), "test_acc_after_1_epoch": round(acc, 4)})
    return {"workload": "W2_mlp", "batch": w2.BATCH, "results": results}


def w3(args, device):
    import torch
    import torch.nn.functional as F
    import w3_deep as w3
    X, y = (t.to(device) for t in w3.make_data())
    timing = []
    for cfg in w3.CONFIGS:
        m = w3.build(cfg, 0).to(device)
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        m.train()

        def steps(n):
            for _ in range(n):
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(m(X), y)
                loss.backward()
                opt.step()
            return float(loss.detach())  # waits for the device
        steps(20)
        ts = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            last = steps(args.steps)
            ts.append((time.perf_counter() - t0) / args.steps * 1e3)
        timing.append({"threads": args.threads, "config": cfg, "ms_per_step": w3.stats(ts, 3),
                       "loss_after": round(last, 4)})
    return {"workload": "W3_deep", "batch": w3.BATCH, "timing": timing}


def main():
    args = parse()
    sys.path.insert(0, os.path.abspath(args.reference))
    import torch
    device = torch.device(args.device)
    torch.set_num_threads(args.threads)  # the host's share, and all of it on a CPU device
    if device.type == "cuda" and not torch.cuda.is_available():
        print(f"error: --device {args.device}: torch {torch.__version__} sees no CUDA GPU", file=sys.stderr)
        sys.exit(2)
    out = (w2 if args.workload == "w2" else w3)(args, device)
    out["env"] = {"torch": torch.__version__, "device": args.device,
                  "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"}
    print(json.dumps(out, separators=(",", ":")))


if __name__ == "__main__":
    main()
