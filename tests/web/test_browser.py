"""What people see: the chat in headless Chromium (Debian's) against `plw serve` on loopback.

Screenshots go to test-artifacts/. In CI (CI=true) a missing browser is a failure, not a skip:
.ci/run installs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, launch_browser, serve_copy

from plw_assistant.appdata.database import AppDatabase
from plw_assistant.appdata.feedback import FeedbackStore

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    yield from serve_copy(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launch_browser()


@pytest.fixture
def page(browser, server) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    pg = context.new_page()
    pg.dialogs = []  # any alert() would land here: none may ever fire
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def test_ask_click_a_marker_and_follow_up(page, server) -> None:
    base, _ = server
    page.goto(base + "/")
    page.keyboard.press("Tab")  # keyboard only: skip nothing, land on a control
    page.fill("#q", "Which webinar dealt with the impact of COVID?")
    page.press("#q", "Enter")
    page.wait_for_selector(".answer")
    assert "COVID impact" in page.inner_text(".answer")
    assert page.locator(".passage").count() >= 3
    page.click("a.cite >> nth=0")
    assert page.url.endswith("#passage-1")
    target = page.locator(".passage:target")
    assert target.count() == 1 and target.locator("mark").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "desktop-answer.png"), full_page=True)
    page.fill("#q", "What else was discussed there?")
    page.press("#q", "Enter")
    follow_up = page.locator(".conversation > .turn").nth(1)
    follow_up.locator(".answer").wait_for()
    earlier = page.locator(".conversation > .turn").nth(0)
    assert "Which webinar dealt with the impact of COVID?" in earlier.inner_text()
    assert "IT tool" in follow_up.locator(".passages").inner_text()
    page.screenshot(path=str(ARTIFACTS / "desktop-follow-up.png"), full_page=True)
    assert page.dialogs == []


def test_browse_lessons_ask_about_one_and_give_feedback(page, server) -> None:
    base, index_dir = server
    page.goto(base + "/lessons")
    assert page.locator(".lesson").count() >= 25  # each passage once: no "PLW#n: …" overview items
    page.fill("#filter", "funding")
    page.press("#filter", "Enter")
    page.wait_for_url("**filter=funding**")
    count = page.locator(".lesson").count()
    assert 1 <= count < 10
    page.screenshot(path=str(ARTIFACTS / "desktop-lessons.png"), full_page=True)
    page.click(".lesson >> nth=0 >> text=Ask about this")
    page.wait_for_selector(".answer")
    page.click("form.feedback button[value=up]")
    page.wait_for_selector("form.feedback [role=status]")
    assert page.inner_text("form.feedback .noted") == "Thanks — noted: useful."
    rows = FeedbackStore(AppDatabase(index_dir / "app.sqlite")).rows()
    # The lesson's question about its subject (no longer "Tell me more about: <cut text>").
    asked = "Why are European funding programmes highly strategic for cluster organisations?"
    assert rows and rows[-1][1] == "up" and rows[-1][2] == asked


def test_script_in_a_note_runs_nothing(page, server) -> None:
    base, _ = server
    page.goto(base + "/?q=cluster+newsletters")
    page.wait_for_selector(".passages")
    assert '<script>alert("xss")</script>' in page.inner_text(".passages")
    page.goto(base + "/documents/script-note")
    page.goto(base + "/lessons?filter=newsletters")
    assert page.dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0


def test_phone_width(browser, server) -> None:
    base, _ = server
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(base + "/?q=How+can+clusters+support+their+members+with+EU+funding%3F")
    page.wait_for_selector(".answer")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391  # no sideways scroll
    page.screenshot(path=str(ARTIFACTS / "phone-answer.png"), full_page=True)
    page.goto(base + "/")
    page.screenshot(path=str(ARTIFACTS / "phone-start.png"), full_page=True)
    context.close()


def test_focus_is_visible(page, server) -> None:
    base, _ = server
    page.goto(base + "/")
    page.focus("#q")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
