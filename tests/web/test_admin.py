"""/admin: signing in once with PLW_ADMIN_TOKEN (a signed, HttpOnly, SameSite=Strict cookie
for /admin only), signing out, forms tied to the session, refusals counted against
PLW_ADMIN_FAILURE_RATE; and the home page: the index, the last build, uploads (deletable),
the golden-question results measured after each re-index. Plumbing only: a copy of the corpus
with the hashing embedder."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from admin_support import NOTE, TOKEN, admin_copy, sign_in
from conftest import HashEmbedder
from fastapi.testclient import TestClient
from markupsafe import escape

from plw_assistant.config import Settings
from plw_assistant.web.admin_view import DISABLED, SIGN_IN_FIRST, STALE_FORM, WRONG_TOKEN
from plw_assistant.web.app import create_app
from plw_assistant.web.bounds import CROSS_SITE
from plw_assistant.web.session import COOKIE, HOURS


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    return admin_copy(tmp_path)


def _client(settings: Settings, base: str = "http://testserver", **update: Any) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=update), HashEmbedder()), base)


def test_signing_in_sets_a_signed_httponly_strict_cookie_for_admin_only(small) -> None:
    with _client(small) as client:
        page = client.get("/admin")
        assert page.status_code == 200 and page.context["signed_in"] is False
        assert 'action="/admin/signin"' in page.text and "index" not in page.context
        r = client.post("/admin/signin", data={"token": TOKEN}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/admin"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=") and TOKEN not in cookie
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/admin", f"max-age={HOURS * 3600}"} <= flags
        assert "secure" not in flags  # plain HTTP on loopback: a Secure cookie would be lost
        home = client.get("/admin")
        assert home.context["signed_in"] is True and home.context["form_token"]
        assert client.cookies.get(COOKIE) is not None
    with _client(small, "https://testserver") as client:
        r = client.post("/admin/signin", data={"token": TOKEN}, follow_redirects=False)
        assert "secure" in r.headers["set-cookie"].lower()


def test_a_wrong_token_is_refused_and_counted(small) -> None:
    with _client(small, admin_failure_rate="2/minute") as client:
        for token in ("wrong", ""):
            r = client.post("/admin/signin", data={"token": token}, follow_redirects=False)
            assert r.status_code == 401 and r.context["error"] == WRONG_TOKEN
            assert "set-cookie" not in r.headers
        r = client.post("/admin/signin", data={"token": TOKEN})  # even the right one, now
        assert r.status_code == 429 and "Too many refused admin requests" in r.text
        assert client.cookies.get(COOKIE) is None


def test_admin_actions_need_a_session_and_say_so(small) -> None:
    with _client(small, admin_failure_rate="100/minute") as client:
        r = client.post("/admin/reindex", data={})
        assert r.status_code == 401 and r.context["error"] == SIGN_IN_FIRST
        r = client.post("/admin/upload", files={"note": ("n.md", NOTE)})
        assert r.status_code == 401
        assert not (small.corpus_dir / "uploads").exists()
        for path in ("/admin/gaps/recheck", "/admin/gaps/archive", "/admin/uploads/delete"):
            assert client.post(path, data={}).status_code == 401, path
        assert client.get("/admin/gaps").context["signed_in"] is False
        assert client.get("/admin/gaps.csv").status_code == 401


def test_every_admin_form_needs_its_session_form_token(small) -> None:
    with _client(small, admin_failure_rate="100/minute") as client, _client(small) as other:
        form_token = sign_in(client, TOKEN)
        elsewhere = sign_in(other, TOKEN)
        for data in ({}, {"form_token": "made-up"}, {"form_token": elsewhere}):
            r = client.post("/admin/reindex", data=data)
            assert r.status_code == 403 and r.context["error"] == STALE_FORM, data
        r = client.post("/admin/upload", data={"form_token": elsewhere}, files={"n": ("n.md", b"")})
        assert r.status_code == 403
        r = client.post("/admin/reindex", data={"form_token": form_token})
        assert r.status_code == 200 and not r.context["report"].changed  # nothing changed


def test_admin_forms_from_another_site_are_refused_signed_in_or_not(small) -> None:
    with _client(small) as client:
        form_token = sign_in(client, TOKEN)
        hostile = ({"origin": "http://made-up-evil.example"}, {"sec-fetch-site": "cross-site"})
        for headers in hostile:
            for path in (
                "/admin/signin",
                "/admin/reindex",
                "/admin/signout",
                "/admin/gaps/recheck",
            ):
                data = {"token": TOKEN, "form_token": form_token}
                r = client.post(path, data=data, headers=headers)
                assert r.status_code == 403 and CROSS_SITE in r.text, (path, headers)
        assert client.get("/admin").context["signed_in"] is True  # the sign-out was refused too


def test_a_forged_expired_or_foreign_cookie_is_no_session(small) -> None:
    with _client(small) as client, _client(small) as other:
        sign_in(client, TOKEN)
        value = client.cookies[COOKIE]
        nonce, issued, signature = value.split(".")
        forged = [
            f"{nonce}.{issued[:-1]}{'A' if issued[-1] != 'A' else 'B'}.{signature}",  # re-dated
            f"{nonce}.{issued}.{'0' * len(signature)}",
            f"{nonce[:-1]}{'x' if nonce[-1] != 'x' else 'y'}.{issued}.{signature}",
            "made-up",
            "",
        ]
        for fake in forged:
            other.cookies.set(COOKIE, fake, path="/admin")
            assert other.get("/admin").context["signed_in"] is False, fake
        other.cookies.set(COOKIE, value, path="/admin")  # another server, same index folder
        assert other.get("/admin").context["signed_in"] is True
        foreign = admin_copy(small.index_dir.parent / "elsewhere")  # another index folder
        with _client(foreign) as stranger:
            stranger.cookies.set(COOKIE, value, path="/admin")
            assert stranger.get("/admin").context["signed_in"] is False
        later = time.time() + HOURS * 3600 + 1
        client.app.state.sessions.clock = lambda: later  # type: ignore[attr-defined]
        assert client.get("/admin").context["signed_in"] is False


def test_signing_out_ends_the_session_even_for_a_copy_of_the_cookie(small) -> None:
    with _client(small) as client:
        form_token = sign_in(client, TOKEN)
        copied = client.cookies[COOKIE]
        for forged in ({}, {"form_token": "made-up"}):  # a page elsewhere cannot sign one out
            r = client.post("/admin/signout", data=forged, follow_redirects=False)
            assert r.status_code == 403 and client.get("/admin").context["signed_in"]
        r = client.post("/admin/signout", data={"form_token": form_token}, follow_redirects=False)
        assert r.status_code == 303 and 'plw_admin=""' in r.headers["set-cookie"]
        assert "max-age=0" in r.headers["set-cookie"].lower()
        client.cookies.clear()
        client.cookies.set(COOKIE, copied, path="/admin")
        assert client.get("/admin").context["signed_in"] is False
        r = client.post("/admin/reindex", data={"form_token": form_token})
        assert r.status_code == 401


def test_admin_disabled_says_so_everywhere(small) -> None:
    with _client(small, admin_token=None) as client:
        page = client.get("/admin")
        assert page.context["enabled"] is False and DISABLED in page.text
        assert "PLW_" not in page.text and "token" not in page.text.lower()
        r = client.post("/admin/signin", data={"token": TOKEN})
        assert r.status_code == 403 and r.context["error"] == DISABLED
        assert client.post("/admin/reindex", data={}).status_code == 403


def test_home_shows_the_index_uploads_and_deletes_them(small) -> None:
    with _client(small) as client:
        form_token = sign_in(client, TOKEN)
        home = client.get("/admin").context
        assert home["index"]["documents"] == 6 and home["index"]["model"] == "test-hash-embedder"
        assert home["index"]["built_at"] and home["uploads"] == [] and home["report"] is None
        r = client.post(
            "/admin/upload", data={"form_token": form_token}, files={"note": ("n.md", NOTE)}
        )
        assert r.status_code == 200 and r.context["saved"] == "uploads/n.md"
        assert [u.name for u in r.context["uploads"]] == ["n.md"]
        assert r.context["index"]["documents"] == 7 and "+1 new" in r.text
        again = client.get("/admin").context
        assert again["report"].count("new") == 1  # the last build, kept for the home page
        for name in ("../README.md", "missing.md", ".hidden.md", ""):
            r = client.post("/admin/uploads/delete", data={"form_token": form_token, "name": name})
            assert r.status_code == 404, name
        r = client.post("/admin/uploads/delete", data={"form_token": form_token, "name": "n.md"})
        assert r.status_code == 200 and r.context["deleted"] == "uploads/n.md"
        assert r.context["report"].count("removed") == 1 and r.context["uploads"] == []
        assert (small.corpus_dir / "README.md").exists()


GOLDEN = [
    {"question": "EU funding for members", "document": "blues-plw-lessons-learnt",
     "quote": "Members are more and more interested in EU funding programmes"},
    {"question": "What is the best made-up coffee machine?", "abstain": True},
]  # fmt: skip


def test_golden_questions_are_measured_after_each_reindex_and_never_indexed(small) -> None:
    golden = small.corpus_dir / "golden.jsonl"
    with _client(small) as client:
        form_token = sign_in(client, TOKEN)
        home = client.get("/admin").context
        assert home["evals"] == [] and home["golden_exists"] is False
        golden.write_text("".join(json.dumps(row) + "\n" for row in GOLDEN), encoding="utf-8")
        r = client.post("/admin/reindex", data={"form_token": form_token})
        assert r.status_code == 200 and r.context["eval_error"] is None
        assert "golden.jsonl" not in [f.path for f in r.context["report"].files]
        (latest,) = r.context["evals"]
        assert latest["summary"]["questions"] == 2 and latest["built_at"]
        assert latest["files"] == [str(golden)] and "Golden questions" in r.text
        golden.write_text('{"question": ""}\n', encoding="utf-8")
        r = client.post("/admin/reindex", data={"form_token": form_token})
        assert "'question' is missing" in r.context["eval_error"]
        assert len(r.context["evals"]) == 1  # the last good result stays
    assert json.loads(small.eval_results_path.read_text())[0]["summary"]["questions"] == 2


def test_home_lists_the_glossary_and_the_entries_left_out(small) -> None:
    with _client(small) as client:
        form_token = sign_in(client, TOKEN)
        home = client.get("/admin")
        glossary = dict(home.context["index"]["glossary"])  # the shipped corpus/glossary.yaml
        assert glossary["PO"] == ("project officer",) and "BLUES" not in glossary
        assert home.context["index"]["glossary_problems"] == []
        assert '<h2 id="glossary-h">Glossary</h2>' in home.text
        assert "<dt>PO</dt><dd>project officer</dd>" in home.text
        assert "<dt>COVID</dt><dd>COVID-19, coronavirus, pandemic</dd>" in home.text
        bad = "PO: project officer\nXYZ:\n"  # a made-up entry without a meaning
        (small.corpus_dir / "glossary.yaml").write_text(bad, encoding="utf-8")
        r = client.post("/admin/reindex", data={"form_token": form_token})
        problem = "glossary.yaml: 'XYZ' has no meaning; skipped."
        assert r.status_code == 200 and r.context["report"].changed
        assert r.context["report"].glossary_problems == [problem]
        assert r.context["index"]["glossary"] == [("PO", ("project officer",))]
        assert r.context["index"]["glossary_problems"] == [problem]
        assert "Glossary: 1 term (changed), 1 problem." in r.text
        assert "Glossary entries left out" in r.text
        assert r.text.count(str(escape(problem))) == 2  # in the last build and the glossary
        (small.corpus_dir / "glossary.yaml").unlink()
        r = client.post("/admin/reindex", data={"form_token": form_token})
        assert r.context["index"]["glossary"] == [] and "There is no glossary yet." in r.text


def test_deleting_a_name_longer_than_the_file_system_allows_is_a_sentence(small) -> None:
    with _client(small) as client:
        form = {"form_token": sign_in(client, TOKEN), "name": "x" * 300 + ".md"}
        r = client.post("/admin/uploads/delete", data=form)
        assert r.status_code == 404 and r.context["error"] == "There is no such uploaded note."
