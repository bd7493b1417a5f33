"""The reward model: how much a shown copy is expected to earn, used to rerank candidates.

One Vowpal Wabbit logistic regression per rewarded outcome kind (by default click and
purchase: the kinds whose weight in `settings.outcomes.reward_weights` is not zero), each
estimating P(kind | shown). A copy's score is the weighted sum of those probabilities with the
weights captured when the model was made, so a served model keeps meaning what it was trained
to mean even if the settings change later.

Features: the user's and product's snapshot rows (the angle policy's featurization), the angle
written, channel and locale, and the copy's text tokens, with text x user, text x where and
angle x user interactions. The trigger is left out on purpose: serving ranks candidates of one
request against each other, so context-only terms cancel, and channel already tells a banner
from a push or email reminder.

VW workspaces are not thread-safe: one lock serialises scoring and learning.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, ValidationError
from tqdm import tqdm
from vowpalwabbit import Workspace

from contracts.copies import FeatureValue
from contracts.errors import ConfigurationError
from contracts.outcomes import CopyOutcomeRecord, OutcomeKind
from contracts.settings import Settings
from policy.vw_format import feature_tokens, sanitize
from serving.reward.text_features import text_tokens

MANIFEST_FILE = "reward_model.json"
MANIFEST_FORMAT = 1
UNSAVED_VERSION = "rm-unsaved"
HEAD_KINDS = (OutcomeKind.CLICK, OutcomeKind.ADD_TO_CART, OutcomeKind.PURCHASE)
"""Outcome kinds a head can predict; an impression is the condition, not an outcome."""
BITS = 20
"""2^20 hashed weights: text x user crosses are many; a saved model stores non-zero ones only."""
INTERACTIONS = ("tu", "tw", "au")
"""text x user (who likes which words), text x where (what works on push vs web, en vs zh),
angle x user (who likes which angle even before the words)."""
LEARNING_RATE = 0.1
"""Below VW's default 0.5: purchases are rare, and at 0.5 the purchase head overfit a week of
synthetic outcomes (held-out log loss above the base rate) where 0.1 beat it with 840
examples; clicks learn as well either way."""
_PROBABILITY_FLOOR = 1e-6
"""Log loss clips probabilities to [floor, 1 - floor] so one confident miss stays finite."""


class RewardModelLoadError(ConfigurationError):
    """Raised when a reward model folder is missing, incomplete, or its files do not match its
    manifest."""


class RewardModelManifest(BaseModel):
    """What a saved reward model is; `version` hashes its head files and reward weights."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: int = MANIFEST_FORMAT
    version: str = Field(min_length=1, max_length=64)
    heads: dict[OutcomeKind, str] = Field(description="outcome kind -> VW model file")
    reward_weights: dict[OutcomeKind, float]
    vw_arguments: str
    created_at: AwareDatetime
    trained_on: int = Field(ge=0, description="outcome records it has learned from")
    notes: dict[str, JsonValue] = Field(default_factory=dict)


def vw_arguments(seed: int) -> str:
    """The command line of a fresh head; `--link logistic` makes `predict` a probability."""
    tokens = ["--loss_function", "logistic", "--link", "logistic", "--bit_precision", str(BITS)]
    tokens += ["--learning_rate", repr(LEARNING_RATE)]
    for pair in INTERACTIONS:
        tokens += ["-q", pair]
    return " ".join([*tokens, "--random_seed", str(seed), "--quiet"])


def head_label(record: CopyOutcomeRecord, kind: OutcomeKind) -> bool:
    """Whether the shown copy earned `kind` at least once (what a head predicts)."""
    counts = {
        OutcomeKind.CLICK: record.clicks,
        OutcomeKind.ADD_TO_CART: record.add_to_carts,
        OutcomeKind.PURCHASE: record.purchases,
    }
    return counts[kind] > 0


class RewardModel:
    """Expected reward of each candidate copy; see the module docstring."""

    def __init__(
        self,
        heads: Mapping[OutcomeKind, Workspace],
        reward_weights: Mapping[OutcomeKind, float],
        arguments: str,
        *,
        version: str = UNSAVED_VERSION,
        trained_on: int = 0,
    ) -> None:
        """Use `fresh` or `load`; this takes ready workspaces."""
        if not heads:
            raise ValueError("a reward model needs at least one head")
        self.version = version
        self.trained_on = trained_on
        self.reward_weights = {kind: float(reward_weights.get(kind, 0.0)) for kind in heads}
        self._heads = dict(heads)
        self._arguments = arguments
        self._lock = threading.Lock()

    @classmethod
    def fresh(cls, settings: Settings) -> RewardModel:
        """An untrained model with one head per kind the settings reward (weight != 0)."""
        weights = {
            kind: weight
            for kind, weight in settings.outcomes.reward_weights.items()
            if kind in HEAD_KINDS and weight != 0.0
        }
        if not weights:
            raise ConfigurationError(
                "settings.outcomes.reward_weights reward no outcome kind (all weights are 0); "
                "give click, add_to_cart or purchase a weight, e.g. "
                "COPYSTREAM_OUTCOMES__REWARD_WEIGHTS='{\"click\": 1.0}'"
            )
        arguments = vw_arguments(settings.retraining.seed)
        heads = {kind: Workspace(arguments) for kind in weights}
        return cls(heads, weights, arguments)

    @classmethod
    def load(cls, folder: Path) -> RewardModel:
        """Read a saved model; its head files must hash to the manifest's version."""
        folder = Path(folder)
        manifest = read_reward_manifest(folder)
        blobs: dict[OutcomeKind, bytes] = {}
        for kind, name in manifest.heads.items():
            try:
                blobs[kind] = (folder / name).read_bytes()
            except OSError as error:
                raise _unusable(folder, str(error)) from error
        found = _version(blobs, manifest.reward_weights)
        if found != manifest.version:
            raise _unusable(
                folder, f"its files hash to {found}, its manifest names {manifest.version}"
            )
        heads: dict[OutcomeKind, Workspace] = {}
        for kind, name in manifest.heads.items():
            # VW keeps the link but not the loss in a saved model; learning needs the loss back.
            arguments = ["--quiet", "-i", str(folder / name), "--loss_function", "logistic"]
            try:
                heads[kind] = Workspace(arg_list=arguments)
            except RuntimeError as error:
                raise _unusable(folder, str(error)) from error
        return cls(
            heads,
            manifest.reward_weights,
            manifest.vw_arguments,
            version=manifest.version,
            trained_on=manifest.trained_on,
        )

    @property
    def kinds(self) -> tuple[OutcomeKind, ...]:
        return tuple(self._heads)

    def score(
        self,
        user: Mapping[str, FeatureValue],
        product: Mapping[str, FeatureValue],
        angle: str,
        channel: str,
        locale: str,
        texts: Sequence[str],
    ) -> list[float]:
        """Expected reward of showing each text, in `texts` order (sum of weight x P(kind))."""
        shared = _shared_part(user, product, angle, channel, locale)
        scores: list[float] = []
        with self._lock:
            for text in texts:
                line = f"{shared} |text {' '.join(text_tokens(text, locale))}"
                scores.append(
                    sum(
                        self.reward_weights[kind] * float(head.predict(line))
                        for kind, head in self._heads.items()
                    )
                )
        return scores

    def probabilities(self, record: CopyOutcomeRecord) -> dict[OutcomeKind, float]:
        """P(kind | shown) of each head for a logged copy."""
        line = _record_line(record)
        with self._lock:
            return {kind: float(head.predict(line)) for kind, head in self._heads.items()}

    def learn(
        self, records: Sequence[CopyOutcomeRecord], passes: int = 1, *, progress: bool = False
    ) -> None:
        """`passes` online passes over `records`, in the order given (time order, usually)."""
        lines = [_record_line(record) for record in records]
        labels = {kind: [1 if head_label(r, kind) else -1 for r in records] for kind in self._heads}
        bar = tqdm(total=passes * len(lines), desc="reward model", unit="ex", disable=not progress)
        with self._lock:
            self.version = UNSAVED_VERSION
            for _ in range(passes):
                for index, line in enumerate(lines):
                    for kind, head in self._heads.items():
                        head.learn(f"{labels[kind][index]} {line}")
                    bar.update(1)
            self.trained_on += len(records)
        bar.close()

    def log_loss(self, records: Sequence[CopyOutcomeRecord]) -> dict[str, float]:
        """Mean binary log loss per head (lower is better) on `records`; NaN when empty."""
        totals = dict.fromkeys(self._heads, 0.0)
        for record in records:
            for kind, probability in self.probabilities(record).items():
                totals[kind] += binary_log_loss(probability, head_label(record, kind))
        count = len(records)
        return {
            kind.value: (total / count if count else math.nan) for kind, total in totals.items()
        }

    def save(self, folder: Path, *, notes: Mapping[str, JsonValue] | None = None) -> str:
        """Write the heads and the manifest into `folder` (created); returns the version."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        files: dict[OutcomeKind, str] = {}
        blobs: dict[OutcomeKind, bytes] = {}
        with self._lock:
            for kind, head in self._heads.items():
                name = f"{kind.value}.vw"
                partial = folder / f"{name}.partial"
                head.save(str(partial))
                blobs[kind] = partial.read_bytes()
                os.replace(partial, folder / name)
                files[kind] = name
            self.version = _version(blobs, self.reward_weights)
        manifest = RewardModelManifest(
            version=self.version,
            heads=files,
            reward_weights=self.reward_weights,
            vw_arguments=self._arguments,
            created_at=datetime.now(UTC),
            trained_on=self.trained_on,
            notes=dict(notes or {}),
        )
        partial = folder / f"{MANIFEST_FILE}.partial"
        partial.write_text(manifest.model_dump_json(indent=2) + "\n")
        os.replace(partial, folder / MANIFEST_FILE)
        return self.version

    def close(self) -> None:
        """Release VW's workspaces; the model cannot be used afterwards."""
        with self._lock:
            for head in self._heads.values():
                head.finish()
            self._heads = {}


def read_reward_manifest(folder: Path) -> RewardModelManifest:
    file = Path(folder) / MANIFEST_FILE
    if not file.is_file():
        raise RewardModelLoadError(
            f"no reward model manifest at {file}; publish a release with a reward model "
            "(`python -m training round`) or serve without one"
        )
    try:
        return RewardModelManifest.model_validate_json(file.read_bytes())
    except (OSError, ValidationError) as error:
        raise _unusable(Path(folder), str(error)) from error


def binary_log_loss(probability: float, happened: bool) -> float:
    p = min(max(probability, _PROBABILITY_FLOOR), 1.0 - _PROBABILITY_FLOOR)
    return -math.log(p if happened else 1.0 - p)


def _shared_part(
    user: Mapping[str, FeatureValue],
    product: Mapping[str, FeatureValue],
    angle: str,
    channel: str,
    locale: str,
) -> str:
    parts = [
        "|user " + " ".join(feature_tokens(user)),
        "|product " + " ".join(feature_tokens(product)),
        f"|angle angle={sanitize(str(angle))}",
        f"|where channel={sanitize(str(channel))} locale={sanitize(str(locale))}",
    ]
    return " ".join(parts)


def _record_line(record: CopyOutcomeRecord) -> str:
    """The unlabelled example of a logged copy: the angle written, as serving scores it."""
    shared = _shared_part(
        record.user_features(),
        record.product_features(),
        record.angle.value,
        record.channel.value,
        record.locale.value,
    )
    return f"{shared} |text {' '.join(text_tokens(record.text, record.locale.value))}"


def _version(blobs: Mapping[OutcomeKind, bytes], weights: Mapping[OutcomeKind, float]) -> str:
    digest = hashlib.blake2b(digest_size=6)
    for kind in sorted(blobs):
        digest.update(kind.value.encode() + b"\0" + blobs[kind])
        digest.update(repr(float(weights.get(kind, 0.0))).encode())
    return "rm-" + digest.hexdigest()


def _unusable(folder: Path, reason: str) -> RewardModelLoadError:
    return RewardModelLoadError(
        f"the reward model in {folder} cannot be used ({reason}); publish a release again or "
        "roll back (`python -m training rollback`)"
    )
