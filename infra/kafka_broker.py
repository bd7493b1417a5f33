"""A single-node Apache Kafka broker in KRaft mode, from jars Maven fetches.

The broker version is pinned in `infra/kafka/pom.xml` (3.9.x: the newest line that still serves
the protocol versions faust-streaming, aiokafka and kafka-python use).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from contracts.errors import InfrastructureError
from contracts.settings import Settings
from infra.processes import (
    pid_alive,
    port_open,
    run_checked,
    spawn_detached,
    stop_pid,
    wait_until,
)

POM = Path(__file__).resolve().parent / "kafka" / "pom.xml"

_LOG4J = """\
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File={log}
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.coordinator=WARN
"""


class KafkaBroker:
    """Installs, formats, starts and stops the local broker; every step is idempotent."""

    def __init__(self, settings: Settings) -> None:
        self.kafka = settings.kafka
        self.root = settings.home / "kafka"
        self.libs = self.root / "libs"
        self.config = self.root / "server.properties"
        self.data = self.root / "data"
        self.log_file = self.root / "logs" / "broker.out"
        self.pid_file = self.root / "broker.pid"

    def install(self) -> None:
        if any(self.libs.glob("kafka_2.13-*.jar")):
            return
        if shutil.which("mvn") is None:
            raise InfrastructureError("Maven (mvn) is needed to fetch Kafka: apt-get install maven")
        if shutil.which("java") is None:
            raise InfrastructureError(
                "Java 17 is needed to run Kafka: apt-get install openjdk-17-jre"
            )
        self.libs.mkdir(parents=True, exist_ok=True)
        run_checked(
            [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(POM),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={self.libs}",
            ],
            "fetching Kafka jars with Maven",
        )

    def running(self) -> bool:
        return pid_alive(self.pid_file) is not None and port_open(self.kafka.host, self.kafka.port)

    def start(self) -> None:
        """Start the broker unless it already runs, and wait until it accepts clients."""
        if self.running():
            return
        if pid_alive(self.pid_file) is None and port_open(self.kafka.host, self.kafka.port):
            raise InfrastructureError(
                f"port {self.kafka.port} is taken by another process; stop it or set "
                "COPYSTREAM_KAFKA__PORT"
            )
        self.install()
        self._write_config()
        self._format_storage_once()
        if pid_alive(self.pid_file) is None:
            pid = spawn_detached(
                [
                    "java",
                    *self.kafka.heap.split(),
                    "-XX:+UseG1GC",
                    f"-Dlog4j.configuration=file:{self.root / 'log4j.properties'}",
                    "-cp",
                    f"{self.libs}/*",
                    "kafka.Kafka",
                    str(self.config),
                ],
                self.log_file,
            )
            self.pid_file.write_text(str(pid))
        wait_until(self._accepts_clients, self.kafka.start_timeout_s, "Kafka broker", self.log_file)

    def stop(self) -> bool:
        return stop_pid(self.pid_file, timeout_s=60)

    def _accepts_clients(self) -> bool:
        if pid_alive(self.pid_file) is None:
            raise InfrastructureError(
                f"Kafka broker exited during start; see {self.log_file} and "
                f"{self.root / 'logs' / 'server.log'}"
            )
        if not port_open(self.kafka.host, self.kafka.port):
            return False
        from kafka import KafkaAdminClient  # imported here: only the CLI path needs it
        from kafka.errors import KafkaError

        try:
            admin = KafkaAdminClient(
                bootstrap_servers=self.kafka.bootstrap_servers, request_timeout_ms=3_000
            )
        except KafkaError:
            return False
        try:
            admin.list_topics()
            return True
        except KafkaError:
            return False
        finally:
            admin.close()

    def _write_config(self) -> None:
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        k = self.kafka
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{k.host}:{k.controller_port}",
            "listeners": f"PLAINTEXT://{k.host}:{k.port},CONTROLLER://{k.host}:{k.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{k.host}:{k.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data),
            "num.partitions": str(k.partitions),
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "10",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
            "message.max.bytes": str(4 * 1024 * 1024),
            "log.retention.hours": "48",
        }
        self.config.write_text("".join(f"{key}={value}\n" for key, value in props.items()))
        (self.root / "log4j.properties").write_text(
            _LOG4J.format(log=self.root / "logs" / "server.log")
        )

    def _format_storage_once(self) -> None:
        if (self.data / "meta.properties").exists():
            return
        self.data.mkdir(parents=True, exist_ok=True)
        java = ["java", "-cp", f"{self.libs}/*", "kafka.tools.StorageTool"]
        cluster_id = run_checked([*java, "random-uuid"], "creating a Kafka cluster id").strip()
        run_checked(
            [*java, "format", "-t", cluster_id.splitlines()[-1], "-c", str(self.config)],
            "formatting Kafka storage",
        )
