"""Checks the comparison scripts make before timing anything: a bad flag is refused at once with
exit status 2 and one `error:` line that names it and the way on, never a traceback minutes in."""
import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile

VENV_HELP = "../shared/bench/README.md says how to make one"


def fail(message):
    """Stops with `error: message` on stderr and exit status 2, as a bad flag does."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def positive(text):
    """An argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def check_binary(path):
    """`--plaindnn PATH` is an executable."""
    if not executable(path):
        fail(f"--plaindnn {path}: no such executable; build it with `cargo build --release` "
             "or pass its path")


BACKENDS = ("auto", "flex", "ndarray", "wgpu")  # plaindnn's `--backend` names


def check_backend(binary, name):
    """`--backend NAME` is `auto` or a backend compiled into `binary` (its `info --json`)."""
    name = name.lower()  # plaindnn takes any case
    if name not in BACKENDS:
        fail(f"--backend {name}: unknown backend; valid: {', '.join(BACKENDS)}")
    info = subprocess.run([binary, "info", "--json"], capture_output=True, text=True)
    try:
        compiled = json.loads(info.stdout)["backends"]
    except (ValueError, KeyError, TypeError):
        last = (info.stderr.strip().splitlines() or [f"exit status {info.returncode}"])[-1]
        fail(f"--plaindnn {binary}: `info --json` did not list its backends ({last})")
    if name != "auto" and name not in compiled:
        fail(f"--backend {name}: {binary} was built without it (compiled in: "
             f"{', '.join(compiled)}); `cargo build --release --features {name}` adds it")


def check_python(path, modules):
    """`--python PATH` is an executable that imports every one of `modules`."""
    wanted = ", ".join(modules)
    if not executable(path):
        fail(f"--python {path}: no such executable; pass a Python with {wanted} ({VENV_HELP})")
    probe = subprocess.run([path, "-c", f"import {wanted}"], capture_output=True, text=True)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["it exited with an error"])[-1]
        fail(f"--python {path}: {last}; it needs {wanted} ({VENV_HELP})")


def scratch_folder(prefix, copy_of=None):
    """A new temporary folder (a copy of `copy_of`'s files, if given), removed when the script
    exits. Writable even where the copied folder is read-only, as `../shared/bench/` is."""
    folder = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    if copy_of:
        shutil.copytree(copy_of, folder, dirs_exist_ok=True, copy_function=shutil.copyfile)
        os.chmod(folder, 0o700)  # copytree gave it the source's mode
    return folder
