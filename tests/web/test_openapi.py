"""/openapi.json against real answers: every JSON response the API sent here, errors and the
stream's events included, matches the schema the document gives for its route, status and
media type, so the document cannot drift from what the code sends."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
from fake_llm import make_app, serve
from fastapi.testclient import TestClient

from plw_assistant.config import Settings
from plw_assistant.web.app import create_app

EU = "How can clusters support their members with EU funding?"
OUT_OF_SCOPE = "How do I configure a Kubernetes ingress?"
FRENCH = "Comment les clusters peuvent-ils aider leurs membres à obtenir des fonds européens ?"
LLM_TEXT = "Members are more and more interested in EU funding programmes [1]."
Document = dict[str, Any]


@pytest.fixture(scope="module")
def client(
    settings: Settings, embedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The shared index, with an app database of this module's own: its checks of the rate
    counter and the feedback store do not depend on what earlier tests left in the shared one."""
    own = tmp_path_factory.mktemp("openapi-db") / "app.sqlite"
    with TestClient(
        create_app(settings.model_copy(update={"database_url": f"sqlite:///{own}"}), embedder)
    ) as c:
        yield c


@pytest.fixture(scope="module")
def document(client: TestClient) -> Document:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


def _validator(document: Document, schema: dict[str, Any]) -> Any:
    """A JSON Schema 2020-12 validator (OpenAPI 3.1's dialect) whose ``$ref``s resolve in the
    document's components; a dangling one fails here."""
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    root["components"] = document["components"]
    return jsonschema_rs.validator_for(root)


def _problems(document: Document, schema: dict[str, Any], instance: Any) -> list[str]:
    return [e.message for e in _validator(document, schema).iter_errors(instance)]


def _schema(document: Document, method: str, path: str, status: int, media: str) -> Any:
    responses = document["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method} {path} sent {status}, not documented"
    content = responses[str(status)].get("content", {})
    assert media in content, f"{method} {path} {status} sent {media}, documented {list(content)}"
    return content[media]


def conforms(document: Document, method: str, path: str, r: httpx.Response) -> None:
    """``r`` is what the document says ``method path`` answers with ``r``'s status."""
    media = r.headers["content-type"].split(";")[0].strip()
    schema = _schema(document, method, path, r.status_code, media)["schema"]
    body = r.json() if media == "application/json" else r.text
    assert not _problems(document, schema, body), (path, r.status_code, body)


def events(raw: str) -> list[tuple[str, str]]:
    """The (event, data) of each server-sent event, keep-alive comments left out."""
    out = []
    for block in raw.replace("\r\n", "\n").strip().split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        name = next((ln[len("event: ") :] for ln in lines if ln.startswith("event: ")), "")
        data = "\n".join(ln[len("data: ") :] for ln in lines if ln.startswith("data: "))
        if lines:
            out.append((name, data))
    return out


def stream_conforms(document: Document, r: httpx.Response) -> list[str]:
    """Each event of a stream matches the document's item schema, and its data the schema the
    document gives for that event; the event names, in order."""
    assert r.status_code == 200
    item = _schema(document, "post", "/api/ask/stream", 200, "text/event-stream")["itemSchema"]
    by_name = {e["properties"]["event"]["const"]: e for e in item["oneOf"]}
    names = []
    for name, data in events(r.text):
        assert not _problems(document, item, {"event": name, "data": data}), (name, data)
        content = by_name[name]["properties"]["data"]["contentSchema"]
        assert not _problems(document, content, json.loads(data)), (name, data)
        names.append(name)
    return names


def test_answers_declines_and_follow_ups_match_the_document(
    client: TestClient, document: Document
) -> None:
    answer = client.post("/api/ask", json={"question": EU})
    assert answer.json()["citations"] and not answer.json()["abstained"]
    conforms(document, "post", "/api/ask", answer)
    decline = client.post("/api/ask", json={"question": OUT_OF_SCOPE})
    assert decline.json()["abstained"]
    conforms(document, "post", "/api/ask", decline)
    french = client.post("/api/ask", json={"question": FRENCH})
    assert french.json()["language"] == "fr"
    conforms(document, "post", "/api/ask", french)
    earlier = answer.json()
    history = [{k: earlier[k] for k in ("question", "answer", "citations")}]
    follow_up = client.post("/api/ask", json={"question": "And for SMEs?", "history": history})
    assert follow_up.status_code == 200
    conforms(document, "post", "/api/ask", follow_up)
    conforms(document, "get", "/healthz", client.get("/healthz"))


def test_errors_match_the_document(client: TestClient, document: Document) -> None:
    sent = [
        client.post("/api/ask", json={"question": "  "}),
        client.post("/api/ask", json={"question": EU, "k": 0}),
        client.post("/api/ask", json={}),
        client.post("/api/ask", content=b"not json", headers={"content-type": "application/json"}),
        client.post("/api/ask", json={"question": EU, "history": [{"q": "x" * 300_000}]}),
    ]
    assert [r.status_code for r in sent] == [422, 422, 422, 422, 413]
    for r in sent:
        conforms(document, "post", "/api/ask", r)
    for path in ("/api/ask", "/api/ask/stream"):
        conforms(document, "post", path, client.post(path, json={"question": ""}))
    host = client.get("/healthz", headers={"host": "made-up-rebinding.example"})
    assert host.status_code == 400
    conforms(document, "get", "/healthz", host)
    page = client.get("/", params={"q": "x", "k": "0"})
    assert page.status_code == 422 and "Input should" not in page.text
    conforms(document, "get", "/", page)


def test_a_server_without_an_index_matches_the_document(
    tmp_path: Path, embedder, document: Document
) -> None:
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "index")
    with TestClient(create_app(settings, embedder)) as c:
        r = c.post("/api/ask", json={"question": EU})
        assert r.status_code == 503
        conforms(document, "post", "/api/ask", r)
        health = c.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "error"
        conforms(document, "get", "/healthz", health)
        with c.stream("POST", "/api/ask/stream", json={"question": EU}) as stream:
            stream.read()
        assert stream_conforms(document, stream) == ["error"]


@pytest.fixture
def voting(tmp_path: Path, settings: Settings, embedder) -> Iterator[TestClient]:
    """A server of its own (its votes go to its own file) allowing three votes a minute."""
    shutil.copytree(settings.index_dir, tmp_path / "index", ignore=_NO_FEEDBACK)
    s = settings.model_copy(update={"index_dir": tmp_path / "index", "feedback_rate": "3/minute"})
    with TestClient(create_app(s, embedder)) as c:
        yield c


_NO_FEEDBACK = shutil.ignore_patterns("feedback.sqlite*")


def test_feedback_and_its_errors_match_the_document(voting: TestClient, document: Document) -> None:
    vote = {"rating": "down", "question": EU, "chunk_ids": ["x#1"], "comment": "Made-up"}
    sent = [
        voting.post("/api/feedback", json=vote),
        voting.post("/api/feedback", json=vote | {"rating": "meh"}),
        voting.post("/api/feedback", json=vote, headers={"sec-fetch-site": "cross-site"}),
        voting.post("/api/feedback", json=vote | {"comment": "x" * 200_000}),
        voting.post("/api/feedback", json=vote),
    ]
    assert [r.status_code for r in sent] == [200, 422, 403, 413, 429]
    assert sent[0].json()["status"] == "saved" and "Retry-After" in sent[-1].headers
    for r in sent:
        conforms(document, "post", "/api/feedback", r)


def test_feedback_form_errors_are_pages(client: TestClient, document: Document) -> None:
    r = client.post("/feedback", data={"rating": "meh", "question": "q"})
    assert r.status_code == 422 and "<p>Feedback needs a rating" in r.text
    conforms(document, "post", "/feedback", r)


@pytest.fixture(scope="module")
def llm_url() -> Iterator[str]:
    app = make_app()
    app.state.script = {"mode": "ok", "text": LLM_TEXT}
    yield from serve(app)


def test_the_stream_s_events_match_the_document(
    client: TestClient, settings: Settings, embedder, llm_url: str, document: Document
) -> None:
    with client.stream("POST", "/api/ask/stream", json={"question": EU}) as quoted:
        quoted.read()
    assert stream_conforms(document, quoted) == ["answer"]
    s = settings.model_copy(update={"llm_base_url": llm_url, "llm_model": "made-up"})
    with (
        TestClient(create_app(s, embedder)) as c,
        c.stream("POST", "/api/ask/stream", json={"question": EU}) as generated,
    ):
        generated.read()
    names = stream_conforms(document, generated)
    assert names[-1] == "answer" and names.count("token") > 3 and len(set(names)) == 2


def test_the_check_fails_on_an_undocumented_field_or_a_wrong_type(
    client: TestClient, document: Document
) -> None:
    """The schemas are strict enough to catch drift: a real answer, changed, no longer fits."""
    schema = _schema(document, "post", "/api/ask", 200, "application/json")["schema"]
    real = client.post("/api/ask", json={"question": EU}).json()
    assert not _problems(document, schema, real)
    changes = {
        "an extra field": lambda a: a.update(debug=True),
        "an extra field in a passage": lambda a: a["citations"][0].update(row=3),
        "a wrong type": lambda a: a.update(abstained="no"),
        "a wrong type in a passage": lambda a: a["citations"][0].update(score="high"),
        "a field missing": lambda a: a.pop("searched"),
        "a label not documented": lambda a: a.update(confidence="certain"),
    }
    for change, apply in changes.items():
        wrong = copy.deepcopy(real)
        apply(wrong)
        assert _problems(document, schema, wrong), change
    error = _schema(document, "post", "/api/ask", 422, "application/json")["schema"]
    fastapi_422 = {"detail": [{"loc": ["body"], "msg": "Field required", "type": "missing"}]}
    assert _problems(document, error, fastapi_422)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_json_route_documents_its_errors_in_one_shape(document: Document) -> None:
    detail = {"$ref": "#/components/schemas/ErrorDetail"}
    for path in ("/api/ask", "/api/ask/stream", "/api/feedback"):
        responses = document["paths"][path]["post"]["responses"]
        for status in ("408", "413", "422", "503"):
            assert responses[status]["content"]["application/json"]["schema"] == detail, path
        assert "text/plain" in responses["400"]["content"]
    feedback = document["paths"]["/api/feedback"]["post"]["responses"]
    assert {"403", "429"} <= set(feedback) and "Retry-After" in feedback["429"]["headers"]
