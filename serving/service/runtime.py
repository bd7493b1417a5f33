"""`GeneratorService`: the whole generator service in one asyncio loop.

Kafka consumer, dynamic batcher, model thread, producer and the HTTP server (uvicorn, in the
same loop) start together. SIGTERM/SIGINT stop it in order: stop polling and taking HTTP asks,
let answered HTTP calls finish, finish the batch in the model thread, produce its copies, commit
what was acknowledged, close Kafka. Anything not finished stays uncommitted and is redone.

It serves the model registry's current release and follows it while running
(`release_watcher`); with nothing published it serves the bootstrap model and the uniform policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn

from contracts.errors import ConfigurationError
from contracts.logs import get_logger
from contracts.settings import Settings
from serving.http.app import create_app
from serving.service.consumer import RequestConsumer
from serving.service.copy_writer import CopyWriter
from serving.service.on_demand import OnDemandCopies, SnapshotReader
from serving.service.pipeline import CopyPipeline
from serving.service.publisher import CopyPublisher
from serving.service.release_watcher import ReleaseWatcher

log = get_logger(__name__)
HTTP_GRACE_S = 5  # answered-but-unfinished HTTP calls get this long at shutdown


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside our loop: the service owns SIGTERM/SIGINT (uvicorn would re-raise them
    after its own shutdown, killing the process before Kafka offsets are committed)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class _Running:
    pipeline: CopyPipeline
    publisher: CopyPublisher
    consumer: RequestConsumer
    on_demand: OnDemandCopies
    http: _EmbeddedServer | None
    tasks: dict[str, asyncio.Task[None]]


class GeneratorService:
    """Build with `build(settings)` (blocking: catalog, checker, model), then `await run()`."""

    def __init__(
        self, settings: Settings, releases: ReleaseWatcher, snapshots: SnapshotReader
    ) -> None:
        self.settings = settings
        self.releases = releases
        self.writer = releases.writer
        self.snapshots = snapshots
        self.worker = f"{socket.gethostname()}:{settings.service.group_id}"
        self._stop: asyncio.Event | None = None
        self._running: _Running | None = None

    @classmethod
    def build(cls, settings: Settings) -> GeneratorService:
        """Load the catalog, the checker, the current release (model, angle policy, reward
        model) and the feature store (seconds)."""
        from features.catalog.files import load_catalog
        from features.snapshots import FeatureSnapshotReader
        from features.store import open_feature_store
        from releases.served import release_registry
        from serving.checks import CopyChecker, FallbackCopywriter
        from serving.service.release_watcher import ReleaseLoader, ServedRelease

        started = time.perf_counter()
        catalog = load_catalog(settings)
        checker = CopyChecker.from_rules(settings.copy_rules, catalog)
        fallback = FallbackCopywriter(settings.copy_rules, checker)

        def writer_for(served: ServedRelease) -> CopyWriter:
            return CopyWriter(
                served.generator,
                fallback,
                catalog,
                settings.copy_rules,
                release_version=served.version,
            )

        releases = ReleaseWatcher.start_serving(
            settings,
            release_registry(settings),
            ReleaseLoader.for_service(settings, checker),
            writer_for,
        )
        snapshots = FeatureSnapshotReader(open_feature_store(settings))
        log.info(
            "service_built",
            products=len(catalog),
            model_pinned=settings.generator.model_dir is not None,
            **releases.served.describe(),
            seconds=round(time.perf_counter() - started, 2),
        )
        return cls(settings, releases, snapshots)

    def stop(self) -> None:
        """Ask `run()` to shut down (signal handlers call this)."""
        if self._stop is not None:
            self._stop.set()

    def versions(self) -> dict[str, str | None]:
        """The release being served and the version of each of its parts (`/version`)."""
        return self.releases.served.describe()

    def readiness(self) -> dict[str, bool]:
        running = self._running
        return {
            "model": True,  # loaded in build(); the service does not run without it
            "producer": running is not None and running.publisher.started,
            "consumer": running is not None and running.consumer.assigned,
            "accepting": self._accepting(),
        }

    def _accepting(self) -> bool:
        """Running and not stopping: from SIGTERM on, /readyz says 503 and new asks get 503."""
        stopping = self._stop is not None and self._stop.is_set()
        return self._running is not None and self._running.pipeline.accepting and not stopping

    async def run(self) -> None:
        """Serve until `stop()` or SIGTERM/SIGINT; re-raises the error of a part that failed."""
        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        listener = self._http_socket()
        try:
            running = self._running = await self._start(listener)
        except BaseException:
            if listener is not None:
                listener.close()
            raise
        log.info(
            "service_started",
            worker=self.worker,
            **self.releases.served.describe(),
            http_port=listener.getsockname()[1] if listener else None,
        )
        stopping = asyncio.create_task(self._stop.wait())
        done, _ = await asyncio.wait(
            [stopping, *running.tasks.values()], return_when=asyncio.FIRST_COMPLETED
        )
        failure = next(
            (t.exception() for t in done if t is not stopping and not t.cancelled()), None
        )
        if failure is not None:
            log.error("service_part_failed", error=repr(failure))
        stopping.cancel()
        await self._shutdown(running)
        if failure is not None:
            raise failure

    async def _start(self, listener: socket.socket | None) -> _Running:
        settings = self.settings
        pipeline = CopyPipeline(self.writer, settings.service)
        publisher = CopyPublisher(settings.kafka, self.worker, settings.service.publish_retry_s)
        consumer = RequestConsumer(settings, pipeline, publisher, self.worker)
        try:
            await publisher.start()
            await consumer.start()
        except BaseException:
            await consumer.close()
            await publisher.stop()
            pipeline.shutdown()
            raise
        on_demand = OnDemandCopies(
            self.snapshots,
            self.releases.builder,  # the watcher swaps new policies into it
            pipeline,
            publisher,
            max_pending_reads=settings.service.max_queue,
            read_timeout_s=settings.service.feature_read_timeout_ms / 1e3,
            publish_timeout_s=settings.service.publish_timeout_ms / 1e3,
            ready=lambda: publisher.started and self._accepting(),
        )
        tasks = {
            "batcher": asyncio.create_task(pipeline.run(), name="batcher"),
            "consumer": asyncio.create_task(consumer.run(), name="consumer"),
            "releases": asyncio.create_task(
                self.releases.run(pipeline.batch_boundary), name="releases"
            ),
        }
        http = None
        if listener is not None:
            app = create_app(
                on_demand,
                self.readiness,
                versions=self.versions,
                api_token=settings.service.api_token,
                max_body_bytes=settings.service.max_body_bytes,
                body_read_timeout_s=settings.service.body_read_timeout_ms / 1e3,
            )
            http = _EmbeddedServer(
                uvicorn.Config(
                    app,
                    log_config=None,
                    access_log=False,
                    timeout_graceful_shutdown=HTTP_GRACE_S,
                )
            )
            tasks["http"] = asyncio.create_task(http.serve(sockets=[listener]), name="http")
        return _Running(pipeline, publisher, consumer, on_demand, http, tasks)

    async def _shutdown(self, running: _Running) -> None:
        log.info("service_stopping")
        running.tasks["releases"].cancel()  # a release loading now is simply not swapped in
        running.consumer.stop_polling()
        if running.http is not None:
            running.http.should_exit = True
        for name in ("releases", "consumer", "http"):
            task = running.tasks.get(name)
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)
        running.pipeline.close()
        await asyncio.gather(running.tasks["batcher"], return_exceptions=True)
        await running.consumer.drain()
        await running.consumer.close()
        await running.publisher.stop()
        running.on_demand.close()
        running.pipeline.shutdown()
        log.info("service_stopped")

    def _http_socket(self) -> socket.socket | None:
        """Bound here, so a taken port is a clear error before Kafka is touched."""
        service = self.settings.service
        if not service.http_port:
            return None
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((service.http_host, service.http_port))
        except OSError as exc:
            listener.close()
            raise ConfigurationError(
                f"cannot listen on {service.http_host}:{service.http_port}: {exc.strerror}; "
                "stop what uses the port or set COPYSTREAM_SERVICE__HTTP_PORT"
            ) from exc
        listener.set_inheritable(True)
        return listener
