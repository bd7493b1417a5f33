"""A separate virtualenv for the Optimum ONNX Runtime baseline.

optimum-onnx 0.1.x pins `transformers<4.58`, while the project runs transformers 5.x, so the
baseline cannot live in the main venv: it gets its own, built once under the project home and
driven as a subprocess (`bench/optimum_runner.py`).
"""

from __future__ import annotations

import collections
import subprocess
import sys
import threading
import time
import venv
from pathlib import Path

# The one place the baseline's versions live. torch is a ~3 GB CUDA build from PyPI (the only
# index reachable here); 2.9.1 is the release current with optimum-onnx 0.1.0, whose export
# calls its legacy TorchScript exporter (dynamo=False). onnxruntime matches the main venv, so
# both systems run on the same engine and the comparison measures the generation loop.
# Checked together on CPU: GPT-2 checkpoints saved by transformers 5.17 export and generate.
TORCH = "torch==2.9.1"
REQUIREMENTS: tuple[str, ...] = (
    "optimum-onnx[onnxruntime]==0.1.0",
    "optimum==2.1.0",
    "transformers==4.57.6",
    "onnxruntime==1.32.0",
    "onnx==1.20.1",
    "numpy==2.3.5",
)
INSTALL_TIMEOUT_S = 3600


def venv_python(home: Path) -> Path:
    return home / "venvs" / "optimum" / "bin" / "python"


def ensure_optimum_venv(home: Path) -> Path | str:
    """The venv's python, installing it on first use; a reason string if that fails.

    A stamp holding the pinned requirements makes reruns instant, and changing a pin rebuilds
    on the next run. A half-finished install is resumed (pip skips what is already there).
    """
    folder = home / "venvs" / "optimum"
    python = venv_python(home)
    stamp = folder / "copystream-installed.txt"
    wanted = "\n".join((TORCH, *REQUIREMENTS)) + "\n"
    if python.is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return python
    started = time.monotonic()
    if not python.is_file():
        _say(f"creating {folder}")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(folder)
        except (OSError, subprocess.CalledProcessError) as exc:
            return f"creating the optimum venv failed: {exc}"
    stamp.unlink(missing_ok=True)
    # torch alone first: it is nearly all of the download, and a failure there reads clearly.
    # It stays in the second step so the resolver cannot swap it for another version.
    for label, requirements in (("torch", [TORCH]), ("optimum-onnx", [TORCH, *REQUIREMENTS])):
        _say(f"installing {' '.join(requirements)}")
        failure = _pip_install(python, requirements)
        if failure:
            return f"pip install {label} failed: {failure}"
    stamp.write_text(wanted)
    _say(f"optimum venv ready in {time.monotonic() - started:.0f} s")
    return python


def _pip_install(python: Path, requirements: list[str]) -> str | None:
    """Runs pip, echoing its lines as progress; returns its last lines if it fails."""
    command = [str(python), "-m", "pip", "install", "--progress-bar", "off", *requirements]
    tail: collections.deque[str] = collections.deque(maxlen=8)
    try:
        proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    except OSError as exc:
        return str(exc)
    watchdog = threading.Timer(INSTALL_TIMEOUT_S, proc.kill)
    watchdog.start()
    assert proc.stdout is not None
    with proc.stdout:
        for line in proc.stdout:
            tail.append(line.rstrip())
            if not line.startswith(("Requirement already satisfied", "  ")):
                _say(f"  {line.rstrip()}")
    code = proc.wait()
    watchdog.cancel()
    if code == 0:
        return None
    killed = f" (killed: over {INSTALL_TIMEOUT_S} s)" if code < 0 else ""
    return f"exit {code}{killed}: " + " | ".join(tail)


def _say(message: str) -> None:
    # stderr: the benchmark's stdout stays its own.
    print(f"[optimum-env] {message}", file=sys.stderr, flush=True)
