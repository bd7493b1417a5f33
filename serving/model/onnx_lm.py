"""The exported causal LM behind one onnxruntime session, on CUDA when there is one, else CPU.

One graph serves prefill (an empty past) and decode (the previous step's present). On CUDA the
key/value cache stays on the device between steps through IO binding; only the last position's
logits come back to the host for sampling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
from tokenizers import Tokenizer

from contracts.errors import ConfigurationError
from serving.errors import ModelFileError, VocabularyMismatchError
from serving.model.manifest import ModelManifest

Provider = Literal["auto", "cuda", "cpu"]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


def choose_providers(requested: Provider) -> list[str]:
    """CUDA first when asked for or available, CPU always as the fallback."""
    available = ort.get_available_providers()
    if requested == "cuda" and CUDA not in available:
        raise ConfigurationError(
            "COPYSTREAM_GENERATOR__PROVIDER=cuda but onnxruntime has no CUDA provider here "
            f"(available: {available}); install onnxruntime-gpu or use provider 'auto'/'cpu'"
        )
    if requested != "cpu" and CUDA in available:
        return [CUDA, CPU]
    return [CPU]


class KeyValueRunner(Protocol):
    """Runs one step; keeps the past wherever the provider wants it (host or device)."""

    def empty_past(self, rows: int) -> list[Any]: ...

    def step(
        self, input_ids: IntArray, attention_mask: IntArray, position_ids: IntArray, past: list[Any]
    ) -> tuple[FloatArray, list[Any]]: ...

    def select_rows(self, past: list[Any], rows: IntArray) -> list[Any] | None: ...

    @property
    def gathers_rows(self) -> bool:
        """Whether `select_rows` can gather (and repeat) rows of the cache cheaply."""
        ...


@dataclass
class _HostRunner:
    """CPU: plain `run` with numpy arrays; the cache lives in host memory."""

    session: ort.InferenceSession
    manifest: ModelManifest
    dtype: type[np.floating[Any]]

    def empty_past(self, rows: int) -> list[Any]:
        shape = (rows, self.manifest.num_heads, 0, self.manifest.head_dim)
        return [np.zeros(shape, dtype=self.dtype) for _ in self.manifest.past_names]

    def step(
        self, input_ids: IntArray, attention_mask: IntArray, position_ids: IntArray, past: list[Any]
    ) -> tuple[FloatArray, list[Any]]:
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        feed["position_ids"] = position_ids
        feed.update(zip(self.manifest.past_names, past, strict=True))
        logits, *present = self.session.run(None, feed)
        return np.asarray(logits[:, -1, :], dtype=np.float32), present

    def select_rows(self, past: list[Any], rows: IntArray) -> list[Any] | None:
        return [np.ascontiguousarray(tensor[rows]) for tensor in past]

    @property
    def gathers_rows(self) -> bool:
        return True


@dataclass
class _DeviceRunner:
    """CUDA: IO binding; present tensors are allocated on the GPU and fed back as the past."""

    session: ort.InferenceSession
    manifest: ModelManifest
    dtype: type[np.floating[Any]]

    def empty_past(self, rows: int) -> list[Any]:
        shape = (rows, self.manifest.num_heads, 0, self.manifest.head_dim)
        empty = np.zeros(shape, dtype=self.dtype)
        return [
            ort.OrtValue.ortvalue_from_numpy(empty, "cuda", 0) for _ in self.manifest.past_names
        ]

    def step(
        self, input_ids: IntArray, attention_mask: IntArray, position_ids: IntArray, past: list[Any]
    ) -> tuple[FloatArray, list[Any]]:
        binding = self.session.io_binding()
        for name, array in (
            ("input_ids", input_ids),
            ("attention_mask", attention_mask),
            ("position_ids", position_ids),
        ):
            binding.bind_ortvalue_input(name, ort.OrtValue.ortvalue_from_numpy(array, "cuda", 0))
        for name, value in zip(self.manifest.past_names, past, strict=True):
            binding.bind_ortvalue_input(name, value)
        binding.bind_output("logits", "cuda", 0)
        for name in self.manifest.present_names:
            binding.bind_output(name, "cuda", 0)
        self.session.run_with_iobinding(binding)
        logits, *present = binding.get_outputs()
        last = logits.numpy()[:, -1, :]
        return np.asarray(last, dtype=np.float32), present

    def select_rows(self, past: list[Any], rows: IntArray) -> list[Any] | None:
        return None  # gathering rows on the device would cost more than decoding them

    @property
    def gathers_rows(self) -> bool:
        return False


class OnnxCausalLM:
    """An exported Copystream model: manifest, tokenizer and a ready onnxruntime session."""

    def __init__(
        self, folder: Path, provider: Provider = "auto", intra_op_threads: int = 0
    ) -> None:
        self.folder = folder
        self.manifest = ModelManifest.read(folder)
        self.tokenizer = _load_tokenizer(folder / self.manifest.tokenizer_file, self.manifest)
        providers = choose_providers(provider)
        self.session = _open_session(folder / self.manifest.onnx_file, providers, intra_op_threads)
        self.provider = self.session.get_providers()[0]
        dtype = np.float16 if self.manifest.dtype == "float16" else np.float32
        runner_type = _DeviceRunner if self.provider == CUDA else _HostRunner
        self.runner: KeyValueRunner = runner_type(self.session, self.manifest, dtype)

    @property
    def device(self) -> str:
        return "cuda" if self.provider == CUDA else "cpu"


def _load_tokenizer(path: Path, manifest: ModelManifest) -> Tokenizer:
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as error:  # tokenizers raises a bare Exception on a bad file
        raise ModelFileError(f"tokenizer {path} is unreadable ({error}); re-export") from error
    size = tokenizer.get_vocab_size(with_added_tokens=True)
    if size > manifest.vocab_size:
        raise VocabularyMismatchError(
            f"tokenizer {path} has {size} tokens but the model's embedding has only "
            f"{manifest.vocab_size}; the tokenizer does not belong to this model (re-export both)"
        )
    return tokenizer


def _open_session(path: Path, providers: list[str], threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=providers)
    except Exception as error:  # onnxruntime's errors share no useful base class
        raise ModelFileError(f"cannot load ONNX model {path}: {error}; re-export it") from error
