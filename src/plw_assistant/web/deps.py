"""What routes depend on, given through ``Annotated`` dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from ..appdata.feedback import FeedbackStore
from ..assistant import Assistant
from ..config import Settings
from ..store.reader import Index
from .rates import Rates


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


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
FeedbackDep = Annotated[FeedbackStore, Depends(get_feedback)]
RatesDep = Annotated[Rates, Depends(get_rates)]


async def get_index(assistant: AssistantDep) -> Index:
    """The current index; a ``PLWError`` (none built, wrong model) becomes its error page."""
    return await run_in_threadpool(lambda: assistant.index)


IndexDep = Annotated[Index, Depends(get_index)]
