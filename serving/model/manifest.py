"""The manifest of an exported model folder: the contract between `training/` and `serving/`.

A folder holds `model.onnx` (one graph: prefill with an empty past, decode with the last
step's past), `tokenizer.json` and this manifest. Serving trusts nothing else in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from serving.errors import ModelFileError

MANIFEST_FILE = "copystream_model.json"
MANIFEST_FORMAT = 1


class ParityReport(BaseModel):
    """How closely the ONNX graph reproduced PyTorch when it was exported."""

    model_config = ConfigDict(frozen=True)

    max_abs_logit_diff: float
    tolerance: float
    greedy_identical: bool
    rows: int
    new_tokens: int


class ModelManifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: int = MANIFEST_FORMAT
    model_version: str
    architecture: str = "gpt2"
    dtype: Literal["float32", "float16"]
    onnx_file: str = "model.onnx"
    tokenizer_file: str = "tokenizer.json"
    num_layers: int = Field(ge=1)
    num_heads: int = Field(ge=1)
    head_dim: int = Field(ge=1)
    vocab_size: int = Field(ge=1)
    max_positions: int = Field(ge=1)
    parameters: int = Field(ge=1)
    pad_token_id: int
    end_token_id: int
    categories: tuple[str, ...] = ()
    source: str = Field(description="checkpoint the graph was exported from")
    parity: ParityReport | None = None

    @property
    def past_names(self) -> list[str]:
        return [f"past.{layer}.{kind}" for layer in range(self.num_layers) for kind in KV]

    @property
    def present_names(self) -> list[str]:
        return [f"present.{layer}.{kind}" for layer in range(self.num_layers) for kind in KV]

    def write(self, folder: Path) -> None:
        (folder / MANIFEST_FILE).write_text(self.model_dump_json(indent=2) + "\n")

    @classmethod
    def read(cls, folder: Path) -> ModelManifest:
        path = folder / MANIFEST_FILE
        if not path.is_file():
            raise ModelFileError(
                f"no model manifest at {path}; export a model first "
                "(`python -m training.bootstrap`, or `make demo` which does it)"
            )
        try:
            manifest = cls.model_validate_json(path.read_bytes())
        except ValidationError as error:
            raise ModelFileError(f"model manifest {path} is corrupt: {error}") from error
        for name in (manifest.onnx_file, manifest.tokenizer_file):
            if not (folder / name).is_file():
                raise ModelFileError(f"model folder {folder} lacks {name}; re-export the model")
        return manifest


KV = ("key", "value")
