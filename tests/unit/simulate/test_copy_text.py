"""Copy text moves purchases, not clicks: a real discount sways discount-sensitive shoppers."""

from contracts.vocabulary import Locale
from simulate.storefront.copy_text import DiscountClaim, discount_claim


def _shopper_and_sale(click_model, segment, discounted=True, locale=Locale.EN):
    shopper = next(s for s in click_model.population.in_segment(segment) if s.locale == locale)
    product = next(
        p
        for p in click_model.shelf.products
        if click_model.facts(p, locale).discounted == discounted
    )
    return shopper, product, click_model.facts(product, locale)


def test_stating_the_real_discount_is_a_real_claim(click_model):
    _, _, facts = _shopper_and_sale(click_model, "bargain_hunter")
    assert discount_claim(f"{facts.title}: {facts.discount_pct}% off", facts) is DiscountClaim.REAL
    assert discount_claim(f"Save {facts.savings_text} today", facts) is DiscountClaim.REAL
    assert discount_claim(f"{facts.title}, {facts.price_text}", facts) is DiscountClaim.NONE


def test_a_wrong_percent_or_a_sale_on_a_full_price_product_is_false(click_model):
    _, _, facts = _shopper_and_sale(click_model, "bargain_hunter")
    wrong = f"{facts.discount_pct + 10}% off"
    assert discount_claim(wrong, facts) is DiscountClaim.FALSE
    _, _, full = _shopper_and_sale(click_model, "bargain_hunter", discounted=False)
    assert discount_claim("20% off today", full) is DiscountClaim.FALSE


def test_chinese_zhe_must_match_the_real_discount(click_model):
    _, _, facts = _shopper_and_sale(click_model, "bargain_hunter", locale=Locale.ZH_CN)
    assert discount_claim(f"限时{facts.zhe_text}", facts) is DiscountClaim.REAL
    assert discount_claim("限时1折", facts) is DiscountClaim.FALSE


def test_real_discount_raises_purchase_only_for_discount_sensitive_shoppers(click_model):
    shopper, product, facts = _shopper_and_sale(click_model, "bargain_hunter")
    plain = f"{facts.title}, {facts.price_text}"
    stated = f"{facts.title}: {facts.discount_pct}% off, now {facts.price_text}"
    buy = click_model.purchase_probability
    assert buy(shopper, product, stated, True, facts.locale) > 2 * buy(
        shopper, product, plain, True, facts.locale
    )
    premium = click_model.population.in_segment("premium")[0]
    assert buy(premium, product, stated, True, facts.locale) == buy(
        premium, product, plain, True, facts.locale
    )


def test_false_discount_does_not_raise_purchase(click_model):
    shopper, product, facts = _shopper_and_sale(click_model, "bargain_hunter", discounted=False)
    plain = f"{facts.title}, {facts.price_text}"
    buy = click_model.purchase_probability
    assert buy(shopper, product, "50% off today!", True, facts.locale) < buy(
        shopper, product, plain, True, facts.locale
    )


def test_no_purchase_or_cart_without_a_click_and_purchases_are_within_carts(click_model):
    shopper, product, facts = _shopper_and_sale(click_model, "bargain_hunter")
    text = f"{facts.discount_pct}% off"
    assert click_model.purchase_probability(shopper, product, text, False, facts.locale) == 0
    assert click_model.cart_probability(shopper, product, text, False, facts.locale) == 0
    assert click_model.cart_probability(
        shopper, product, text, True, facts.locale
    ) >= click_model.purchase_probability(shopper, product, text, True, facts.locale)
