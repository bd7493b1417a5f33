"""Redis from Debian's `redis-server`, as the production-like Feast online store."""

from __future__ import annotations

from contracts.errors import InfrastructureError
from contracts.settings import Settings
from infra.debian import ensure_debian_package
from infra.processes import pid_alive, port_open, run_checked, stop_pid, wait_until


class RedisServer:
    """Installs (apt) and runs one Redis on loopback; idempotent.

    With `redis.append_only` (the default) every write goes to an append-only file synced each
    second, so a Redis that is stopped and started again comes back with the catalog and the
    features it held; a crash loses at most the last second, which the stream worker rewrites
    from its state on the user's next event (and the catalog guard reloads the catalog)."""

    def __init__(self, settings: Settings) -> None:
        self.redis = settings.redis
        self.root = settings.home / "redis"
        self.pid_file = self.root / "redis.pid"
        self.log_file = self.root / "redis.log"

    def install(self) -> None:
        ensure_debian_package("redis-server", "redis-server")

    def running(self) -> bool:
        return pid_alive(self.pid_file) is not None and port_open(self.redis.host, self.redis.port)

    def start(self) -> None:
        if self.running():
            return
        if port_open(self.redis.host, self.redis.port):
            raise InfrastructureError(
                f"port {self.redis.port} is taken by another process; set COPYSTREAM_REDIS__PORT"
            )
        self.install()
        self.root.mkdir(parents=True, exist_ok=True)
        args = [
            "redis-server",
            "--port",
            str(self.redis.port),
            "--bind",
            self.redis.host,
            "--daemonize",
            "yes",
            "--pidfile",
            str(self.pid_file),
            "--logfile",
            str(self.log_file),
            "--dir",
            str(self.root),
            "--save",
            "",
            "--appendonly",
            "yes" if self.redis.append_only else "no",
            "--appendfsync",
            "everysec",
        ]
        if self.redis.password is not None:
            args += ["--requirepass", self.redis.password.get_secret_value()]
        run_checked(args, "starting redis-server")
        wait_until(self.running, 20, "Redis", self.log_file)

    def stop(self) -> bool:
        return stop_pid(self.pid_file)
