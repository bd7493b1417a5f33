"""The decision snapshot states each angle's premise as serving's product facts do.

Off-policy evaluation groups the asks that write the same copy from the snapshot alone
(`training.ope`); if the snapshot disagreed with the facts serving writes from, it would weigh
copies that were never shown.
"""

import pytest

from contracts.settings import Settings
from contracts.vocabulary import Angle, Locale
from features.catalog import CatalogGenerator
from features.catalog_features import catalog_row
from serving.angles import SnapshotPremises, written_angle
from serving.facts import ProductFacts

THRESHOLD = Settings().copy_rules.low_stock_threshold
PRODUCTS = CatalogGenerator(seed=7, products=500).generate()


@pytest.mark.parametrize("locale", list(Locale))
def test_every_ask_is_written_as_the_same_angle_from_the_snapshot_as_from_the_facts(locale):
    pivots = 0
    for product in PRODUCTS:
        premises = SnapshotPremises.of(catalog_row(product), locale, THRESHOLD)
        facts = ProductFacts.of(product, locale, THRESHOLD)
        assert premises is not None
        from_snapshot = [written_angle(angle, premises) for angle in Angle]
        assert from_snapshot == [written_angle(angle, facts) for angle in Angle], product
        pivots += sum(written != angle for written, angle in zip(from_snapshot, Angle, strict=True))
    assert pivots > len(PRODUCTS)  # the catalog has products whose asks pivot


def test_a_snapshot_without_the_catalog_features_has_no_premises():
    row = catalog_row(PRODUCTS[0])
    del row["stock"]
    assert SnapshotPremises.of(row, Locale.EN, THRESHOLD) is None
    assert SnapshotPremises.of({}, Locale.ZH_CN, THRESHOLD) is None
    assert SnapshotPremises.of({**catalog_row(PRODUCTS[0]), "rating": "4.5"}, Locale.EN, 5) is None
