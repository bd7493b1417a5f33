"""English phrase banks for the story angles: quality, social proof, new arrival, brand, gift.

Praise stays general ("made with care") and numbers come only from the facts: the rating and
review count are quoted only where `angles.needs_met` says enough reviews stand behind them.
"""

from __future__ import annotations

from contracts.vocabulary import Angle, Locale
from training.corpus.templates import Need, PhraseBank

QUALITY = PhraseBank(
    Angle.QUALITY,
    Locale.EN,
    headline=(
        "Made to impress: the {brand} {name}",
        "The {name} {feature}. Quality you can feel",
        "Thoughtfully made: {brand} {name}",
        "Rated {rating}/5: the {name} {feature}",
        "Quality first: {name} by {brand}",
        "{brand} {name}: the details matter",
        "Well made, fairly priced: {name} at {price}",
        "Made with care: the {name} {feature}",
    ),
    subject=(
        "A closer look at the {brand} {name}",
        "What makes the {name} special",
        "{rating} stars and well made: {name}",
    ),
    push=(
        "Still thinking about the {name} {feature}? Quality from {brand}, {price}.",
        "Made with care by {brand}: the {name} {feature}. Take a closer look.",
        "Shoppers rate the {name} {rating}/5. See why.",
        "Quality you can feel: the {brand} {name} at {price}.",
    ),
    sms=(
        "{brand}: the {name} {feature}, made with care and yours for {price}.",
        "Quality you can feel: the {brand} {name}, rated {rating}/5, at {price}.",
        "Take a closer look at the {brand} {name} {feature}, just {price}.",
    ),
)

SOCIAL_PROOF = PhraseBank(
    Angle.SOCIAL_PROOF,
    Locale.EN,
    headline=(
        "{reviews} reviews, {rating} stars: {name}",
        "{brand} {name}: rated {rating}/5 by {reviews} shoppers",
        "Shoppers love the {name}: {rating}/5",
        "The {name} {reviews} shoppers are talking about",
        "{rating} stars from {reviews} reviews. {brand} {name}",
        "A shopper favorite: the {name} {feature}",
        "Why do shoppers rate the {name} {rating}/5?",
        "{reviews} reviews can't be wrong: {name}",
    ),
    subject=(
        "The {name}, rated {rating}/5",
        "See what {reviews} reviewers say about the {name}",
        "Shoppers rate {it} {rating}/5: {brand} {name}",
    ),
    push=(
        "Still thinking about the {name}? {reviews} shoppers rate {it} {rating}/5.",
        "Rated {rating}/5 by {reviews} shoppers: the {brand} {name}. Take a look.",
        "Shoppers give the {name} {feature} {rating} stars. See why.",
    ),
    sms=(
        "{brand} {name}: rated {rating}/5 across {reviews} reviews, yours for {price}.",
        "Shoppers love it: the {name} {feature}, {rating}/5 from {reviews} reviews.",
        "See why {reviews} shoppers rate the {brand} {name} {rating}/5: {price}.",
    ),
)

NEW_ARRIVAL = PhraseBank(
    Angle.NEW_ARRIVAL,
    Locale.EN,
    headline=(
        "New from {brand}: {name}",
        "Just in: the {name} {feature}",
        "Meet the new {brand} {name}",
        "Fresh arrival: {name} at {price}",
        "New in: {brand} {name}, {price}",
        "Be among the first: the {name}",
        "The new {name} {feature} {is} here",
        "Just landed: {brand} {name}",
    ),
    subject=(
        "Just in: the {brand} {name}",
        "New arrival: {name}, {price}",
        "Say hello to the new {name}",
    ),
    push=(
        "New from {brand}: the {name} {feature}. Take a first look.",
        "Just landed: the {name} at {price}. Be among the first to try {it}.",
        "Something new for you: the {brand} {name}.",
    ),
    sms=(
        "New from {brand}: the {name} {feature}, {price}. Take a first look today.",
        "Just in: the {brand} {name} at {price}.",
        "Meet the new {name} by {brand}, yours for {price}.",
    ),
)

BRAND_STORY = PhraseBank(
    Angle.BRAND_STORY,
    Locale.EN,
    headline=(
        "From {brand}: the {name}",
        "Designed by {brand}. The {name} {feature}",
        "The {brand} way: {name} at {price}",
        "{brand} made it: the {name}",
        "Why we like {brand}: the {name}",
        "Crafted by {brand}: the {name} {feature}",
        "Discover {brand}: the {name}",
        "The {name} {feature}, by {brand}",
    ),
    subject=(
        "Meet {brand}: the {name}",
        "The story behind the {brand} {name}",
        "Made by {brand}, picked for you",
    ),
    push=(
        "Still thinking about the {name}? That's {brand} care in every detail.",
        "Discover {brand}: the {name} {feature}, {price}.",
        "From {brand}, with care: the {name}. Take a look.",
    ),
    sms=(
        "Made with care by {brand}: the {name} {feature}, yours for {price}.",
        "Discover {brand}: the {name}, yours for {price}.",
        "From the makers at {brand}: the {name} {feature}, {price}.",
    ),
)

GIFT = PhraseBank(
    Angle.GIFT,
    Locale.EN,
    headline=(
        "A gift they'll love: {brand} {name}",
        "Gift idea: the {name} {feature}",
        "Wrap up the {name} for {price}",
        "Treat someone special to the {brand} {name}",
        "For someone you love: the {name}",
        "Easy gift: {brand} {name} at {price}",
        "Thoughtful gift, {price}: the {name}",
        ("Gift the {name}, shipped free", Need.FREE_SHIPPING),
    ),
    subject=(
        "Gift idea: the {brand} {name}",
        "The {name}: a thoughtful gift",
        "For someone on your list: {name}",
    ),
    push=(
        "Still looking for a gift? The {brand} {name} {feature}, {price}.",
        "Gift idea: the {name}. Thoughtful, and {price}.",
        "Treat someone (or yourself) to the {brand} {name}.",
    ),
    sms=(
        "Gift idea from {brand}: the {name} {feature}, {price}.",
        "Looking for a gift? The {brand} {name} {is} {price}.",
        "Treat someone special to the {name}: {price} from {brand}.",
    ),
)

BANKS: tuple[PhraseBank, ...] = (QUALITY, SOCIAL_PROOF, NEW_ARRIVAL, BRAND_STORY, GIFT)
