"""What a check found wrong with a copy: one rule, one readable detail."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    """Names of the rules a copy can break (stable: logs and metrics count by them)."""

    # Faithfulness: the copy states only what the product's facts say.
    MONEY = "money"
    CURRENCY = "currency"
    PERCENT = "percent"
    ZHE = "zhe"
    RATING = "rating"
    STOCK = "stock"
    NUMBER = "number"
    BRAND = "brand"
    ATTRIBUTE = "attribute"
    PRODUCT = "product"
    LIST_PRICE = "list_price"
    FREE_SHIPPING = "free_shipping"
    NEW_ARRIVAL = "new_arrival"
    SCARCITY = "scarcity"
    SALE = "sale"
    # Compliance: the copy follows the locale's and channel's rules.
    EMPTY = "empty"
    INCOMPLETE = "incomplete"
    REPETITION = "repetition"
    BANNED_TERM = "banned_term"
    LENGTH = "length"
    SMS_OPT_OUT = "sms_opt_out"
    CONTROL_TOKEN = "control_token"
    URL = "url"
    SCRIPT = "script"


@dataclass(frozen=True)
class Violation:
    """One broken rule; `detail` says what the copy said and what the facts or rules allow."""

    rule: str
    detail: str
