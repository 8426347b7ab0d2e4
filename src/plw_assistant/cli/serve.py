"""``plw serve``: the web chat, listening at once and bringing the index up to date while it
serves (the last good index meanwhile; none yet: questions get 503 until it is built)."""

from __future__ import annotations

import copy
from typing import Any

import click

from ..config import Settings, get_settings
from ..embedding.base import Embedder
from ..errors import IndexMismatchError, IndexNotBuiltError, PLWError
from .common import CONTEXT

ANY_ADDRESS = {"0.0.0.0", "::", ""}


@click.command(context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option("--watch", is_flag=True, help="Re-index while serving when notes change.")
def serve(host: str, port: int, watch: bool) -> None:
    """Serve the web chat at once, re-indexing in the background if notes changed.

    \b
    Examples:
      plw serve
      plw serve --port 8080
      plw serve --watch              re-index when notes are added or changed
    """
    import uvicorn

    from ..embedding.model import SentenceTransformerEmbedder
    from ..web.app import create_app
    from ..web.processes import process_count
    from ..web.protocol import MAX_HEAD, bounded_http

    few_arenas()
    settings = get_settings()
    embedder = SentenceTransformerEmbedder.from_settings(settings)
    reason = unusable(settings, embedder)
    if reason:
        click.echo(
            f"Building the index: {reason}. Questions are answered once it is built.", err=True
        )
    settings = settings.model_copy(update=_serving(settings, host, watch))
    shown = f"[{host}]" if ":" in host else host
    processes = process_count(settings)
    where = f"in {processes} answer processes" if processes else "in the server process"
    click.echo(f"PLW Assistant: http://{shown}:{port} (answering {where})", err=True)
    uvicorn.run(
        create_app(settings, embedder, rebuild=True, processes=processes),
        host=host,
        port=port,
        # Request heads: at most MAX_HEAD bytes, complete within PLW_BODY_TIMEOUT seconds
        # (uvicorn has no such bound for httptools: see web/protocol.py). Bodies: the guard.
        http=bounded_http(MAX_HEAD, settings.body_timeout),
        timeout_keep_alive=5,  # an idle keep-alive connection is closed after 5 s
        # No limit_concurrency: it counts slow connections too and would answer real
        # questions 503; PLW_MAX_PENDING bounds questions once their body is in.
        log_config=log_config(),
    )


def few_arenas(arenas: int = 2) -> None:
    """Let glibc keep at most ``arenas`` malloc pools. With one pool per worker thread, each
    kept the large arrays of its last question: at 1M passages the server held 1.26 GB
    after 32 clients instead of 1.02 GB (BENCHMARKS.md), for the same throughput."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "mallopt"):
            libc.mallopt(-8, arenas)  # M_ARENA_MAX, before the thread pool exists
    except OSError:
        pass  # not glibc: its own defaults apply


def unusable(settings: Settings, embedder: Embedder) -> str | None:
    """Why there is no index to serve yet, or ``None`` when the current one can serve
    (whether the notes changed since is found out by the build in the background)."""
    from ..store.generations import read_manifest
    from ..store.manifest import check_model

    try:
        check_model(read_manifest(settings.index_dir), embedder, settings.index_dir)
    except IndexNotBuiltError:
        return "there is no index yet"
    except IndexMismatchError:
        return "the index was built with another model or version, or is damaged"
    except PLWError as exc:
        return str(exc).rstrip(".")
    return None


def _serving(settings: Settings, host: str, watch: bool) -> dict[str, Any]:
    """Settings ``plw serve`` changes: the address it listens on is an allowed host."""
    update: dict[str, Any] = {"watch": True} if watch else {}
    if host in ANY_ADDRESS:
        click.echo(
            "Listening on every address: add the names clients use to PLW_ALLOWED_HOSTS "
            f"(now {settings.allowed_hosts}).",
            err=True,
        )
    elif host.lower() not in settings.host_names:
        update["allowed_hosts"] = f"{settings.allowed_hosts},{host}"
    return update


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with PLW Assistant's own messages (re-indexing) beside its own."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["plw_assistant"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config
