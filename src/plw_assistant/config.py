"""Settings, read once from the environment (``PLW_`` prefix)."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A question's vocabulary is the domain's; still importable from here, as it used to be.
from .domain import MAX_QUESTION_CHARS as MAX_QUESTION_CHARS
from .domain import MODES as MODES
from .domain import Mode as Mode
from .errors import PLWError

# The vocabulary of settings, defined once.
IndexType = Literal["auto", "flat", "ivf", "hnsw"]
QueryBackend = Literal["auto", "onnx", "torch"]
SentenceVectors = Literal["late", "separate"]
BuildPrecision = Literal["auto", "fp32", "bf16"]
QueryPrecision = Literal["auto", "int8", "fp32"]

DEFAULT_MODEL = "all-MiniLM-L6-v2"
MAX_K = 20
# Chosen on SciFact's train split: see BENCHMARKS.md, "How the fusion weight was chosen".
DEFAULT_HYBRID_ALPHA = 0.6
# Calibrated on tests/golden/plw-dev.jsonl: see BENCHMARKS.md, "Abstention".
DEFAULT_MIN_SCORE = 0.22
MIN_ADMIN_TOKEN = 16
# The admin's golden questions, kept beside the notes and never indexed as one.
GOLDEN_FILE = "golden.jsonl"
SQLITE_URL = "sqlite:///"  # then the path: sqlite:///data/app.sqlite, sqlite:////srv/app.sqlite
ADMIN_TOKEN_TOO_SHORT = (
    f"PLW_ADMIN_TOKEN is too short: use at least {MIN_ADMIN_TOKEN} characters; "
    "uploading stays disabled."
)


# A rate in its plainest form ("10/minute"); anything else is checked by limits itself.
PLAIN_RATE = re.compile(r"[1-9][0-9]{0,8}/(second|minute|hour|day|month|year)")


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "plw-assistant"


class Settings(BaseSettings):
    """Every knob of PLW Assistant; each field maps to an environment variable ``PLW_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PLW_", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of Markdown/text notes.")
    index_dir: Path = Field(Path("index"), description="Folder where the index is built.")
    model: str = Field(
        DEFAULT_MODEL,
        description="Embedding model: the bundled all-MiniLM-L6-v2, or any sentence-transformers "
        "model name or local path.",
    )
    top_k: int = Field(5, ge=1, le=MAX_K, description="Passages retrieved per question.")
    chunk_max_chars: int = Field(
        1000, ge=200, le=10000, description="Paragraphs longer than this are split at sentences."
    )
    batch_size: int = Field(32, ge=1, le=1024, description="Passages embedded per batch.")
    mode: Mode = Field(
        "hybrid", description="Retrieval: dense + BM25 fused (hybrid), dense only or BM25 only."
    )
    hybrid_alpha: float = Field(
        DEFAULT_HYBRID_ALPHA,
        ge=0.0,
        le=1.0,
        description="Weight of dense similarity against BM25 in hybrid mode.",
    )
    min_score: float = Field(
        DEFAULT_MIN_SCORE,
        ge=-1.0,
        le=1.0,
        description="Abstain when no passage reaches this cosine similarity to the question.",
    )
    llm_base_url: str | None = Field(
        None,
        description="OpenAI-compatible server (Ollama, llama.cpp, vLLM, OpenAI) for generated "
        "answers, e.g. http://127.0.0.1:11434/v1; unset means extractive answers only.",
    )
    llm_model: str | None = Field(None, description="Model name to ask the LLM server for.")
    llm_api_key: str | None = Field(None, description="Bearer token for the LLM server, if any.")
    llm_timeout: float = Field(
        30.0, gt=0, le=600, description="Seconds to wait for the LLM before falling back."
    )
    admin_token: SecretStr | None = Field(
        None,
        description=f"Token that unlocks uploading notes on /admin; unset, blank or shorter "
        f"than {MIN_ADMIN_TOKEN} characters disables it.",
    )
    allowed_hosts: str = Field(
        "localhost,127.0.0.1,::1",
        description="Comma-separated host names the server answers to (the Host header); "
        "`*` allows any. `plw serve --host X` adds X.",
    )
    body_timeout: float = Field(
        10.0, gt=0, le=600, description="Seconds a client has to send a request's whole body."
    )
    feedback_rate: str = Field(
        "10/minute", description="Feedback votes one client address may send (moving window)."
    )
    admin_failure_rate: str = Field(
        "5/minute", description="Refused admin requests one client address may make."
    )
    ask_rate: str = Field("120/minute", description="Questions one client address may ask.")
    gap_rate: str = Field("30/hour", description="Gap-log entries one client address may add.")
    watch: bool = Field(False, description="Re-index when files under the corpus change.")
    index_type: IndexType = Field(
        "auto",
        description="Vector search: exact flat, approximate IVF or HNSW, or auto (IVF from "
        "PLW_ANN_THRESHOLD chunks on, flat below).",
    )
    ann_threshold: int = Field(
        50_000, ge=1, description="Chunk count from which `auto` uses IVF instead of flat."
    )
    onnx_threads: int = Field(
        1,
        ge=1,
        le=64,
        description="Threads one question's ONNX encoding may use (1: concurrent questions "
        "use the other cores; see BENCHMARKS.md).",
    )
    max_pending: int = Field(
        64,
        ge=1,
        le=10_000,
        description="Questions in progress or waiting at once; more are refused with 503.",
    )
    max_upload_mb: int = Field(10, ge=1, le=100, description="Largest note /admin accepts.")
    trusted_proxies: str = Field(
        "",
        description="Reverse proxies (addresses, comma-separated) whose X-Forwarded-For is "
        "believed; empty: limits and logs use the address that connected.",
    )
    database_url: str | None = Field(
        None,
        description="The app database (feedback, unanswered questions, admin sessions, rate "
        "limits), shared by every server over the index folder: sqlite:///path/to/file "
        "(default: app.sqlite in the index folder).",
    )
    feedback_db: Path | None = Field(
        None, description="Feedback file of earlier versions, imported once into the database."
    )
    gap_log: bool = Field(
        True,
        description="Keep the questions the notes could not answer (abstained, answered only "
        "from topic labels, or marked No) for /admin and `plw gaps`; no identity is kept.",
    )
    gap_log_days: int = Field(
        90, ge=1, le=3650, description="Days a recorded unanswered question is kept."
    )
    gap_db: Path | None = Field(
        None, description="Gap-log file of earlier versions, imported once into the database."
    )
    golden: Path | None = Field(
        None,
        description="Golden questions /admin measures after each re-index (default: "
        "golden.jsonl in the corpus folder, when it exists).",
    )
    cache_dir: Path = Field(
        default_factory=default_cache_dir,
        description="Where passage embeddings and the ONNX query encoder are cached.",
    )
    query_backend: QueryBackend = Field(
        "auto",
        description="How questions are encoded: onnxruntime (an export of the model checked "
        "against torch, ~3x faster per question), torch, or auto (onnx when the export works).",
    )
    query_precision: QueryPrecision = Field(
        "auto",
        description="Weights of the ONNX query encoder: int8 (an 8-bit copy, used only if it "
        "agrees with torch to a cosine of 0.995), fp32, or auto: both timed once on this CPU "
        "(kept in the cache, keyed by the CPU and versions) and the faster that agrees kept.",
    )
    sentence_vectors: SentenceVectors = Field(
        "late",
        description="How sentence vectors are made: pooled from one pass over the passage "
        "(late) or each sentence embedded on its own (separate, the older and slower way).",
    )
    build_precision: BuildPrecision = Field(
        "auto",
        description="Arithmetic for embedding passages: bf16 (used only if it agrees with "
        "fp32), fp32, or auto: bf16 timed against fp32 once on this CPU where torch has bf16 "
        "kernels (kept in the cache, keyed by the CPU and versions), the faster kept.",
    )

    multilingual: bool | None = Field(
        None,
        description="Whether PLW_MODEL reads questions in languages other than English; unset: "
        "guessed from the model's name (multilingual, LaBSE, bge-m3).",
    )

    @property
    def reads_any_language(self) -> bool:
        if self.multilingual is not None:
            return self.multilingual
        name = self.model.lower()
        return any(m in name for m in ("multilingual", "labse", "bge-m3", "-m3"))

    @field_validator("model")
    @classmethod
    def _model_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name a sentence-transformers model or a local path")
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _sqlite_url(cls, value: str | None) -> str | None:
        if value is not None and (
            not value.startswith(SQLITE_URL) or not value.removeprefix(SQLITE_URL).strip()
        ):
            raise ValueError("must be sqlite:/// followed by the database file's path")
        return value

    @field_validator("feedback_rate", "admin_failure_rate", "ask_rate", "gap_rate")
    @classmethod
    def _rate(cls, value: str) -> str:
        if PLAIN_RATE.fullmatch(value):
            return value  # one that limits reads, without importing it (60 ms) in every command
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError("must be a rate such as 10/minute or 100 per hour") from None
        return value

    @property
    def admin_secret(self) -> str | None:
        """The admin token when it is long enough to be one, else ``None`` (admin disabled)."""
        token = self.admin_token.get_secret_value() if self.admin_token else ""
        return token if len(token.strip()) >= MIN_ADMIN_TOKEN else None

    @property
    def admin_problem(self) -> str | None:
        """Why a configured admin token is refused, if it is."""
        if self.admin_token is not None and self.admin_secret is None:
            return ADMIN_TOKEN_TOO_SHORT
        return None

    @property
    def host_names(self) -> list[str]:
        """Allowed ``Host`` names as Starlette compares them (IPv6 literals in brackets)."""
        names = [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]
        return [f"[{h}]" if ":" in h and not h.startswith("[") else h for h in names]

    @property
    def database_path(self) -> Path:
        """The app database's file (PLW_DATABASE_URL is checked to name one)."""
        if self.database_url is None:
            return self.index_dir / "app.sqlite"
        return Path(self.database_url.removeprefix(SQLITE_URL)).expanduser()

    @property
    def session_key_path(self) -> Path:  # made once (0600), shared by every server
        return self.index_dir / "admin-session.key"

    @property
    def feedback_path(self) -> Path:
        return self.feedback_db or self.index_dir / "feedback.sqlite"

    @property
    def gap_path(self) -> Path:
        return self.gap_db or self.index_dir / "gaps.sqlite"

    @property
    def golden_path(self) -> Path:
        return self.golden or self.corpus_dir / GOLDEN_FILE

    @property
    def eval_results_path(self) -> Path:
        """Where `plw eval --questions` and /admin keep their latest results."""
        return self.index_dir / "eval-results.json"


def load_settings() -> Settings:
    """Read settings, turning validation errors into one sentence naming the variable to fix."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"PLW_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise PLWError(f"Invalid setting: {problems}. Fix the environment variable.") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests pass their own ``Settings`` instead."""
    return load_settings()
