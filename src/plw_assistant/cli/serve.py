"""``plw serve``: the web chat, listening at once and bringing the index up to date while it
serves (the last good index meanwhile; none yet: questions get 503 until it is built)."""

from __future__ import annotations

import copy
import errno
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Server processes answering questions, under uvicorn's supervisor (it replaces one "
    "that dies or stops answering).",
)
def serve(host: str, port: int, watch: bool, workers: int) -> None:
    """Serve the web chat at once, re-indexing in the background if notes changed.

    \b
    Examples:
      plw serve
      plw serve --port 8080
      plw serve --watch              re-index when notes are added or changed
      plw serve --workers 2          two server processes (one per core)
    """
    import uvicorn

    from ..embedding.model import SentenceTransformerEmbedder
    from ..web.app import create_app

    free_address(host, port)
    few_arenas()
    settings = get_settings()
    embedder = SentenceTransformerEmbedder.from_settings(settings)
    reason = unusable(settings, embedder)
    if reason:
        click.echo(
            f"Building the index: {reason}. Questions are answered once it is built.", err=True
        )
    update = _serving(settings, host, watch)
    settings = settings.model_copy(update=update)
    shown = f"[{host}]" if ":" in host else host
    where = f"in {workers} worker processes" if workers > 1 else "in one process"
    click.echo(f"PLW Assistant: http://{shown}:{port} (answering {where})", err=True)
    options = dict(host=host, port=port, log_config=log_config(), **server_options(settings))
    if workers == 1:
        uvicorn.run(create_app(settings, embedder, rebuild=True), **options)
        return
    # Workers are started afresh and read their settings from the environment; the one
    # indexer runs beside them, never in each (they pick up each new generation).
    os.environ.update({f"PLW_{k.upper()}": str(v) for k, v in update.items() if k != "watch"})
    with indexer(watch):
        uvicorn.run(WORKER_APP, factory=True, workers=workers, **options)


WORKER_APP = "plw_assistant.web.worker:create_worker_app"


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's own bounds, the same for one process and for workers (BENCHMARKS.md and
    README "Exposed deployments": a reverse proxy bounds how long a request head may take)."""
    from ..web.bounds import MAX_HEAD

    return {
        # h11 bounds a request head's size (a larger one is refused 400); httptools cannot.
        "http": "h11",
        "h11_max_incomplete_event_size": MAX_HEAD,
        "timeout_keep_alive": 5,  # an idle keep-alive connection is closed after 5 s
        # uvicorn believes X-Forwarded-For from 127.0.0.1 by default: with no proxy in front,
        # any local client could claim a new address for every request and dodge the limits.
        "proxy_headers": bool(settings.trusted_proxies.strip()),
        "forwarded_allow_ips": settings.trusted_proxies.strip() or None,
        # Connections open at once (slow ones too); PLW_MAX_PENDING bounds questions.
        "limit_concurrency": CONNECTIONS_PER_QUESTION * settings.max_pending,
    }


CONNECTIONS_PER_QUESTION = 4  # page loads, static files and keep-alive beside each question


@contextmanager
def indexer(watch: bool) -> Iterator[None]:
    """``plw index`` (``--watch``: kept running) in a process of its own beside the
    workers, stopped with them; it takes the build lock like any other build."""
    command = [sys.executable, "-c", "from plw_assistant.cli import main; main()", "index"]
    proc = subprocess.Popen([*command, "--watch"] if watch else command)
    threading.Thread(target=proc.wait, daemon=True).start()  # reaped when it ends
    try:
        yield
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def free_address(host: str, port: int) -> None:
    """Refuse at once, in one sentence, an address nobody can listen on (a host name that
    does not resolve, a port in use or not allowed), before anything is loaded."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise PLWError(f"{host} is not an address of this machine: check --host.") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            why = (
                "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            )
            raise PLWError(f"Port {port} on {host} {why}: choose another with --port.") from None


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
