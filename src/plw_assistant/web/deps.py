"""What routes depend on, given through ``Annotated`` dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from ..appdata.feedback import FeedbackStore
from ..assistant import Assistant, Record
from ..config import Settings
from ..errors import StorageError
from ..store.reader import Index
from .bounds import cross_site
from .rates import Rates, client_of


def get_assistant(request: Request) -> Assistant:
    assistant: Assistant = request.app.state.assistant
    return assistant


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_feedback(request: Request) -> FeedbackStore:
    store: FeedbackStore = request.app.state.feedback
    return store


def get_rates(request: Request) -> Rates:
    rates: Rates = request.app.state.rates
    return rates


def get_record(request: Request) -> Record:
    """Whether a question this request asks may go into the gap log: never when another
    site's page sent it (an ``<img src="/?q=…">``), and at most PLW_GAP_RATE from one client
    address (asked only when there is something to record)."""
    if cross_site(request.scope):
        return False
    rates: Rates = request.app.state.rates
    client = client_of(request.scope)

    def within_quota() -> bool:
        try:
            return rates.hit("gap", client) is None
        except StorageError:
            return True  # the log itself will say what is wrong with the database

    return within_quota


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
RecordDep = Annotated[Record, Depends(get_record)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
FeedbackDep = Annotated[FeedbackStore, Depends(get_feedback)]
RatesDep = Annotated[Rates, Depends(get_rates)]


async def get_index(assistant: AssistantDep) -> Index:
    """The current index; a ``PLWError`` (none built, wrong model) becomes its error page."""
    return await run_in_threadpool(lambda: assistant.index)


IndexDep = Annotated[Index, Depends(get_index)]
