#!/usr/bin/env python3
"""EXPERIMENTS.md from the code that measures it, and a check that the two still agree.

  python3 tests/experiments_md.py write BIN [NAME ...]   re-run the experiments (5 seeds) and
                                                         rewrite their blocks in EXPERIMENTS.md
  python3 tests/experiments_md.py check BIN [--skip NAME ...]
                                                         re-run them and fail when a table or a
                                                         verdict differs (timings excluded)

Each experiment's block sits between `<!-- experiment NAME -->` and `<!-- end NAME -->`; prose
outside the blocks is left alone. Runs are bit-reproducible (plaindnn's own seeded generator),
so the same commit on the same kind of machine prints the same tables. A processor with AVX-512
runs the matrix products in a wider kernel whose sums round differently, and a long training run
carries such a difference into the last digits; so a block that is not the same text still passes
when its words (every verdict among them) are the same and each figure moved by at most a quarter
of its own seed-to-seed spread (`within_rounding`); the check prints what moved.
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
        now, was = without_timing(measure(binary, name)), without_timing(recorded[name])
        if now == was:
            passed += 1
            print(f"{name}: EXPERIMENTS.md matches the code", flush=True)
        elif (moved := within_rounding(was, now)) is not None:
            passed += 1
            print(f"{name}: EXPERIMENTS.md matches the code within its seeds' spread: "
                  + ", ".join(f"{a} → {b} (allowed ±{t:g})" for a, b, t in moved), flush=True)
        else:
            failed.append(name)
            print(f"{name}: EXPERIMENTS.md differs from what the code measures now:\n"
                  f"--- recorded\n{without_timing(recorded[name])}\n--- now\n{now}\n")
    print(f"experiments_md: {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
# "mean ± sd" in a table; "(difference points, 2 × SE margin)" in a verdict
SPREAD = re.compile(r"(-?\d+(?:\.\d+)?) ± (\d+(?:\.\d+)?)|(-?\d+(?:\.\d+)?) points, 2 × SE (\d+(?:\.\d+)?)")


def allowed(block):
    """Each number's allowed movement, in order: a quarter of the spread it is printed with
    (± sd, or 2 × SE), also where the same figure is quoted in prose; 0 for every other number."""
    by_position, by_value = {}, {}
    for m in SPREAD.finditer(block):
        value, spread = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        tolerance = float(spread) / 4
        for group in (1, 2) if m.group(1) is not None else (3, 4):
            by_position[m.start(group)] = tolerance
        by_value.setdefault(value, tolerance)
    return [by_position.get(m.start(), by_value.get(m.group(), 0.0)) for m in NUMBER.finditer(block)]


def within_rounding(was, now):
    """None unless `now` has `was`'s words and each of its numbers is within `allowed` of the
    recorded one; else the numbers that moved, as (recorded, now, allowed)."""
    if NUMBER.sub("#", was) != NUMBER.sub("#", now):
        return None
    pairs = zip(NUMBER.findall(was), NUMBER.findall(now), allowed(was))
    moved = [(a, b, t) for a, b, t in pairs if a != b]
    if any(abs(float(a) - float(b)) > t + 1e-9 for a, b, t in moved):
        return None
    return moved


def selftest():
    """The tolerance on examples: passes what a kernel's rounding moves, fails what a change does."""
    was = ("| a | 53.2 ± 5.5 % | 0.829 ± 0.066 | 100 ± 0 |\n"
           "Did not hold: reached 53.2%.\n- b beats a: did not hold (-2.8 points, 2 × SE 2.7)")
    cases = [
        ("the same text", was, []),
        ("a mean, its sd, a quoted mean and a verdict's difference moved a little",
         was.replace("53.2", "53.0").replace("0.066", "0.067").replace("-2.8", "-3.1"),
         [("53.2", "53.0", 1.375), ("0.066", "0.067", 0.0165), ("53.2", "53.0", 1.375),
          ("-2.8", "-3.1", 0.675)]),
        ("a mean moved by more than a quarter of its sd", was.replace("53.2 ±", "51.5 ±"), None),
        ("a count with no spread moved", was.replace("100 ± 0", "99 ± 0"), None),
        ("a verdict changed", was.replace("did not hold (", "inconclusive ("), None),
        ("a figure quoted in prose moved too far", was.replace("reached 53.2", "reached 55.0"), None),
    ]
    for what, now, want in cases:
        got = within_rounding(was, now)
        assert got == want, f"{what}: {got} != {want}"
    print(f"experiments_md selftest: {len(cases)} cases passed")


if __name__ == "__main__":
    if sys.argv[1:] == ["selftest"]:
        sys.exit(selftest())
    if len(sys.argv) < 3 or sys.argv[1] not in ("write", "check"):
        sys.exit(__doc__)
    mode, binary, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    if mode == "write":
        write(binary, rest or names(binary))
    else:
        skip = {rest[i + 1] for i, a in enumerate(rest) if a == "--skip" and i + 1 < len(rest)}
        sys.exit(check(binary, skip))
