#!/usr/bin/env python3
"""EXPERIMENTS.md from the code that measures it, and a check that the two still agree.

  python3 tests/experiments_md.py write BIN [NAME ...]   re-run the experiments (5 seeds) and
                                                         rewrite their blocks in EXPERIMENTS.md
  python3 tests/experiments_md.py check BIN [--skip NAME ...]
                                                         re-run them and fail when a table or a
                                                         verdict differs (timings excluded)

Each experiment's block sits between `<!-- experiment NAME -->` and `<!-- end NAME -->`; prose
outside the blocks is left alone. Runs are bit-reproducible (plaindnn's own seeded generator),
so the same commit on the same kind of machine prints the same tables.
"""
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "EXPERIMENTS.md"
SEEDS = 5


def names(binary):
    listing = subprocess.run([binary, "experiment", "--list"], check=True,
                             capture_output=True, text=True).stdout
    return [line.split()[0] for line in listing.splitlines() if line.strip()]


def measure(binary, name):
    """The block for one experiment: command, time, table, verdict and rule."""
    with tempfile.TemporaryDirectory() as out:
        start = time.monotonic()
        subprocess.run([binary, "experiment", name, "--seeds", str(SEEDS), "--out", out],
                       check=True, capture_output=True, text=True)
        seconds = time.monotonic() - start
        report = (Path(out) / "report.md").read_text()
    lines = report.splitlines()
    body = [l for l in lines[1:] if not l.startswith("![") and not l.startswith("Each variant's runs")]
    text = "\n".join(body).strip()
    command = f"```\ncargo run --release -- experiment {name} --seeds {SEEDS}\n```"
    return f"{command}\n\n({seconds:.1f} s)\n\n{text}\n"


def without_timing(block):
    return re.sub(r"^\(\d+(\.\d+)? s\)$", "(… s)", block, flags=re.M).strip()


def blocks(doc):
    pattern = re.compile(r"<!-- experiment (\S+) -->\n(.*?)<!-- end \1 -->", re.S)
    return {m.group(1): m.group(2) for m in pattern.finditer(doc)}


def write(binary, wanted):
    doc = DOC.read_text()
    for name in wanted:
        block = measure(binary, name)
        marker = re.compile(rf"(<!-- experiment {re.escape(name)} -->\n).*?(<!-- end {re.escape(name)} -->)", re.S)
        if not marker.search(doc):
            sys.exit(f"EXPERIMENTS.md has no block for `{name}`: add `<!-- experiment {name} -->` … `<!-- end {name} -->`")
        doc = marker.sub(lambda m: m.group(1) + block + m.group(2), doc)
        print(f"{name}: rewritten", flush=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "unknown"
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    doc = re.sub(r"^Produced by .*$", f"Produced by {version} at commit {commit} "
                 f"(the code the tables were measured with), {time.strftime('%Y-%m-%d')}.",
                 doc, count=1, flags=re.M)
    DOC.write_text(doc)


def check(binary, skip):
    recorded = blocks(DOC.read_text())
    failed, passed = [], 0
    for name in names(binary):
        if name in skip:
            print(f"{name}: skipped (too slow for CI; regenerate with `write`)")
            continue
        if name not in recorded:
            failed.append(name)
            print(f"{name}: EXPERIMENTS.md has no block for it")
            continue
        now = without_timing(measure(binary, name))
        if now == without_timing(recorded[name]):
            passed += 1
            print(f"{name}: EXPERIMENTS.md matches the code", flush=True)
        else:
            failed.append(name)
            print(f"{name}: EXPERIMENTS.md differs from what the code measures now:\n"
                  f"--- recorded\n{without_timing(recorded[name])}\n--- now\n{now}\n")
    print(f"experiments_md: {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("write", "check"):
        sys.exit(__doc__)
    mode, binary, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    if mode == "write":
        write(binary, rest or names(binary))
    else:
        skip = {rest[i + 1] for i, a in enumerate(rest) if a == "--skip" and i + 1 < len(rest)}
        sys.exit(check(binary, skip))
