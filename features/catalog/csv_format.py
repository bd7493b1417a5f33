"""The flat CSV shape of a catalog: one row per product, listing columns suffixed by locale.

An empty cell means "not given": a row whose `_zh-CN` cells are all empty has no Chinese listing,
and an empty `is_new` is false. `attributes_<locale>` holds a JSON object, e.g. {"color": "black"}.
Free-text cells (brand, title, description) are passed on as written, so the Product contract
alone decides how their whitespace is trimmed and a catalog survives a CSV round trip exactly.
"""

from __future__ import annotations

import json

from contracts.product import LocalizedProduct, Product
from contracts.vocabulary import Locale

BASE_COLUMNS: tuple[str, ...] = (
    "product_id",
    "brand",
    "category",
    "rating",
    "review_count",
    "stock",
    "is_new",
    "free_shipping",
)
LISTING_FIELDS: tuple[str, ...] = (
    "title",
    "description",
    "currency",
    "price",
    "list_price",
    "attributes",
)
_FREE_TEXT_FIELDS = frozenset({"brand", "title", "description"})


def listing_columns(locale: Locale) -> tuple[str, ...]:
    """`title_en`, `description_en`, ... for one locale."""
    return tuple(f"{field}_{locale.value}" for field in LISTING_FIELDS)


# The Product contract gives these a default (false, false, no attributes), so a shop may leave
# them out; every other English column must be in the header.
_DEFAULTED_COLUMNS = frozenset({"is_new", "free_shipping", "attributes_en"})
REQUIRED_COLUMNS: tuple[str, ...] = tuple(
    column
    for column in BASE_COLUMNS + listing_columns(Locale.EN)
    if column not in _DEFAULTED_COLUMNS
)
ALL_COLUMNS: tuple[str, ...] = BASE_COLUMNS + tuple(
    column for locale in Locale for column in listing_columns(locale)
)


def product_to_row(product: Product) -> dict[str, str]:
    """One CSV row (every column of `ALL_COLUMNS`) that `row_to_payload` turns back into it."""
    row = {
        "product_id": product.product_id,
        "brand": product.brand,
        "category": product.category,
        "rating": repr(product.rating),
        "review_count": str(product.review_count),
        "stock": str(product.stock),
        "is_new": _bool_cell(product.is_new),
        "free_shipping": _bool_cell(product.free_shipping),
    }
    for locale in Locale:
        row.update(_listing_cells(locale, product.text.get(locale)))
    return row


def row_to_payload(row: dict[str, str]) -> tuple[dict[str, object], list[str]]:
    """The `Product` fields of a CSV row, ready for validation, and the cells that made no sense.

    Problems name their column (`attributes_en: ...`); everything else is left to the Product
    contract to judge, so the rules live in one place.
    """
    payload: dict[str, object] = {
        column: cell for column in BASE_COLUMNS if (cell := _cell(row, column, column))
    }
    text: dict[str, object] = {}
    problems: list[str] = []
    for locale in Locale:
        cells = {field: _cell(row, f"{field}_{locale.value}", field) for field in LISTING_FIELDS}
        if locale is not Locale.EN and not any(cells.values()):
            continue
        listing: dict[str, object] = {
            field: cell for field, cell in cells.items() if cell and field != "attributes"
        }
        column = f"attributes_{locale.value}"
        attributes, problem = _parse_attributes(cells["attributes"], column)
        if problem:
            problems.append(problem)
        listing["attributes"] = attributes
        text[locale.value] = listing
    payload["text"] = text
    return payload, problems


def column_for(location: tuple[int | str, ...]) -> str:
    """The CSV column a validation error points at: `('text', 'en', 'price')` -> `price_en`."""
    if len(location) >= 3 and location[0] == "text":
        column = f"{location[2]}_{location[1]}"
        return ".".join([column, *map(str, location[3:])])
    if len(location) == 2 and location[0] == "text":
        return f"{location[1]} listing"
    return ".".join(map(str, location)) or "row"


def _cell(row: dict[str, str], column: str, field: str) -> str:
    """The cell's value; surrounding blanks are dropped except in free text (see module doc)."""
    cell = row.get(column, "")
    return cell if field in _FREE_TEXT_FIELDS else cell.strip()


def _listing_cells(locale: Locale, listing: LocalizedProduct | None) -> dict[str, str]:
    columns = listing_columns(locale)
    if listing is None:
        return dict.fromkeys(columns, "")
    values = (
        listing.title,
        listing.description,
        listing.currency,
        repr(listing.price),
        repr(listing.list_price),
        json.dumps(listing.attributes, ensure_ascii=False),
    )
    return dict(zip(columns, values, strict=True))


def _parse_attributes(cell: str, column: str) -> tuple[dict[str, object], str | None]:
    if not cell:
        return {}, None
    example = '{"color": "black"}'
    try:
        value = json.loads(cell)
    except json.JSONDecodeError as err:
        return {}, f"{column}: not valid JSON ({err.msg} at character {err.pos}); use {example}"
    if not isinstance(value, dict):
        return {}, f"{column}: must be a JSON object like {example}; got {type(value).__name__}"
    return value, None


def _bool_cell(value: bool) -> str:
    return "true" if value else "false"
