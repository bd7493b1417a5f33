"""Command-line tools from Debian's archive (redis-server, kcat), installed once when missing."""

from __future__ import annotations

import os
import shutil
import subprocess

from contracts.errors import InfrastructureError
from infra.processes import run_checked


def ensure_debian_package(command: str, package: str) -> str:
    """The path of `command`, installing `package` with apt-get first if it is missing."""
    found = shutil.which(command)
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise InfrastructureError(
            f"{command} is not installed; run `sudo apt-get install {package}`"
        )
    subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
    run_checked(["apt-get", "install", "-y", "-qq", package], f"installing {package}")
    installed = shutil.which(command)
    if installed is None:
        raise InfrastructureError(f"apt-get installed {package} but {command} is not on PATH")
    return installed
