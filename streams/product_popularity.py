"""Applies `product-activity` messages to per-product popularity state; pure of I/O."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from contracts.activity import ProductActivityBatch
from contracts.dead_letter import DeadLetter
from contracts.settings import Settings
from streams.messages import RawMessage
from streams.product_state import ProductPopularityState
from streams.state_store import KeyedState


@dataclass
class ProductBatchResult:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    timestamps: dict[str, float] = field(default_factory=dict)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)


class ProductPopularityProcessor:
    def __init__(
        self, settings: Settings, states: KeyedState[ProductPopularityState], worker: str
    ) -> None:
        self._cfg = settings.streams
        self._states = states
        self._worker = worker

    def process(self, messages: list[RawMessage]) -> ProductBatchResult:
        result = ProductBatchResult()
        touched: dict[str, tuple[ProductPopularityState, int]] = {}
        # A replayed item was read again because its batch was never acked, so its feature row
        # may never have been written: rewrite the row from state (idempotent), like user rows.
        replayed: dict[str, ProductPopularityState] = {}
        for message in messages:
            try:
                batch = ProductActivityBatch.model_validate_json(message.value or b"")
            except ValidationError as exc:
                result.dead_letters.append(
                    message.dead_letter("invalid_product_activity", str(exc), self._worker)
                )
                continue
            for key, items in batch.products.items():
                state = touched[key][0] if key in touched else self._states.get(key)
                state = state or ProductPopularityState()
                applied = state.apply(batch.source_partition, items, self._cfg)
                result.outcomes["applied"] += applied
                result.outcomes["replayed"] += len(items) - applied
                if applied:
                    touched[key] = (state, message.partition)
                elif key not in touched:
                    replayed[key] = state
        for product_id, (state, partition) in touched.items():
            self._states.put(product_id, state, partition)
        rewritten = {**replayed, **{key: state for key, (state, _) in touched.items()}}
        for product_id, state in rewritten.items():
            result.rows[product_id] = state.features(self._cfg)
            result.timestamps[product_id] = state.last_event_at
        return result
