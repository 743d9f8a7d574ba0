#!/usr/bin/env python3
"""Every `plaindnn experiment`, redone in PyTorch with the same settings: an independent referee.

    python examples/experiments_in_pytorch.py BIN [NAME ...] [--seeds 5] [--out DIR]
                                              [--compare EXPERIMENTS.md] [--reuse]
    python examples/experiments_in_pytorch.py BIN --same-start

Prints, per experiment, the table and verdict of plaindnn's `report.md` (mean ± sd over seeds
0..N-1, the same columns and rule); with --compare, each variant's test accuracy and each part of
the verdict next to plaindnn's as EXPERIMENTS.md records them. --same-start trains seven networks
in plaindnn and here from the same initial weights on all rows at once (nothing random left) and
compares the losses epoch by epoch.

BIN is a plaindnn binary; it is used only to write the data (`plaindnn datasets --export NAME
--split train|validation|test --rows N --seed S --noise X`), so PyTorch trains, validates and
tests on exactly the rows plaindnn uses, seed by seed. Everything else is rebuilt here from
plaindnn's source (`src/experiment/claims/*.rs`, `src/model/`, `src/train/`):

- the networks: Linear → (BatchNorm) → activation → (Dropout) per hidden layer, then a Linear
  output; the same widths, activations (ELU α 1, leaky ReLU slope 0.01, …), BatchNorm
  (momentum 0.1, ε 1e-5) and dropout;
- the initialisations as plaindnn defines them (`src/model/init.rs`): "default" U(±1/√fan_in)
  for weights and biases; He normal N(0, gain²/fan_in) with PyTorch's `calculate_gain` of the
  activation that follows the layer (1 for the output layer), Xavier normal N(0, 2/(in+out)),
  `normal:σ` N(0, σ²), all three with zero biases;
- the optimizers: Adam (β 0.9/0.999, ε 1e-8), SGD with momentum (dampening 0), batches of 32
  shuffled afresh every epoch, the last batch smaller;
- the remedies as plaindnn applies them (`src/train/regularizer.rs`, `clipping.rs`): L1 adds
  λ·sign(w) and L2 adds 2λ·w to the gradient of the Linear weights only (not biases), max-norm
  rescales each unit's incoming weights to norm ≤ c after every step, global-norm clipping
  rescales all gradients together when their norm exceeds the limit (and leaves a non-finite
  norm alone, as plaindnn does), augmentation adds N(0, σ²) to every training input;
- early stopping on validation loss (`src/train/early_stopping.rs`): an epoch improves when its
  loss is below the last improvement's − min_delta; stop after `patience` epochs without; the
  model returned is the lowest validation loss's when restore-best is on (a fall smaller than
  min_delta counts there), else the last epoch's;
- transfer and pretraining (`src/train/transfer.rs`, `pretrain.rs`): the hidden layers are
  copied, and the output layer too when its shape agrees; frozen layers get no gradient;
  layer-wise autoencoders are trained bottom up on the codes of the layers below, then only the
  decoder on top of the stacked encoder; each autoencoder with MSE, Adam 1e-3 and early stopping;
- the numbers (`src/experiment/runner.rs`): test accuracy of the returned model on the test
  split, validation accuracy of the returned model, best validation loss, last epoch's
  validation − training loss (training loss = mean loss of the epoch's batches, in training
  mode), epochs, epochs to a target validation loss, the first layer's over the last layer's
  mean weight-gradient norm in epoch 1, and runs whose loss became NaN or infinite (diverged);
- the verdicts (`src/experiment/verdict.rs` and each claim's `verdict`): the same rule, parts and
  sentences.

Same settings is not same numbers. The initial weights, dropout masks and shuffles come from
PyTorch's generator (seeded per run with the seed), not plaindnn's, so they have the same
distribution but not the same values; variants of one experiment still share their initial
weights seed by seed where their layers agree, as in plaindnn. One known framework difference
is kept rather than imitated: PyTorch's BatchNorm keeps the unbiased batch variance as its
running variance, Burn's the biased one (a factor 32/31 at batch 32, used only at inference).

Needs torch and numpy (not needed by CI: this script and its recorded output,
artifacts/experiments-pytorch.md, are the evidence). It uses one CPU thread.
"""
import argparse
import copy
import csv
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

RULE = ("variants are compared seed by seed (they share data and initial weights): a comparison "
        "held when the mean of the per-seed differences exceeds twice its standard error "
        "(standard deviation / √seeds) and did not hold when it is that far the other way (a "
        "claim of no gain held unless the gain exceeds that margin); an event (a run diverges, a "
        "gradient vanishes) held when it came in a majority of the seeds where claimed and in "
        "none where not, and did not hold when it came in none where claimed or in a majority "
        "where not; a claim of several parts held when every part held and did not hold when any "
        "part did not; anything else, and anything measured on fewer than 3 seeds, is "
        "inconclusive")
MIN_SEEDS = 3


# ---------------------------------------------------------------------------------------------
# Data: the exact rows plaindnn uses, written by `plaindnn datasets --export`
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Data:
    """A built-in set as an experiment names it (`catalog::data`): rows, validation rows, noise."""
    name: str
    train: int
    val: int
    noise: float


class Exporter:
    """Writes (once) and reads the CSV of one split of a built-in set."""

    def __init__(self, binary, folder):
        self.binary, self.folder = binary, folder
        os.makedirs(folder, exist_ok=True)

    def path(self, data: Data, split: str, seed: int):
        """The CSV file of one split, written on first use."""
        n = data.train if split == "train" else data.val  # the test split has as many as validation
        path = os.path.join(self.folder, f"{data.name}-{split}-n{n}-s{seed}-noise{data.noise}.csv")
        if not os.path.exists(path):
            subprocess.run([self.binary, "datasets", "--export", data.name, "--out", path,
                            "--split", split, "--rows", str(n), "--seed", str(seed),
                            "--noise", str(data.noise)], check=True, capture_output=True)
        return path

    def rows(self, data: Data, split: str, seed: int):
        path = self.path(data, split, seed)
        table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
        x = torch.tensor(table[:, :-1], dtype=torch.float32)
        y = torch.tensor(table[:, -1], dtype=torch.int64)
        return x, y

    def splits(self, data: Data, seed: int):
        return {s: self.rows(data, s, seed) for s in ("train", "validation", "test")}


# ---------------------------------------------------------------------------------------------
# Networks (src/model/): Linear → (BatchNorm) → activation → (Dropout), then Linear
# ---------------------------------------------------------------------------------------------

def activation(name):
    return {
        "identity": nn.Identity, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
        "elu": lambda: nn.ELU(alpha=1.0), "leaky_relu": lambda: nn.LeakyReLU(0.01),
    }[name]()


def gain(name):
    """`init::he_gain`: PyTorch's calculate_gain of the activation after the layer."""
    return {"identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": math.sqrt(2.0),
            "elu": math.sqrt(2.0), "leaky_relu": math.sqrt(2.0 / (1.0 + 0.01 ** 2))}[name]


def initialise(linear: nn.Linear, init: str, after: str):
    """`InitConfig::weights` / `biases` for a layer followed by the activation `after`."""
    fan_out, fan_in = linear.weight.shape
    with torch.no_grad():
        if init == "default":
            bound = 1.0 / math.sqrt(fan_in)
            linear.weight.uniform_(-bound, bound)
            linear.bias.uniform_(-bound, bound)
            return
        if init == "he":
            std = gain(after) / math.sqrt(fan_in)
        elif init == "xavier":
            std = math.sqrt(2.0 / (fan_in + fan_out))
        elif init.startswith("normal:"):
            std = float(init.split(":")[1])
        else:
            raise ValueError(init)
        linear.weight.normal_(0.0, std)
        linear.bias.zero_()


@dataclass
class Net:
    """`MlpConfig`: the network's shape and parts."""
    inputs: int
    hidden: list
    outputs: int
    activation: str = "relu"
    init: str = "default"
    batch_norm: bool = False
    dropout: float = 0.0


class Block(nn.Module):
    def __init__(self, d_in, d_out, net: Net):
        super().__init__()
        self.linear = nn.Linear(d_in, d_out)
        initialise(self.linear, net.init, net.activation)
        self.norm = nn.BatchNorm1d(d_out, eps=1e-5, momentum=0.1) if net.batch_norm else None
        self.act = activation(net.activation)
        self.drop = nn.Dropout(net.dropout) if net.dropout > 0 else None

    def forward(self, x):
        x = self.linear(x)
        if self.norm is not None:
            x = self.norm(x)
        x = self.act(x)
        return self.drop(x) if self.drop is not None else x


class Mlp(nn.Module):
    def __init__(self, net: Net):
        super().__init__()
        widths = [net.inputs] + list(net.hidden)
        self.blocks = nn.ModuleList(Block(a, b, net) for a, b in zip(widths, widths[1:]))
        self.output = nn.Linear(widths[-1], net.outputs)
        initialise(self.output, net.init, "identity")
        self.frozen = 0  # leading blocks kept fixed (Mlp::through_blocks)

    def forward(self, x):
        for i, block in enumerate(self.blocks):
            if i < self.frozen:  # a fixed feature extractor: running statistics, no dropout
                mode = block.training
                block.eval()
                with torch.no_grad():
                    x = block(x)
                block.train(mode)
            else:
                x = block(x)
        return self.output(x)

    def linears(self):
        return [b.linear for b in self.blocks] + [self.output]


def load_hidden(model: Mlp, source: Mlp, new_head=False):
    """`transfer::load_hidden`: every hidden block (BatchNorm included), and the output layer
    when its shape agrees and no new head is asked for."""
    for mine, theirs in zip(model.blocks, source.blocks):
        mine.linear.load_state_dict(theirs.linear.state_dict())
        if mine.norm is not None and theirs.norm is not None:
            mine.norm.load_state_dict(theirs.norm.state_dict())
    if not new_head and model.output.weight.shape == source.output.weight.shape:
        model.output.load_state_dict(source.output.state_dict())
    return model


# ---------------------------------------------------------------------------------------------
# Training (src/train/): the epoch loop, optimizer, penalties, clipping, early stopping
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EarlyStop:
    patience: int
    min_delta: float
    restore: bool = True


DEFAULT_STOP = EarlyStop(10, 1e-4)  # EarlyStoppingConfig::default()
PATIENT = EarlyStop(20, 0.0)  # catalog::PATIENT


@dataclass
class Recipe:
    """`TrainConfig`, the parts the experiments use."""
    net: Net
    epochs: int
    optimizer: str = "adam"
    lr: float = 0.01
    momentum: float = 0.0
    batch_size: int = 32
    early_stopping: Optional[EarlyStop] = DEFAULT_STOP
    l1: float = 0.0
    l2: float = 0.0
    max_norm: Optional[float] = None
    clip_global_norm: Optional[float] = None
    jitter: float = 0.0
    diagnostics: bool = False
    freeze: int = 0
    unfreeze_after: Optional[int] = None
    new_head: bool = False  # with a start: keep the fresh output layer (`--new-head`)
    regression: bool = False


def with_(recipe: Recipe, **changes):
    """A copy of `recipe` with fields (and `net_*` fields of its network) changed."""
    net_changes = {k[4:]: v for k, v in changes.items() if k.startswith("net_")}
    rest = {k: v for k, v in changes.items() if not k.startswith("net_")}
    return replace(recipe, net=replace(recipe.net, **net_changes), **rest)


class Diverged(Exception):
    pass


@dataclass
class Row:
    epoch: int
    train_loss: float
    val_loss: float
    val_metric: float


@dataclass
class Fit:
    model: Mlp
    rows: list
    best_epoch: Optional[int]
    restored: bool  # the best epoch's weights were restored
    grad_norms_epoch1: list = field(default_factory=list)


def loss_of(out, y, regression):
    return F.mse_loss(out, y) if regression else F.cross_entropy(out, y)


def score(model: Mlp, x, y, regression=False):
    """`evaluate`: mean loss and accuracy (RMSE for regression), in inference mode."""
    mode = model.training
    model.eval()
    with torch.no_grad():
        out = model(x)
        loss = loss_of(out, y, regression).item()
        metric = (math.sqrt(F.mse_loss(out, y).item()) if regression
                  else (out.argmax(1) == y).float().mean().item())
    model.train(mode)
    return loss, metric


class EarlyStopping:
    """`early_stopping::EarlyStopping`: `best` is the epoch of lowest loss (its weights are kept);
    the wait restarts on a fall of more than min_delta below the last improvement."""

    def __init__(self, config: Optional[EarlyStop]):
        self.patience = config.patience if config else None
        self.min_delta = config.min_delta if config else 0.0
        self.best, self.improved, self.waited = None, None, 0

    def update(self, epoch, loss):
        def below(mark, by):
            return math.isfinite(loss) if mark is None else loss < mark[1] - by
        if below(self.best, 0.0):
            self.best = (epoch, loss)
        if below(self.improved, self.min_delta):
            self.improved, self.waited = (epoch, loss), 0
            return "improved"
        self.waited += 1
        return "stop" if self.patience is not None and self.waited >= self.patience else "wait"


def fit(model: Mlp, recipe: Recipe, train, val, seed: int) -> Fit:
    """The epoch loop of `epoch_loop.rs` on `model` (already initialised)."""
    (x, y), (vx, vy) = train, val
    params = [p for p in model.parameters()]
    if recipe.optimizer == "adam":
        opt = torch.optim.Adam(params, lr=recipe.lr, betas=(0.9, 0.999), eps=1e-8)
    else:
        opt = torch.optim.SGD(params, lr=recipe.lr, momentum=recipe.momentum, dampening=0.0)
    weights = [l.weight for l in model.linears()]
    weight_ids = {id(w) for w in weights}
    stopper = EarlyStopping(recipe.early_stopping)
    rows, best_state, grad_epoch1 = [], None, []
    model.frozen = recipe.freeze
    n = len(x)
    for epoch in range(1, recipe.epochs + 1):
        if recipe.unfreeze_after is not None:
            model.frozen = 0 if epoch > recipe.unfreeze_after else recipe.freeze
        model.train()
        shuffle = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
        order = torch.randperm(n, generator=shuffle)
        loss_sum, norms, steps = 0.0, None, 0
        for start in range(0, n, recipe.batch_size):
            idx = order[start:start + recipe.batch_size]
            xb, yb = x[idx], y[idx]
            if recipe.jitter > 0:
                xb = xb + torch.randn(xb.shape, generator=shuffle) * recipe.jitter
            opt.zero_grad(set_to_none=True)
            loss = loss_of(model(xb), yb, recipe.regression)
            loss.backward()
            if recipe.diagnostics and epoch == 1:  # mean ‖∂loss/∂W‖ per layer, before clipping
                step = [w.grad.norm().item() if w.grad is not None else 0.0 for w in weights]
                norms = step if norms is None else [a + b for a, b in zip(norms, step)]
            if recipe.clip_global_norm is not None:
                grads = [p.grad for p in params if p.grad is not None]
                total = math.sqrt(sum(float(g.pow(2).sum()) for g in grads))
                if total > recipe.clip_global_norm and math.isfinite(total):
                    for g in grads:
                        g.mul_(recipe.clip_global_norm / total)
            with torch.no_grad():  # penalties on the Linear weights' gradients (regularizer.rs)
                for w in weights:
                    if w.grad is None:
                        continue
                    if recipe.l1 > 0:
                        w.grad.add_(torch.sign(w) * recipe.l1)
                    if recipe.l2 > 0:
                        w.grad.add_(w * (2.0 * recipe.l2))
            opt.step()
            if recipe.max_norm is not None:
                with torch.no_grad():
                    for w in weights:
                        if w.grad is None:
                            continue
                        norm = w.pow(2).sum(dim=1, keepdim=True).sqrt()  # one row per unit
                        w.mul_((recipe.max_norm / (norm + 1e-12)).clamp(max=1.0))
            loss_sum += loss.item() * len(idx)
            steps += 1
        if norms is not None:
            grad_epoch1 = [s / steps for s in norms]
        train_loss = loss_sum / n
        if not math.isfinite(train_loss):
            raise Diverged(f"epoch {epoch}: training loss {train_loss}")
        val_loss, val_metric = score(model, vx, vy, recipe.regression)
        if not math.isfinite(val_loss):
            raise Diverged(f"epoch {epoch}: validation loss {val_loss}")
        rows.append(Row(epoch, train_loss, val_loss, val_metric))
        verdict = stopper.update(epoch, val_loss)
        if stopper.best and stopper.best[0] == epoch:
            best_state = copy.deepcopy(model.state_dict())
        if verdict == "stop":
            break
    restored = recipe.early_stopping is not None and recipe.early_stopping.restore
    if restored and best_state:
        model.load_state_dict(best_state)
    model.eval()
    return Fit(model, rows, stopper.best[0] if stopper.best else None, restored, grad_epoch1)


def build(net: Net, seed: int) -> Mlp:
    """A fresh network from the run's seed: variants with the same layers start alike."""
    torch.manual_seed(seed)
    return Mlp(net)


# ---------------------------------------------------------------------------------------------
# Runs and their summaries (src/experiment/runner.rs)
# ---------------------------------------------------------------------------------------------

@dataclass
class Summary:
    seed: int
    test_accuracy: float
    returned_accuracy: float
    best_val_loss: float
    final_gap: float
    final_train_loss: float
    epochs: int
    epochs_to_target: Optional[int]
    grad_ratio: Optional[float]


@dataclass
class Variant:
    label: str
    recipe: Recipe
    data: Data
    start: Optional[str] = None  # None: scratch; else the name of a shared source network


@dataclass
class Result:
    label: str
    runs: list = field(default_factory=list)
    diverged: int = 0

    def values(self, f):
        return [(s.seed, v) for s in self.runs if (v := f(s)) is not None]

    def stat(self, f):
        return stat([v for _, v in self.values(f)])

    def seeds(self):
        return len(self.runs) + self.diverged


def stat(values):
    v = [x for x in values if x is not None and math.isfinite(x)]
    if not v:
        return (math.nan, math.nan)
    mean = sum(v) / len(v)
    var = sum((x - mean) ** 2 for x in v) / (len(v) - 1) if len(v) > 1 else 0.0
    return (mean, math.sqrt(var))


def summarise(f: Fit, test, seed, target):
    rows, last = f.rows, f.rows[-1]
    returned = next((r for r in rows if r.epoch == f.best_epoch), last) if f.restored else last
    _, test_acc = score(f.model, *test)
    ratio = None
    if f.grad_norms_epoch1 and f.grad_norms_epoch1[-1] > 0:
        ratio = f.grad_norms_epoch1[0] / f.grad_norms_epoch1[-1]
    return Summary(
        seed=seed, test_accuracy=test_acc, returned_accuracy=returned.val_metric,
        best_val_loss=min(r.val_loss for r in rows), final_gap=last.val_loss - last.train_loss,
        final_train_loss=last.train_loss, epochs=len(rows),
        epochs_to_target=next((r.epoch for r in rows if r.val_loss < target), None)
        if target is not None else None,
        grad_ratio=ratio)


def run_variants(variants, seeds, data, target=None, sources=None):
    """Trains every variant with seeds 0..seeds-1; `sources(name, seed)` gives a shared start."""
    results = []
    for v in variants:
        result = Result(v.label)
        for seed in range(seeds):
            d = data.splits(v.data, seed)
            model = build(v.recipe.net, seed)
            if v.start is not None:
                load_hidden(model, sources(v.start, seed), v.recipe.new_head)
            try:
                f = fit(model, v.recipe, d["train"], d["validation"], seed)
            except Diverged:
                result.diverged += 1
                continue
            result.runs.append(summarise(f, d["test"], seed, target))
        results.append(result)
    return results


# ---------------------------------------------------------------------------------------------
# Table (src/experiment/table.rs)
# ---------------------------------------------------------------------------------------------

def rust_e(x):
    """Rust's `{:.1e}`: 1.2e-18, 1.3e0."""
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def cell(s, digits, percent):
    mean, sd = s
    if math.isnan(mean):
        return "—"
    k, unit = (100.0, " %") if percent else (1.0, "")
    return f"{mean * k:.{digits}f} ± {sd * k:.{digits}f}{unit}"


def table(results, extra=None, target=None):
    head = "| variant | test accuracy | val accuracy | best val loss | final val − train loss | epochs |"
    rule = "|---|---|---|---|---|---|"
    if extra == "grad":
        head, rule = head + " first/last gradient (epoch 1) |", rule + "---|"
    elif extra == "target":
        head, rule = head + f" epochs to val loss {target} |", rule + "---|"
    lines = [head, rule]
    for r in results:
        label = r.label if not r.diverged else f"{r.label} (diverged in {r.diverged} of {r.seeds()} runs)"
        line = (f"| {label} | {cell(r.stat(lambda s: s.test_accuracy), 1, True)} | "
                f"{cell(r.stat(lambda s: s.returned_accuracy), 1, True)} | "
                f"{cell(r.stat(lambda s: s.best_val_loss), 3, False)} | "
                f"{cell(r.stat(lambda s: s.final_gap), 3, False)} | "
                f"{cell(r.stat(lambda s: float(s.epochs)), 0, False)} |")
        if extra == "grad":
            m = r.stat(lambda s: s.grad_ratio)[0]
            line += " — |" if math.isnan(m) else f" {rust_e(m)} |"
        elif extra == "target":
            reached = r.values(lambda s: s.epochs_to_target)
            s = r.stat(lambda s: None if s.epochs_to_target is None else float(s.epochs_to_target))
            line += f" {cell(s, 0, False)} ({len(reached)}/{len(r.runs)} runs) |"
        lines.append(line)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Verdicts (src/experiment/verdict.rs)
# ---------------------------------------------------------------------------------------------

HELD, NOT, INCONCLUSIVE = "held", "did not hold", "inconclusive"


@dataclass
class Difference:
    mean: float
    margin: float
    seeds: int
    verdict: str

    @staticmethod
    def of(a, b):
        """Judges "a is larger than b", seed by seed."""
        bd = dict(b)
        d = [x - bd[s] for s, x in a if s in bd and math.isfinite(x - bd[s])]
        n = len(d)
        mean = sum(d) / n if n else math.nan
        var = sum((x - mean) ** 2 for x in d) / (max(n, 2) - 1) if n else math.nan
        margin = 2.0 * math.sqrt(var / max(n, 1)) if n else math.nan
        verdict = (INCONCLUSIVE if n < MIN_SEEDS else HELD if mean > margin
                   else NOT if mean < -margin else INCONCLUSIVE)
        return Difference(mean, margin, n, verdict)

    @staticmethod
    def smaller(a, b):
        d = Difference.of(b, a)
        return Difference(-d.mean, d.margin, d.seeds, d.verdict)

    @staticmethod
    def at_most(a, b):
        d = Difference.of(a, b)
        verdict = INCONCLUSIVE if d.seeds < MIN_SEEDS else NOT if d.verdict == HELD else HELD
        return Difference(d.mean, d.margin, d.seeds, verdict)

    @staticmethod
    def above(values, threshold):
        return Difference.of(values, [(s, threshold) for s, _ in values])

    def finding(self, claim, scale, digits, unit):
        if self.seeds < MIN_SEEDS:
            evidence = f"{self.seeds} seed{'' if self.seeds == 1 else 's'}; a verdict needs {MIN_SEEDS} seeds"
        else:
            evidence = f"{self.mean * scale:+.{digits}f}{unit}, 2 × SE {self.margin * scale:.{digits}f}"
        return (claim, self.verdict, evidence)

    def points(self, claim):
        return self.finding(claim, 100.0, 1, " points")


def event(claimed, contrast):
    (ce, cr), (xe, xr) = claimed, contrast
    if min(cr, xr) < MIN_SEEDS:
        return INCONCLUSIVE
    if ce * 2 > cr and xe == 0:
        return HELD
    if ce == 0 or xe * 2 > xr:
        return NOT
    return INCONCLUSIVE


def count(c):
    return f"{c[0]} of {c[1]} runs"


def event_finding(claim, claimed, contrast):
    evidence = f"{claimed[0]} {count(claimed[1])}, {contrast[0]} {count(contrast[1])}"
    if min(claimed[1][1], contrast[1][1]) < MIN_SEEDS:
        evidence += f"; a verdict needs {MIN_SEEDS} seeds"
    return (claim, event(claimed[1], contrast[1]), evidence)


def judgement(parts, summary):
    verdicts = [p[1] for p in parts]
    overall = (NOT if NOT in verdicts else HELD if verdicts and all(v == HELD for v in verdicts)
               else INCONCLUSIVE)
    head = {HELD: "Held", NOT: "Did not hold", INCONCLUSIVE: "Inconclusive"}[overall]
    lines = [f"{head} on this run: {summary}"] + [f"- {c}: {v} ({e})" for c, v, e in parts]
    return overall, "\n".join(lines)


class Results:
    def __init__(self, results):
        self.by_label = {r.label: r for r in results}

    def get(self, label):
        return self.by_label.get(label, Result(label))

    def accuracy(self, label):
        return self.get(label).stat(lambda s: s.test_accuracy)[0]

    def accuracies(self, label):
        return self.get(label).values(lambda s: s.test_accuracy)

    def beats(self, a, b):
        return Difference.of(self.accuracies(a), self.accuracies(b))


def pct(x):
    return f"{x * 100:.1f}%"


# ---------------------------------------------------------------------------------------------
# The experiments (src/experiment/claims/*.rs), one function each
# ---------------------------------------------------------------------------------------------

def config(hidden, epochs, inputs=2, outputs=2):
    """`catalog::config`: plaindnn's default recipe (ReLU, default init, Adam 0.01, batches of
    32, early stopping after 10 epochs without a drop of 1e-4, best weights restored)."""
    return Recipe(net=Net(inputs, list(hidden), outputs), epochs=epochs)


def shapes_config(hidden, epochs):
    """`catalog::shapes_config`: 256 pixels → 3 classes, Adam 1e-3."""
    return replace(config(hidden, epochs, 256, 3), lr=1e-3)


def linear_collapse(seeds, data):
    d = Data("circles", 256, 256, 0.05)
    base = config([16] * 10, 100)
    one, ten, relu = "1 linear layer", "10 linear layers", "10 layers + ReLU"
    variants = [Variant(one, with_(base, net_hidden=[], net_activation="identity"), d),
                Variant(ten, with_(base, net_activation="identity"), d),
                Variant(relu, with_(base, net_init="he"), d)]
    results = run_variants(variants, seeds, data)
    r = Results(results)
    parts = [r.beats(relu, ten).points("ten ReLU layers beat ten linear layers"),
             Difference.at_most(r.accuracies(ten), r.accuracies(one))
             .points("ten linear layers do no better than one")]
    summary = (f"on the test split ten linear layers reached {pct(r.accuracy(ten))} and one "
               f"reached {pct(r.accuracy(one))} (no line separates a disc from a ring); with ReLU "
               f"the same depth reached {pct(r.accuracy(relu))}.")
    return results, judgement(parts, summary), {}


def activations(seeds, data):
    d = Data("spiral", 512, 512, 0.05)
    base = with_(config([32] * 6, 150), net_init="he")
    order = ["ELU", "leaky ReLU", "ReLU", "tanh", "sigmoid"]
    names = ["elu", "leaky_relu", "relu", "tanh", "sigmoid"]
    variants = [Variant(l, with_(base, net_activation=a), d) for l, a in zip(order, names)]
    results = run_variants(variants, seeds, data)
    r = Results(results)
    parts = [r.beats(a, b).points(f"{a} beats {b}") for a, b in zip(order, order[1:])]
    measured = sorted(order, key=lambda l: -r.accuracy(l))
    return results, judgement(parts, f"by test accuracy the order was {' > '.join(measured)}."), {}


def vanishing_gradients(seeds, data):
    d = Data("circles", 256, 256, 0.05)
    base = with_(config([32] * 20, 60), diagnostics=True)
    sig, xav, relu, elu, elu_bn = ("sigmoid, default init", "sigmoid, Xavier", "ReLU, He",
                                   "ELU, He", "ELU, He, BatchNorm")
    variants = [Variant(sig, with_(base, net_activation="sigmoid"), d),
                Variant(xav, with_(base, net_activation="sigmoid", net_init="xavier"), d),
                Variant(relu, with_(base, net_init="he"), d),
                Variant(elu, with_(base, net_activation="elu", net_init="he"), d),
                Variant(elu_bn, with_(base, net_activation="elu", net_init="he",
                                      net_batch_norm=True), d)]
    results = run_variants(variants, seeds, data)
    r = Results(results)

    def vanished(label):
        ratios = r.get(label).values(lambda s: s.grad_ratio)
        return (sum(1 for _, x in ratios if x < 1e-3), len(ratios))

    parts = [event_finding("epoch 1's first-layer gradient falls below 1e-3 of the last layer's "
                           "with sigmoid, never with ReLU + He",
                           ("sigmoid", vanished(sig)), ("ReLU + He", vanished(relu))),
             r.beats(relu, sig).points("ReLU + He beats sigmoid"),
             r.beats(elu_bn, sig).points("ELU + He + BatchNorm beats sigmoid")]
    ratio = lambda l: r.get(l).stat(lambda s: s.grad_ratio)[0]
    summary = (f"in epoch 1 the first layer's gradient was {rust_e(ratio(sig))} of the last "
               f"layer's with sigmoid and default init, {rust_e(ratio(relu))} with ReLU and He "
               f"init; test accuracy {pct(r.accuracy(sig))} vs {pct(r.accuracy(relu))} "
               f"(ELU + He + BatchNorm: {pct(r.accuracy(elu_bn))}).")
    return results, judgement(parts, summary), {"extra": "grad"}


def exploding_gradients(seeds, data):
    d = Data("circles", 256, 256, 0.05)
    base = with_(config([32] * 10, 60), net_init="normal:0.5", optimizer="sgd", lr=0.01)
    free, clipped, he = "std 0.5, no clipping", "std 0.5, global clip 1", "He init, no clipping"
    variants = [Variant(free, base, d),
                Variant(clipped, with_(base, clip_global_norm=1.0), d),
                Variant(he, with_(base, net_init="he"), d)]
    results = run_variants(variants, seeds, data)
    r = Results(results)
    count_of = lambda l: (r.get(l).diverged, r.get(l).seeds())
    f, c = count_of(free), count_of(clipped)
    part = event_finding("N(0, 0.5²) weights diverge without clipping, never with global clipping",
                         ("unclipped", f), ("clipped", c))
    summary = (f"without clipping {count(f)} diverged (the loss became NaN), with global clipping "
               f"{count(c)}; the clipped runs that trained reached {pct(r.accuracy(clipped))} on "
               f"the test split (He init, unclipped: {pct(r.accuracy(he))}).")
    return results, judgement([part], summary), {}


def optimizers(seeds, data):
    d = Data("spiral", 512, 512, 0.05)
    base = with_(config([32, 32], 200), early_stopping=None)
    gd, mom, adam = "gradient descent (lr 0.1)", "SGD + momentum 0.9 (lr 0.1)", "Adam (lr 0.01)"
    variants = [Variant(gd, with_(base, optimizer="sgd", lr=0.1), d),
                Variant(mom, with_(base, optimizer="sgd", lr=0.1, momentum=0.9), d),
                Variant(adam, base, d)]
    target = 0.3
    results = run_variants(variants, seeds, data, target)
    r = Results(results)

    def to_target(label):
        return r.get(label).values(
            lambda s: float(s.epochs_to_target if s.epochs_to_target is not None else s.epochs + 1))

    def reached(label):
        v = r.get(label)
        hits = v.values(lambda s: s.epochs_to_target)
        if not hits:
            return f"in none of {len(v.runs)} runs"
        return f"in {len(hits)} of {len(v.runs)} runs, after {sum(h for _, h in hits) / len(hits):.0f} epochs"

    part = Difference.smaller(to_target(adam), to_target(gd)).finding(
        f"Adam reaches validation loss {target} in fewer epochs than gradient descent", 1.0, 0,
        " epochs")
    summary = (f"validation loss {target} was reached with Adam {reached(adam)}, with plain "
               f"gradient descent {reached(gd)} (momentum: {reached(mom)}); a run that never "
               f"reached it counts as its epochs + 1.")
    return results, judgement([part], summary), {"extra": "target", "target": target}


def overfitting(seeds, data):
    d = Data("circles", 48, 512, 0.25)
    base = with_(config([256, 256], 300), early_stopping=None)
    remedies = ["early stopping", "L2 1e-3", "L1 1e-4", "dropout 0.5", "max-norm 1",
                "augmentation σ 0.1"]
    changes = [dict(early_stopping=PATIENT), dict(l2=1e-3), dict(l1=1e-4), dict(net_dropout=0.5),
               dict(max_norm=1.0), dict(jitter=0.1)]
    variants = [Variant("none", base, d)] + [Variant(l, with_(base, **c), d)
                                             for l, c in zip(remedies, changes)]
    results = run_variants(variants, seeds, data)
    r = Results(results)
    gaps = r.get("none").values(lambda s: s.final_gap)
    parts = [Difference.above(gaps, 0.0).finding(
        "without a remedy the net overfits (final validation − training loss above 0)", 1.0, 3, "")]
    parts += [r.beats(l, "none").points(f"{l} beats none") for l in remedies]
    best = max(remedies, key=r.accuracy)
    best_said = (f"the best remedy was {best} ({pct(r.accuracy(best))})"
                 if r.accuracy(best) > r.accuracy("none")
                 else f"no remedy did better (the best of them, {best}, reached {pct(r.accuracy(best))})")
    summary = (f"with no remedy the net reached {pct(r.accuracy('none'))} on the test split; "
               f"{best_said}; dropout changed test accuracy "
               f"by {(r.accuracy('dropout 0.5') - r.accuracy('none')) * 100:+.1f} points (the "
               f"tutorial says about +2).")
    return results, judgement(parts, summary), {}


def default_config(seeds, data):
    d = Data("spiral", 512, 512, 0.05)
    base = config([64] * 4, 150)
    best = with_(base, net_init="he", net_activation="elu", net_batch_norm=True, net_dropout=0.2)
    plain = with_(base, net_activation="sigmoid", optimizer="sgd", lr=0.1)
    results = run_variants([Variant("seed-default", best, d), Variant("plain", plain, d)], seeds, data)
    r = Results(results)
    part = r.beats("seed-default", "plain").points("seed-default beats plain")
    summary = (f"the default best configuration reached {pct(r.accuracy('seed-default'))} on the "
               f"test split, the plain one {pct(r.accuracy('plain'))}.")
    return results, judgement([part], summary), {}


def depth(seeds, data):
    d = Data("spiral", 128, 512, 0.1)
    base = with_(config([32], 300), early_stopping=None)
    variants = [Variant(f"{n} hidden", with_(base, net_hidden=[32] * n), d) for n in (1, 2, 4, 8)]
    results = run_variants(variants, seeds, data)
    r = Results(results)
    values = lambda l, f: r.get(l).values(f)
    mean = lambda l, f: r.get(l).stat(f)[0]
    train = lambda s: s.final_train_loss
    gap = lambda s: s.final_gap
    fits = Difference.smaller(values("8 hidden", train), values("1 hidden", train))
    overfits = Difference.of(values("8 hidden", gap), values("1 hidden", gap))
    parts = [fits.finding("8 hidden layers end with a lower training loss than 1", 1.0, 3, ""),
             overfits.finding("8 hidden layers end with a larger validation − training gap than 1",
                              1.0, 3, "")]
    summary = (f"final training loss went from {mean('1 hidden', train):.3f} (1 hidden layer) to "
               f"{mean('8 hidden', train):.3f} (8), the validation − training gap from "
               f"{mean('1 hidden', gap):.3f} to {mean('8 hidden', gap):.3f}.")
    return results, judgement(parts, summary), {}


def transfer(seeds, data):
    related = Data("shapes", 1500, 300, 0.1)
    few = Data("shapes", 30, 600, 0.3)
    base = with_(shapes_config([64, 32], 100), early_stopping=PATIENT)
    source_recipe = shapes_config([64, 32], 40)  # default early stopping
    cache = {}

    def source(name, seed):  # the related task's network, trained once per seed
        if (name, seed) not in cache:
            d = data.splits(related, seed)
            cache[(name, seed)] = fit(build(source_recipe.net, seed), source_recipe, d["train"],
                                      d["validation"], seed).model
        return cache[(name, seed)]

    scratch = "from scratch"
    reused = ["fine-tune every layer", "frozen hidden layers, new head", "layer 1 frozen for 10 epochs"]
    variants = [Variant(scratch, base, few),
                Variant(reused[0], base, few, "related-task"),
                Variant(reused[1], with_(base, freeze=2, new_head=True), few, "related-task"),
                Variant(reused[2], with_(base, freeze=1, unfreeze_after=10), few, "related-task")]
    results = run_variants(variants, seeds, data, 0.5, source)
    r = Results(results)
    parts = [r.beats(l, scratch).points(f"{l} beats from scratch") for l in reused]
    summary = (f"from scratch the 30-label network reached {pct(r.accuracy(scratch))} on the test "
               f"split; starting from the related task's layers: "
               + ", ".join(f"{l} {pct(r.accuracy(l))}" for l in reused) + ".")
    return results, judgement(parts, summary), {"extra": "target", "target": 0.5}


def autoencoder_recipe(net, epochs=100):
    """`PretrainConfig::train_config`: MSE, Adam 1e-3, batches of 32, default early stopping."""
    return Recipe(net=net, epochs=epochs, lr=1e-3, regression=True)


def pretrain(mode, x, vx, seed):
    """`pretrain::pretrain` with hidden [64, 32], ReLU, default init: the autoencoder 256 → 64 →
    32 → 256 whose hidden layers the fine-tuned network takes."""
    width, hidden = x.shape[1], [64, 32]
    ae = Net(width, hidden, width)
    recipe = autoencoder_recipe(ae)
    model = build(ae, seed)
    if mode == "layerwise":
        codes, val_codes, d_in = x, vx, width
        for k, units in enumerate(hidden):  # one autoencoder per layer, on the codes below
            stage = Net(d_in, [units], d_in)
            f = fit(build(stage, seed), autoencoder_recipe(stage), (codes, codes),
                    (val_codes, val_codes), seed)
            block = f.model.blocks[0].eval()
            with torch.no_grad():
                codes, val_codes = block(codes), block(val_codes)
            model.blocks[k].load_state_dict(block.state_dict())
            d_in = units
        recipe = replace(recipe, freeze=len(hidden))  # then only the decoder learns
    return fit(model, recipe, (x, x), (vx, vx), seed).model


def pretraining(seeds, data):
    unlabelled = Data("shapes", 1000, 300, 0.1)
    labelled = Data("shapes", 30, 600, 0.1)
    base = with_(shapes_config([64, 32], 100), early_stopping=PATIENT)
    cache = {}

    def source(name, seed):
        if (name, seed) not in cache:
            d = data.splits(unlabelled, seed)
            cache[(name, seed)] = pretrain(name, d["train"][0], d["validation"][0], seed)
        return cache[(name, seed)]

    alone, layerwise, frozen, e2e = ("30 labels alone", "layer-wise autoencoders, then fine-tune",
                                     "layer-wise, encoder frozen",
                                     "end-to-end autoencoder, then fine-tune")
    variants = [Variant(alone, base, labelled),
                Variant(layerwise, base, labelled, "layerwise"),
                Variant(frozen, with_(base, freeze=2), labelled, "layerwise"),
                Variant(e2e, base, labelled, "end-to-end")]
    results = run_variants(variants, seeds, data, 0.5, source)
    r = Results(results)
    parts = [r.beats(l, alone).points(f"{l} beats the labels alone") for l in (layerwise, e2e)]
    summary = (f"with 30 labels alone the network reached {pct(r.accuracy(alone))} on the test "
               f"split; after layer-wise pretraining on 1000 unlabelled images "
               f"{pct(r.accuracy(layerwise))} (encoder frozen: {pct(r.accuracy(frozen))}), after "
               f"end-to-end pretraining {pct(r.accuracy(e2e))}.")
    return results, judgement(parts, summary), {"extra": "target", "target": 0.5}


# ---------------------------------------------------------------------------------------------
# --same-start: one network trained both ways from the same weights, batch = every row
# ---------------------------------------------------------------------------------------------

def write_safetensors(model: Mlp, path):
    """The weights as an nn.Sequential's state_dict in a .safetensors file (`plaindnn train
    --init-from FILE` reads it; the activation and the rest come from its own flags)."""
    index, tensors = 0, {}
    for block in model.blocks:
        tensors[f"{index}.weight"], tensors[f"{index}.bias"] = block.linear.weight, block.linear.bias
        index += 1
        if block.norm is not None:
            for k in ("weight", "bias", "running_mean", "running_var"):
                tensors[f"{index}.{k}"] = getattr(block.norm, k)
            index += 1
        index += 1  # the activation
    tensors[f"{index}.weight"], tensors[f"{index}.bias"] = model.output.weight, model.output.bias
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        blob = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


# (label, recipe, plaindnn flags): each on circles, 256 rows, full batch, no early stopping
SAME_START = [
    ("ReLU 16-16, Adam 0.01", Recipe(Net(2, [16, 16], 2), 40),
     ["--hidden", "16,16", "--activation", "relu", "--optimizer", "adam", "--lr", "0.01"]),
    ("sigmoid 4 × 32, SGD 0.1", Recipe(Net(2, [32] * 4, 2, "sigmoid"), 40, "sgd", 0.1),
     ["--hidden", "32,32,32,32", "--activation", "sigmoid", "--optimizer", "sgd", "--lr", "0.1"]),
    ("tanh 3 × 32, SGD 0.1 + momentum 0.9", Recipe(Net(2, [32] * 3, 2, "tanh"), 40, "sgd", 0.1, 0.9),
     ["--hidden", "32,32,32", "--activation", "tanh", "--optimizer", "sgd", "--lr", "0.1",
      "--momentum", "0.9"]),
    ("ELU 3 × 32 + BatchNorm, Adam 0.01", Recipe(Net(2, [32] * 3, 2, "elu", batch_norm=True), 40),
     ["--hidden", "32,32,32", "--activation", "elu", "--batch-norm", "--optimizer", "adam",
      "--lr", "0.01"]),
    ("ELU 3 × 32 + BatchNorm, SGD 0.1", Recipe(Net(2, [32] * 3, 2, "elu", batch_norm=True), 40,
                                              "sgd", 0.1),
     ["--hidden", "32,32,32", "--activation", "elu", "--batch-norm", "--optimizer", "sgd",
      "--lr", "0.1"]),
    ("leaky ReLU 64-64, Adam, L1 1e-4 + L2 1e-3 + max-norm 1",
     Recipe(Net(2, [64, 64], 2, "leaky_relu"), 40, l1=1e-4, l2=1e-3, max_norm=1.0),
     ["--hidden", "64,64", "--activation", "leaky_relu", "--optimizer", "adam", "--lr", "0.01",
      "--l1", "1e-4", "--l2", "1e-3", "--max-norm", "1"]),
    ("ReLU 10 × 32 N(0, 0.5²), SGD 0.01, global clip 1",
     Recipe(Net(2, [32] * 10, 2, init="normal:0.5"), 40, "sgd", 0.01, clip_global_norm=1.0),
     ["--hidden", ",".join(["32"] * 10), "--activation", "relu", "--optimizer", "sgd", "--lr",
      "0.01", "--clip-global-norm", "1"]),
]


def same_start(binary, data, folder, seed=0):
    """Trains each SAME_START network in plaindnn and here from the same initial weights, on
    every training row at once (so shuffling plays no part), and compares the losses epoch by
    epoch: what is left is float rounding, or a difference in what the frameworks compute."""
    d = Data("circles", 256, 256, 0.05)
    splits = data.splits(d, seed)
    train_csv, val_csv = (data.path(d, s, seed) for s in ("train", "validation"))
    print("| network | epochs | largest \\|Δ\\| train loss | largest \\|Δ\\| val loss | "
          "final val loss plaindnn / PyTorch |\n|---|---|---|---|---|")
    for i, (label, recipe, flags) in enumerate(SAME_START):
        recipe = replace(recipe, batch_size=256, early_stopping=None)
        model = build(recipe.net, seed)
        start = os.path.join(folder, f"same-start-{i}.safetensors")
        write_safetensors(model, start)
        run = os.path.join(folder, f"same-start-{i}")
        subprocess.run([binary, "train", "--data", train_csv, "--val-data", val_csv,
                        "--no-standardize", "--init-from", start, "--batch-size", "256",
                        "--epochs", str(recipe.epochs), "--no-early-stopping", "--seed", str(seed),
                        "--out", run, "--overwrite", "--quiet"] + flags, check=True,
                       capture_output=True)
        with open(os.path.join(run, "metrics.csv")) as f:
            theirs = [(float(r["train_loss"]), float(r["val_loss"])) for r in csv.DictReader(f)]
        ours = [(r.train_loss, r.val_loss)
                for r in fit(model, recipe, splits["train"], splits["validation"], seed).rows]
        dt = max(abs(a[0] - b[0]) for a, b in zip(theirs, ours))
        dv = max(abs(a[1] - b[1]) for a, b in zip(theirs, ours))
        print(f"| {label} | {len(ours)} | {dt:.1e} | {dv:.1e} | {theirs[-1][1]:.4f} / {ours[-1][1]:.4f} |",
              flush=True)


# ---------------------------------------------------------------------------------------------
# --compare: PyTorch's table and verdicts next to plaindnn's (from EXPERIMENTS.md)
# ---------------------------------------------------------------------------------------------

# the column shown next to test accuracy, where the experiment's claim is about another number
EXTRA_COLUMN = {
    "vanishing-gradients": "first/last gradient (epoch 1)",
    "optimizers": "epochs to val loss 0.3",
    "depth": "final val − train loss",
    "transfer": "epochs to val loss 0.5",
}


def parse_report(text):
    """A report's table as {label: (diverged, seeds, {column: cell})} and its verdict's parts as
    {part: "verdict (evidence)"}, with the verdict's first word."""
    lines = text.splitlines()
    head = next(i for i, l in enumerate(lines) if l.startswith("| variant |"))
    columns = [c.strip() for c in lines[head].strip("|").split("|")]
    rows = {}
    for line in lines[head + 2:]:
        if not line.startswith("| "):
            break
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        label, diverged, seeds = cells[0], 0, None
        m = re.match(r"^(.*) \(diverged in (\d+) of (\d+) runs\)$", label)
        if m:
            label, diverged, seeds = m.group(1), int(m.group(2)), int(m.group(3))
        rows[label] = (diverged, seeds, dict(zip(columns[1:], cells[1:])))
    verdict = next(l for l in lines if " on this run: " in l).split(" on this run: ")[0]
    parts = {}
    for line in lines:
        m = re.match(r"^- (.*): (held|did not hold|inconclusive) \((.*)\)$", line)
        if m:
            parts[m.group(1)] = f"{m.group(2)} ({m.group(3)})"
    return rows, verdict, parts


def mean_sd(text):
    """`95.9 ± 1.6 %` → (95.9, 1.6); `—` → None."""
    m = re.match(r"^(-?[\d.]+) ± ([\d.]+)", text)
    return (float(m.group(1)), float(m.group(2))) if m else None


def comparison(name, plaindnn, pytorch, seeds):
    """Markdown: test accuracy (and the experiment's own number) per variant, side by side, with
    PyTorch − plaindnn and twice its standard error over independent seeds, then each part of the
    verdict both ways."""
    (ours, our_verdict, our_parts) = parse_report(pytorch)
    (theirs, their_verdict, their_parts) = parse_report(plaindnn)
    extra = EXTRA_COLUMN.get(name)
    head = "| variant | test accuracy, plaindnn | test accuracy, PyTorch | PyTorch − plaindnn (2 × SE) |"
    rule = "|---|---|---|---|"
    if extra:
        head += f" {extra}, plaindnn | {extra}, PyTorch |"
        rule += "---|---|"
    lines = [head, rule]
    for label, (pd_div, pd_seeds, pd_cells) in theirs.items():
        py_div, py_seeds, py_cells = ours.get(label, (0, None, {}))
        a, b = mean_sd(pd_cells.get("test accuracy", "—")), mean_sd(py_cells.get("test accuracy", "—"))
        if a and b:
            n_a, n_b = seeds - pd_div, seeds - py_div
            margin = 2 * math.sqrt(a[1] ** 2 / n_a + b[1] ** 2 / n_b)
            d = b[0] - a[0]
            diff = f"{d:+.1f} points ({margin:.1f}): {'within' if abs(d) <= margin else 'BEYOND'}"
        else:
            diff = "—"
        show = lambda cells, div, n: cells.get("test accuracy", "—") + (
            f", diverged {div} of {n}" if div else "")
        line = (f"| {label} | {show(pd_cells, pd_div, pd_seeds)} | {show(py_cells, py_div, py_seeds)} "
                f"| {diff} |")
        if extra:
            line += f" {pd_cells.get(extra, '—')} | {py_cells.get(extra, '—')} |"
        lines.append(line)
    lines += ["", f"| part of the claim | plaindnn: {their_verdict.lower()} | PyTorch: {our_verdict.lower()} |",
              "|---|---|---|"]
    for part, verdict in their_parts.items():
        lines.append(f"| {part} | {verdict} | {our_parts.get(part, '—')} |")
    return "\n".join(lines) + "\n"


def recorded_block(doc_path, name):
    """The block `<!-- experiment NAME -->` … `<!-- end NAME -->` of EXPERIMENTS.md."""
    doc = open(doc_path).read()
    m = re.search(rf"<!-- experiment {re.escape(name)} -->\n(.*?)<!-- end {re.escape(name)} -->", doc, re.S)
    return m.group(1) if m else None


EXPERIMENTS = {
    "linear-collapse": (linear_collapse, "without activations a deep stack of linear layers is still one linear map"),
    "activations": (activations, "for deep nets: ELU > leaky ReLU > ReLU > tanh > sigmoid"),
    "vanishing-gradients": (vanishing_gradients, "in a deep sigmoid net the lower layers stop learning; ReLU with He init, and ELU with He init and BatchNorm, fix it"),
    "exploding-gradients": (exploding_gradients, "too-large initial weights make gradients explode in a deep net trained by gradient descent; gradient clipping keeps training stable"),
    "optimizers": (optimizers, "Adam greatly speeds up convergence compared with plain gradient descent"),
    "overfitting": (overfitting, "a large net overfits a small noisy set; early stopping, L1/L2, dropout (about +2%), max-norm and augmentation help"),
    "default-config": (default_config, "the default best configuration (He, ELU, BatchNorm, Dropout, Adam) beats the plain one"),
    "depth": (depth, "more hidden layers describe more complex logic but overfit more easily"),
    "transfer": (transfer, "with few labels, reusing the lower layers of a network trained on a related task beats training from scratch"),
    "pretraining": (pretraining, "with 1–10 % of the inputs labelled, autoencoder pretraining on all inputs then fine-tuning beats training on the labels alone"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", help="a plaindnn binary (for `datasets --export`)")
    parser.add_argument("names", nargs="*", help="experiments (default: all)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", help="folder for the exported CSVs and one NAME.md per experiment")
    parser.add_argument("--compare", metavar="EXPERIMENTS.md",
                        help="after each experiment, its numbers and verdicts next to plaindnn's "
                             "recorded in this file")
    parser.add_argument("--reuse", action="store_true",
                        help="with --out: read DIR/NAME.md written by an earlier run instead of "
                             "training again")
    parser.add_argument("--same-start", action="store_true",
                        help="instead: train a few networks in plaindnn and here from the same "
                             "initial weights, full batch, and compare the losses epoch by epoch")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in EXPERIMENTS]
    if unknown:
        sys.exit(f"unknown experiment(s) {', '.join(unknown)}; known: {', '.join(EXPERIMENTS)}")
    torch.set_num_threads(1)
    out = args.out or tempfile.mkdtemp(prefix="experiments-pytorch-")
    data = Exporter(os.path.abspath(args.binary), os.path.join(out, "data"))
    version = subprocess.run([args.binary, "--version"], capture_output=True, text=True).stdout.strip()
    cpu = platform.processor() or platform.machine()
    if os.path.exists("/proc/cpuinfo"):
        names = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")]
        cpu = names[0] if names else cpu
    print(f"# Experiments in PyTorch, same settings\n\n"
          f"```\npython examples/experiments_in_pytorch.py BIN {' '.join(sys.argv[2:])}\n```\n\n"
          f"torch {torch.__version__} (CPU, 1 thread), numpy {np.__version__}, Python "
          f"{platform.python_version()}; data exported by {version}; {time.strftime('%Y-%m-%d')}; "
          f"{cpu}, {os.cpu_count()} cores, {platform.system()}.\n", flush=True)
    if args.same_start:
        same_start(os.path.abspath(args.binary), data, out)
        return
    for name in args.names or list(EXPERIMENTS):
        run, claim = EXPERIMENTS[name]
        saved = os.path.join(out, f"{name}.md")
        if args.reuse and os.path.exists(saved):
            text = open(saved).read()
        else:
            start = time.monotonic()
            results, (_, verdict), extra = run(args.seeds, data)
            seconds = time.monotonic() - start
            text = (f"## `{name}`\n\n({seconds:.1f} s)\n\nClaim: {claim}.\n\n{args.seeds} seed{'' if args.seeds == 1 else 's'}; "
                    f"test accuracy is measured on fresh rows that neither training nor early "
                    f"stopping saw.\n\n{table(results, extra.get('extra'), extra.get('target'))}"
                    f"\n\n{verdict}\n")
            with open(saved, "w") as f:
                f.write(text)
        print(text, flush=True)
        block = recorded_block(args.compare, name) if args.compare else None
        if block:
            print(f"### `{name}`: PyTorch next to plaindnn\n\n"
                  f"{comparison(name, block, text, args.seeds)}", flush=True)
    print(f"Rule: {RULE}.")


if __name__ == "__main__":
    main()
