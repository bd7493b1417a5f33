"""Small process and port primitives shared by the local services."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from contracts.errors import InfrastructureError


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def pid_alive(pid_file: Path) -> int | None:
    """The pid recorded in `pid_file` if that process still runs."""
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    try:  # our own child that exited is a zombie until reaped: reap it, it is not alive
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return None
    except ChildProcessError:
        pass  # not our child: os.kill above is the answer
    return pid


def spawn_detached(cmd: Sequence[str], log_file: Path, env: dict[str, str] | None = None) -> int:
    """Start `cmd` in its own session so it outlives the caller; output goes to `log_file`."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        proc = subprocess.Popen(
            list(cmd),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    return proc.pid


def wait_until(check: Callable[[], bool], timeout_s: float, what: str, log_file: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    tail = log_file.read_text(errors="replace")[-2_000:] if log_file.exists() else "(no log)"
    raise InfrastructureError(
        f"{what} not ready after {timeout_s:.0f}s; end of {log_file}:\n{tail}"
    )


def stop_pid(pid_file: Path, timeout_s: float = 30.0) -> bool:
    """SIGTERM the recorded process and wait for it; SIGKILL if it will not go. True if stopped."""
    pid = pid_alive(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and pid_alive(pid_file):
        time.sleep(0.2)
    if pid_alive(pid_file):
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    return True


def run_checked(cmd: Sequence[str], what: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(list(cmd), capture_output=True, text=True, cwd=cwd, check=False)
    if proc.returncode != 0:
        raise InfrastructureError(
            f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}"
            f"\n{proc.stderr[-2000:]}"
        )
    return proc.stdout
