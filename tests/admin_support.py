"""Signing in to /admin in tests: the session cookie and the form token every admin form
sends back."""

from __future__ import annotations

from fastapi.testclient import TestClient


def sign_in(client: TestClient, token: str) -> str:
    """Sign ``client`` in with ``token``; the form token of its session."""
    r = client.post("/admin/signin", data={"token": token})
    assert r.status_code == 200 and r.context["signed_in"], r.text[:300]
    form_token: str = r.context["form_token"]
    return form_token
