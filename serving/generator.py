"""The generator facade: briefs in, checked copy out — model copy when it passes, else a template.

Each try samples `candidates` copies per brief in one batch; candidates that state anything
unfaithful or break the locale's rules are dropped. Among the survivors the reward model (when a
release ships one) keeps the one it predicts shoppers respond to best; without one, or if it
fails, the most fluent survivor (highest mean log-probability) is kept. Briefs with no survivor
after `max_tries` get the angle's faithful template, flagged and counted. So every copy this
returns has passed the checker.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from contracts.copies import FeatureValue
from contracts.logs import get_logger
from contracts.settings import Settings
from serving.checks import CopyChecker, FallbackCopywriter
from serving.generation.decoder import BatchDecoder, Decoded, DecodeRequest
from serving.generation.sampling import SamplingParams
from serving.metrics import (
    COPIES,
    DECODE_ROWS,
    DECODE_SECONDS,
    FALLBACKS,
    RERANK_FAILURES,
    REWARD_SCORES,
    VIOLATIONS,
)
from serving.model.onnx_lm import OnnxCausalLM
from serving.prompting import CopyBrief, PromptBuilder
from serving.slots import slot_texts

log = get_logger(__name__)
UNFINISHED = "unfinished: hit max_new_tokens"
"""The problem of a candidate that stopped before its end token (metric label: `unfinished`)."""
Features = Mapping[str, FeatureValue]


class CandidateScorer(Protocol):
    """What reranking needs of `serving.reward.RewardModel` (tests pass fakes). Called from the
    model thread only."""

    @property
    def version(self) -> str: ...

    def score(
        self,
        user: Features,
        product: Features,
        angle: str,
        channel: str,
        locale: str,
        texts: Sequence[str],
    ) -> list[float]:
        """One score per text, higher is better (a predicted response rate)."""
        ...


@dataclass(frozen=True)
class CopyJob:
    """One brief to write; `user` and `product` are the request's feature snapshot, which the
    reward model scores candidates against (empty: scored on the brief alone)."""

    brief: CopyBrief
    seed: int
    user: Features = field(default_factory=dict, hash=False)
    product: Features = field(default_factory=dict, hash=False)


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
    reward_model_version: str | None = None  # set when the reward model chose it
    reward_score: float | None = None

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
        scorer: CandidateScorer | None = None,
    ) -> None:
        self.model = model
        self.prompts = PromptBuilder(model.tokenizer)
        self.decoder = BatchDecoder(
            model.runner,
            model.manifest.pad_token_id,
            model.manifest.end_token_id,
            self.prompts.banned_output_ids,
            max_positions=model.manifest.max_positions,
        )
        self.checker = checker
        self.fallback = fallback
        self.params = params
        self.candidates = candidates
        self.max_tries = max_tries
        self.max_batch_rows = max_batch_rows
        self.scorer = scorer

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        checker: CopyChecker,
        *,
        model_dir: Path | None = None,
        scorer: CandidateScorer | None = None,
    ) -> CopyGenerator:
        """The model in `model_dir` (default `settings.generator_model_dir`), sampled as the
        generator settings say; blocking (loads the ONNX session)."""
        config = settings.generator
        folder = model_dir or settings.generator_model_dir
        model = OnnxCausalLM(folder, config.provider, config.intra_op_threads)
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
            scorer=scorer,
        )

    def with_scorer(self, scorer: CandidateScorer | None) -> CopyGenerator:
        """The same loaded model reranked by `scorer`: a release that changes only the reward
        model swaps in this copy instead of loading the ONNX session again."""
        twin = copy.copy(self)
        twin.scorer = scorer
        return twin

    @property
    def model_version(self) -> str:
        return self.model.manifest.model_version

    @property
    def prompt_room(self) -> int:
        """Prompt tokens that leave the model's positions room for `max_new_tokens`."""
        return self.model.manifest.max_positions - self.params.max_new_tokens

    @property
    def reward_model_version(self) -> str | None:
        return self.scorer.version if self.scorer is not None else None

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
                    best, score = choose_candidate(jobs[index], passing, self.scorer)
                    results[index] = self._model_copy(jobs[index], best, attempt, score)
                else:
                    last_problems[index] = options[0].violations if options else ("no candidate",)
                    still_pending.append(index)
            pending = still_pending
        for index in pending:
            results[index] = self._template_copy(jobs[index], last_problems[index])
        return [result for result in results if result is not None]

    def _sample(self, jobs: Sequence[CopyJob], attempt: int) -> list[list[Candidate]]:
        requests = [
            DecodeRequest(
                self.prompts.prompt_ids(job.brief, self.prompt_room),
                _candidate_seed(job.seed, attempt, n),
            )
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

    def _model_copy(
        self, job: CopyJob, best: Candidate, attempt: int, score: float | None
    ) -> GeneratedText:
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
            reward_model_version=self.reward_model_version if score is not None else None,
            reward_score=score,
        )

    def _template_copy(self, job: CopyJob, problems: tuple[str, ...]) -> GeneratedText:
        reason = "checker rejected every candidate: " + ", ".join(sorted(set(problems)))
        label = problems[0].split(":")[0] if problems else "unknown"
        return template_text(
            self.fallback, job.brief, reason, label, self.model_version, self.max_tries
        )


def choose_candidate(
    job: CopyJob, passing: Sequence[Candidate], scorer: CandidateScorer | None
) -> tuple[Candidate, float | None]:
    """The reward model's favourite among candidates that passed the checker (ties: the more
    fluent), else the most fluent; with its score, or None when fluency chose. A scorer that
    fails is logged and counted, and fluency chooses: a broken reranker never costs a copy."""
    fluent = max(passing, key=lambda option: option.mean_logprob)
    if scorer is None:
        return fluent, None
    brief = job.brief
    try:
        scores = scorer.score(
            job.user,
            job.product,
            brief.written_angle.value,
            brief.channel.value,
            brief.locale.value,
            [option.text for option in passing],
        )
        if len(scores) != len(passing):
            raise ValueError(f"{len(scores)} scores for {len(passing)} candidates")
    except Exception as exc:
        RERANK_FAILURES.inc()
        log.warning("rerank_failed", reward_model=scorer.version, error=repr(exc))
        return fluent, None
    score, _, best = max(
        zip(scores, [option.mean_logprob for option in passing], passing, strict=True),
        key=lambda ranked: (ranked[0], ranked[1]),
    )
    REWARD_SCORES.observe(score)
    return best, float(score)


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
