from contracts.settings import StreamSettings
from streams.product_state import ProductPopularityState

CFG = StreamSettings()


def test_items_at_or_below_the_partition_watermark_are_not_applied_twice():
    state = ProductPopularityState()
    assert state.apply(0, [(1, "views", 60.0), (2, "carts", 61.0)], CFG) == 2
    assert state.apply(0, [(2, "carts", 61.0), (3, "views", 62.0)], CFG) == 1
    assert state.apply(1, [(1, "views", 63.0)], CFG) == 1
    features = state.features(CFG)
    assert (features["views_24h"], features["carts_24h"]) == (3, 1)
    restored = ProductPopularityState.from_bytes(state.to_bytes())
    assert restored.features(CFG) == features and restored.watermarks == {0: 3, 1: 1}
