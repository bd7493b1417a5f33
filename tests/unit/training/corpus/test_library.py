"""The phrase banks themselves: enough lines per angle, no banned words, known fields only."""

from __future__ import annotations

import string

import pytest

from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Angle, Locale
from training.corpus import CORPUS_LOCALES
from training.corpus.library import TemplateLibrary
from training.corpus.templates import Need, Shape, compile_template

LIBRARY = TemplateLibrary.default()
ALL_TEMPLATES = [
    template
    for angle in Angle
    for locale in CORPUS_LOCALES
    for shape in Shape
    for template in LIBRARY.templates(angle, locale, shape)
]


@pytest.mark.parametrize("locale", CORPUS_LOCALES)
@pytest.mark.parametrize("angle", list(Angle))
def test_each_angle_has_at_least_eight_templates_and_every_shape(angle: Angle, locale: Locale):
    assert len(LIBRARY.angle_templates(angle, locale)) >= 8
    for shape in Shape:
        assert len(LIBRARY.templates(angle, locale, shape)) >= 2, shape


def test_no_template_wording_holds_a_banned_term():
    banned = CopyRuleSettings().banned_terms
    for template in ALL_TEMPLATES:
        literal = "".join(text for text, _, _, _ in string.Formatter().parse(template.text))
        locale = Locale(template.template_id.split(".")[1])
        for term in banned[locale]:
            assert term.casefold() not in literal.casefold(), template.template_id


def test_templates_hold_no_digits_so_they_cannot_invent_numbers():
    for template in ALL_TEMPLATES:
        literal = "".join(text for text, _, _, _ in string.Formatter().parse(template.text))
        # "/5" is the scale a rating is quoted on.
        assert not any(char.isdigit() for char in literal.replace("/5", "")), template.template_id


def test_templates_of_an_angle_carry_its_premise():
    for template in LIBRARY.templates(Angle.FREE_SHIPPING, Locale.ZH_CN, Shape.SMS):
        assert Need.FREE_SHIPPING in template.needs
    for template in LIBRARY.templates(Angle.SCARCITY, Locale.EN, Shape.PUSH):
        assert Need.LOW_STOCK in template.needs


def test_claim_fields_add_their_needs():
    template = compile_template("t.en.h1", "{pct}% off, {stock} left", frozenset({Shape.BANNER}))
    assert template.needs == {Need.DISCOUNTED, Need.LOW_STOCK}


def test_unknown_field_fails_when_the_template_is_compiled():
    with pytest.raises(ValueError, match="unknown fields"):
        compile_template("t.en.h1", "{discount} off", frozenset({Shape.BANNER}))
