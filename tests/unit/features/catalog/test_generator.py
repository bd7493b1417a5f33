from __future__ import annotations

import re
import statistics

import pytest

from contracts.product import Product
from contracts.vocabulary import Locale
from features.catalog import CatalogGenerator
from features.catalog.pricing import USD_TO_CNY, whole_percent_off

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _numbers(values: list[str]) -> list[str]:
    return sorted(_NUMBER.findall(" ".join(values)))


def test_same_seed_gives_identical_json():
    first = [p.model_dump_json() for p in CatalogGenerator(seed=42, products=60).generate()]
    second = [p.model_dump_json() for p in CatalogGenerator(seed=42, products=60).generate()]
    assert first == second


def test_different_seeds_give_different_catalogs():
    first = [p.model_dump_json() for p in CatalogGenerator(seed=1, products=20).generate()]
    second = [p.model_dump_json() for p in CatalogGenerator(seed=2, products=20).generate()]
    assert first != second


def test_products_get_sequential_zero_padded_ids():
    products = CatalogGenerator(seed=5, products=12).generate()
    assert [p.product_id for p in products] == [f"p{n:05d}" for n in range(1, 13)]


def test_iterating_gives_the_same_products_as_generate():
    generator = CatalogGenerator(seed=9, products=15)
    assert list(generator.iter_products()) == generator.generate()


def test_zero_products_is_an_empty_catalog_and_negative_is_rejected():
    assert CatalogGenerator(seed=1, products=0).generate() == []
    with pytest.raises(ValueError, match="products must be 0 or more"):
        CatalogGenerator(seed=1, products=-1)


def test_catalog_of_500_spans_at_least_ten_categories(catalog_500: list[Product]):
    assert len({p.category for p in catalog_500}) >= 10


def test_every_product_has_an_english_and_a_chinese_listing(catalog_500: list[Product]):
    for product in catalog_500:
        assert set(product.text) == {Locale.EN, Locale.ZH_CN}
        assert product.text[Locale.EN].currency == "USD"
        assert product.text[Locale.ZH_CN].currency == "CNY"


def test_about_forty_percent_are_discounted_by_5_to_60_percent(catalog_500: list[Product]):
    discounts = [p.discount_pct for p in catalog_500 if p.discount_pct]
    assert 0.3 <= len(discounts) / len(catalog_500) <= 0.5
    assert all(5 <= pct <= 60 for pct in discounts)
    assert all(p.discount_pct >= 0 for p in catalog_500)


def test_a_discount_shows_in_both_locales(catalog_500: list[Product]):
    for product in catalog_500:
        en, zh = product.text[Locale.EN], product.text[Locale.ZH_CN]
        en_off = whole_percent_off(en.price, en.list_price)
        zh_off = whole_percent_off(zh.price, zh.list_price)
        assert (en.price < en.list_price) == (zh.price < zh.list_price), product.product_id
        assert (en_off > 0) == (zh_off > 0), product.product_id


def test_usd_prices_end_in_9_and_cny_prices_follow_the_fixed_rate(catalog_500: list[Product]):
    for product in catalog_500:
        en, zh = product.text[Locale.EN], product.text[Locale.ZH_CN]
        assert f"{en.list_price:.2f}".endswith("9")
        for cny in (zh.price, zh.list_price):
            assert cny == int(cny) or f"{cny:.1f}".endswith(".9")
        assert abs(zh.list_price - en.list_price * USD_TO_CNY) <= 1


def test_price_levels_differ_by_category(catalog_500: list[Product]):
    def median_price(category: str) -> float:
        prices = [p.text[Locale.EN].list_price for p in catalog_500 if p.category == category]
        return statistics.median(prices)

    assert median_price("electronics") > 5 * median_price("grocery")
    assert all(2.99 <= p.text[Locale.EN].list_price <= 400 for p in catalog_500)


def test_ratings_lie_between_2_5_and_5_with_one_decimal(catalog_500: list[Product]):
    assert all(2.5 <= p.rating <= 5.0 and round(p.rating, 1) == p.rating for p in catalog_500)


def test_review_counts_have_many_small_and_a_few_huge(catalog_500: list[Product]):
    counts = [p.review_count for p in catalog_500]
    assert statistics.median(counts) < 100
    assert max(counts) > 50 * statistics.median(counts)


def test_shares_of_low_stock_new_and_free_shipping_are_realistic(catalog_500: list[Product]):
    total = len(catalog_500)
    assert 0.05 <= sum(p.stock <= 5 for p in catalog_500) / total <= 0.2
    assert 0.1 <= sum(p.is_new for p in catalog_500) / total <= 0.2
    assert 0.33 <= sum(p.free_shipping for p in catalog_500) / total <= 0.47


def test_chinese_attributes_are_translated_with_the_same_numbers(catalog_500: list[Product]):
    for product in catalog_500:
        en, zh = product.text[Locale.EN].attributes, product.text[Locale.ZH_CN].attributes
        assert len(zh) == len(en)
        assert all(_CJK.search(name) for name in zh), zh
        assert _numbers(list(zh.values())) == _numbers(list(en.values())), product.product_id
    chinese_values = [v for p in catalog_500 for v in p.text[Locale.ZH_CN].attributes.values()]
    assert sum(bool(_CJK.search(v)) for v in chinese_values) / len(chinese_values) > 0.8


def test_descriptions_state_every_attribute_value(catalog_500: list[Product]):
    for product in catalog_500:
        for listing in product.text.values():
            for value in listing.attributes.values():
                assert value in listing.description, (product.product_id, value)


def test_titles_name_the_brand_and_vary_in_shape(catalog_500: list[Product]):
    titles = [p.text[Locale.EN].title for p in catalog_500]
    assert len(set(titles)) >= 0.95 * len(titles)
    assert all(p.brand in p.text[locale].title for p in catalog_500 for locale in p.text)
    leading_brand = sum(t.startswith(p.brand) for t, p in zip(titles, catalog_500, strict=True))
    assert 0.2 < leading_brand / len(titles) < 0.9
    for marker in (" by ", " | ", "(", ", "):
        assert any(marker in title for title in titles), marker
