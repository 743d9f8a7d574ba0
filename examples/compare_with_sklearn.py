#!/usr/bin/env python3
"""plaindnn next to scikit-learn's MLPClassifier as a user meets them: whole processes on CSV files.

For each data set scikit-learn ships (digits, breast cancer, wine, iris), the script writes a
stratified 75 / 25 train / test split to CSV once, then alternates, for --rounds rounds:

  plaindnn   `plaindnn train --data train.csv --val-data train.csv ...` then
             `plaindnn eval --run DIR --data test.csv --json`: two whole processes, wall clock
             (start-up, reading the CSV, standardising, training, writing the run directory
             with its checkpoint, metrics, pictures and report, then loading it again);
  sklearn    StandardScaler + MLPClassifier fit on train, score on test, inside one Python
             process already started with scikit-learn imported (its import is not counted).

Same recipe on both sides: one hidden layer of 100 ReLU units (MLPClassifier's default),
Glorot-uniform initial weights (`--init xavier_uniform`, scikit-learn's for ReLU), Adam with
lr 1e-3, β (0.9, 0.999), ε 1e-8, batches of 32, every epoch trained (no early stopping: sklearn
with tol 0 and n_iter_no_change = epochs, plaindnn with --no-early-stopping), no L2 (sklearn's
alpha 0), medians over rounds. scikit-learn trains on every training row, so plaindnn
validates on the training rows too (`--val-data train.csv`): the test rows are seen by neither
until the score. Without early stopping `model.bpk` holds the last epoch's weights, as
scikit-learn's fitted model does, and that is what `eval` scores.

Usage: python3 examples/compare_with_sklearn.py [--plaindnn BIN] [--python PY] [--epochs 200]
       [--rounds 3] [--out artifacts/bench/sklearn.json]
The Python given must have scikit-learn (see ../shared/bench/README.md: ~/ref-venv).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from script_checks import check_binary, check_python, positive, scratch_folder

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = ["digits", "breast_cancer", "wine", "iris"]

# Runs inside the reference Python: writes the splits, or times one sklearn fit + score.
HELPER = r'''
import json, sys, time
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split
mode, name, folder, epochs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def load(part):
    d = np.loadtxt(f"{folder}/{name}-{part}.csv", delimiter=",", skiprows=1)
    return d[:, :-1], d[:, -1].astype(int)
if mode == "split":
    bunch = getattr(datasets, f"load_{name}")()
    X, y = bunch.data, bunch.target
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    header = ",".join([f"f{j}" for j in range(X.shape[1])] + ["label"])
    for part, (a, b) in {"train": (Xtr, ytr), "test": (Xte, yte)}.items():
        np.savetxt(f"{folder}/{name}-{part}.csv", np.column_stack([a, b]), delimiter=",",
                   header=header, comments="", fmt=["%.10g"] * a.shape[1] + ["%d"])
    print(json.dumps({"rows": len(X), "features": X.shape[1], "classes": int(len(set(y)))}))
else:
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    (Xtr, ytr), (Xte, yte) = load("train"), load("test")
    start = time.perf_counter()
    model = make_pipeline(StandardScaler(), MLPClassifier(
        hidden_layer_sizes=(100,), activation="relu", solver="adam", alpha=0.0, batch_size=32,
        learning_rate_init=1e-3, max_iter=epochs, tol=0.0, n_iter_no_change=epochs,
        shuffle=True, random_state=0))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "max_iter reached": every epoch is wanted
        model.fit(Xtr, ytr)
    accuracy = model.score(Xte, yte)
    print(json.dumps({"seconds": time.perf_counter() - start, "accuracy": accuracy}))
'''


def run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return out.stdout


def ours(args, name, folder):
    run_dir = os.path.join(folder, f"run-{name}")
    train = [args.plaindnn, "train", "--data", f"{folder}/{name}-train.csv", "--target", "label",
             "--val-data", f"{folder}/{name}-train.csv", "--hidden", "100", "--activation", "relu",
             "--init", "xavier_uniform", "--optimizer", "adam", "--lr", "1e-3", "--batch-size", "32",
             "--epochs", str(args.epochs), "--no-early-stopping", "--seed", "0", "--quiet",
             "--overwrite", "--out", run_dir]
    start = time.perf_counter()
    run(train)
    report = json.loads(run([args.plaindnn, "eval", "--run", run_dir, "--data",
                             f"{folder}/{name}-test.csv", "--json"]))
    return {"seconds": time.perf_counter() - start, "accuracy": report["scores"]["accuracy"]}


def theirs(args, name, folder):
    return json.loads(run([args.python, "-c", HELPER, "fit", name, folder, str(args.epochs)]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plaindnn", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "plaindnn"))
    ap.add_argument("--python", default=os.path.expanduser("~/ref-venv/bin/python"))
    ap.add_argument("--epochs", type=positive, default=200)
    ap.add_argument("--rounds", type=positive, default=3)
    ap.add_argument("--out", default=os.path.join(ROOT, "artifacts", "bench", "sklearn.json"))
    args = ap.parse_args()
    check_binary(args.plaindnn)
    check_python(args.python, ["numpy", "sklearn"])
    folder = scratch_folder("plaindnn-sklearn-")
    shapes = {n: json.loads(run([args.python, "-c", HELPER, "split", n, folder, "0"])) for n in SETS}
    rounds = []
    for r in range(args.rounds):
        got = {n: {"plaindnn": ours(args, n, folder), "sklearn": theirs(args, n, folder)} for n in SETS}
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
        rounds.append(got)
    version = run([args.plaindnn, "--version"]).strip()
    sk = run([args.python, "-c", "import sklearn; print(sklearn.__version__)"]).strip()
    print(f"\n{version} (flex, whole `train` + `eval` processes) vs scikit-learn {sk} MLPClassifier "
          f"(fit + score in-process); {args.epochs} epochs, 100 ReLU units, Adam 1e-3, batch 32; "
          f"median of {args.rounds} rounds\n")
    print("| data set (rows × features, classes) | plaindnn s | sklearn s | speed ratio | "
          "test accuracy plaindnn | sklearn |")
    print("|---|---|---|---|---|---|")
    table = []
    for n in SETS:
        med = lambda side, k: statistics.median(rd[n][side][k] for rd in rounds)
        row = {"set": n, **shapes[n],
               "plaindnn_s": med("plaindnn", "seconds"), "sklearn_s": med("sklearn", "seconds"),
               "plaindnn_accuracy": med("plaindnn", "accuracy"), "sklearn_accuracy": med("sklearn", "accuracy")}
        table.append(row)
        ratio = row["sklearn_s"] / row["plaindnn_s"]
        shown = f"**{ratio:.2f}×**" if ratio >= 1 else f"{ratio:.2f}×"  # bold where plaindnn is faster
        print(f"| {n} ({row['rows']} × {row['features']}, {row['classes']}) | {row['plaindnn_s']:.2f} | "
              f"{row['sklearn_s']:.2f} | {shown} | "
              f"{100 * row['plaindnn_accuracy']:.1f} % | {100 * row['sklearn_accuracy']:.1f} % |")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"plaindnn": version, "sklearn": sk, "epochs": args.epochs, "rounds": rounds,
                   "table": table}, f, indent=1)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
