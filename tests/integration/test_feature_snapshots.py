"""Decision snapshots read the real Feast online store: known products, unknown entities."""

from __future__ import annotations

from datetime import UTC, datetime

from features.snapshots import FeatureSnapshotReader
from features.store import open_feature_store
from tests.integration.conftest import live_settings


def test_snapshot_holds_catalog_features_and_empty_rows_for_unknown_entities(
    infra, tmp_path, tiny_model, tiny_catalog
):
    settings = live_settings(infra, tmp_path, tiny_model.onnx_dir, tiny_catalog)
    product = tiny_catalog[0]
    reader = FeatureSnapshotReader(open_feature_store(settings))
    now = datetime.now(UTC)
    known, unknown = reader.read(
        [("nobody", product.product_id), ("nobody", "no-such-product")], ["s-1", "s-2"], now
    )
    assert (known.snapshot_id, known.read_at) == ("s-1", now)
    assert known.product["category"] == product.category
    assert known.product["brand"] == product.brand
    assert "description_en" not in known.product  # facts come from the catalog, not snapshots
    assert known.user == {} and unknown.product == {}
