#!/usr/bin/env python3
"""Re-pastes the outputs in TOUR.md and TOUR.zh-CN.md from today's binary.

    python3 tests/tour_outputs.py BIN

Runs every `$ plaindnn …` block once, in the Chinese tour's order, in a scratch directory (as
tests/tour.rs does), and replaces the lines pasted under each command with what it printed now,
keeping the page's cuts (`…`): a piece that starts the output stays at the start, one that ends it
at the end, one in the middle moves to the printed lines that look most like it (digits aside);
a block with no pasted lines stays so.
Read the diff afterwards: prose that quotes a number is not rewritten.
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CUT = "…"


def blocks(text):
    """(command, first pasted line, end of the pasted lines) per block."""
    lines = text.split("\n")
    found, i = [], 0
    while i < len(lines):
        if lines[i].startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            if j > i + 1 and lines[i + 1].startswith("$ plaindnn "):
                found.append((lines[i + 1][len("$ plaindnn "):], i + 2, j))
            i = j + 1
        else:
            i += 1
    return found


def skeleton(line):
    return re.sub(r"[0-9.eE+\-]+", "#", " ".join(line.split()))


def place(piece, printed, start, first, last):
    """Where `piece` sits in `printed` from `start`."""
    n = len(piece)
    if first:
        return start
    if last:
        return max(start, len(printed) - n)
    def score(s):
        return sum(skeleton(a) == skeleton(b) for a, b in zip(piece, printed[s:s + n]))
    return max(range(start, max(start, len(printed) - n) + 1), key=score)


def repaste(pasted, printed):
    pieces, cur = [], []
    for line in pasted:
        if line.strip() == CUT:
            pieces.append(cur)
            pieces.append(None)
            cur = []
        else:
            cur.append(line)
    pieces.append(cur)
    if not pasted:
        return []  # the page shows the command only
    if len(pieces) == 1:
        return list(printed)
    out, at = [], 0
    for k, piece in enumerate(pieces):
        if piece is None:
            out.append(CUT)
            continue
        if not piece:
            continue
        first = k == 0
        last = k == len(pieces) - 1
        s = place(piece, printed, at, first, last)
        out.extend(printed[s:s + len(piece)])
        at = s + len(piece)
    return out


def main():
    binary = sys.argv[1]
    order = [c for c, _, _ in blocks((ROOT / "TOUR.zh-CN.md").read_text())]
    printed = {}
    with tempfile.TemporaryDirectory() as scratch:
        for command in order:
            if command in printed:
                continue
            run = subprocess.run([binary, *command.split()], cwd=scratch, capture_output=False,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if run.returncode != 0:
                sys.exit(f"`plaindnn {command}` failed:\n{run.stdout}")
            printed[command] = run.stdout.rstrip("\n").split("\n") if run.stdout else []
            print(f"ran plaindnn {command}", file=sys.stderr)
    for name in ["TOUR.md", "TOUR.zh-CN.md"]:
        path = ROOT / name
        lines = path.read_text().split("\n")
        for command, start, end in reversed(blocks("\n".join(lines))):
            lines[start:end] = repaste(lines[start:end], printed[command])
        path.write_text("\n".join(lines))
        print(f"wrote {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
