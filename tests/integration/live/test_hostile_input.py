"""Outside input that once stopped the pipeline, sent as a shop's own client would: each is
either processed by every stage or refused at the door with a dead letter, and the stream
worker and the generator service keep running for everyone else."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts.copies import GeneratedCopy
from contracts.dead_letter import DeadLetter
from contracts.product import Product
from contracts.vocabulary import Locale
from features.online_reader import OnlineFeatureReader
from features.store import open_feature_store
from tests.integration.dead_letters import read_dead_letters
from tests.polling import poll_until

pytestmark = pytest.mark.integration
WAIT_S = 180


def _doc(kind: str, user: str, product: Product | None = None, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": kind,
        "event_id": f"{kind}-{uuid.uuid4().hex}",
        "user_id": user,
        "session_id": "s1",
        "ts": datetime.now(UTC).isoformat(),
        "channel": "web",
        "locale": fields.pop("locale", "en"),
    }
    if product is not None:
        doc |= {
            "product_id": product.product_id,
            "category": product.category,
            "price": product.localized(Locale.EN).price,
        }
    return {**doc, **fields}


def _send(live_loop, *docs: dict[str, Any], raw: bytes | None = None) -> None:
    """Produce JSON written by hand, as an outside client does (no contract on this side)."""
    for doc in docs:
        value = raw or json.dumps(doc, ensure_ascii=False).encode()
        live_loop.events.send_raw(doc["user_id"].encode(), value)
    live_loop.events.flush()


def _copy_for(live_loop, user: str, product: Product) -> GeneratedCopy:
    """The copy for (user, product), from what this module has read so far or reads next: the
    reader hands each copy out once, and one read may bring the copies of several tests."""
    wanted = (user, product.product_id)
    if wanted not in _READ:
        live_loop.copies.read_until(
            lambda copies: wanted in _READ or _remember(copies, wanted), WAIT_S
        )
    return _READ[wanted]


_READ: dict[tuple[str, str], GeneratedCopy] = {}


def _remember(copies: list[GeneratedCopy], wanted: tuple[str, str]) -> bool:
    for copy in copies:
        _READ.setdefault((copy.user_id, copy.product_id), copy)
    return wanted in _READ


def test_an_email_address_as_user_id_gets_copy_and_stops_nobody(live_loop):
    product, other = live_loop.catalog[3], live_loop.catalog[4]
    email = f"ann.lee+{uuid.uuid4().hex[:6]}@example.com"
    plain = f"plain-{uuid.uuid4().hex[:6]}"
    _send(live_loop, _doc("view", email, product), _doc("view", plain, other))
    copy = _copy_for(live_loop, email, product)
    assert copy.user_id == email and live_loop.violations(copy) == []
    assert _copy_for(live_loop, plain, other).user_id == plain


@pytest.mark.parametrize(
    ("locale", "query"),
    [
        ("zh-CN", "适合送给爸爸的高品质无线降噪耳机推荐" * 14),
        ("en", "quiet wireless headphones " * 9),
    ],
)
def test_a_long_search_query_then_a_view_gets_faithful_copy(live_loop, locale, query):
    product = live_loop.catalog[6]
    user = f"searcher-{uuid.uuid4().hex[:6]}"
    search = _doc("search", user, query=query[:256], locale=locale)
    _send(live_loop, search, _doc("view", user, product, locale=locale))
    copy = _copy_for(live_loop, user, product)
    assert copy.locale.value == locale
    assert live_loop.violations(copy) == []
    # the generator is still serving: a plain ask after it is answered too
    after = f"after-{uuid.uuid4().hex[:6]}"
    _send(live_loop, _doc("view", after, live_loop.catalog[7]))
    assert _copy_for(live_loop, after, live_loop.catalog[7]).text


def test_bad_wire_types_and_future_times_are_dead_lettered_with_reasons(live_loop):
    product = live_loop.catalog[8]
    user = f"lax-{uuid.uuid4().hex[:6]}"
    reader = OnlineFeatureReader(open_feature_store(live_loop.settings))
    honest = _doc("view", user, product)
    _send(live_loop, honest)
    poll_until(lambda: reader.user_views(user) == 1, WAIT_S, "the honest view")
    views_before = poll_until(
        lambda: _with_views(reader.product(product.product_id)), WAIT_S, "its product's view"
    )
    bad = {
        "price as text": (_doc("view", user, product, price="19.99"), "price"),
        "price as bool": (_doc("view", user, product, price=True), "price"),
        "epoch ts": (_doc("view", user, product, ts=1_733_300_000), "ts"),
        "30 days ahead": (
            _doc("view", user, product, ts=(datetime.now(UTC) + timedelta(days=30)).isoformat()),
            "future",
        ),
        "year 9999": (_doc("view", user, product, ts="9999-12-31T23:59:59+00:00"), "future"),
    }
    _send(live_loop, *(doc for doc, _ in bad.values()))
    nan = _doc("view", user, product)
    nan_raw = json.dumps(nan).replace(json.dumps(nan["price"]), "NaN", 1).encode()
    _send(live_loop, nan, raw=nan_raw)
    wanted = {doc["event_id"]: word for doc, word in bad.values()} | {nan["event_id"]: "finite"}
    letters = _dead_letters(live_loop.settings, set(wanted))
    for event_id, word in wanted.items():
        assert word in letters[event_id].reason, letters[event_id].reason
    assert "less than or equal" not in letters[nan["event_id"]].reason
    # nothing of them was counted: the shopper's and the product's counts are as before
    later = f"later-{uuid.uuid4().hex[:6]}"
    _send(live_loop, _doc("view", later, live_loop.catalog[9]))
    poll_until(lambda: reader.user_views(later) == 1, WAIT_S, "a view after them")
    assert reader.user_views(user) == 1
    assert reader.product(product.product_id) == views_before


def _with_views(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return row if row is not None and (row.get("views_24h") or 0) >= 1 else None


def _dead_letters(settings, event_ids: set[str]) -> dict[str, DeadLetter]:
    """The dead letter of each event id (matched in its raw bytes)."""

    def of_ids(letters: list[DeadLetter]) -> dict[str, DeadLetter]:
        return {i: d for d in letters for i in event_ids if i.encode() in d.raw_value}

    letters = read_dead_letters(
        settings, lambda ls: set(of_ids(ls)) == event_ids, WAIT_S, f"{len(event_ids)} letters"
    )
    return of_ids(letters)
