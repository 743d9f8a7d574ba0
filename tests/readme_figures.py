#!/usr/bin/env python3
"""The README's benchmark figures are the ones the comparison scripts wrote.

  python3 tests/readme_figures.py           check README.md against artifacts/bench/*.json
  python3 tests/readme_figures.py selftest  the check fails when a figure or a row is changed

Six tables are checked, the first five each figure within half a unit of its last printed digit:
- the Performance table: plaindnn's and the reference's medians, the speed ratio and the % of
  peak are `compare.json`'s row for row (as `examples/compare_with_pytorch.py` wrote it); its EPYC
  column's first ratio is `compare-run33.json`'s, and the range beside it is the lowest and
  highest of the EPYC's runs of the current code;
- the targets table: each range is the lowest and highest of the runs it names, the Xeon's eight,
  the EPYC's three on a Zen 3 host and nine on a Zen 4 host (the fourth of W2 alone, the seventh of W1 and W2);
- the GPU table: `gpu-20261204T0940Z-vs-pytorch-cuda.json`'s rows (plaindnn on wgpu, PyTorch on
  CUDA, the ratio and its range over the rounds) and the flex medians of that run's
  `-bench-flex-w2.json` and `-w3.json`;
- the fusion table: the medians over the rounds of `gpu-fusion-20261204T0936Z-bench-*.jsonl`
  (built without and with Burn's fusion), the speed-up of those medians and its range over the
  rounds;
- the sentence "W4 again on 4 December": the lowest and highest ratios of `compare-w4-epyc-1.json`
  to `-3.json`;
- the sentence on fusion on lavapipe: the lowest and highest speed-ups over the rounds of
  `cpu-adapter-fusion-20261204T0958Z-bench-w1-*.jsonl`, W1 bare and through `train`;
- the user-level table: `sklearn.json`'s times, ratios and test accuracies;
- the claims table (the tutorial's claims and their verdicts): every figure in a row is printed
  in its experiment's section of EXPERIMENTS.md, which `tests/experiments_md.py check` holds to
  what the code measures.
"""
import json
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "artifacts" / "bench"
XEON = ["compare.json"] + [f"compare-run{i}.json" for i in range(26, 33)]
EPYC = [f"compare-run{i}.json" for i in range(33, 36)]  # 3 December, a Zen 3 host (AVX2)
# 4, 6 and 7 December, a Zen 4 host (AVX-512); run 39 is W2 alone, run 42 W1 and W2, runs 43–45 all
EPYC4 = [f"compare-run{i}.json" for i in range(36, 46)]
NUMBER = re.compile(r"\d[\d ]*(?:\.\d+)?")


def rows_of(json_name):
    return json.loads((BENCH / json_name).read_text())["table"]


def table_after(text, header_start):
    """The body rows of the Markdown table whose header line starts with `header_start`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def numbers(cell):
    """Each figure in a cell with the number of decimals it was printed with."""
    found = []
    for match in NUMBER.finditer(cell.replace("\u2009", " ")):
        text = match.group().strip().replace(" ", "")
        decimals = len(text.split(".")[1]) if "." in text else 0
        found.append((float(text), decimals))
    return found


def printed_as(value, figure, what):
    shown, decimals = figure
    if abs(value - shown) > 0.5 * 10 ** -decimals + 1e-9:
        raise AssertionError(f"{what}: README shows {shown}, the file has {value:.6g}")


def range_is(values, figures, what):
    printed_as(min(values), figures[0], f"{what}, lowest")
    printed_as(max(values), figures[1], f"{what}, highest")


def label_matches(label, row):
    workload = re.match(r"W(\d)", label)
    path_word = "inference" if row["path"] == "infer" else "`train`" if row["path"] == "train" else None
    return (workload and f"w{workload.group(1)}" == row["workload"]
            and (path_word is None or path_word in label)
            and ("`train`" not in label or row["path"] == "train"))


def check_performance_table(text):
    readme = table_after(text, "| workload | plaindnn (flex) |")
    measured = rows_of("compare.json")
    epyc_first = rows_of(EPYC[0])
    epyc_runs = [rows_of(name) for name in EPYC]
    if len(readme) != len(measured):
        raise AssertionError(f"Performance table: {len(readme)} rows, compare.json {len(measured)}")
    for i, (cells, row) in enumerate(zip(readme, measured)):
        what = f"Performance table, row {i + 1} ({cells[0][:40]})"
        if not label_matches(cells[0], row):
            raise AssertionError(f"{what}: not {row['workload']} {row['variant']} {row['path']}")
        printed_as(row["plaindnn"], numbers(cells[1])[0], f"{what}, plaindnn")
        printed_as(row["reference"], numbers(cells[2])[0], f"{what}, reference")
        printed_as(row["speed_ratio"], numbers(cells[3])[0], f"{what}, speed ratio")
        if row["plaindnn_pct_of_gemm_peak"] is not None:
            mine, theirs = numbers(cells[4])
            printed_as(row["plaindnn_pct_of_gemm_peak"], mine, f"{what}, plaindnn % of peak")
            printed_as(row["reference_pct_of_gemm_peak"], theirs, f"{what}, reference % of peak")
        first, low, high = numbers(cells[5])
        printed_as(epyc_first[i]["speed_ratio"], first, f"{what}, EPYC {EPYC[0]}")
        ratios = [run[i]["speed_ratio"] for run in epyc_runs]
        range_is(ratios, [low, high], f"{what}, EPYC runs")


# The targets table's rows: (label start, [(workload, variant, path, reference), ...], metric).
TARGETS = [
    ("W1 bare", [("w1", "plain", "bare", "plain"), ("w1", "plain", "train", "plain")], "speed_ratio"),
    ("W2 seed-default training", [("w2", "seed_default", "bare", "seed_default"),
                                  ("w2", "seed_default", "train", "seed_default")], "speed_ratio"),
    ("W2 seed-default inference", [("w2", "seed_default", "infer", "seed_default")], "speed_ratio"),
    ("W2 plain training, bare /", [("w2", "plain", "bare", "plain"),
                                   ("w2", "plain", "train", "plain")], "speed_ratio"),
    ("W2 plain inference", [("w2", "plain", "infer", "plain")], "speed_ratio"),
    ("W2 plain training, bare, %", [("w2", "plain", "bare", "plain")], "plaindnn_pct_of_gemm_peak"),
    ("W3", [("w3", "sigmoid_default", "bare", "sigmoid_default"), ("w3", "elu_he", "bare", "elu_he"),
            ("w3", "elu_he_bn", "bare", "elu_he_bn")], "speed_ratio"),
    ("W4", [("w4", "lstsq", "lstsq", "numpy_lstsq_gelsd"),
            ("w4", "lstsq", "lstsq", "sklearn_LinearRegression")], "speed_ratio"),
]


def keyed(rows):
    return {(r["workload"], r["variant"], r["path"], r["reference_name"]): r for r in rows}


def check_targets_table(text):
    for name in XEON + EPYC + EPYC4:
        if f"`{name}`" not in text:
            raise AssertionError(f"targets: the README no longer names {name}, which the check reads")
    readme = table_after(text, "| target | needed |")
    columns = [("Xeon", XEON), ("EPYC Zen 3", EPYC), ("EPYC Zen 4", EPYC4)]
    runs = [(machine, [keyed(rows_of(name)) for name in names]) for machine, names in columns]
    if len(readme) != len(TARGETS):
        raise AssertionError(f"targets table: {len(readme)} rows, the check knows {len(TARGETS)}")
    for cells, (label, keys, metric) in zip(readme, TARGETS):
        if not cells[0].startswith(label):
            raise AssertionError(f"targets table: row '{cells[0]}' where '{label}…' was expected")
        for column, (machine, machine_runs) in enumerate(runs, start=2):
            figures = numbers(cells[column])
            for j, key in enumerate(keys):
                what = f"targets table, {cells[0]}, {key[1]} {key[2]}, {machine}"
                measured = [run[key][metric] for run in machine_runs if key in run]
                range_is(measured, figures[2 * j:2 * j + 2], what)


GPU_RUN = "gpu-20261204T0940Z"  # 4 December, the H200: plaindnn on wgpu beside PyTorch on CUDA
FUSION_RUN = "gpu-fusion-20261204T0936Z"  # the same day and GPU: with and without Burn's fusion


def round_ratios(run, row):
    """The speed ratio of `row` in each round of `run`, as compare_with_pytorch.py computes it."""
    ours = f"{row['variant']}|{row['path']}|{row['metric']}"
    theirs = f"{row['reference_name']}|{row['metric']}"
    w, higher = row["workload"], row["metric"].endswith("_per_s")
    return [r[w]["ours"][ours] / r[w]["theirs"][theirs] if higher
            else r[w]["theirs"][theirs] / r[w]["ours"][ours] for r in run["rounds"]]


def check_gpu_table(text):
    source = f"{GPU_RUN}-vs-pytorch-cuda.json"
    if source not in text:
        raise AssertionError(f"GPU table: the README no longer names {source}, which the check reads")
    readme = table_after(text, "| workload, on the GPU |")
    run = json.loads((BENCH / source).read_text())
    flex = {(r["workload"], r["variant"], r["path"]): r["median"] for w in ("w2", "w3")
            for r in json.loads((BENCH / f"{GPU_RUN}-bench-flex-{w}.json").read_text())["results"]}
    if len(readme) != len(run["table"]):
        raise AssertionError(f"GPU table: {len(readme)} rows, {source} {len(run['table'])}")
    for i, (cells, row) in enumerate(zip(readme, run["table"])):
        what = f"GPU table, row {i + 1} ({cells[0][:40]})"
        if not label_matches(cells[0], row):
            raise AssertionError(f"{what}: not {row['workload']} {row['variant']} {row['path']}")
        printed_as(row["plaindnn"], numbers(cells[1])[0], f"{what}, plaindnn on wgpu")
        printed_as(row["reference"], numbers(cells[2])[0], f"{what}, PyTorch on CUDA")
        printed_as(row["speed_ratio"], numbers(cells[3])[0], f"{what}, speed ratio")
        range_is(round_ratios(run, row), numbers(cells[4]), f"{what}, rounds")
        printed_as(flex[(row["workload"], row["variant"], row["path"])], numbers(cells[5])[0],
                   f"{what}, flex")


def fusion_rows():
    """Per workload, variant and path of FUSION_RUN: each build's round medians, in file order."""
    rows = {}
    for w in ("w2", "w3"):
        for build in ("unfused", "fused"):
            for line in (BENCH / f"{FUSION_RUN}-bench-{w}-{build}.jsonl").read_text().splitlines():
                for r in json.loads(line)["results"]:
                    row = rows.setdefault((w, r["variant"], r["path"]), {"metric": r["metric"]})
                    row.setdefault(build, []).append(r["median"])
    return rows


LAVAPIPE_FUSION_RUN = "cpu-adapter-fusion-20261204T0958Z"  # the same script on lavapipe, W1


def check_fusion_on_lavapipe(text):
    """The sentence after the fusion table: W1's speed-ups over the rounds on lavapipe."""
    said = re.search(r"On lavapipe.*?speed-up is (\S+)× for W1's bare step and (\S+)× through `train`",
                     text, re.S)
    if not said or f"{LAVAPIPE_FUSION_RUN}-" not in text:
        raise AssertionError(f"lavapipe fusion: the README no longer says what {LAVAPIPE_FUSION_RUN} gave")
    figures = numbers(said.group(1)) + numbers(said.group(2))
    rounds = {}
    for build in ("unfused", "fused"):
        for line in (BENCH / f"{LAVAPIPE_FUSION_RUN}-bench-w1-{build}.jsonl").read_text().splitlines():
            for r in json.loads(line)["results"]:
                row = rounds.setdefault(r["path"], {"metric": r["metric"]})
                row.setdefault(build, []).append(r["median"])
    for j, path in enumerate(["bare", "train"]):
        row = rounds[path]
        faster = [f / u if row["metric"].endswith("_per_s") else u / f
                  for u, f in zip(row["unfused"], row["fused"])]
        range_is(faster, figures[2 * j:2 * j + 2], f"lavapipe fusion, W1 {path}")


def check_fusion_table(text):
    if f"{FUSION_RUN}-" not in text:
        raise AssertionError(f"fusion table: the README no longer names {FUSION_RUN}, which the check reads")
    readme = table_after(text, "| workload, on the H200 |")
    measured = fusion_rows()
    if len(readme) != len(measured):
        raise AssertionError(f"fusion table: {len(readme)} rows, {FUSION_RUN} {len(measured)}")
    for i, (cells, ((w, variant, path), row)) in enumerate(zip(readme, measured.items())):
        what = f"fusion table, row {i + 1} ({cells[0][:40]})"
        if not label_matches(cells[0], {"workload": w, "path": path}):
            raise AssertionError(f"{what}: not {w} {variant} {path}")
        unfused, fused = row["unfused"], row["fused"]
        faster = (lambda u, f: f / u) if row["metric"].endswith("_per_s") else (lambda u, f: u / f)
        middle = [statistics.median(unfused), statistics.median(fused)]
        printed_as(middle[0], numbers(cells[1])[0], f"{what}, without fusion")
        printed_as(middle[1], numbers(cells[2])[0], f"{what}, with fusion")
        printed_as(faster(*middle), numbers(cells[3])[0], f"{what}, speed-up")
        range_is([faster(u, f) for u, f in zip(unfused, fused)], numbers(cells[4]), f"{what}, rounds")


W4_AGAIN = [f"compare-w4-epyc-{i}.json" for i in (1, 2, 3)]  # 4 December, least squares alone


def check_w4_again(text):
    """The sentence after the targets: W4's lowest and highest ratio over its three runs."""
    said = re.search(r"W4 again on 4 December.*?: (\S+× NumPy and \S+×)", text, re.S)
    if not said:
        raise AssertionError("W4 again: the README no longer says what the 4 December runs gave")
    figures = numbers(said.group(1))
    runs = [keyed(rows_of(name)) for name in W4_AGAIN]
    for j, reference in enumerate(["numpy_lstsq_gelsd", "sklearn_LinearRegression"]):
        ratios = [run[("w4", "lstsq", "lstsq", reference)]["speed_ratio"] for run in runs]
        range_is(ratios, figures[2 * j:2 * j + 2], f"W4 again, vs {reference}")


def check_sklearn_table(text):
    readme = table_after(text, "| data set (rows × features, classes) |")
    measured = json.loads((BENCH / "sklearn.json").read_text())["table"]
    if len(readme) != len(measured):
        raise AssertionError(f"user-level table: {len(readme)} rows, sklearn.json {len(measured)}")
    for cells, row in zip(readme, measured):
        what = f"user-level table, {row['set']}"
        if not cells[0].startswith(row["set"].replace("_", " ")):
            raise AssertionError(f"{what}: the README's row is '{cells[0]}'")
        shape = [f for f, _ in numbers(cells[0])]
        if shape != [row["rows"], row["features"], row["classes"]]:
            raise AssertionError(f"{what}: shape {shape} in the README")
        printed_as(row["plaindnn_s"], numbers(cells[1])[0], f"{what}, plaindnn s")
        printed_as(row["sklearn_s"], numbers(cells[2])[0], f"{what}, sklearn s")
        printed_as(row["sklearn_s"] / row["plaindnn_s"], numbers(cells[3])[0], f"{what}, ratio")
        printed_as(100 * row["plaindnn_accuracy"], numbers(cells[4])[0], f"{what}, plaindnn accuracy")
        printed_as(100 * row["sklearn_accuracy"], numbers(cells[5])[0], f"{what}, sklearn accuracy")


# The claims table's rows, in order, and the EXPERIMENTS.md section each one sums up.
CLAIMS = ["linear-collapse", "activations", "vanishing-gradients", "exploding-gradients",
          "optimizers", "overfitting", "depth", "default-config", "transfer", "pretraining"]
FIGURE = re.compile(r"[+−-]?\d+(?:\.\d+)?(?:e-\d+)?")


def sections(experiments):
    """EXPERIMENTS.md's text under each `## `name`` heading."""
    parts = re.split(r"^## `([a-z-]+)`$", experiments, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def check_claims_table(text):
    experiments = sections((ROOT / "EXPERIMENTS.md").read_text())
    rows = table_after(text, "| claim | verdict")
    assert len(rows) == len(CLAIMS), f"claims table: {len(rows)} rows, expected {len(CLAIMS)}"
    for name, (claim, verdict) in zip(CLAIMS, rows):
        section = experiments[name].replace("−", "-")
        for figure in FIGURE.findall(verdict.replace("−", "-")):
            bare = figure.lstrip("+")
            found = re.search(rf"(?<![\d.]){re.escape(bare)}(?![\d])", section)
            assert found, f"claims table, {claim!r}: {figure} is not in EXPERIMENTS.md's `{name}`"


def check(text):
    check_performance_table(text)
    check_targets_table(text)
    check_gpu_table(text)
    check_fusion_table(text)
    check_fusion_on_lavapipe(text)
    check_w4_again(text)
    check_sklearn_table(text)
    check_claims_table(text)


def fails(text):
    try:
        check(text)
    except AssertionError as e:
        return str(e)
    return None


def nudged(text, header_start, row, cell, figure=0):
    """`text` with one figure of a table cell moved by three units of its last printed digit
    (rows and cells from 0, the label cell first)."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    cells = lines[top + 2 + row].split("|")
    match = list(NUMBER.finditer(cells[cell + 1]))[figure]
    shown, decimals = numbers(match.group())[0]
    moved = f"{shown + 3 * 10 ** -decimals:.{decimals}f}"
    cells[cell + 1] = cells[cell + 1][:match.start()] + moved + " " + cells[cell + 1][match.end():]
    lines[top + 2 + row] = "|".join(cells)
    return "\n".join(lines)


def selftest(text):
    """Each change a careless edit could make is caught: a figure moved in every kind of cell,
    two rows swapped."""
    performance, targets = "| workload | plaindnn (flex) |", "| target | needed |"
    users = "| data set (rows × features, classes) |"
    gpu, fusion = "| workload, on the GPU |", "| workload, on the H200 |"
    changes = {
        "a median": (performance, 4, 1, 0),
        "a reference median": (performance, 4, 2, 0),
        "a ratio": (performance, 4, 3, 0),
        "a % of peak": (performance, 2, 4, 0),
        "a reference % of peak": (performance, 2, 4, 1),
        "an EPYC first-run ratio": (performance, 4, 5, 0),
        "an EPYC range's lowest": (performance, 4, 5, 1),
        "an EPYC range's highest": (performance, 4, 5, 2),
        "a Xeon target range": (targets, 4, 2, 0),
        "the SGEMM share": (targets, 5, 2, 0),
        "an EPYC target range": (targets, 6, 3, 0),
        "an EPYC Zen 4 target range": (targets, 4, 4, 1),
        "a GPU median": (gpu, 0, 1, 0),
        "a PyTorch-on-CUDA median": (gpu, 2, 2, 0),
        "a GPU ratio": (gpu, 4, 3, 0),
        "a GPU round's lowest": (gpu, 6, 4, 0),
        "a GPU round's highest": (gpu, 8, 4, 1),
        "a flex figure on the GPU machine": (gpu, 3, 5, 0),
        "a median without fusion": (fusion, 0, 1, 0),
        "a median with fusion": (fusion, 7, 2, 0),
        "fusion's speed-up": (fusion, 3, 3, 0),
        "fusion's lowest round": (fusion, 8, 4, 0),
        "fusion's highest round": (fusion, 5, 4, 1),
        "a user-level time": (users, 0, 1, 0),
        "a user-level ratio": (users, 1, 3, 0),
        "a user-level accuracy": (users, 1, 4, 0),
        "a claim's figure": ("| claim | verdict", 1, 1, 0),
        "another claim's figure": ("| claim | verdict", 9, 1, 0),
    }
    assert fails(text) is None, fails(text)
    for what, (header, row, cell, figure) in changes.items():
        message = fails(nudged(text, header, row, cell, figure))
        assert message, f"selftest: changing {what} was not caught"
        print(f"caught {what}: {message}")
    again = re.search(r"W4 again on 4 December.*?: (\d+\.\d+)", text, re.S)
    moved = f"{float(again.group(1)) + 0.03:.2f}"
    message = fails(text[:again.start(1)] + moved + text[again.end(1):])
    assert message, "selftest: changing the W4-again ratio was not caught"
    print(f"caught the W4-again ratio: {message}")
    lavapipe = re.search(r"speed-up is \S+× for W1's bare step and \d+\.\d+–(\d+\.\d+)×", text)
    moved = f"{float(lavapipe.group(1)) + 0.03:.2f}"
    message = fails(text[:lavapipe.start(1)] + moved + text[lavapipe.end(1):])
    assert message, "selftest: changing the lavapipe fusion speed-up was not caught"
    print(f"caught the lavapipe fusion speed-up: {message}")
    lines = text.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("| W2 the same, inference"))
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    assert fails("\n".join(lines)), "selftest: two rows swapped were not caught"
    print("caught two rows swapped")


def main():
    text = (ROOT / "README.md").read_text()
    if sys.argv[1:] == ["selftest"]:
        selftest(text)
    elif sys.argv[1:]:
        sys.exit(__doc__)
    check(text)
    print("README.md's benchmark tables match artifacts/bench/")


if __name__ == "__main__":
    main()
