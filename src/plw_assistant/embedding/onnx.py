"""The query encoder on onnxruntime: the sentence-transformers model exported once with
``torch.onnx.export`` (transformer + mean pooling + normalisation in one graph), checked
against torch before it is ever used, and run with ``onnxruntime`` + ``tokenizers``.

A short question encodes ~3.5x faster than in torch (BENCHMARKS.md, "Query encoding") and a
server that finds a verified export never imports torch. Passages are still embedded with
torch, which is faster on long batches here.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .quantize import MIN_COSINE as INT8_MIN_COSINE
from .quantize import int8_path, quantize

log = logging.getLogger("plw_assistant")

FORMAT = 4  # 4: the 8-bit copy has per-block int8 weights (embedding.quantize)
# Texts the export is checked on: one at a time and as one padded batch.
PROBES = (
    "How can clusters support their members with EU funding?",
    "What is a peer learning webinar?",
    "Members are more and more interested in EU funding programmes and look to their cluster "
    "organisation for information, partners and help with writing proposals.",
    "COVID",
    "Communicate in a fog period: say what you know, what you do not know and when you will "
    "know more. " * 20,
)
MIN_COSINE = 0.9999
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OnnxExportError(Exception):
    """The model cannot be exported, or its export disagrees with torch."""


def paths(cache_dir: Path, weights_sha256: str) -> tuple[Path, Path, Path]:
    """The graph, the tokenizer and the verification record of one set of weights."""
    stem = cache_dir / "onnx" / weights_sha256[:32]
    return stem.with_suffix(".onnx"), stem.with_suffix(".tokenizer.json"), stem.with_suffix(".json")


class OnnxQueryEncoder:
    """Normalised embeddings from a verified export; safe to call from several threads."""

    def __init__(
        self, graph: Path, tokenizer: Path, record: dict[str, Any], threads: int = 1
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.dimension = int(record["dimension"])
        self.inputs = tuple(record["inputs"])
        self.min_cosine = float(record["min_cosine"])
        self.precision = str(record.get("precision", "fp32"))
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(int(record["max_seq_length"]))
        self._tokenizer.enable_padding(pad_id=int(record["pad_id"]))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        # Idle pool threads spinning for the next question would take the core that another
        # request's Python needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()  # the tokenizer's padding state is shared

    def vocabulary(self) -> dict[str, int]:
        return dict(self._tokenizer.get_vocab())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts))
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        out = self._session.run(None, {name: feed[name] for name in self.inputs})[0]
        return np.ascontiguousarray(out, dtype=np.float32)

    @classmethod
    def load(
        cls, cache_dir: Path, weights_sha256: str, threads: int = 1, int8: bool = True
    ) -> OnnxQueryEncoder | None:
        """The verified export of these weights (its 8-bit copy if asked for and it passed
        its check), or None when there is none yet."""
        found = _verified(cache_dir, weights_sha256)
        if found is None:
            return None
        graph, tokenizer, record = found
        if int8 and _has_int8(graph, record):
            graph = int8_path(graph)
            record = {**record, "min_cosine": record["int8_min_cosine"], "precision": "int8"}
        try:
            return cls(graph, tokenizer, record, threads)
        except Exception as exc:  # a damaged file is exported again rather than trusted
            log.warning("Ignoring the ONNX export in %s: %s", graph, str(exc)[:200])
            return None


def _verified(cache_dir: Path, weights_sha256: str) -> tuple[Path, Path, dict[str, Any]] | None:
    """The graph, tokenizer and record of a verified export of these weights, if there is one."""
    graph, tokenizer, record_path = paths(cache_dir, weights_sha256)
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError):
        return None
    if record.get("format") != FORMAT or record.get("weights_sha256") != weights_sha256:
        return None
    if not (graph.is_file() and tokenizer.is_file()):
        return None
    return graph, tokenizer, record


def precisions(cache_dir: Path, weights_sha256: str) -> tuple[str, ...]:
    """The precisions the export of these weights offers: fp32, and int8 when its 8-bit copy
    passed its check against torch (none without a verified export)."""
    found = _verified(cache_dir, weights_sha256)
    if found is None:
        return ()
    return ("fp32", "int8") if _has_int8(found[0], found[2]) else ("fp32",)


def _has_int8(graph: Path, record: dict[str, Any]) -> bool:
    return bool(record.get("int8_min_cosine")) and int8_path(graph).is_file()


def _pooled_module(model: Any, inputs: tuple[str, ...]) -> Any:
    """The model's transformer with mean pooling and normalisation, as one torch module."""
    import torch

    hf = model[0].auto_model

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hf = hf

        def forward(self, *args: Any) -> Any:
            named = dict(zip(inputs, args, strict=True))
            hidden = self.hf(**named).last_hidden_state
            mask = named["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    return Pooled().eval()


def _check_exportable(model: Any) -> None:
    pooling = model[1] if len(model) > 1 else None
    mean = getattr(pooling, "pooling_mode", None) == "mean" or getattr(
        pooling, "pooling_mode_mean_tokens", False
    )
    if not mean or any(type(m).__name__ != "Normalize" for m in list(model)[2:]):
        raise OnnxExportError("only mean-pooled models without extra layers are exported")


def _agreement(model: Any, encoder: OnnxQueryEncoder) -> float:
    """Lowest cosine between torch and the export on the probes, one by one and batched."""
    reference = model.encode(
        list(PROBES), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    single = np.concatenate([encoder.encode([p]) for p in PROBES])
    batch = encoder.encode(list(PROBES))
    return float(min((single * reference).sum(1).min(), (batch * reference).sum(1).min()))


def _int8_agreement(model: Any, graph: Path, record: dict[str, Any]) -> float | None:
    """The 8-bit copy's lowest cosine to torch, or None if it failed or disagrees."""
    try:
        copy = quantize(graph)
        tokenizer = graph.with_suffix(".tokenizer.json")
        cosine = _agreement(model, OnnxQueryEncoder(copy, tokenizer, {**record, "min_cosine": 0}))
    except Exception as exc:  # the fp32 export still serves
        log.warning("No 8-bit query encoder: %s", str(exc)[:200])
        return None
    if cosine < INT8_MIN_COSINE:
        log.warning("The 8-bit query encoder disagrees with torch (cosine %.4f)", cosine)
        return None
    return cosine


def export(model: Any, cache_dir: Path, weights_sha256: str) -> None:
    """Export a loaded ``SentenceTransformer``, check it (and its 8-bit copy) against torch
    and store them (``OnnxQueryEncoder.load`` reads them)."""
    import torch

    _check_exportable(model)
    tokenizer = model.tokenizer
    sample = tokenizer(list(PROBES[:2]), padding=True, return_tensors="pt")
    inputs = tuple(name for name in INPUTS if name in sample)
    graph, tok_path, record_path = paths(cache_dir, weights_sha256)
    graph.parent.mkdir(parents=True, exist_ok=True)
    tmp = graph.with_suffix(f".{os.getpid()}.tmp")
    axes = {name: {0: "batch", 1: "tokens"} for name in inputs}
    try:
        with warnings.catch_warnings(), torch.no_grad():
            # The legacy TorchScript exporter: the dynamo one needs onnxscript and tracing
            # warnings about Python booleans are checked away by the comparison below.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _pooled_module(model, inputs),
                tuple(sample[name] for name in inputs),
                str(tmp),
                input_names=list(inputs),
                output_names=["embedding"],
                dynamic_axes={**axes, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        tokenizer.backend_tokenizer.save(str(tok_path))
        record = {
            "format": FORMAT,
            "weights_sha256": weights_sha256,
            "dimension": int(model.get_embedding_dimension()),
            "max_seq_length": int(model.max_seq_length),
            "pad_id": int(tokenizer.pad_token_id or 0),
            "inputs": list(inputs),
            "torch": torch.__version__,
        }
        cosine = _agreement(model, OnnxQueryEncoder(tmp, tok_path, {**record, "min_cosine": 0.0}))
        if cosine < MIN_COSINE:
            raise OnnxExportError(f"the export disagrees with torch (cosine {cosine:.5f})")
        os.replace(tmp, graph)
        record.update(min_cosine=cosine, int8_min_cosine=_int8_agreement(model, graph, record))
        record_path.write_text(json.dumps(record, indent=1))
    except OnnxExportError:
        raise
    except Exception as exc:
        raise OnnxExportError(f"{exc.__class__.__name__}: {str(exc)[:200]}") from None
    finally:
        tmp.unlink(missing_ok=True)
    log.info("Exported the query encoder to %s (cosine to torch %.6f)", graph, cosine)
