"""Every command in pyproject.toml's [project.scripts] is installed and answers `--help`.

The list is read from pyproject.toml, so a new entry is covered without touching this file.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "project"
]["scripts"]
REINSTALL = "reinstall the project: `.venv/bin/pip install --no-deps -e .` (or `make install`)"


def test_pyproject_declares_scripts() -> None:
    assert SCRIPTS, "pyproject.toml has no [project.scripts]"


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_prints_its_usage(name: str) -> None:
    script = Path(sys.executable).parent / name
    assert script.is_file(), f"{script} is not installed; {REINSTALL}"
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, (
        f"{name} --help exited {result.returncode} (if its module moved, {REINSTALL}):\n"
        f"{result.stderr}"
    )
    assert result.stdout.startswith("Usage:"), result.stdout
    assert len(result.stdout.splitlines()) > 2, result.stdout
