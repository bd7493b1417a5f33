"""The learned angle policy: a Vowpal Wabbit cb_explore_adf model over the angles.

VW workspaces are not thread-safe. Callers are expected to use a policy from one thread (the
stream worker's decision thread, the trainer); an internal lock still serialises calls, so a
stray second thread waits instead of corrupting the model.

A policy's `version` names the exact model bytes it was saved to or loaded from
(`vw-<hash>`), so every logged decision can be traced to the model that made it; learning
marks it `vw-unsaved` until the next save.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from vowpalwabbit import Workspace

from contracts.errors import PolicyLoadError
from contracts.settings import PolicySettings
from contracts.vocabulary import Angle
from policy.context import DecisionContext
from policy.decision import ANGLES
from policy.exploration import exploration_arguments, vw_arguments
from policy.vw_format import FeatureFilter, context_lines, labelled_lines

UNSAVED_VERSION = "vw-unsaved"


def model_version(model: bytes) -> str:
    """The version of a saved model: a short hash of its bytes, the same wherever it is saved."""
    return "vw-" + hashlib.blake2b(model, digest_size=6).hexdigest()


@dataclass(frozen=True)
class LoggedDecision:
    """One decision and what it earned, as the learning loop replays it.

    `propensity` is the probability the chosen `angle` had when it was decided (VW weighs by
    its inverse); `cost` is lower-is-better, e.g. minus the reward. For off-policy evaluation
    over the copies actually written, a decision may also carry the whole distribution it was
    drawn from (`logged_pmf`) and the angle each ask would have been written as (`written_as`),
    both in `ANGLES` order; () where unknown.
    """

    context: DecisionContext
    angle: Angle
    propensity: float
    cost: float
    logged_pmf: tuple[float, ...] = ()
    written_as: tuple[Angle, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 < self.propensity <= 1.0:
            raise ValueError(f"the propensity must be in (0, 1]; got {self.propensity!r}")
        if not math.isfinite(self.cost):
            raise ValueError(f"the cost must be a finite number; got {self.cost!r}")


class VowpalAnglePolicy:
    """Implements `AnglePolicy`; see the module docstring on threads and versions."""

    def __init__(
        self,
        settings: PolicySettings,
        *,
        _workspace: Workspace | None = None,
        _version: str = UNSAVED_VERSION,
    ) -> None:
        """A fresh (untrained) policy; `load` passes the private arguments."""
        self.settings = settings
        self.features = FeatureFilter(settings.ignored_features)
        self.version = _version
        self._workspace = Workspace(vw_arguments(settings)) if _workspace is None else _workspace
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def load(
        cls, path: Path, settings: PolicySettings, *, expected_version: str | None = None
    ) -> VowpalAnglePolicy:
        """Read a saved model; `settings` must be those it was trained with.

        A VW model carries its own command line, and VW silently ignores or overrides exploration
        flags given on top of it, so none are given: settings that disagree with the file raise
        `PolicyLoadError` instead of serving an exploration nobody asked for. VW loads a model
        with flipped bytes without complaint, so give `expected_version` (the manifest's) to
        have the bytes checked before VW reads them.
        """
        path = Path(path)
        try:
            model = path.read_bytes()
        except OSError as error:
            raise _unusable(path, str(error)) from error
        version = model_version(model)
        if expected_version is not None and version != expected_version:
            raise _unusable(path, f"its bytes are {version}, its manifest names {expected_version}")
        try:
            workspace = Workspace(arg_list=["--quiet", "--initial_regressor", str(path)])
        except RuntimeError as error:
            raise _unusable(path, str(error)) from error
        found = workspace.get_arguments()
        if not _exploration_matches(found, settings):
            workspace.finish()
            raise PolicyLoadError(
                f"the angle policy model {path} explores with `{found.strip()}`, but the "
                f"settings ask for `{' '.join(exploration_arguments(settings))}`; load it with "
                "the settings it was trained with (its manifest has them), or train a fresh "
                "policy to change how it explores"
            )
        return cls(settings, _workspace=workspace, _version=version)

    def pmf(self, context: DecisionContext) -> tuple[float, ...]:
        """VW's exploration pmf over `ANGLES`, exactly as VW computed it (float32 values).

        VW orders its action scores by probability; the Python binding puts them back in action
        order, which is `ANGLES` order because the action lines are written in that order.
        """
        lines = context_lines(context, self.features)
        with self._lock:
            self._check_open()
            probabilities = self._workspace.predict(lines)
        if len(probabilities) != len(ANGLES):
            raise RuntimeError(
                f"VW returned {len(probabilities)} probabilities for {len(ANGLES)} angles"
            )
        return tuple(float(p) for p in probabilities)

    def learn(self, examples: Sequence[LoggedDecision]) -> None:
        """One online pass over the logged decisions, in order."""
        if not examples:
            return
        with self._lock:
            self._check_open()
            self.version = UNSAVED_VERSION  # first: a batch that fails halfway changed the model
            for example in examples:
                lines = labelled_lines(
                    example.context, example.angle, example.cost, example.propensity, self.features
                )
                self._workspace.learn(lines)

    def save(self, path: Path) -> str:
        """Write the model to `path` (replaced whole, never half-written); returns its version."""
        path = Path(path)
        partial = path.with_name(path.name + ".partial")
        with self._lock:
            self._check_open()
            self._workspace.save(str(partial))
            model = partial.read_bytes()
            os.replace(partial, path)
            self.version = model_version(model)
        return self.version

    def close(self) -> None:
        """Release VW's workspace; the policy cannot be used afterwards."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._workspace.finish()

    def __enter__(self) -> VowpalAnglePolicy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError(f"the angle policy {self.version} is closed")


def _unusable(path: Path, reason: str) -> PolicyLoadError:
    return PolicyLoadError(
        f"the angle policy model {path} cannot be used ({reason}); publish a policy again, "
        "or delete its folder to serve the uniform cold-start policy"
    )


def _exploration_matches(arguments: str, settings: PolicySettings) -> bool:
    """Whether a loaded model's command line explores the way `settings` say."""
    found = _flags(arguments.split())
    expected = _flags(exploration_arguments(settings))
    modes = {"--softmax", "--bag"}
    if modes & found.keys() != modes & expected.keys():
        return False
    for flag, value in expected.items():
        if flag not in found:
            return False
        if value is not None and not math.isclose(
            float(value), float(found[flag] or "nan"), rel_tol=1e-6, abs_tol=1e-9
        ):
            return False
    return True


def _flags(tokens: Sequence[str]) -> dict[str, str | None]:
    flags: dict[str, str | None] = {}
    for index, token in enumerate(tokens):
        if token.startswith("--"):
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            has_value = following is not None and not following.startswith("--")
            flags[token] = following if has_value else None
    return flags
