"""The generator facade: briefs in, checked copy out — model copy when it passes, else a template.

Each try samples `candidates` copies per brief in one batch; candidates that state anything
unfaithful or break the locale's rules are dropped, and the most fluent survivor (highest mean
log-probability) is kept. Briefs with no survivor after `max_tries` get the angle's faithful
template, flagged and counted. So every copy this returns has passed the checker.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from contracts.settings import Settings
from serving.checks import CopyChecker, FallbackCopywriter
from serving.generation.decoder import BatchDecoder, Decoded, DecodeRequest
from serving.generation.sampling import SamplingParams
from serving.metrics import COPIES, DECODE_ROWS, DECODE_SECONDS, FALLBACKS, VIOLATIONS
from serving.model.onnx_lm import OnnxCausalLM
from serving.prompting import CopyBrief, PromptBuilder
from serving.slots import slot_texts

UNFINISHED = "unfinished: hit max_new_tokens"
"""The problem of a candidate that stopped before its end token (metric label: `unfinished`)."""


@dataclass(frozen=True)
class CopyJob:
    brief: CopyBrief
    seed: int


@dataclass(frozen=True)
class Candidate:
    text: str
    mean_logprob: float
    violations: tuple[str, ...]


@dataclass(frozen=True)
class GeneratedText:
    """One copy ready for a shopper. `angle` is the angle it was written from (the requested
    one, or its pivot where the premise is false); `fallback_reason` is set for a template."""

    text: str
    angle: str
    requested_angle: str
    model_version: str
    fallback_reason: str | None
    tries: int
    mean_logprob: float | None

    @property
    def fallback(self) -> bool:
        return self.fallback_reason is not None


class CopyGenerator:
    """Writes checked copy for many briefs at once on one exported model."""

    def __init__(
        self,
        model: OnnxCausalLM,
        checker: CopyChecker,
        fallback: FallbackCopywriter,
        params: SamplingParams,
        *,
        candidates: int = 3,
        max_tries: int = 2,
        max_batch_rows: int = 64,
    ) -> None:
        self.model = model
        self.prompts = PromptBuilder(model.tokenizer)
        self.decoder = BatchDecoder(
            model.runner,
            model.manifest.pad_token_id,
            model.manifest.end_token_id,
            self.prompts.banned_output_ids,
        )
        self.checker = checker
        self.fallback = fallback
        self.params = params
        self.candidates = candidates
        self.max_tries = max_tries
        self.max_batch_rows = max_batch_rows

    @classmethod
    def from_settings(cls, settings: Settings, checker: CopyChecker) -> CopyGenerator:
        config = settings.generator
        model = OnnxCausalLM(settings.generator_model_dir, config.provider, config.intra_op_threads)
        params = SamplingParams(
            max_new_tokens=config.max_new_tokens,
            temperature=config.temperature,
            top_k=config.top_k,
            top_p=config.top_p,
            repetition_penalty=config.repetition_penalty,
        )
        return cls(
            model,
            checker,
            FallbackCopywriter(settings.copy_rules, checker),
            params,
            candidates=config.candidates,
            max_tries=config.max_tries,
            max_batch_rows=config.max_batch_rows,
        )

    @property
    def model_version(self) -> str:
        return self.model.manifest.model_version

    def write(self, jobs: Sequence[CopyJob]) -> list[GeneratedText]:
        results: list[GeneratedText | None] = [None] * len(jobs)
        last_problems: dict[int, tuple[str, ...]] = {}
        pending = list(range(len(jobs)))
        for attempt in range(1, self.max_tries + 1):
            if not pending:
                break
            candidates = self._sample([jobs[index] for index in pending], attempt)
            still_pending = []
            for index, options in zip(pending, candidates, strict=True):
                passing = [option for option in options if not option.violations]
                if passing:
                    best = max(passing, key=lambda option: option.mean_logprob)
                    results[index] = self._model_copy(jobs[index], best, attempt)
                else:
                    last_problems[index] = options[0].violations if options else ("no candidate",)
                    still_pending.append(index)
            pending = still_pending
        for index in pending:
            results[index] = self._template_copy(jobs[index], last_problems[index])
        return [result for result in results if result is not None]

    def _sample(self, jobs: Sequence[CopyJob], attempt: int) -> list[list[Candidate]]:
        requests = [
            DecodeRequest(self.prompts.prompt_ids(job.brief), _candidate_seed(job.seed, attempt, n))
            for job in jobs
            for n in range(self.candidates)
        ]
        decoded = []
        for start in range(0, len(requests), self.max_batch_rows):
            chunk = requests[start : start + self.max_batch_rows]
            started = time.perf_counter()
            decoded += self.decoder.decode(chunk, self.params)
            DECODE_SECONDS.observe(time.perf_counter() - started)
            DECODE_ROWS.observe(len(chunk))
        grouped: list[list[Candidate]] = []
        for position, job in enumerate(jobs):
            rows = decoded[position * self.candidates : (position + 1) * self.candidates]
            slots = slot_texts(job.brief.facts)  # once per brief, shared by its candidates
            grouped.append([self._candidate(job.brief, slots, row) for row in rows])
        return grouped

    def _candidate(self, brief: CopyBrief, slots: Mapping[str, str], row: Decoded) -> Candidate:
        text = self.prompts.copy_text(row.token_ids, slots)
        problems = [] if row.finished else [UNFINISHED]
        problems += [violation.rule for violation in self.checker.check(text, brief).violations]
        for rule in problems:
            VIOLATIONS.labels(rule=rule.split(":")[0]).inc()
        return Candidate(text, row.mean_logprob, tuple(problems))

    def _model_copy(self, job: CopyJob, best: Candidate, attempt: int) -> GeneratedText:
        brief = job.brief
        COPIES.labels(source="model", locale=brief.locale.value, angle=brief.angle.value).inc()
        return GeneratedText(
            best.text,
            brief.written_angle.value,
            brief.angle.value,
            self.model_version,
            None,
            attempt,
            best.mean_logprob,
        )

    def _template_copy(self, job: CopyJob, problems: tuple[str, ...]) -> GeneratedText:
        reason = "checker rejected every candidate: " + ", ".join(sorted(set(problems)))
        label = problems[0].split(":")[0] if problems else "unknown"
        return template_text(
            self.fallback, job.brief, reason, label, self.model_version, self.max_tries
        )


def template_text(
    fallback: FallbackCopywriter,
    brief: CopyBrief,
    reason: str,
    metric_reason: str,
    model_version: str,
    tries: int,
) -> GeneratedText:
    """The brief's faithful template in place of model copy, flagged with `reason` and counted
    (`copystream_fallbacks_total{reason=metric_reason}`)."""
    copy = fallback.write(brief, reason)
    COPIES.labels(source="fallback", locale=brief.locale.value, angle=copy.angle_used).inc()
    FALLBACKS.labels(reason=metric_reason).inc()
    return GeneratedText(
        copy.text, copy.angle_used.value, brief.angle.value, model_version, reason, tries, None
    )


def _candidate_seed(seed: int, attempt: int, candidate: int) -> int:
    """Independent, reproducible streams per (request seed, try, candidate)."""
    return int(np.random.SeedSequence([seed & 0xFFFFFFFF, attempt, candidate]).generate_state(1)[0])
