"""10,000 hostile messages, valid events between them, through a real stream worker: every bad
one is dead-lettered with the reason it was made to carry, the worker never stops, and every
valid event is counted exactly once."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from contracts.dead_letter import DeadLetter
from contracts.settings import Settings
from features.online_reader import OnlineFeatureReader
from features.store import open_feature_store
from simulate.replay import EventReplayer
from tests.integration.conftest import isolated_settings
from tests.integration.dead_letters import read_dead_letters
from tests.polling import poll_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FUZZED = 10_000
VALID = 1_000
NOW = datetime.now(UTC).replace(microsecond=0)
REQUIRED = ("event_id", "user_id", "session_id", "ts", "channel", "locale", "product_id", "price")
WRONG_TYPES: dict[str, list[Any]] = {
    "price": ["19.99", True, None, [1], {"amount": 1}, -1, 10**9],
    "ts": [1_733_300_000, "yesterday", "2026-13-40T00:00:00Z", "2026-12-04T10:00:00"],
    "channel": ["fax", 1, ""],
    "locale": ["fr-FR", None],
    "user_id": [42, "", "a\nb", "x" * 129],
    "product_id": [7, "", "p\x00"],
    "discount_pct": [99, "10", 1.5],
    "quantity": [0, 2.5, "3"],
}


def _view(user: str, n: int, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": "view",
        "event_id": f"{user}-{n}",
        "user_id": user,
        "session_id": f"{user}-s",
        "ts": (NOW - timedelta(seconds=n)).isoformat(),
        "channel": "web",
        "locale": "en",
        "product_id": f"p{n % 40:05d}",
        "category": "audio",
        "price": 19.5,
    }
    return {**doc, **changes}


def _fuzzed(rng: random.Random, n: int) -> tuple[bytes, bytes, str, str]:
    """(key, value, the error type it must be refused with, a word its reason must hold)."""
    user = f"fz-{n % 97}"
    kind = rng.choice(
        ["bytes", "json", "wrong_type", "missing", "unknown", "wrong_key", "future", "big"]
    )
    if kind == "bytes":
        raw = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64)))
        return user.encode(), b"\xff" + raw, "not_json", ""
    if kind == "json":
        value: object = rng.choice([[], 1, "view", None, {"type": 5}, {"type": "view"}])
        return user.encode(), json.dumps(value).encode(), "*", ""
    if kind == "wrong_type":
        field = rng.choice(sorted(WRONG_TYPES))
        doc = _view(user, n, type="add_to_cart" if field == "quantity" else "view")
        doc[field] = rng.choice(WRONG_TYPES[field])
        return user.encode(), json.dumps(doc).encode(), "invalid_field", field
    if kind == "missing":
        field = rng.choice(REQUIRED)
        doc = _view(user, n)
        del doc[field]
        return user.encode(), json.dumps(doc).encode(), "missing_field", field
    if kind == "unknown":
        doc = _view(user, n, type=rng.choice(["teleport", "VIEW", "", "view "]))
        return user.encode(), json.dumps(doc).encode(), "unknown_type", "type"
    if kind == "wrong_key":
        return b"someone-else", json.dumps(_view(user, n)).encode(), "wrong_key", "key"
    if kind == "future":
        ahead = rng.choice([timedelta(days=30), timedelta(hours=2)])
        doc = _view(user, n, ts=(NOW + ahead).isoformat())
        return user.encode(), json.dumps(doc).encode(), "future_event", "future"
    doc = _view(user, n, padding="x" * 20_000)
    return user.encode(), json.dumps(doc).encode(), "oversized", "bytes"


@st.composite
def _hypothesis_values(draw: st.DrawFn) -> bytes:
    """Events with any field replaced by any JSON value: hypothesis' share of the 10,000."""
    doc = _view("hy", draw(st.integers(0, 10**6)))
    field = draw(st.sampled_from(sorted(doc)))
    doc[field] = draw(
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=40),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner),
            max_leaves=5,
        )
    )
    return json.dumps(doc).encode()


def _hypothesis_batch(count: int) -> list[bytes]:
    found: list[bytes] = []

    @hypothesis_settings(
        max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(_hypothesis_values())
    def collect(value: bytes) -> None:
        found.append(value)

    collect()
    return found


def test_ten_thousand_hostile_messages_are_dead_lettered_with_reasons_and_lose_no_valid_event(
    infra: Settings, tmp_path: Path, start_worker: Any
) -> None:
    settings = isolated_settings(infra, tmp_path, "sqlite")
    settings = settings.model_copy(
        update={"decisions": settings.decisions.model_copy(update={"enabled": False})}
    )
    reader = OnlineFeatureReader(open_feature_store(settings, apply=True))
    rng = random.Random(18)
    hypothesis_values = _hypothesis_batch(1_000)
    messages: list[tuple[bytes, bytes, str, str]] = [
        (b"hy", value, "?", "") for value in hypothesis_values
    ]
    messages += [_fuzzed(rng, n) for n in range(FUZZED - len(messages))]
    valid = [_view(f"ok-{n % 100}", n) for n in range(VALID)]
    stream: list[tuple[bytes, bytes, str, str]] = []
    for n, message in enumerate(messages):
        stream.append(message)
        if n % 10 == 0:
            doc = valid[n // 10]
            stream.append((doc["user_id"].encode(), json.dumps(doc).encode(), "", ""))

    worker = start_worker(settings)
    replayer = EventReplayer(settings)
    for key, value, _, _ in stream:
        replayer.send_raw(key, value)
    replayer.close()

    expected = Counter(doc["user_id"] for doc in valid)
    poll_until(
        lambda: all(reader.user_views(u) == n for u, n in expected.items()),
        180,
        "every valid event counted",
        interval_s=0.5,
    )
    # hypothesis' values may be valid by chance (a field replaced by an allowed value)
    hypothesis_valid = _valid_hypothesis_values(hypothesis_values)
    letters = _dead_letters(settings, len(messages) - hypothesis_valid)
    assert worker.alive(), "the stream worker stopped"
    by_value: dict[bytes, DeadLetter] = {}
    for dead in letters:
        by_value.setdefault(dead.raw_value, dead)
    for _key, value, error_type, word in messages:
        if error_type == "?":
            continue
        letter = by_value.get(value)
        assert letter is not None, f"not dead-lettered: {value[:120]!r}"
        assert letter.reason
        if error_type == "*":
            assert letter.error_type in {"unknown_type", "missing_field", "invalid_field"}
        else:
            assert letter.error_type == error_type, (value[:200], letter.reason)
        assert word in letter.reason, (word, letter.reason)
    assert sum(1 for v in hypothesis_values if v in by_value) == len(hypothesis_values) - (
        hypothesis_valid
    )
    assert all(reader.user_views(u) == n for u, n in expected.items())  # not counted twice
    kinds = Counter(error_type for _, _, error_type, _ in messages)
    print(
        f"fuzz: {len(messages)} hostile messages ({dict(kinds)}; '?' = hypothesis, "
        f"{hypothesis_valid} of them valid by chance), {len(letters)} dead letters, "
        f"{VALID} valid events all counted once; worker alive"
    )


def _valid_hypothesis_values(values: list[bytes]) -> int:
    from contracts.errors import InvalidEventError
    from contracts.events import parse_event

    valid = 0
    for value in values:
        try:
            event = parse_event(value)
        except InvalidEventError:
            continue
        valid += event.user_id == "hy" and event.ts <= NOW + timedelta(minutes=5)
    return valid


def _dead_letters(settings: Settings, expected: int) -> list[DeadLetter]:
    return read_dead_letters(
        settings, lambda letters: len(letters) >= expected, 120, f"{expected} dead letters"
    )
