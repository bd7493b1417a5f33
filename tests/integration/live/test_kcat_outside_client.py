"""kcat (Debian's Kafka CLI, librdkafka) as a shop's own client: it produces a view written
by hand and reads the copy back as plain JSON, without any Copystream code."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from datetime import UTC, datetime

import pytest

from contracts.vocabulary import Locale
from infra.debian import ensure_debian_package

pytestmark = pytest.mark.integration


def test_kcat_produces_a_view_and_reads_the_copy_as_plain_json(live_loop):
    kcat = ensure_debian_package("kcat", "kcat")
    kafka = live_loop.settings.kafka
    product = live_loop.catalog[5]
    user = f"kcat-{uuid.uuid4().hex[:8]}"
    view = {
        "type": "view",
        "event_id": f"kcat-{uuid.uuid4().hex}",
        "user_id": user,
        "session_id": "s1",
        "ts": datetime.now(UTC).isoformat(),
        "channel": "web",
        "locale": "en",
        "product_id": product.product_id,
        "category": product.category,
        "price": product.localized(Locale.EN).price,
    }
    subprocess.run(
        [kcat, "-b", kafka.bootstrap_servers, "-P", "-t", kafka.topics.user_events, "-k", user],
        input=json.dumps(view),
        text=True,
        check=True,
        timeout=30,
    )
    copy = _read_copy_with_kcat(kcat, kafka.bootstrap_servers, kafka.topics.generated_copy, user)
    assert copy["product_id"] == product.product_id
    assert copy["channel"] == "web" and copy["locale"] == "en"
    assert copy["text"] and 0 < copy["propensity"] <= 1
    assert copy["fallback"]["used"] in (True, False)


def _read_copy_with_kcat(kcat: str, broker: str, topic: str, user: str) -> dict:
    """Consume the whole topic with kcat until it holds a copy keyed by `user`."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        out = subprocess.run(
            [
                kcat,
                "-b",
                broker,
                "-C",
                "-t",
                topic,
                "-o",
                "beginning",
                "-e",
                "-q",
                "-f",
                "%k\t%s\n",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        for line in out.splitlines():
            key, _, value = line.partition("\t")
            if key == user:
                return json.loads(value)
        time.sleep(0.5)  # kcat reads to the end and exits; poll again for a later copy
    raise AssertionError(f"no copy keyed {user!r} on {topic} within 180 s")
