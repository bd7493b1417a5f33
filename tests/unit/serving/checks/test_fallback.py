from __future__ import annotations

import pytest

from contracts.product import LocalizedProduct, Product
from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Angle, Channel, Locale
from serving.checks import CopyChecker, FallbackCopywriter, NoFaithfulCopyError
from serving.facts import ProductFacts
from serving.prompting import CopyBrief

from .conftest import RULES, brief_of

EN, ZH = Locale.EN, Locale.ZH_CN
NEUTRAL = {Angle.QUALITY, Angle.VALUE, Angle.BRAND_STORY}


@pytest.fixture(scope="module")
def writer(checker: CopyChecker) -> FallbackCopywriter:
    return FallbackCopywriter(RULES, checker)


@pytest.mark.slow
def test_every_catalog_brief_gets_a_copy_that_passes_the_checker(
    catalog: list[Product], checker: CopyChecker, writer: FallbackCopywriter
):
    failures, checked = [], set()
    for product in catalog:
        for locale in Locale:
            facts = ProductFacts.of(product, locale, RULES.low_stock_threshold)
            for channel in Channel:
                for angle in Angle:
                    brief = CopyBrief(facts, channel, angle)
                    copy = writer.write(brief, reason="test")
                    # The verdict does not depend on the angle: check each distinct copy once.
                    if (key := (product.product_id, locale, channel, copy.text)) in checked:
                        continue
                    checked.add(key)
                    if not checker.check(copy.text, brief).ok:
                        failures.append((brief, copy))
    assert failures == []


def test_same_brief_gives_the_same_copy(writer: FallbackCopywriter, headphones: Product):
    brief = brief_of(headphones, ZH, Channel.PUSH, Angle.GIFT)
    assert writer.write(brief, "a") == writer.write(brief, "a")


def test_discount_angle_uses_the_true_discount(writer: FallbackCopywriter, headphones: Product):
    copy = writer.write(brief_of(headphones, ZH, Channel.WEB, Angle.DISCOUNT), "model failed")
    assert copy.angle_used == Angle.DISCOUNT and "8折" in copy.text
    assert copy.reason == "model failed" and copy.template_id.startswith("zh-CN/discount/")


@pytest.mark.parametrize(
    "angle", [Angle.DISCOUNT, Angle.SCARCITY, Angle.NEW_ARRIVAL, Angle.FREE_SHIPPING]
)
@pytest.mark.parametrize("locale", list(Locale))
def test_angle_whose_fact_is_false_falls_back_to_a_neutral_angle(
    writer: FallbackCopywriter, jacket: Product, angle: Angle, locale: Locale
):
    # The jacket is not discounted, has 244 in stock, is not new and does not ship free.
    jacket = jacket.model_copy(update={"free_shipping": False, "is_new": False})
    copy = writer.write(brief_of(jacket, locale, Channel.APP, angle), "test")
    assert copy.angle_used in NEUTRAL


@pytest.mark.parametrize("locale", list(Locale))
def test_sms_copy_ends_with_the_opt_out(
    writer: FallbackCopywriter, headphones: Product, locale: Locale
):
    copy = writer.write(brief_of(headphones, locale, Channel.SMS, Angle.QUALITY), "test")
    assert copy.text.endswith(RULES.sms_opt_out[locale])
    assert len(copy.text) <= RULES.max_chars[Channel.SMS][locale]


def _with_titles(product: Product, en_title: str, zh_title: str) -> Product:
    text = {
        EN: product.text[EN].model_copy(update={"title": en_title}),
        ZH: product.text[ZH].model_copy(update={"title": zh_title}),
    }
    return product.model_copy(update={"text": text})


@pytest.mark.parametrize("channel", list(Channel))
def test_a_title_with_banned_terms_is_left_out(
    writer: FallbackCopywriter, headphones: Product, checker: CopyChecker, channel: Channel
):
    product = _with_titles(headphones, "Guaranteed #1 Headphones", "【顶级】最强头戴式耳机")
    for locale, banned in ((EN, "Guaranteed"), (ZH, "顶级")):
        brief = brief_of(product, locale, channel, Angle.QUALITY)
        copy = writer.write(brief, "test")
        assert banned not in copy.text and checker.check(copy.text, brief).ok


def test_a_title_too_long_for_the_channel_is_left_out(
    writer: FallbackCopywriter, headphones: Product
):
    product = _with_titles(headphones, "Headphones " * 12, "耳机" * 30)
    for locale in Locale:
        copy = writer.write(brief_of(product, locale, Channel.EMAIL, Angle.GIFT), "test")
        assert len(copy.text) <= RULES.max_chars[Channel.EMAIL][locale]
        assert product.localized(locale).title not in copy.text


def test_minimal_template_is_the_last_resort(checker: CopyChecker, headphones: Product):
    tight = RULES.model_copy(update={"max_chars": {c: {EN: 20, ZH: 15} for c in Channel}})
    writer = FallbackCopywriter(tight, CopyChecker(checker.faithfulness, checker.compliance))
    copy = writer.write(brief_of(headphones, EN, Channel.WEB, Angle.DISCOUNT), "test")
    assert copy.text == "Nexiwave: $183.99" and copy.template_id == "en/minimal"


def test_rules_no_template_can_meet_raise_a_clear_error(checker: CopyChecker, headphones: Product):
    tiny = CopyRuleSettings(max_chars={c: {EN: 5, ZH: 5} for c in Channel})
    writer = FallbackCopywriter(tiny, CopyChecker(checker.faithfulness, checker.compliance))
    with pytest.raises(NoFaithfulCopyError, match="p00001"):
        writer.write(brief_of(headphones, EN), "test")


def test_a_fresh_listing_outside_the_catalog_gets_a_copy(writer: FallbackCopywriter):
    listing = {
        EN: LocalizedProduct(
            title="Trail Mug", description="A mug.", currency="USD", price=9.0, list_price=12.0
        ),
        ZH: LocalizedProduct(
            title="户外杯", description="一只杯子。", currency="CNY", price=65.0, list_price=87.0
        ),
    }
    mug = Product(
        product_id="x1", brand="Mugsy", category="home_kitchen", rating=4.2, review_count=3,
        stock=5, is_new=True, free_shipping=True, text=listing,
    )  # fmt: skip
    for locale in Locale:
        for angle in Angle:
            assert writer.write(brief_of(mug, locale, Channel.PUSH, angle), "test").text
