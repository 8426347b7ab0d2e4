"""What a request that goes wrong gets: one sentence in ``{"detail": …}`` for the JSON API and
for clients that ask for JSON, and for a browser a page of the site (its header, a heading, the
sentence and a way back), never a framework's message, a setting's name or a traceback."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from ..errors import PLWError
from .render import templates

log = logging.getLogger("plw_assistant")
UNREADABLE = (
    "The page could not read the address or form it was sent. Please go back and try again."
)
NOT_FOUND = "There is no page at this address. It may have been mistyped, or moved."
FAILED = "Something went wrong on our side. Please try again in a moment."
HEADINGS = {
    400: "This request could not be read",
    403: "Not allowed",
    404: "Page not found",
    405: "Not available this way",
    413: "Too much was sent",
    422: "This address could not be read",
    429: "Too many requests",
    503: "Not ready yet",
}
SENTENCES = {
    404: NOT_FOUND,
    405: "This address does not answer that kind of request. Please start from the chat.",
}


def wants_json(request: Request) -> bool:
    """The API always; any other route when the client asks for JSON rather than a page."""
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def problem(request: Request, status: int, sentence: str) -> Response:
    """The one sentence, as JSON or as a page of the site."""
    if wants_json(request):
        return JSONResponse({"detail": sentence}, status_code=status)
    heading = HEADINGS.get(status, "Something went wrong")
    context = {"heading": heading, "sentence": sentence}
    return templates.TemplateResponse(
        request=request, name="error.html", context=context, status_code=status
    )


async def plw_error(request: Request, exc: Exception) -> Response:
    """Every core error as its status and its own sentence."""
    assert isinstance(exc, PLWError)
    return problem(request, exc.status, exc.detail)


async def http_error(request: Request, exc: Exception) -> Response:
    """The framework's own refusals (an address no route has, a method a route does not
    take) in the app's words rather than its "Not Found"."""
    assert isinstance(exc, HTTPException)
    sentence = SENTENCES.get(exc.status_code) or FAILED
    response = problem(request, exc.status_code, sentence)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def invalid(request: Request, exc: Exception) -> Response:
    """A request the routes' models refuse: a sentence of the app's own (a ``plw_`` error),
    where the API names the field; a page says only that it could not read the address."""
    assert isinstance(exc, RequestValidationError)
    err = exc.errors()[0]
    if str(err.get("type", "")).startswith("plw_"):
        detail = err["msg"]
    elif request.url.path.startswith("/api/"):
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        detail = f"{where}: {err['msg']}"
    else:
        detail = UNREADABLE
    return problem(request, 422, detail)


async def crashed(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback for whoever runs the server, one sentence for the
    user."""
    log.error("Unhandled error on %s", request.url.path, exc_info=exc)
    return problem(request, 500, FAILED)
