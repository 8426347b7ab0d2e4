"""The few exceptions the core raises; each means one thing and carries a user-facing sentence."""


class PLWError(Exception):
    """Base class: the message is one sentence a user can act on."""


class CorpusError(PLWError):
    """The corpus folder is missing, unreadable or holds nothing to index."""


class IndexNotBuiltError(PLWError):
    """No index has been built in the index folder yet."""


class IndexMismatchError(PLWError):
    """The index on disk was built with another model, schema or is damaged."""


class ModelError(PLWError):
    """The embedding model cannot be found, verified or loaded."""


class QuestionError(PLWError):
    """The question is empty or too long."""
