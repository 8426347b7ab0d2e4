"""What ``/openapi.json`` says beyond what FastAPI reads from the routes' signatures: each JSON
route's errors as the app's handlers and the guard send them (one sentence in ``{"detail": …}``,
never FastAPI's list of validation errors), a page's 422 (a sentence as HTML), and the events of
``/api/ask/stream``. Routes pass these as ``responses``; ``install`` registers the models they
name, which FastAPI only registers from signatures."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .responses import ErrorDetail, HealthError, StreamAnswer, StreamToken

Responses = dict[int | str, dict[str, Any]]
REF = "#/components/schemas/{model}"
NAMED = (ErrorDetail, HealthError, StreamToken, StreamAnswer)

WHY = {
    400: "The Host header names a host this server does not answer to (PLW_ALLOWED_HOSTS).",
    403: "Sent from another site's page.",
    408: "The body did not arrive within PLW_BODY_TIMEOUT seconds.",
    413: "The body is larger than this route accepts.",
    422: "The body is not one this route takes; the sentence says what is wrong.",
    429: "Too many votes from this address (PLW_FEEDBACK_RATE); Retry-After says when to vote.",
}
RETRY_AFTER = {
    "description": "Seconds to wait before sending again.",
    "schema": {"type": "integer"},
}
PAGE_INVALID: Responses = {
    422: {
        "description": "Something in the address or form the page cannot use, said in a sentence.",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}


def errors(*statuses: int, unavailable: str = "") -> Responses:
    """The error answers of a JSON route: each one sentence in ``{"detail": …}`` (the 400 of
    the host check is plain text); ``unavailable`` says when it answers 503."""
    out: Responses = {}
    for status in statuses:
        if status == 400:
            text = {"text/plain": {"schema": {"type": "string"}}}
            out[status] = {"description": WHY[status], "content": text}
            continue
        out[status] = {"description": unavailable or WHY[status], "content": json_body(ErrorDetail)}
        if status in (429, 503):
            out[status]["headers"] = {"Retry-After": RETRY_AFTER}
    return out


def _event(name: str, model: type[BaseModel]) -> dict[str, Any]:
    data = {"type": "string", "contentMediaType": "application/json"}
    data["contentSchema"] = {"$ref": REF.format(model=model.__name__)}  # type: ignore[assignment]
    properties = {"event": {"const": name}, "data": data}
    return {"type": "object", "required": ["event", "data"], "properties": properties}


def event_stream(description: str) -> Responses:
    """The 200 of a stream of server-sent events ``token``…, then ``answer`` or ``error``,
    each with its JSON in ``data``."""
    events = [_event("token", StreamToken), _event("answer", StreamAnswer)]
    events.append(_event("error", ErrorDetail))
    stream = {"itemSchema": {"oneOf": events}}
    return {200: {"description": description, "content": {"text/event-stream": stream}}}


def install(app: FastAPI) -> None:
    """``/openapi.json`` built once, with the models ``responses`` refer to by name."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        schema = build()
        if fresh:
            pairs = [(model, "serialization") for model in NAMED]
            _, defs = models_json_schema(pairs, ref_template=REF)  # type: ignore[arg-type]
            named = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in defs.get("$defs", {}).items():
                named.setdefault(name, definition)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
