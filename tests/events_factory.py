"""Builds valid behaviour events for tests with little noise."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from contracts.events import BehaviourEvent, parse_event
from contracts.product import Product
from contracts.vocabulary import Locale

_ids = itertools.count()


def make_event(kind: str, user: str, at: datetime, **fields: Any) -> BehaviourEvent:
    doc: dict[str, Any] = {
        "event_id": fields.pop("event_id", f"t-{next(_ids)}"),
        "user_id": user,
        "session_id": f"{user}-s1",
        "ts": at.isoformat(),
        "channel": fields.pop("channel", "web"),
        "locale": fields.pop("locale", "en"),
        "type": kind,
        **fields,
    }
    import json

    return parse_event(json.dumps(doc))


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def catalog_views(
    catalog: Sequence[Product], count: int, shoppers: int, start: datetime
) -> list[BehaviourEvent]:
    """`count` English web views, shopper `n % shoppers` of product `n % len(catalog)`, one
    millisecond apart."""
    views = []
    for n in range(count):
        product = catalog[n % len(catalog)]
        views.append(
            make_event(
                "view",
                f"shopper-{n % shoppers}",
                start + timedelta(milliseconds=n),
                product_id=product.product_id,
                category=product.category,
                price=product.localized(Locale.EN).price,
            )
        )
    return views
