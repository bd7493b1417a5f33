"""A small catalog, a real checker and a fake generator for the copy writer tests."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from contracts.errors import CopystreamError
from contracts.product import Product
from contracts.settings import CopyRuleSettings
from features.catalog.generator import CatalogGenerator
from serving.checks import CopyChecker, FallbackCopywriter
from serving.generator import CopyJob, GeneratedText
from serving.service.copy_writer import CopyWriter
from tests.unit.serving.service.factories import T0

RULES = CopyRuleSettings()


class FakeGenerator:
    """Writes "<brand> copy" for each job and remembers the jobs; fails for `broken` products."""

    model_version = "fake-model"

    def __init__(
        self, broken: frozenset[str] = frozenset(), crashing: frozenset[str] = frozenset()
    ) -> None:
        self.jobs: list[CopyJob] = []
        self.calls = 0
        self.broken = broken
        self.crashing = crashing

    def write(self, jobs: Sequence[CopyJob]) -> list[GeneratedText]:
        self.calls += 1
        if any(job.brief.facts.product_id in self.broken for job in jobs):
            raise CopystreamError("this product breaks the fake model")
        if any(job.brief.facts.product_id in self.crashing for job in jobs):
            raise RuntimeError("[ONNXRuntimeError] Gather: idx=160 must be within [-160,159]")
        self.jobs += jobs
        return [
            GeneratedText(
                f"{job.brief.facts.brand} copy",
                job.brief.written_angle.value,
                job.brief.angle.value,
                self.model_version,
                None,
                1,
                -1.0,
            )
            for job in jobs
        ]


@pytest.fixture(scope="session")
def small_catalog() -> list[Product]:
    return CatalogGenerator(7, 24).generate()


@pytest.fixture(scope="session")
def checker(small_catalog: list[Product]) -> CopyChecker:
    return CopyChecker.from_rules(RULES, small_catalog)


def writer_for(
    catalog: list[Product], checker: CopyChecker, generator: FakeGenerator | None = None
) -> CopyWriter:
    return CopyWriter(
        generator or FakeGenerator(),
        FallbackCopywriter(RULES, checker),
        catalog,
        RULES,
        clock=lambda: T0,
    )
