"""Requests in, copies out: deadlines, unknown products, deterministic ids and seeds."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import REGISTRY

from contracts.copies import CopyTrigger, GeneratedCopy
from contracts.vocabulary import Angle, Channel, Locale
from policy.requests import seed_of
from serving.errors import UnknownProductError
from serving.facts import ProductFacts
from serving.prompting import CopyBrief
from serving.service.copy_writer import copy_id_for
from tests.unit.serving.service.conftest import RULES, FakeGenerator, writer_for
from tests.unit.serving.service.factories import T0, make_request


def _deadline_fallbacks() -> float:
    value = REGISTRY.get_sample_value("copystream_fallbacks_total", {"reason": "deadline"})
    return value or 0.0


def test_copy_carries_the_decision_and_the_snapshot_of_its_request(small_catalog, checker):
    request = make_request(
        "r-0123abcd",
        small_catalog[0].product_id,
        created_at=T0 - timedelta(milliseconds=250),
        deadline=T0 + timedelta(seconds=1),
        propensity=0.25,
        policy_version="vw-7",
        trigger=CopyTrigger.CART_ABANDONED,
    )
    [copy] = writer_for(small_catalog, checker).write([request])
    assert isinstance(copy, GeneratedCopy)
    assert copy.copy_id == "c-0123abcd"
    assert (copy.request_id, copy.user_id, copy.product_id) == (
        request.request_id,
        request.user_id,
        request.product_id,
    )
    assert (copy.channel, copy.slot, copy.locale) == (request.channel, "pdp", Locale.EN)
    assert (copy.propensity, copy.policy_version, copy.trigger) == (0.25, "vw-7", request.trigger)
    assert copy.requested_angle == request.angle
    assert copy.features == request.features
    assert copy.features_snapshot_id == request.features.snapshot_id
    assert copy.model_version == "fake-model"
    assert not copy.fallback.used
    assert (copy.created_at, copy.latency_ms) == (T0, 250.0)


def test_request_past_its_deadline_gets_a_flagged_template_and_is_counted(small_catalog, checker):
    generator = FakeGenerator()
    product = small_catalog[1]
    late = make_request(
        "r-late",
        product.product_id,
        created_at=T0 - timedelta(seconds=2),
        deadline=T0 - timedelta(milliseconds=500),
        channel=Channel.SMS,
        locale=Locale.ZH_CN,
    )
    before = _deadline_fallbacks()
    [copy] = writer_for(small_catalog, checker, generator).write([late])
    assert isinstance(copy, GeneratedCopy)
    assert copy.fallback.used
    assert copy.fallback.reason is not None and copy.fallback.reason.startswith("deadline")
    assert "500 ms" in copy.fallback.reason
    assert generator.calls == 0  # no model time spent on it
    brief = CopyBrief(
        ProductFacts.of(product, Locale.ZH_CN, RULES.low_stock_threshold), Channel.SMS, late.angle
    )
    assert checker.check(copy.text, brief).ok
    assert _deadline_fallbacks() == before + 1


def test_deadline_is_judged_against_the_time_the_batch_forms(small_catalog, checker):
    generator = FakeGenerator()
    product_id = small_catalog[0].product_id
    just_in_time = make_request("r-ok", product_id, deadline=T0 + timedelta(milliseconds=1))
    at_deadline = make_request(
        "r-due", product_id, created_at=T0 - timedelta(seconds=1), deadline=T0
    )
    on_time, due = writer_for(small_catalog, checker, generator).write([just_in_time, at_deadline])
    assert isinstance(on_time, GeneratedCopy) and not on_time.fallback.used
    assert isinstance(due, GeneratedCopy) and due.fallback.used
    assert [job.seed for job in generator.jobs] == [seed_of("r-ok")]


def test_unknown_product_fails_only_its_own_request(small_catalog, checker):
    known = make_request("r-known", small_catalog[0].product_id)
    unknown = make_request("r-unknown", "p99999")
    error, copy = writer_for(small_catalog, checker).write([unknown, known])
    assert isinstance(error, UnknownProductError)
    assert "'p99999' is not in the catalog" in str(error)
    assert isinstance(copy, GeneratedCopy) and copy.request_id == "r-known"


def test_a_request_that_breaks_the_model_does_not_cost_its_batch_mates(small_catalog, checker):
    bad_product = small_catalog[2].product_id
    generator = FakeGenerator(broken=frozenset({bad_product}))
    requests = [
        make_request("r-a", small_catalog[0].product_id),
        make_request("r-b", bad_product),
        make_request("r-c", small_catalog[3].product_id),
    ]
    first, broken, third = writer_for(small_catalog, checker, generator).write(requests)
    assert isinstance(first, GeneratedCopy) and isinstance(third, GeneratedCopy)
    assert isinstance(broken, Exception) and "breaks the fake model" in str(broken)


def test_copy_id_and_seed_are_derived_from_the_request_id(small_catalog, checker):
    generator = FakeGenerator()
    writer = writer_for(small_catalog, checker, generator)
    request = make_request("r-5eed", small_catalog[0].product_id, angle=Angle.VALUE)
    first, again = writer.write([request]), writer.write([request])
    assert first == again
    assert [job.seed for job in generator.jobs] == [seed_of("r-5eed")] * 2


def test_copy_ids_fit_the_wire_id_for_any_request_id():
    long_id = "x" * 64
    assert copy_id_for(long_id) == copy_id_for(long_id)
    assert copy_id_for(long_id).startswith("c-") and len(copy_id_for(long_id)) <= 64
    assert copy_id_for("r-abc") == "c-abc"


def test_jobs_carry_the_feature_snapshot_and_copies_name_the_release(small_catalog, checker):
    generator = FakeGenerator()
    writer = writer_for(small_catalog, checker, generator)
    writer.use(generator, "r7")
    request = make_request("r-feat", small_catalog[0].product_id, deadline=T0 + timedelta(1))
    [copy] = writer.write([request])
    [job] = generator.jobs
    assert (job.user, job.product) == (request.features.user, request.features.product)
    assert isinstance(copy, GeneratedCopy)
    assert (copy.release_version, copy.reward_model_version) == ("r7", None)


def test_a_swapped_generator_writes_from_the_next_batch_on(small_catalog, checker):
    old, new = FakeGenerator(), FakeGenerator()
    new.model_version = "fake-model-2"
    writer = writer_for(small_catalog, checker, old)
    product_id = small_catalog[0].product_id
    [before] = writer.write([make_request("r-1", product_id, deadline=T0 + timedelta(1))])
    writer.use(new, "r2")
    [after] = writer.write([make_request("r-2", product_id, deadline=T0 + timedelta(1))])
    assert isinstance(before, GeneratedCopy) and isinstance(after, GeneratedCopy)
    assert (before.model_version, before.release_version) == ("fake-model", None)
    assert (after.model_version, after.release_version) == ("fake-model-2", "r2")
    assert (old.calls, new.calls) == (1, 1)


def test_a_model_fault_on_one_request_gives_it_a_counted_template_and_spares_the_batch(
    small_catalog, checker
):
    crashing = small_catalog[2].product_id
    generator = FakeGenerator(crashing=frozenset({crashing}))
    requests = [
        make_request(f"r-{n}", product.product_id) for n, product in enumerate(small_catalog[:4])
    ]
    before = REGISTRY.get_sample_value("copystream_fallbacks_total", {"reason": "model_error"})
    copies = writer_for(small_catalog, checker, generator).write(requests)
    assert [c.product_id for c in copies] == [r.product_id for r in requests]
    by_product = {c.product_id: c for c in copies}
    assert by_product[crashing].fallback.used
    assert (by_product[crashing].fallback.reason or "").startswith("model_error")
    assert all(not c.fallback.used for p, c in by_product.items() if p != crashing)
    after = REGISTRY.get_sample_value("copystream_fallbacks_total", {"reason": "model_error"})
    assert (after or 0.0) - (before or 0.0) == 1.0
