"""Re-indexing whenever the notes change (``plw index --watch``, ``plw serve --watch``)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..config import Settings
from ..embedding.base import Embedder
from ..errors import PLWError
from ..store.reader import Index
from .build import build_index
from .report import BuildReport


def watch(
    settings: Settings,
    embedder: Embedder,
    on_report: Callable[[BuildReport | PLWError], None],
    stop: threading.Event | None = None,
    loaded: Callable[[], Index | None] = lambda: None,
) -> None:
    """Re-index whenever files under the corpus change, until ``stop`` is set; ``loaded``
    gives the index the caller holds in memory, reused rather than read from disk."""
    from watchfiles import watch as watch_files

    for _changes in watch_files(settings.corpus_dir, stop_event=stop, debounce=50, step=20):
        try:
            on_report(build_index(settings, embedder, loaded=loaded()))
        except PLWError as exc:  # report and keep watching: the old index still serves
            on_report(exc)
