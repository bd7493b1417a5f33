"""English phrase banks for the offer angles: discount, value, free shipping, urgency, scarcity.

Urgency never names a deadline or a number it cannot back ("today", "don't wait"); scarcity
quotes the real stock count. Fields: see `templates.KNOWN_FIELDS`.
"""

from __future__ import annotations

from contracts.vocabulary import Angle, Locale
from training.corpus.templates import Need, PhraseBank

DISCOUNT = PhraseBank(
    Angle.DISCOUNT,
    Locale.EN,
    headline=(
        "{pct}% off the {brand} {name}",
        "{name}: now {price}, was {was}",
        "Save {save} on the {name}",
        "{brand} {name}, {pct}% off. Yours for {price}",
        "Was {was}. Now {price}. The {name} {feature}",
        "Price drop: {name} at {price}",
        "Why pay {was}? Get the {name} for {price}",
        "{pct}% off the {name} {feature}",
        "{title}: {pct}% off",
    ),
    subject=(
        "Your {name}, now {pct}% off",
        "{save} off the {brand} {name}",
        "Down to {price}: the {name}",
    ),
    push=(
        "Still thinking about the {name}? {pct}% off right now, {price}.",
        "Good news: the {brand} {name} {is} down to {price} ({pct}% off).",
        "Psst, {save} off the {name} {feature}. Take a look?",
        "{pct}% off the {name} you had your eye on. Now {price}.",
    ),
    sms=(
        "{brand}: the {name} {is} {pct}% off, now {price} (was {was}).",
        "Save {save} on the {brand} {name}: {price} instead of {was}.",
        "Good news! The {name} {feature}, now {price}, {pct}% off.",
    ),
)

VALUE = PhraseBank(
    Angle.VALUE,
    Locale.EN,
    headline=(
        "The {brand} {name} for {price}",
        "{name} {feature}, just {price}",
        "Everyday value: {name} at {price}",
        "Smart buy: {name} for {price}",
        "{price} gets you the {brand} {name}",
        "Worth every cent: {name} at {price}",
        "{name} at {price}, was {was}",
        "Only {price} for the {name} {feature}",
        "{title}, {price}",
        ("Stock up: {brand} {name} at {price}", Need.CONSUMABLE),
    ),
    subject=(
        "Your {name} for {price}",
        "A smart buy: the {brand} {name}",
        "{price} for the {name}? Yes, really",
    ),
    push=(
        "Still thinking about the {name}? Yours for {price}.",
        "{price} gets you the {brand} {name} {feature}. Worth a look?",
        "Good value alert: the {name} at {price}.",
        "Your next smart buy: the {brand} {name}, {price}.",
    ),
    sms=(
        "{brand}: the {name} {feature} for {price}. Good value, every day.",
        "Looking for value? The {brand} {name} {is} yours for {price}.",
        "Smart buy: the {name} for {price}, take a look today.",
        ("Time to stock up? The {brand} {name} {is} {price}.", Need.CONSUMABLE),
    ),
)

FREE_SHIPPING = PhraseBank(
    Angle.FREE_SHIPPING,
    Locale.EN,
    headline=(
        "Free shipping on the {brand} {name}",
        "{name} {feature}, shipped free",
        "{price}, ships free: {name}",
        "No shipping fees: {brand} {name}",
        "Free delivery: {name} at {price}",
        "{pct}% off + free shipping: {name}",
        "Ships free: the {name} for {price}",
        "Get the {name}, skip the shipping fee",
    ),
    subject=(
        "Free shipping on your {name}",
        "Your {name}, shipped free",
        "{brand} {name}: free shipping included",
    ),
    push=(
        "Still thinking about the {name}? Shipping is free.",
        "Free shipping on the {brand} {name} {feature}, {price}.",
        "The {name} {is} {price} with free shipping. Take a look?",
    ),
    sms=(
        "{brand}: the {name} {feature} {is} {price} with free shipping.",
        "Free shipping on the {brand} {name}: yours for {price}, no shipping fee.",
        "Good news: free shipping on the {name}, {price} delivered.",
    ),
)

URGENCY = PhraseBank(
    Angle.URGENCY,
    Locale.EN,
    headline=(
        "Don't wait on the {brand} {name}",
        "Today's the day: {name} at {price}",
        "Why wait? {name} {feature}, {price}",
        "{pct}% off the {name}: don't wait",
        "Get the {brand} {name} today",
        "Now's the time: {name} for {price}",
        "Treat yourself today: the {name} {feature}",
        "Ready when you are: {brand} {name}, {price}",
    ),
    subject=(
        "Don't wait on your {name}",
        "Today's pick: the {brand} {name}",
        "Still on your list? {name}, {price}",
    ),
    push=(
        "Still thinking about the {name}? Today's a good day to get {it}.",
        "Don't wait on the {brand} {name} {feature}: {price}, ready to order.",
        "Why wait? The {name} {is} {pct}% off at {price}.",
        "Make today the day: the {brand} {name} for {price}.",
    ),
    sms=(
        "{brand}: the {name} {is} waiting for you at {price}. Don't wait, order today.",
        "Why wait? Get the {brand} {name} {feature} today for {price}.",
        "Today's a great day for the {name}: {pct}% off, now {price}.",
    ),
)

SCARCITY = PhraseBank(
    Angle.SCARCITY,
    Locale.EN,
    headline=(
        "Only {stock} left: {brand} {name}",
        "Almost gone: {name} at {price}",
        "Just {stock} in stock. {name} {feature}",
        "Running low on the {name}",
        "{stock} left. Grab the {name} while stock lasts",
        "Last few: {brand} {name}, {price}",
        "Low stock: the {name} {feature}",
        "Only {stock} left at {pct}% off: {name}",
    ),
    subject=(
        "Only {stock} left: your {name}",
        "Running low: {brand} {name}",
        "Almost gone: the {name}",
    ),
    push=(
        "Still thinking about the {name}? Only {stock} left at {price}.",
        "Heads up: just {stock} of the {brand} {name} left in stock.",
        "The {name} {feature} {is} almost gone. Grab yours while stock lasts.",
    ),
    sms=(
        "{brand}: only {stock} of the {name} left at {price}. Grab yours while stock lasts.",
        "Running low! Just {stock} of the {name} {feature} in stock, {price}.",
        "Almost gone: the {brand} {name}, {stock} left at {price}.",
    ),
)

BANKS: tuple[PhraseBank, ...] = (DISCOUNT, VALUE, FREE_SHIPPING, URGENCY, SCARCITY)
