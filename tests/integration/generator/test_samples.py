"""`python -m serving.samples` (also printed by `make demo`) on the tiny exported model."""

from __future__ import annotations

import pytest

from contracts.vocabulary import Angle, Channel, Locale
from serving.samples import sample_rows

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_samples_cover_every_angle_locale_and_channel(tiny_model, tiny_settings_home):
    settings = tiny_settings_home.model_copy(
        update={
            "generator": tiny_settings_home.generator.model_copy(
                update={"model_dir": tiny_model.onnx_dir, "provider": "cpu"}
            )
        }
    )
    rows = sample_rows(settings, products=1, seed=3)
    assert {row["angle"] for row in rows} == {angle.value for angle in Angle}
    assert {row["locale"] for row in rows} == {locale.value for locale in Locale}
    assert {row["channel"] for row in rows} == {channel.value for channel in Channel}
    assert all(row["text"] and row["source"] in {"model", "template"} for row in rows)
