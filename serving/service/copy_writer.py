"""A batch of `CopyRequest`s in, one `GeneratedCopy` (or the error that stopped it) per request out.

Blocking (model and checks): call it from the model thread only. A request already past its
deadline when its batch is formed gets the faithful template at once, flagged with a reason
starting "deadline" and counted; it is never dropped. The copy id and the sampling seed derive
from the request id, so a redo after a crash writes the same copy under the same id.

A new release's generator is swapped in with `use()` (from the event loop) at a batch boundary:
`write` reads the generator once, so the batch the model thread is running finishes on the old
one and the next batch starts on the new one; no batch mixes the two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from contracts.copies import CopyRequest, Fallback, GeneratedCopy, age_ms
from contracts.errors import CopystreamError
from contracts.logs import get_logger
from contracts.product import Product
from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Angle
from policy.requests import seed_of
from serving.checks import FallbackCopywriter
from serving.errors import UnknownProductError
from serving.generator import CopyJob, GeneratedText, template_text
from serving.prompting import CopyBrief

DEADLINE = "deadline"
"""Start of the fallback reason (and the metric label) of a request answered after its deadline."""

MODEL_ERROR = "model_error"
"""Fallback reason (and metric label) of a request the model raised on: it gets its template."""

Clock = Callable[[], datetime]
log = get_logger(__name__)
CopyOutcome = GeneratedCopy | CopystreamError


class TextGenerator(Protocol):
    """What the writer needs of `serving.generator.CopyGenerator` (tests pass fakes)."""

    @property
    def model_version(self) -> str: ...

    def write(self, jobs: Sequence[CopyJob]) -> list[GeneratedText]: ...


@dataclass(frozen=True)
class _Serving:
    """The generator and the release it came from, replaced together in one assignment."""

    generator: TextGenerator
    release_version: str | None


def copy_id_for(request_id: str) -> str:
    """`r-<digest>` gives `c-<digest>`; any other request id gives a digest of itself."""
    if request_id.startswith("r-"):
        return "c-" + request_id.removeprefix("r-")
    return "c-" + hashlib.blake2b(request_id.encode(), digest_size=12).hexdigest()


def utc_now() -> datetime:
    return datetime.now(UTC)


class CopyWriter:
    """Turns requests into checked copies on one generator; knows the catalog it was built on."""

    def __init__(
        self,
        generator: TextGenerator,
        fallback: FallbackCopywriter,
        catalog: Iterable[Product],
        rules: CopyRuleSettings,
        clock: Clock = utc_now,
        *,
        release_version: str | None = None,
    ) -> None:
        self._serving = _Serving(generator, release_version)
        self.fallback = fallback
        self.rules = rules
        self.clock = clock
        self._products = {product.product_id: product for product in catalog}

    @property
    def generator(self) -> TextGenerator:
        return self._serving.generator

    @property
    def release_version(self) -> str | None:
        return self._serving.release_version

    @property
    def model_version(self) -> str:
        return self._serving.generator.model_version

    def use(self, generator: TextGenerator, release_version: str | None) -> None:
        """Write the next batch with `generator` (one atomic swap; see the module docstring)."""
        self._serving = _Serving(generator, release_version)

    def product(self, product_id: str) -> Product:
        """The catalog row of `product_id`, or `UnknownProductError`."""
        product = self._products.get(product_id)
        if product is None:
            raise UnknownProductError(
                f"product {product_id!r} is not in the catalog this service loaded "
                f"({len(self._products)} products); add it to the catalog file and restart the "
                "service, or ask for a listed product"
            )
        return product

    def brief(self, request: CopyRequest) -> CopyBrief:
        return CopyBrief.of(
            self.product(request.product_id),
            request.locale,
            request.channel,
            request.angle,
            self.rules.low_stock_threshold,
            request.search_query,
        )

    def write(self, requests: Sequence[CopyRequest]) -> list[CopyOutcome]:
        """One outcome per request, in order; errors are returned, not raised, so one bad
        request never costs its batch-mates their copy."""
        serving = self._serving  # once: the whole batch is written by one release
        formed_at = self.clock()
        outcomes: list[CopyOutcome | None] = [None] * len(requests)
        live: list[tuple[int, CopyJob]] = []
        for index, request in enumerate(requests):
            try:
                brief = self.brief(request)
                if request.deadline <= formed_at:
                    late = age_ms(request.deadline, formed_at)
                    template = self._deadline_text(serving, brief, late)
                    outcomes[index] = self._copy(serving, request, template)
                else:
                    live.append((index, _job(request, brief)))
            except CopystreamError as exc:
                outcomes[index] = exc
        texts = self._generate(serving.generator, [job for _, job in live])
        for (index, _), text in zip(live, texts, strict=True):
            outcomes[index] = (
                text if isinstance(text, Exception) else self._copy(serving, requests[index], text)
            )
        return [outcome for outcome in outcomes if outcome is not None]

    def _generate(
        self, generator: TextGenerator, jobs: list[CopyJob]
    ) -> list[GeneratedText | CopystreamError]:
        """The whole batch at once; if it fails, each job alone, so only the culprit fails.

        A refusal the caller must hear of (a `CopystreamError`: unknown locale, say) is
        returned for its request. Anything else the model raises is a fault of the model path,
        not of the shopper's request: that request gets its faithful template, flagged
        `model_error` and counted, and the service goes on.
        """
        if not jobs:
            return []
        try:
            return list(generator.write(jobs))
        except Exception as exc:
            if len(jobs) == 1:
                return [self._failed(generator, jobs[0], exc)]
            log.warning("copy_batch_failed", jobs=len(jobs), error=repr(exc), retry="one by one")
        results: list[GeneratedText | CopystreamError] = []
        for job in jobs:
            try:
                results.append(generator.write([job])[0])
            except Exception as exc:
                results.append(self._failed(generator, job, exc))
        return results

    def _failed(
        self, generator: TextGenerator, job: CopyJob, exc: Exception
    ) -> GeneratedText | CopystreamError:
        if isinstance(exc, CopystreamError):
            return exc
        log.error(
            "copy_model_failed",
            product_id=job.brief.facts.product_id,
            error=repr(exc),
            answer="template",
        )
        reason = f"{MODEL_ERROR}: the model failed on this request ({type(exc).__name__})"
        return template_text(
            self.fallback, job.brief, reason, MODEL_ERROR, generator.model_version, 0
        )

    def _deadline_text(self, serving: _Serving, brief: CopyBrief, late_ms: float) -> GeneratedText:
        reason = f"{DEADLINE}: {late_ms:.0f} ms past the request's deadline when its batch formed"
        version = serving.generator.model_version
        return template_text(self.fallback, brief, reason, DEADLINE, version, 0)

    def _copy(self, serving: _Serving, request: CopyRequest, text: GeneratedText) -> GeneratedCopy:
        created_at = self.clock()
        return GeneratedCopy(
            **request.addressee(),
            copy_id=copy_id_for(request.request_id),
            angle=Angle(text.angle),
            requested_angle=Angle(text.requested_angle),
            policy_version=request.policy_version,
            model_version=text.model_version,
            release_version=serving.release_version,
            reward_model_version=text.reward_model_version,
            text=text.text,
            fallback=Fallback(used=text.fallback, reason=text.fallback_reason),
            trigger=request.trigger,
            features_snapshot_id=request.features.snapshot_id,
            features=request.features,
            created_at=created_at,
            latency_ms=age_ms(request.created_at, created_at),
        )


def _job(request: CopyRequest, brief: CopyBrief) -> CopyJob:
    """The brief with its seed and the decision's feature snapshot (for the reward model)."""
    features = request.features
    return CopyJob(brief, seed_of(request.request_id), features.user, features.product)
