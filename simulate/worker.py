"""Runs Copystream services (`python -m streams`, `python -m streams.outcomes`,
`python -m serving`) as child processes: for the demo, the benchmarks and the integration
tests, which all drive the real services."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import IO, Self

from contracts.settings import Settings
from features.online_reader import OnlineFeatureReader
from simulate.replay import EventReplayer
from simulate.sessions import probe_event


class ServiceProcess:
    """One `python -m <module>` process built from `settings`; its output goes to `log_path`."""

    module = "streams"

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> Self:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        env = {**os.environ, **self.settings.to_env(), "PYTHONUNBUFFERED": "1"}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", self.module],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the service and its children: a crash, no clean shutdown."""
        if self._proc is not None and self.alive():
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(timeout=30)
        self._close_log()

    def stop(self) -> None:
        if self._proc is not None and self.alive():
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(timeout=30)
        self._close_log()

    def log_tail(self, chars: int = 4_000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


class StreamWorkerProcess(ServiceProcess):
    """The stream worker (features and copy decisions)."""

    module = "streams"


class OutcomeWorkerProcess(ServiceProcess):
    """The outcome joiner (copies joined to impressions, clicks and purchases → outcome log)."""

    module = "streams.outcomes"


class GeneratorServiceProcess(ServiceProcess):
    """The generator service (Kafka consumer and HTTP API)."""

    module = "serving"


def wait_until_serving(
    settings: Settings,
    reader: OnlineFeatureReader,
    timeout_s: float,
    worker: ServiceProcess | None = None,
) -> None:
    """Block until a probe event has gone through the worker into the online store (the
    worker has joined its group, recovered its tables and started its writer). With `worker`,
    a timeout says whether it died and shows the end of its log."""
    user = f"probe-{uuid.uuid4().hex[:12]}"
    replayer = EventReplayer(settings, linger_ms=0)
    replayer.send([probe_event(user)], progress=False)
    replayer.close()
    deadline = time.monotonic() + timeout_s
    while reader.user_views(user) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"the stream worker did not serve within {timeout_s:.0f}s"
                + (_worker_state(worker) if worker is not None else "")
            )
        time.sleep(0.05)


def _worker_state(worker: ServiceProcess) -> str:
    state = "running" if worker.alive() else "exited"
    return f"; it is {state}, log {worker.log_path}, ending:\n{worker.log_tail()}"


def wait_until_ready(settings: Settings, timeout_s: float) -> None:
    """Block until the generator service answers `/readyz` (model loaded, Kafka connected)."""
    import httpx

    url = f"http://{settings.service.http_host}:{settings.service.http_port}/readyz"
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the generator service was not ready within {timeout_s:.0f}s")
        time.sleep(0.2)
