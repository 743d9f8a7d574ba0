"""Reproduces plaindnn's predictions from an exported .safetensors file with numpy alone.

Usage: python safetensors_check.py MODEL.safetensors PREDICTIONS.json
PREDICTIONS.json is `plaindnn predict --json` output. The network is rebuilt from the file's
tensor names (an nn.Sequential: `{i}.weight`, `{i}.bias`, BatchNorm's running statistics) and the
metadata (activation names, input scaler). If torch is importable, the same file is also loaded
with strict=True into the PyTorch module written in the metadata, which must agree too.
Exit 0 when every prediction matches to 1e-4, 1 otherwise.
"""
import json
import math
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def activation(config, x, slope=None):
    """Element-wise activation named as plaindnn's config.json names it."""
    kind, p = config["name"], config  # {"name": "elu", "alpha": 1.0}
    if kind == "identity":
        return x
    if kind == "step":
        return (x > 0).astype(x.dtype)
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if kind == "tanh":
        return np.tanh(x)
    if kind == "relu":
        return np.maximum(x, 0)
    if kind == "leaky_relu":
        return np.where(x > 0, x, p["slope"] * x)
    if kind == "rrelu":  # inference: the mean slope
        return np.where(x > 0, x, (p["lower"] + p["upper"]) / 2 * x)
    if kind == "prelu":
        return np.where(x > 0, x, slope * x)
    if kind == "elu":
        return np.where(x > 0, x, p["alpha"] * (np.exp(x) - 1))
    if kind == "gelu":
        erf = np.vectorize(math.erf)
        return 0.5 * x * (1 + erf(x / math.sqrt(2)))
    if kind == "selu":
        a, s = 1.6732632423543772, 1.0507009873554805
        return s * np.where(x > 0, x, a * (np.exp(x) - 1))
    raise SystemExit(f"unknown activation {config}")


def numpy_forward(tensors, config, x):
    """Walks the Sequential indices in order: Linear, [BatchNorm1d], activation, [Dropout], ..."""
    i = 0
    widths = config["hidden"] + [config["outputs"]]
    for layer, _ in enumerate(widths):
        x = x @ tensors[f"{i}.weight"].T + tensors[f"{i}.bias"]  # nn.Linear: x·Wᵀ + b
        i += 1
        last = layer == len(widths) - 1
        if not last and config.get("batch_norm"):
            mean, var = tensors[f"{i}.running_mean"], tensors[f"{i}.running_var"]
            x = (x - mean) / np.sqrt(var + 1e-5) * tensors[f"{i}.weight"] + tensors[f"{i}.bias"]
            i += 1
        act = config["output_activation"] if last else config["activation"]
        if last and act["name"] == "identity":
            break
        x = activation(act, x, tensors.get(f"{i}.weight"))
        i += 1
        if not last and config.get("dropout", 0) > 0:
            i += 1  # nn.Dropout: identity at inference
    return x


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def torch_forward(path, metadata, x):
    import torch
    from safetensors.torch import load_file as load_torch
    from torch import nn

    class Step(nn.Module):
        def forward(self, x):
            return (x > 0).float()

    model = eval(metadata["sequential"], {"nn": nn, "Step": Step})
    model.load_state_dict(load_torch(path), strict=True)
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def main(path, predictions_path):
    with safe_open(path, "np") as f:
        metadata = f.metadata()
    tensors = load_file(path)
    config = json.loads(metadata["plaindnn_config"])
    task = json.loads(metadata["task"])
    scaler = json.loads(metadata["scaler"])
    rows = json.load(open(predictions_path))["predictions"]
    x = np.array([r["input"] for r in rows], dtype=np.float32)
    if scaler is not None:
        x = (x - np.array(scaler["mean"], np.float32)) / np.array(scaler["std"], np.float32)
    want = np.array([r["probabilities"] if task == "classification" else r["values"] for r in rows])

    # a standardised target (train --standardize-target): outputs map back as y = out·std + mean,
    # and the tolerance of the network's own units scales with them
    target = json.loads(metadata.get("target_scaler", "null"))
    to_units, tolerance = (lambda out: out), 1e-4
    if target is not None:
        mean, std = np.array(target["mean"]), np.array(target["std"])
        to_units, tolerance = (lambda out: out * std + mean), 1e-4 * float(std.max())

    outputs = {"numpy": numpy_forward(tensors, config, x.astype(np.float64))}
    try:
        outputs["torch"] = torch_forward(path, metadata, x)
    except ImportError:
        print("  (torch not installed: numpy check only)")
    ok = True
    for name, out in outputs.items():
        got = softmax(out) if task == "classification" else to_units(out)
        err = float(np.abs(got - want).max())
        good = err < tolerance
        ok &= good
        print(f"  {name}: {len(rows)} rows, max |difference| {err:.2e} {'ok' if good else 'MISMATCH'}")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1], sys.argv[2]) else 1)
