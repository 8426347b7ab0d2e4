"""Errors a person meets in the browser are pages of the site in plain words (a heading, one
sentence, the way back); the JSON API and clients asking for JSON keep their one sentence in
``{"detail": …}``. No setting's name, file name or framework message reaches a page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from plw_assistant.web.app import create_app
from plw_assistant.web.failures import FAILED, NOT_FOUND, UNREADABLE

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _is_a_page(r, sentence: str) -> None:
    assert r.headers["content-type"].startswith("text/html")
    assert '<header class="site">' in r.text and 'href="/"' in r.text
    assert sentence in r.text
    assert "detail" not in r.text and "Traceback" not in r.text


@pytest.mark.parametrize("path", ["/nope", "/lesson", "/admin/nope", "/static/nope.css"])
def test_a_mistyped_address_is_a_page(client: TestClient, path: str) -> None:
    r = client.get(path, headers=BROWSER)
    assert r.status_code == 404
    _is_a_page(r, NOT_FOUND)
    assert "<title>Page not found · PLW Assistant</title>" in r.text


def test_json_stays_json_for_the_api_and_for_who_asks_for_it(client: TestClient) -> None:
    r = client.get("/api/nope", headers=BROWSER)
    assert r.status_code == 404 and r.json() == {"detail": NOT_FOUND}
    r = client.get("/nope", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json() == {"detail": NOT_FOUND}
    r = client.post("/api/ask", json={"question": "  "})
    assert r.status_code == 422 and "question is empty" in r.json()["detail"]
    assert client.get("/api/ask").json()["detail"]  # 405, still one sentence


def test_an_address_the_page_cannot_read_is_a_page(client: TestClient) -> None:
    r = client.get("/?k=99", headers=BROWSER)
    assert r.status_code == 422
    _is_a_page(r, UNREADABLE)
    assert "k must be" not in r.text and "less than or equal" not in r.text


def test_an_unknown_lessons_order_is_the_default_one(client: TestClient) -> None:
    r = client.get("/lessons?by=xyz", headers=BROWSER)
    assert r.status_code == 200 and r.context["by"] == "document"
    assert "Input should be" not in r.text


def test_an_unknown_document_is_a_page(client: TestClient) -> None:
    r = client.get("/documents/sessions/plw-9", headers=BROWSER)
    assert r.status_code == 404
    _is_a_page(r, "The notes hold no document at this address")


def test_a_document_page_shows_titles_not_file_names(client: TestClient) -> None:
    r = client.get("/documents/sessions/plw-2", headers=BROWSER)
    assert r.status_code == 200
    assert (
        "plw-2.md" not in r.text
        and "sessions/" not in r.text.split("<main>")[1].split('class="doc-body')[0]
    )


def test_the_search_modes_are_named_for_people(client: TestClient) -> None:
    text = client.get("/").text
    assert "Hybrid" not in text and "Meaning and exact words" in text


def test_a_bug_is_a_sentence_and_a_page_not_a_traceback(settings, embedder) -> None:
    app = create_app(settings, embedder)

    # A route made up for this test: it fails as a bug in any route would.
    @app.get("/made-up-failure")
    def fail() -> None:
        raise RuntimeError("internal detail /srv/secret.py")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/made-up-failure", headers=BROWSER)
        assert r.status_code == 500
        _is_a_page(r, FAILED)
        assert "secret" not in r.text and "RuntimeError" not in r.text
        r = c.get("/made-up-failure", headers={"Accept": "application/json"})
        assert r.status_code == 500 and r.json() == {"detail": FAILED}
