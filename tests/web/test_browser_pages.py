"""The document and lessons pages in headless Chromium (Debian's) against `plw serve`.

Screenshots go to test-artifacts/ (document-desktop.png, document-phone.png,
lessons-desktop.png, lessons-phone.png). In CI (CI set) a missing browser is a failure, not a
skip: .ci/run installs it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import ARTIFACTS, launch_browser, serve_copy, watched_page
from browser_support import ask as _ask

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


SHOTS = ARTIFACTS.parent / "docs" / "screenshots"


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_quoted_lists_and_the_follow_up_suggestion(size, request, server) -> None:
    page = request.getfixturevalue(size)
    page.goto(server + "/")
    turn = _ask(page, "What was discussed in PLW#5?")
    # The overview's list is a list, not "- " lines.
    quote = turn.locator(".cited .passage blockquote").first
    assert quote.locator("li").count() == 4
    assert "- " not in quote.inner_text() and "Partner search" in quote.inner_text()
    box = page.locator("#q")
    assert (
        box.get_attribute("placeholder")
        == "And what about “Communication & information on funding opportunities”?"
    )
    _ask(page, "And what about partner search?")
    assert box.get_attribute("placeholder") == "And what about “Setting up proposals”?"
    page.click("a.new")  # a new conversation: the refusal is not read as a follow-up
    page.wait_for_function("() => !document.querySelector('.conversation > .turn')")
    refused = _ask(page, "How do I configure a Kubernetes ingress?")
    assert box.get_attribute("placeholder") == "Ask another question about the lessons"
    assert refused.locator("text=This should have been answered").count() == 0
    assert refused.locator("article.answer").get_attribute("data-follow-up") == ""
    page.goto(server + "/?q=What+was+discussed+in+PLW%233%3F")
    page.wait_for_selector(".answer")
    page.screenshot(path=str(SHOTS / f"i24-follow-up-{size}.png"), full_page=True)
    assert page.problems == []


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_lessons_filter_tolerates_typos(size, request, server) -> None:
    page = request.getfixturevalue(size)
    page.goto(server + "/lessons")
    page.fill("#filter", "fundng")
    page.press("#filter", "Enter")
    page.wait_for_url("**filter=fundng**")
    assert page.inner_text(".count").startswith("3 lessons match “funding”. (You typed “fundng”.)")
    assert "can be extracted:" not in page.inner_text("main")
    ask = page.locator(".lesson a.ask-about").first
    assert ask.get_attribute("href").startswith("/?q=Why%20are%20European%20funding")
    page.screenshot(path=str(SHOTS / f"i24-lessons-typo-{size}.png"), full_page=True)
    ask.click()
    page.wait_for_selector(".answer")
    assert page.inner_text("h2.asked") == (
        "Why are European funding programmes highly strategic for cluster organisations?"
    )
    assert "more lessons under" in page.inner_text(".answer")
    assert page.problems == []
