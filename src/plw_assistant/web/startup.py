"""What the app does when it starts: load the index it has, re-index in the background
(``plw serve``) or on every change (``--watch``), and keep secrets out of the access log."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from ..appdata.builds import BuildLog
from ..assistant import Assistant
from ..config import Settings
from ..errors import PLWError, StorageError
from ..pipeline.build import build_index
from ..pipeline.report import BuildReport
from ..pipeline.watch import watch

log = logging.getLogger("plw_assistant")


class NoQueryString(logging.Filter):
    """Drops the query string from uvicorn's access log lines: questions and anything else
    sent in a URL (a ``?token=``) stay out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


NO_QUERY_STRING = NoQueryString()  # one instance: adding it again changes nothing


def log_report(settings: Settings, report: BuildReport) -> None:
    """A build's report in the server log, as ``plw index`` prints it."""
    if report.full_rebuild:
        log.info("Rebuilding everything: %s.", report.full_rebuild)
    for f in report.failed:
        log.warning("Not indexed: %s (%s)", f.path, f.reason)
    if report.path is None:
        log.info(
            "Nothing changed: %d documents, %d passages are up to date.",
            report.documents,
            report.chunks,
        )
    else:
        log.info(
            "Indexed %d documents, %d passages in %.1f s with %s → %s",
            report.documents,
            report.chunks,
            report.seconds,
            settings.model,
            report.path,
        )
    log.info("%s", report.totals())
    if report.glossary_summary():
        log.info("%s.", report.glossary_summary())
    for problem in report.glossary_problems:
        log.warning("%s", problem)


Keep = Callable[[BuildReport], None]


def recorder(builds: BuildLog) -> Keep:
    """Keeps each build's report for /admin (a failure to keep it is logged, not raised:
    the build itself went well)."""

    def keep(report: BuildReport) -> None:
        try:
            builds.record(report.summary())
        except StorageError as exc:
            log.error("%s", exc)

    return keep


def rebuild(settings: Settings, assistant: Assistant, keep: Keep = lambda _: None) -> None:
    """Bring the index up to date and serve the result; the old index serves meanwhile.
    ``keep`` is given the report (what /admin shows as the last build)."""
    try:
        report = build_index(settings, assistant.embedder, loaded=assistant.live.loaded())
    except PLWError as exc:
        log.error("Re-indexing failed; serving the index as it was: %s", exc)
        return
    except Exception:  # a bug in a parser must not go unnoticed, nor stop the server
        log.exception("Re-indexing failed; serving the index as it was")
        return
    if report.index is not None:
        assistant.live.use(report.index)
    keep(report)
    log_report(settings, report)


def _watcher(
    settings: Settings, assistant: Assistant, stop: threading.Event, keep: Keep
) -> threading.Thread:
    def on_report(report: BuildReport | PLWError) -> None:
        if isinstance(report, BuildReport):
            keep(report)
        if isinstance(report, BuildReport) and report.index is not None:
            assistant.live.use(report.index)
        if isinstance(report, PLWError):
            log.error("Re-indexing failed: %s", report)
        elif report.path is not None:
            log.info("Re-indexed: %s", report.totals())

    return threading.Thread(
        target=watch,
        args=(settings, assistant.embedder, on_report, stop, assistant.live.loaded),
        daemon=True,
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if settings.admin_problem:
        log.error("%s", settings.admin_problem)
    assistant = Assistant(settings, app.state.embedder, app.state.database)
    app.state.assistant = assistant
    try:
        await run_in_threadpool(assistant.warm_up)
    except PLWError as exc:  # serve anyway: each request reports what is wrong
        log.error("Serving without an index for now: %s", exc)
    keep = recorder(app.state.builds)
    if app.state.rebuild:  # a thread of its own: the server listens meanwhile
        builder = threading.Thread(
            target=rebuild, args=(settings, assistant, keep), name="plw-rebuild", daemon=True
        )
        builder.start()
    stop = threading.Event()
    watcher = _watcher(settings, assistant, stop, keep) if settings.watch else None
    if watcher is not None:
        watcher.start()
    yield
    stop.set()
    if watcher is not None:
        watcher.join(timeout=5)
    if assistant.gaps is not None:
        assistant.gaps.close()
