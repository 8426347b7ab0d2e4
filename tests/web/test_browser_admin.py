"""/admin and its Knowledge gaps page in headless Chromium (Debian's) against `plw serve`:
questions the notes cannot answer are asked, the admin signs in, sees them grouped, uploads a
made-up note (tests/fixtures/gaps/hackathon.md, a test fixture that says so), re-checks and
sees the group answered with the note cited, then signs out.

Screenshots go to test-artifacts/ (admin-gaps-desktop.png, admin-gaps-answered.png,
admin-gaps-phone.png, admin-home.png)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from admin_support import TOKEN
from browser_support import ARTIFACTS, launch_browser, serve_copy, watched_page
from conftest import FIXTURES

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
QUESTIONS = [
    "How do we organise a hackathon for our members?",
    "What are tips for running a hackathon?",
    "How should we plan a hackathon event?",
    "What is the best coffee machine for the office?",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"PLW_ADMIN_TOKEN": TOKEN}
    for base, _ in serve_copy(tmp_path_factory.mktemp("browser-admin"), env):
        for q in QUESTIONS:
            assert httpx.post(f"{base}/api/ask", json={"question": q}, timeout=30).json()[
                "abstained"
            ]
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launch_browser()


def _sign_in(pg, base: str) -> None:
    pg.goto(base + "/admin")
    pg.fill("#token", TOKEN)
    pg.click("form.signin button[type=submit]")
    pg.wait_for_selector("h1:has-text('Index and notes')")


def test_the_gaps_page_closes_the_loop(browser, server) -> None:
    context, pg = watched_page(browser, DESKTOP)
    _sign_in(pg, server)
    (cookie,) = [c for c in context.cookies() if c["name"] == "plw_admin"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/admin"
    assert "Knowledge gaps" in pg.inner_text(".gaps-summary")
    pg.click("nav.admin-nav a:has-text('Knowledge gaps')")
    pg.wait_for_selector(".gap-group")
    groups = pg.locator(".gap-group")
    assert groups.count() == 2
    first = groups.nth(0)
    assert first.locator(".label").inner_text() in QUESTIONS[:3]
    assert "asked 3 times" in first.inner_text() and "3 declined" in first.inner_text()
    assert first.locator(".badge").inner_text() == "open"
    first.locator("details.wordings summary").click()
    assert first.locator("details.wordings li").count() == 3
    pg.screenshot(path=str(ARTIFACTS / "admin-gaps-desktop.png"), full_page=True)

    pg.click("nav.admin-nav a:has-text('Index and notes')")
    pg.set_input_files("#note", str(FIXTURES / "gaps" / "hackathon.md"))
    pg.click("form.upload button:has-text('Upload and index')")
    pg.wait_for_selector("text=Saved as")
    assert "uploads/hackathon.md" in pg.inner_text("ul.uploads")
    pg.screenshot(path=str(ARTIFACTS / "admin-home.png"), full_page=True)

    pg.goto(server + "/admin/gaps")
    pg.click("button:has-text('Re-check every question')")
    pg.wait_for_selector("text=Re-checked 4 questions")
    answered = pg.locator(".gap-group.status-answered")
    assert answered.count() == 1
    assert answered.locator(".badge").inner_text() == "answered now"
    assert "Made-up lesson" in answered.inner_text()
    link = answered.locator("ul.cited a").first
    assert "uploads/hackathon" in (link.get_attribute("href") or "")
    assert pg.locator(".gap-group.status-open").count() == 1  # the coffee machine
    pg.screenshot(path=str(ARTIFACTS / "admin-gaps-answered.png"), full_page=True)

    answered.locator("form.archive button").click()
    pg.wait_for_selector("text=Archived 3 recorded questions")
    assert pg.locator(".gap-group").count() == 1
    pg.click("form.signout button")
    pg.wait_for_selector("#token")
    pg.goto(server + "/admin/gaps")
    assert pg.locator("#token").count() == 1  # signed out: the sign-in form again
    assert pg.problems == []
    context.close()


def test_the_gaps_page_on_a_phone(browser, server) -> None:
    context, pg = watched_page(browser, PHONE)
    _sign_in(pg, server)
    pg.goto(server + "/admin/gaps?sort=last")
    pg.wait_for_selector(".gap-group")
    assert pg.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    footer = pg.inner_text("footer.site")
    assert "kept for 90 days" in footer
    pg.screenshot(path=str(ARTIFACTS / "admin-gaps-phone.png"), full_page=True)
    assert pg.problems == []
    context.close()
