"""The chat as a conversation, in headless Chromium (Debian's) against `plw serve` on loopback:
where the view lands after an answer, links that hold an answer, back/forward/reload, honest
filters, feedback with a comment, comfort (dark theme, "/", 44 px targets, print).

Screenshots go to test-artifacts/chat-*.png. In CI (CI=true) a missing browser is a failure,
not a skip: .ci/run installs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import ARTIFACTS, launch_browser, serve_copy
from browser_support import ask as _ask

from plw_assistant.appdata.database import AppDatabase
from plw_assistant.appdata.feedback import FeedbackStore

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
FIRST = "Which webinar dealt with the impact of COVID?"
FOLLOW_UP = "What else was discussed there?"
FUNDING = "How can clusters support their members with EU funding?"
RESOLVED = "What else was discussed in PLW#1?"  # FOLLOW_UP after FIRST, asked on its own


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    yield from serve_copy(tmp_path_factory.mktemp("browser-chat"))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launch_browser()


@pytest.fixture
def new_page(browser, server) -> Iterator[object]:
    """Pages in fresh contexts (own sessionStorage); no script error or dialog may happen."""
    contexts = []
    errors: list[str] = []

    def make(viewport: dict[str, int] = DESKTOP, **options: object) -> object:
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        pg = context.new_page()
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("dialog", lambda d: (errors.append(d.message), d.dismiss()))
        return pg

    yield make
    for context in contexts:
        context.close()
    assert errors == []


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= size["height"]


def _query(url: str) -> dict[str, list[str]]:
    parts = urlsplit(url)
    assert parts.path == "/", url
    return parse_qs(parts.query)


def _open_filters(page) -> None:
    """The filters are folded away until wanted."""
    scope = page.locator("details.scope")
    assert scope.get_attribute("open") is None
    assert page.inner_text("details.scope summary") == "Only search in: all lessons"
    scope.locator("summary").click()


def _labels_sit_with_their_controls(page) -> None:
    _open_filters(page)
    fields = page.locator("fieldset.filters .field").all()
    assert len(fields) == 3
    for field in fields:
        label = field.locator("label").bounding_box()
        select = field.locator("select").bounding_box()
        middle = label["y"] + label["height"] / 2
        assert select["y"] <= middle <= select["y"] + select["height"], (label, select)
        assert 0 <= select["x"] - (label["x"] + label["width"]) <= 40  # beside it, not below


def _focused(page) -> str:
    return page.evaluate("document.activeElement.className + ' ' + document.activeElement.id")


def test_answers_land_in_view_and_move_the_address(new_page, server) -> None:
    base, _ = server
    page = new_page()
    page.goto(base + "/")
    page.screenshot(path=str(ARTIFACTS / "chat-desktop-first-visit.png"), full_page=True)
    _labels_sit_with_their_controls(page)
    first = _ask(page, FIRST)
    assert _query(page.url) == {"q": [FIRST]}
    heading = first.locator("h2.asked")
    assert heading.inner_text() == FIRST and _in_view(page, heading)
    assert _focused(page).startswith("asked")
    assert "COVID impact" in first.locator(".answer").inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat-desktop-answer.png"))
    second = _ask(page, FOLLOW_UP)
    assert _query(page.url) == {"q": [RESOLVED]}
    heading = second.locator("h2.asked")
    assert _in_view(page, heading) and _focused(page).startswith("asked")
    assert "IT tool" in second.locator(".passages").inner_text()  # the follow-up understood
    assert page.locator(".conversation > .turn").count() == 2
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map((e) => e.id)")
    assert len(ids) == len(set(ids))  # two answers, no id twice
    assert page.get_attribute("#q", "autofocus") is None
    page.screenshot(path=str(ARTIFACTS / "chat-desktop-follow-up.png"))


def test_back_forward_and_reload_keep_the_conversation(new_page, server) -> None:
    base, _ = server
    page = new_page()
    page.goto(base + "/")
    _ask(page, FIRST)
    _ask(page, FOLLOW_UP)
    turns = page.locator(".conversation > .turn")
    said = turns.nth(1).locator(".answer p.text").inner_text()
    assert page.evaluate("Object.keys(sessionStorage)") == ["plw-conversation"]
    page.go_back()
    page.wait_for_url(re.compile(r"/\?q=Which\+webinar"))
    assert turns.count() == 1 and turns.nth(0).locator("h2").inner_text() == FIRST
    page.go_forward()
    page.wait_for_url(re.compile(r"/\?q=What\+else"))
    turns.nth(1).wait_for()
    assert turns.count() == 2
    page.reload()
    turns.nth(1).wait_for()
    assert turns.count() == 2 and turns.nth(1).locator(".answer p.text").inner_text() == said
    assert _in_view(page, turns.nth(1).locator("h2.asked"))
    # The follow-up goes on from the restored conversation.
    third = _ask(page, "And what about partner search?")
    assert turns.count() == 3 and _in_view(page, third.locator("h2.asked"))
    page.click("a.new")
    page.wait_for_url(base + "/")
    assert turns.count() == 0 and page.evaluate("sessionStorage.length") == 0
    page.reload()
    assert page.locator(".conversation > .turn").count() == 0


def _answers_alone(browser, url: str, javascript: bool) -> None:
    """``url`` opened in a new window (nothing of the conversation) answers RESOLVED."""
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(url)
        turn = page.locator(".conversation > .turn")
        assert turn.count() == 1 and turn.locator("h2.asked").inner_text() == RESOLVED
        answer = turn.locator(".answer")
        assert "abstained" not in (answer.get_attribute("class") or "")
        assert "PLW#1" in answer.inner_text()
        assert "no matching lesson" not in page.inner_text("main").lower()
    finally:
        context.close()


def test_a_follow_up_link_stands_alone(new_page, browser, server) -> None:
    base, _ = server
    page = new_page()
    page.goto(base + "/")
    _ask(page, FIRST)
    second = _ask(page, FOLLOW_UP)
    assert second.locator("h2.asked").inner_text() == FOLLOW_UP
    assert second.locator(".resolved").inner_text() == f"Answered as {RESOLVED}"
    assert _query(page.url) == {"q": [RESOLVED]}
    page.screenshot(path=str(ARTIFACTS / "chat-desktop-resolved.png"))
    for javascript in (True, False):
        _answers_alone(browser, page.url, javascript)
    # Without JavaScript the follow-up's own link says the same.
    plain = new_page(java_script_enabled=False)
    plain.goto(base + "/?q=" + FIRST.replace(" ", "+"))
    plain.fill("#q", FOLLOW_UP)
    plain.press("#q", "Enter")
    plain.wait_for_url(re.compile(r"/#latest$"))
    link = plain.locator("#latest ~ .answer .resolved a")
    assert link.inner_text() == RESOLVED
    for javascript in (True, False):
        _answers_alone(browser, base + link.get_attribute("href"), javascript)


def test_back_from_a_note_lands_on_the_passage_in_the_conversation(new_page, server) -> None:
    base, _ = server
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = new_page(viewport)
        page.goto(base + "/")
        _ask(page, FIRST)
        second = _ask(page, FUNDING)
        card = second.locator(".passages ol.cited li.passage").last
        card_id = card.get_attribute("id")
        card.locator("a.doc").click()
        page.wait_for_url("**/documents/**")
        page.click("a.back-to-chat")
        page.wait_for_url(re.compile(r"/\?q="))
        turns = page.locator(".conversation > .turn")
        turns.nth(1).wait_for()
        assert turns.count() == 2
        page.wait_for_function(
            "(id) => { const r = document.getElementById(id).getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= innerHeight; }",
            arg=card_id,
        )
        page.screenshot(path=str(ARTIFACTS / f"chat-{name}-back-from-note.png"))
        # Opened on its own (a new tab of the same window), the note's link still goes back
        # to the conversation, not to an empty chat.
        href = second.locator(".passages a.doc").first.get_attribute("href")
        page.goto(base + href)
        assert page.get_attribute("a.back-to-chat", "href").startswith("/?q=")
        page.click("a.back-to-chat")
        page.locator(".conversation > .turn").nth(1).wait_for()


def test_a_blank_question_says_so(new_page, server) -> None:
    base, _ = server
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    page.goto(base + "/")
    page.fill("#q", "   ")
    page.press("#q", "Enter")
    alert = page.locator(".result .error[role=alert]")
    alert.wait_for()
    assert alert.inner_text() == "The question is empty. Type a question about the lessons."
    assert page.locator(".conversation > .turn").count() == 0 and _focused(page).endswith(" q")


def test_phone_lands_on_the_answer_with_the_box_at_hand(new_page, server) -> None:
    base, _ = server
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    page.goto(base + "/")
    _labels_sit_with_their_controls(page)
    turn = _ask(page, FUNDING)
    assert _query(page.url) == {"q": [FUNDING]}
    assert _in_view(page, turn.locator("h2.asked"))
    page.screenshot(path=str(ARTIFACTS / "chat-phone-answer.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    cites = page.locator("a.cite")
    assert cites.count() >= 1
    for i in range(cites.count()):
        box = cites.nth(i).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
    for button in page.locator("form.feedback button:visible, form.ask button").all():
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
    # Scrolled back up, the question box stays at the bottom of the screen.
    page.evaluate("window.scrollTo(0, 0)")
    box = page.locator("#q").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_a_shared_link_answers_without_javascript(new_page, server) -> None:
    base, _ = server
    page = new_page(java_script_enabled=False)
    page.goto(base + "/?q=" + FUNDING.replace(" ", "+"))
    assert "Members are more and more interested" in page.inner_text(".answer")
    assert page.locator(".passages .passage").count() >= 2
    # Without JavaScript a typed question redirects to its own link, a follow-up lands on
    # the new answer (post/redirect/get, then the conversation posted back).
    page.goto(base + "/")
    page.fill("#q", FIRST)
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/\?q=Which\+webinar"))
    assert _query(page.url) == {"q": [FIRST]}
    page.fill("#q", FOLLOW_UP)
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/#latest$"))
    assert page.locator(".conversation > .turn").count() == 2
    assert page.inner_text("#latest") == FOLLOW_UP and _in_view(page, page.locator("#latest"))


FILTERED = "How can clusters support members with partner search?"
PLW5 = "PLW#5: As a cluster, how to support our members in building EU projects"
ELSEWHERE = (
    "Nothing within the filter Tag: COVID matches this question well. The best match is in "
    f"“{PLW5}”."
)


def _apart(page, one: str, other: str) -> bool:
    """Whether the boxes of two elements do not overlap."""
    a, b = page.locator(one).last.bounding_box(), page.locator(other).bounding_box()
    return (
        a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
        or a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
    )


def _says_where_the_answer_is(page, turn, viewport: dict[str, int]) -> None:
    assert turn.locator("h3.kind").text_content().strip() == "No good match within the filter"
    note = turn.locator(".filter-note")
    assert note.inner_text() == f"{ELSEWHERE} Ask the same question in all lessons"
    assert turn.locator(".answer p.text").count() == 0  # the note says it
    assert turn.locator(".confidence, .passage, form.feedback").count() == 0  # nothing quoted
    assert _in_view(page, note) and _apart(page, ".filter-note", "form.ask")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def _answers_without_the_filter(browser, url: str, javascript: bool) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(url)
        answer = page.locator(".conversation > .turn .answer")
        assert "abstained" not in (answer.get_attribute("class") or "")
        assert "Partner search" in answer.inner_text()
    finally:
        context.close()


def test_a_filter_that_leaves_out_the_answer_says_where_it_is(new_page, browser, server) -> None:
    """Tag "COVID" (PLW#1) and a question on partner search: not answered from PLW#1 but said
    plainly, naming PLW#5 by its title, with the search without the filter one click away;
    on a desktop and a phone, with and without JavaScript."""
    base, _ = server
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        phone = viewport is PHONE
        page = new_page(viewport, is_mobile=phone, has_touch=phone)
        page.goto(base + "/")
        _open_filters(page)
        tags = page.locator("#filter-tag option").all_inner_texts()
        assert {"IT tool", "ESCP-4x", "COVID", "EU funding"} <= set(tags)
        assert not {"it-tool", "escp-4x", "covid"} & set(tags)
        documents = page.locator("#filter-document option").all_inner_texts()
        assert not any(d.startswith("PLW#") for d in documents)  # "Webinar" has them
        page.select_option("#filter-tag", "covid")
        assert page.inner_text(".scope-now") == "Tag: COVID"
        turn = _ask(page, FILTERED)
        assert _query(page.url) == {"q": [FILTERED], "tag": ["covid"]}
        _says_where_the_answer_is(page, turn, viewport)
        # The filter was for that question: the next one starts without it.
        assert page.input_value("#filter-tag") == ""
        assert page.inner_text(".scope-now") == "all lessons"
        page.screenshot(path=str(ARTIFACTS / f"chat-{name}-filter-elsewhere.png"))
    link = turn.locator(".filter-note a")
    href = link.get_attribute("href")
    assert _query(base + href) == {"q": [FILTERED]}
    for javascript in (True, False):
        _answers_without_the_filter(browser, base + href, javascript)
    link.click()
    page.wait_for_url(re.compile(r"/\?q=How\+can\+clusters\+support\+members\+with\+partner"))
    assert "Partner search" in page.locator(".conversation > .turn .answer").inner_text()
    # Without JavaScript: the filter chosen in the folded form, the question posted.
    plain = new_page(java_script_enabled=False)
    plain.goto(base + "/")
    plain.click("details.scope summary")
    plain.select_option("#filter-tag", "covid")
    plain.fill("#q", FILTERED)
    plain.press("#q", "Enter")
    plain.wait_for_url(re.compile(r"&tag=covid$"))
    _says_where_the_answer_is(plain, plain.locator(".conversation > .turn"), DESKTOP)
    plain.click(".filter-note a")
    plain.wait_for_url(re.compile(r"\?q=[^&]*$"))
    assert "Partner search" in plain.locator(".conversation > .turn .answer").inner_text()


def test_a_question_of_its_own_is_new_and_what_about_keeps_its_subject(new_page, server) -> None:
    """After an answer on partner search, an off-topic question is declined as when asked
    first, not answered from the turn before; "And what about partner search?" after a
    webinar's answer is asked as "What do the notes say about partner search?". With and
    without JavaScript."""
    base, _ = server
    kubernetes = "How do I configure a Kubernetes ingress?"
    about = "What do the notes say about partner search?"
    for javascript in (True, False):
        page = new_page(java_script_enabled=javascript)
        page.goto(base + "/")
        _ask(page, FILTERED)
        declined = _ask(page, kubernetes)
        assert "abstained" in (declined.locator(".answer").get_attribute("class") or "")
        assert "No lesson in the notes covers this question" in declined.inner_text()
        assert declined.locator(".resolved").count() == 0  # read on its own
        if javascript:
            assert _query(page.url) == {"q": [kubernetes]}
        page.goto(base + "/")
        _ask(page, "What was discussed in PLW#5?")
        second = _ask(page, "And what about partner search?")
        assert second.locator(".resolved").inner_text() == f"Answered as {about}"
        assert "Partner search" in second.locator(".answer p.text").inner_text()
        if javascript:
            assert _query(page.url) == {"q": [about]}
            page.screenshot(path=str(ARTIFACTS / "chat-desktop-what-about.png"))
        else:
            href = second.locator(".resolved a").get_attribute("href")
            assert _query(base + href) == {"q": [about]}


def _votes(index_dir: Path, question: str) -> list[tuple[str, ...]]:
    rows = FeedbackStore(AppDatabase(index_dir / "app.sqlite")).rows()
    return [r for r in rows if r[2] == question]


def test_no_counts_at_once_and_the_comment_changes_the_same_vote(new_page, server) -> None:
    base, index_dir = server
    question = "How should a cluster communicate with its members in a crisis?"
    page = new_page()
    page.goto(base + "/")
    turn = _ask(page, question)
    form = turn.locator("form.feedback")
    comment = form.locator("input[name=comment]")
    assert not comment.is_visible()
    form.locator("button.no").click()
    # Counted with no "Send": the store has it before anything else is done.
    form.locator(".noted").wait_for()
    assert form.locator(".noted").inner_text().startswith("Thanks — noted")
    assert form.locator("button.no").get_attribute("aria-pressed") == "true"
    assert comment.is_visible() and _focused(page).endswith("comment")
    page.wait_for_function("() => document.querySelector('form.feedback').dataset.vote")
    votes = _votes(index_dir, question)
    assert [(v[1], v[5]) for v in votes] == [("down", "")]
    page.screenshot(path=str(ARTIFACTS / "chat-desktop-no-noted.png"))
    comment.fill("Made-up comment: the partner search part is missing")
    comment.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('form.feedback .noted').textContent.includes('comment')"
    )
    votes = _votes(index_dir, question)
    assert [(v[1], v[5]) for v in votes] == [
        ("down", "Made-up comment: the partner search part is missing")
    ]
    # Changed to "Yes": still one vote for this answer.
    form.locator("button.vote[value=up]").click()
    page.wait_for_function(
        "() => document.querySelector('form.feedback .noted').textContent.endsWith('useful.')"
    )
    assert [(v[1], v[5]) for v in _votes(index_dir, question)] == [("up", "")]


def test_no_counts_at_once_without_javascript(new_page, server) -> None:
    base, index_dir = server
    question = "What did partnerships learn about working with other ESCP-4x projects?"
    page = new_page(java_script_enabled=False)
    page.goto(base + "/?q=" + question.replace(" ", "+"))
    page.click("form.feedback button.vote.no")
    page.wait_for_url("**/feedback")
    assert page.inner_text("p.noted").startswith("Thanks — noted")
    assert [v[1] for v in _votes(index_dir, question)] == ["down"]
    page.screenshot(path=str(ARTIFACTS / "feedback-desktop-no-nojs.png"))
    page.click("text=Mark it as useful")
    page.wait_for_selector("p.noted")
    assert [v[1] for v in _votes(index_dir, question)] == ["up"]
    page.click("text=Back to the answer")
    page.wait_for_selector(".answer")
    assert page.inner_text("h2.asked") == question


def test_an_abstention_can_be_flagged_as_missing(new_page, server) -> None:
    base, index_dir = server
    page = new_page()
    page.goto(base + "/")
    # Near the notes' subject (clusters and their members) yet refused: a gap they may fill.
    # (A question clearly outside them, such as Kubernetes, is not offered: test_chat_page.)
    question = "How do clusters handle GDPR for member data?"
    turn = _ask(page, question)
    assert "abstained" in (turn.locator(".answer").get_attribute("class") or "")
    turn.locator("text=This should have been answered").click()
    turn.locator("form.feedback [role=status]").wait_for()
    assert (
        "Thanks — noted as a question the lessons should answer"
        in turn.locator("form.feedback").inner_text()
    )
    row = FeedbackStore(AppDatabase(index_dir / "app.sqlite")).rows()[-1]
    assert (row[1], row[2], row[6]) == ("down", question, "missing")


def test_dark_theme_slash_key_and_print(new_page, server) -> None:
    base, _ = server
    page = new_page()
    page.goto(base + "/?q=" + FUNDING.replace(" ", "+"))
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light
    page.screenshot(path=str(ARTIFACTS / "chat-dark.png"))
    page.emulate_media(color_scheme="light")
    page.locator(".answer h3").click()  # nothing focused that takes text
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("a/b")  # typing "/" in a field is just a character
    assert page.input_value("#q") == "a/b"
    page.emulate_media(media="print")
    assert not page.locator("form.ask").is_visible()
    assert not page.locator("form.feedback").is_visible()
    assert page.locator(".answer").is_visible() and page.locator(".passage").first.is_visible()


@pytest.fixture(scope="module")
def streaming_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second `plw serve`, with a made-up language model: answers stream."""
    from fake_llm import make_app, serve

    llm = make_app()
    llm.state.script = {"mode": "ok", "text": STREAMED}
    for url in serve(llm):
        env = {"PLW_LLM_BASE_URL": url, "PLW_LLM_MODEL": "made-up"}
        for base, _ in serve_copy(tmp_path_factory.mktemp("browser-stream"), env):
            yield base


STREAMED = (
    "Members are more and more interested in EU funding programmes, but supporting them is "
    "time-consuming [1]."
)


def test_a_streamed_answer_grows_into_a_turn(new_page, streaming_server) -> None:
    page = new_page()
    page.goto(streaming_server + "/")
    assert page.get_attribute("body", "data-stream") == "1"
    turn = _ask(page, FUNDING)
    assert _query(page.url) == {"q": [FUNDING]}
    assert _in_view(page, turn.locator("h2.asked"))
    assert "language model" in turn.locator(".answer h3").inner_text().lower()
    assert turn.locator(".passage").count() >= 1
    second = _ask(page, "And what about partner search?")
    assert page.locator(".conversation > .turn").count() == 2
    assert _in_view(page, second.locator("h2.asked"))
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map((e) => e.id)")
    assert len(ids) == len(set(ids))
    page.reload()
    page.locator(".conversation > .turn").nth(1).wait_for()
    assert page.locator(".conversation > .turn").count() == 2


def test_a_streamed_answer_says_where_a_filtered_out_answer_is(new_page, streaming_server) -> None:
    """With a language model the page builds the filter's note itself, from the answer's
    ``elsewhere``: the same words as the page the server renders."""
    page = new_page()
    page.goto(streaming_server + "/")
    assert page.get_attribute("body", "data-stream") == "1"
    _open_filters(page)
    page.select_option("#filter-tag", "covid")
    turn = _ask(page, FILTERED)
    note = turn.locator(".filter-note")
    assert note.inner_text() == f"{ELSEWHERE} Ask the same question in all lessons"
    assert turn.locator(".answer p.text").count() == 0
    assert _query(streaming_server + note.locator("a").get_attribute("href")) == {"q": [FILTERED]}
