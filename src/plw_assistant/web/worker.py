"""The app of one worker under ``plw serve --workers N``: uvicorn's supervisor starts each
afresh from this import string, so it reads its settings from the environment. A worker never
re-indexes at start-up or watches the notes (the one indexer beside the workers does); it
picks up each new generation, and an upload sent to it is indexed by it, under the build lock."""

from __future__ import annotations

from fastapi import FastAPI

from ..config import get_settings
from ..store.vectors import one_search_thread
from .app import create_app


def create_worker_app() -> FastAPI:
    # N workers on N cores: FAISS's threads would only wait for cores the others use.
    one_search_thread()
    settings = get_settings().model_copy(update={"watch": False})
    return create_app(settings)
