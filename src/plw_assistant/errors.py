"""The few exceptions the core raises; each means one thing and carries a user-facing sentence.

The web shell maps each to its HTTP ``status``; ``public`` is what a web user is told when the
message itself names server paths or settings (``None``: the message is shown as it is).
"""

from __future__ import annotations


class PLWError(Exception):
    """Base class: the message is one sentence a user can act on."""

    status = 500
    public: str | None = None

    @property
    def detail(self) -> str:
        """The sentence shown to a web user."""
        return self.public or str(self)


class CorpusError(PLWError):
    """The corpus folder is missing, unreadable or holds nothing to index."""


class IndexNotBuiltError(PLWError):
    """No index has been built in the index folder yet."""

    status = 503
    public = "The index is not built yet. Run `plw index`, then ask again."


class IndexMismatchError(PLWError):
    """The index on disk was built with another model, schema or is damaged."""

    status = 503
    public = (
        "The index does not match the configured model or version. Run `plw index` to rebuild it."
    )


class IndexDamagedError(IndexMismatchError):
    """The index on disk is damaged: unreadable, inconsistent or not what was written."""

    public = "The index is damaged. Run `plw index` to rebuild it."


class ModelError(PLWError):
    """The embedding model cannot be found, verified or loaded."""

    status = 503
    public = "The embedding model could not be loaded. Check PLW_MODEL and the server log."


class QuestionError(PLWError):
    """The question is empty or too long."""

    status = 422


class BuildError(PLWError):
    """The index could not be written (disk full, no permission); the old one still serves."""


class StorageError(PLWError):
    """A small store (feedback) cannot be written or read: disk full, damaged database."""

    status = 503


class LLMError(PLWError):
    """The language model server failed, timed out or answered nonsense."""


class EvalDataError(PLWError):
    """An evaluation dataset or golden-questions file is missing or malformed."""
