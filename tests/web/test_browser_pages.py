"""The document and lessons pages in headless Chromium (Debian's) against `plw serve`.

Screenshots go to test-artifacts/ (document-desktop.png, document-phone.png,
lessons-desktop.png, lessons-phone.png). In CI (CI set) a missing browser is a failure, not a
skip: .ci/run installs it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import ARTIFACTS, launch_browser, serve_copy, watched_page

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
EU_QUESTION = "/?q=How+can+clusters+support+their+members+with+EU+funding%3F"
IN_VIEW = """() => {
  const r = document.getElementById('passage').getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    for base, _ in serve_copy(tmp_path_factory.mktemp("browser-pages")):
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launch_browser()


@pytest.fixture
def desktop(browser, server) -> Iterator[object]:
    context, pg = watched_page(browser, DESKTOP)
    yield pg
    context.close()


@pytest.fixture
def phone(browser, server) -> Iterator[object]:
    context, pg = watched_page(browser, PHONE)
    yield pg
    context.close()


def _open_cited_document(page, base: str) -> None:
    """From an answer, follow the first passage's link to its note."""
    page.goto(base + EU_QUESTION)
    page.wait_for_selector(".answer")
    link = page.locator('.passages a[href*="/documents/"]').first
    href = link.get_attribute("href")
    assert href and href.endswith("#passage")
    link.click()
    page.wait_for_url("**/documents/**#passage")
    page.wait_for_selector("#passage")
    page.wait_for_function(IN_VIEW)


def test_a_document_link_from_an_answer_shows_the_passage(desktop, server) -> None:
    _open_cited_document(desktop, server)
    mark = desktop.locator("mark#passage")
    assert mark.inner_text().startswith("Members are more and more interested")
    assert desktop.evaluate(IN_VIEW)
    background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    body = desktop.inner_text(".doc-body")
    assert "---" not in body and "##" not in body and "<!--" not in body
    assert "By Oriane Marchal" in desktop.inner_text(".doc-meta")
    assert desktop.locator(".doc-body h2", has_text="Context").count() == 1
    desktop.screenshot(path=str(ARTIFACTS / "document-desktop.png"))
    assert desktop.problems == []


def test_a_document_on_a_phone(phone, server) -> None:
    _open_cited_document(phone, server)
    assert phone.evaluate(IN_VIEW)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    phone.screenshot(path=str(ARTIFACTS / "document-phone.png"))
    assert phone.problems == []


def test_a_note_with_a_script_runs_nothing(desktop, server) -> None:
    desktop.goto(server + "/documents/script-note")
    assert '<script>alert("xss")</script>' in desktop.inner_text(".doc-body")
    assert (
        desktop.evaluate("document.querySelectorAll('.doc-body img, .doc-body script').length") == 0
    )
    assert desktop.problems == []


def test_the_lessons_page(desktop, server) -> None:
    desktop.goto(server + "/lessons")
    headings = desktop.locator(".part > h2").all_inner_texts()
    assert headings == ["Key lessons", "Webinars", "Other notes"]
    assert desktop.locator(".part-key .lesson").count() == 9
    assert desktop.locator("li.webinar").count() == 6  # PLW#1–#5 and the made-up PLW#9
    desktop.screenshot(path=str(ARTIFACTS / "lessons-desktop.png"), full_page=True)
    desktop.fill("#filter", "digitalisation")
    desktop.press("#filter", "Enter")
    desktop.wait_for_url("**filter=digitalisation**")
    assert desktop.inner_text(".count").startswith("1 lesson matches “digitalisation”.")
    assert desktop.locator(".lesson").inner_text().startswith("Digitalization of cluster")
    desktop.click("text=by webinar")
    desktop.wait_for_url("**by=webinar**")
    assert desktop.locator("section.lesson-group.general h2").inner_text() == "All webinars"
    desktop.click(".lesson >> nth=0 >> text=In context")
    desktop.wait_for_selector("mark#passage")
    desktop.wait_for_function(IN_VIEW)
    assert desktop.problems == []


def test_the_lessons_page_on_a_phone(phone, server) -> None:
    phone.goto(server + "/lessons")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    phone.screenshot(path=str(ARTIFACTS / "lessons-phone.png"), full_page=True)
    assert phone.problems == []
