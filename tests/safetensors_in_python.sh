#!/usr/bin/env bash
# Exports five runs with `plaindnn export --format safetensors` and checks, in Python with
# safetensors + numpy (installed here into a cached venv), that the file alone reproduces
# `plaindnn predict` — and, where torch is importable, that it loads strictly into nn.Sequential.
# Then trains from the export with `--init-from FILE` and checks the layers arrived.
# Usage: tests/safetensors_in_python.sh PATH/TO/plaindnn
set -euo pipefail
bin=${1:?usage: $0 PATH/TO/plaindnn}
here=$(cd "$(dirname "$0")" && pwd)
venv=${PLAINDNN_PYENV:-$HOME/.cache/plaindnn/pyenv}
if ! "$venv/bin/python" -c 'import safetensors, numpy' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q safetensors numpy
fi
py=${PLAINDNN_PYTHON:-$venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# a regression CSV whose features need standardising: y = 3·a − 0.02·b + c²
"$py" - "$work/data.csv" "$work/prices.csv" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(0)
a, b, c = rng.normal(5, 2, 300), rng.normal(100, 30, 300), rng.normal(0, 1, 300)
y = 3 * a - 0.02 * b + c**2
np.savetxt(sys.argv[1], np.c_[a, b, c, y], delimiter=",", header="a,b,c,y", comments="")
# the same target as a price: the file alone must map the outputs back (target_scaler)
np.savetxt(sys.argv[2], np.c_[a, b, c, 40000 + 3000 * y], delimiter=",", header="a,b,c,price", comments="")
PY
printf 'x,y\n2,2\n-1.5,0.5\n-3,-4\n0.5,-2\n0,0\n' > "$work/points.csv"
head -6 "$work/data.csv" | cut -d, -f1-3 > "$work/rows.csv"

passed=0 failed=0
check() { # name, train flags...; data file for predict is the last word of $predict_on
  local name=$1; shift
  "$bin" train "$@" --epochs 8 --quiet --out "$work/$name"
  "$bin" export --run "$work/$name" --format safetensors > /dev/null
  "$bin" predict --run "$work/$name" --data "$predict_on" --json > "$work/$name.json"
  echo "$name: $("$bin" export --run "$work/$name" --out "$work/$name.st" | sed -n 2p)"
  if "$py" "$here/safetensors_check.py" "$work/$name/model.safetensors" "$work/$name.json"; then
    passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
predict_on=$work/points.csv
check quadrants-bn-prelu --hidden 16,8 --batch-norm --activation prelu
check quadrants-elu-dropout --hidden 32,16,8 --activation elu --dropout 0.2 --init he-normal
check quadrants-step --hidden 8,8 --activation step   # PyTorch has no step module: made in place
predict_on=$work/rows.csv
check csv-regression-gelu --data "$work/data.csv" --hidden 24 --activation gelu
check csv-regression-standardized-target --data "$work/prices.csv" --hidden 24 --standardize-target

# --init-from the exported file: the first hidden layer must arrive unchanged when frozen
"$bin" train --init-from "$work/quadrants-bn-prelu/model.safetensors" --freeze 2 --epochs 3 --quiet \
  --out "$work/tuned"
"$bin" export --run "$work/tuned" --out "$work/tuned.safetensors" > /dev/null
if "$py" - "$work/quadrants-bn-prelu/model.safetensors" "$work/tuned.safetensors" <<'PY'
import sys
from safetensors.numpy import load_file
a, b = load_file(sys.argv[1]), load_file(sys.argv[2])
same = [k for k in ("0.weight", "0.bias", "1.running_mean", "3.weight") if (a[k] == b[k]).all()]
print(f"init-from FILE --freeze 2: {len(same)} of 4 frozen tensors bit-identical")
sys.exit(0 if len(same) == 4 else 1)
PY
then passed=$((passed + 1)); else failed=$((failed + 1)); fi
echo "safetensors_in_python: $passed passed, $failed failed"
[ "$failed" = 0 ]
