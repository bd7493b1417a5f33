"""Prompts as token ids: control tokens pick locale/channel/angle, product facts follow as text.

Control tokens are only ever added here, by id. Free text (product words, a shopper's search
query) is encoded on its own and any control or special id it produces is dropped, so no
string a shop or a shopper types can switch the angle, the locale or end the prompt early.

Copy refers to the product's brand and numbers through slot tokens (`<|slot=price|>`) that
serving fills from the facts (`serving.slots`): a small model chooses *whether* to
state the price, never which digits, so it cannot garble one (delexicalized generation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tokenizers import Tokenizer

from contracts.product import Product
from contracts.vocabulary import Angle, Channel, Locale
from serving.angles import written_angle
from serving.errors import PromptTooLongError, VocabularyMismatchError
from serving.facts import PriceBand, ProductFacts
from serving.slots import SLOTS, slot_texts

BOS = "<|copy-start|>"
FACTS = "<|facts|>"
QUERY = "<|query|>"
COPY = "<|copy|>"
END = "<|end|>"
PAD = "<|pad|>"
OTHER_CATEGORY = "other"
MAX_QUERY_CHARS = 120
_NUMERIC_EDGE_BEFORE = r"(?<![\d.,])"
_NUMERIC_EDGE_AFTER = r"(?![\d]|[.,]\d)"


def control_token(kind: str, value: str) -> str:
    return f"<|{kind}={value}|>"


def control_tokens(categories: Iterable[str]) -> list[str]:
    """Every special token a Copystream model knows, in a fixed order (ids follow this order)."""
    tokens = [PAD, BOS, FACTS, QUERY, COPY, END]
    tokens += [control_token("locale", locale.value) for locale in Locale]
    tokens += [control_token("channel", channel.value) for channel in Channel]
    tokens += [control_token("angle", angle.value) for angle in Angle]
    tokens += [control_token("band", band.value) for band in PriceBand]
    tokens += [control_token("cat", category) for category in sorted({*categories, OTHER_CATEGORY})]
    tokens += [control_token("slot", slot) for slot in SLOTS]
    return tokens


def slot_spans(text: str, slots: dict[str, str]) -> list[tuple[int, int, str]]:
    """Where `text` states a slot's value: (start, end, slot), leftmost-longest, no overlaps.

    Numbers match only as whole numbers (the stock `29` is not inside `$29.99`).
    """
    found = []
    for slot, value in slots.items():
        if not value:
            continue
        pattern = re.escape(value)
        if value[0].isdigit():
            pattern = _NUMERIC_EDGE_BEFORE + pattern
        if value[-1].isdigit():
            pattern += _NUMERIC_EDGE_AFTER
        found += [(m.start(), m.end(), slot) for m in re.finditer(pattern, text)]
    spans: list[tuple[int, int, str]] = []
    for start, end, slot in sorted(found, key=lambda span: (span[0], span[0] - span[1])):
        if not spans or start >= spans[-1][1]:
            spans.append((start, end, slot))
    return spans


@dataclass(frozen=True)
class CopyBrief:
    """Everything one copy is written from: the product facts, where it is shown, which angle."""

    facts: ProductFacts
    channel: Channel
    angle: Angle
    search_query: str | None = None

    @classmethod
    def of(
        cls,
        product: Product,
        locale: Locale,
        channel: Channel,
        angle: Angle,
        low_stock_threshold: int,
        search_query: str | None = None,
    ) -> CopyBrief:
        """The brief of a copy about `product`: serving writes from it, and training and the
        loop rebuild it to judge a logged copy exactly as serving judged it."""
        facts = ProductFacts.of(product, locale, low_stock_threshold)
        return cls(facts, channel, angle, search_query)

    @property
    def locale(self) -> Locale:
        return self.facts.locale

    @property
    def written_angle(self) -> Angle:
        """The angle the copy is written from: `angle` where its premise holds, else its pivot."""
        return written_angle(self.angle, self.facts)


def facts_text(facts: ProductFacts) -> str:
    """The product facts as one line of `key: value` fields (the model copies values from it)."""
    fields = [
        f"brand: {facts.brand}",
        f"title: {facts.title}",
        f"price: {facts.price_text}",
    ]
    if facts.discounted:
        fields += [
            f"was: {facts.list_price_text}",
            f"off: {facts.discount_pct}%",
            f"save: {facts.savings_text}",
        ]
    fields += [f"rating: {facts.rating_text}", f"reviews: {facts.review_count}"]
    fields.append(f"stock: {facts.stock}")
    flags = [
        name for name, on in (("new", facts.is_new), ("free shipping", facts.free_shipping)) if on
    ]
    fields += flags
    fields += [f"{name}: {value}" for name, value in facts.attributes.items()]
    return " | ".join(fields)


class PromptBuilder:
    """Turns a `CopyBrief` into prompt ids for one tokenizer that carries our control tokens."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        vocab = tokenizer.get_vocab(with_added_tokens=True)
        missing = [token for token in (PAD, BOS, FACTS, QUERY, COPY, END) if token not in vocab]
        if missing:
            raise VocabularyMismatchError(
                f"tokenizer lacks the Copystream control tokens {missing}; export the model "
                "with `python -m training.bootstrap` or `--base-model` so they are added"
            )
        self._vocab = vocab
        self._special_ids = frozenset(
            token_id
            for token_id, added in tokenizer.get_added_tokens_decoder().items()
            if added.special or added.content.startswith("<|")
        )
        self.pad_id = vocab[PAD]
        self.end_id = vocab[END]
        self.copy_id = vocab[COPY]
        self._slot_of_id = {
            vocab[control_token("slot", slot)]: slot
            for slot in SLOTS
            if control_token("slot", slot) in vocab
        }

    @property
    def special_ids(self) -> frozenset[int]:
        return self._special_ids

    @property
    def slot_ids(self) -> frozenset[int]:
        return frozenset(self._slot_of_id)

    @property
    def banned_output_ids(self) -> frozenset[int]:
        """Ids a copy may never contain: every control token but the end and the slots."""
        return self._special_ids - self.slot_ids - {self.end_id}

    def control_id(self, kind: str, value: str) -> int:
        token = control_token(kind, value)
        if token not in self._vocab:
            raise VocabularyMismatchError(
                f"tokenizer has no control token {token!r}; this model was not trained for "
                f"{kind} {value!r} (retrain or re-export it with that {kind})"
            )
        return self._vocab[token]

    def text_ids(self, text: str) -> list[int]:
        """Ids of plain text with every special/control id removed (prompt-injection guard)."""
        ids = self.tokenizer.encode(text, add_special_tokens=False).ids
        return [token_id for token_id in ids if token_id not in self._special_ids]

    def prompt_ids(self, brief: CopyBrief, max_tokens: int | None = None) -> list[int]:
        """The prompt of `brief`, at most `max_tokens` long when given (the model's positions
        less the tokens it may write): the search query gives way first, then the end of the
        facts line. The checker judges copy against the whole facts, so a shortened prompt
        can cost fluency, never faithfulness. Raises `PromptTooLongError` only when not even
        the control tokens fit."""
        category = brief.facts.category
        if control_token("cat", category) not in self._vocab:
            category = OTHER_CATEGORY
        head = [
            self._vocab[BOS],
            self.control_id("locale", brief.locale.value),
            self.control_id("channel", brief.channel.value),
            self.control_id("angle", brief.written_angle.value),
            self.control_id("band", brief.facts.band.value),
            self.control_id("cat", category),
            self._vocab[FACTS],
        ]
        facts = self.text_ids(facts_text(brief.facts))
        query = []
        if brief.search_query:
            query = [self._vocab[QUERY], *self.text_ids(brief.search_query[:MAX_QUERY_CHARS])]
        if max_tokens is not None:
            room = max_tokens - len(head) - 1
            if room < 0:
                raise PromptTooLongError(
                    f"a prompt needs at least {len(head) + 1} tokens; {max_tokens} are left by "
                    "the model's positions after generator.max_new_tokens: lower max_new_tokens"
                )
            facts = facts[:room]
            query = query[: room - len(facts)]
            if len(query) == 1:  # the query marker alone says nothing
                query = []
        return [*head, *facts, *query, self.copy_id]

    def copy_ids(self, text: str, facts: ProductFacts) -> list[int]:
        """A reference copy as the model should write it: stated facts become slot tokens."""
        if not self._slot_of_id:
            return self.text_ids(text)
        ids, cursor = [], 0
        for start, end, slot in slot_spans(text, slot_texts(facts)):
            ids += self.text_ids(text[cursor:start])
            ids.append(self._vocab[control_token("slot", slot)])
            cursor = end
        return ids + self.text_ids(text[cursor:])

    def copy_text(self, ids: Iterable[int], slots: Mapping[str, str]) -> str:
        """The copy a shopper reads: ids up to the end token, slots filled from `slots`
        (`serving.slots.slot_texts` of the brief's facts).

        A slot the facts cannot fill (a sale slot on a full-price product) stays as its token,
        which the compliance check rejects; other control tokens are dropped.
        """
        parts: list[str] = []
        pending: list[int] = []
        for token_id in ids:
            if token_id == self.end_id:
                break
            slot = self._slot_of_id.get(token_id)
            if slot is not None:
                parts.append(self.tokenizer.decode(pending, skip_special_tokens=True))
                parts.append(slots.get(slot, control_token("slot", slot)))
                pending = []
            elif token_id not in self._special_ids:
                pending.append(token_id)
        parts.append(self.tokenizer.decode(pending, skip_special_tokens=True))
        return "".join(parts).strip()
