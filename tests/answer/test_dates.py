"""Dates asked for and dates given, from the words alone (no model, no index)."""

from __future__ import annotations

from plw_assistant.answer.dates import asks_dated_past, date_asked, spans_dates

SERIES = "Between October 2020 and January 2022, the BLUES consortium has been organising"
EXTRA = "they will keep on with the sharing spirit through the organisation of an extra PLW in 2022"


def test_a_date_of_something_to_come_is_not_given_by_dates_of_the_past() -> None:
    for question in (
        "When will the next call for clusters open?",
        "What is the deadline for the next call for cluster partnerships?",
    ):
        holds = date_asked(question)
        assert holds is not None and not holds(SERIES)
    when = date_asked("When will the extra webinar take place?")
    assert when is not None and when(EXTRA)


def test_a_question_about_the_next_webinar_asks_no_date() -> None:
    assert date_asked("What will the next webinar on exporting cover?") is None
    assert date_asked("Who will speak at the upcoming session?") is None


def test_when_is_answered_by_a_month_or_a_year() -> None:
    holds = date_asked("When did the webinars take place?")
    assert holds is not None and holds(SERIES) and not holds("The webinars were a success.")


def test_a_span_of_dates_bounds_what_was_held_within_it() -> None:
    assert spans_dates(SERIES + " a series of 5 PLW") and not spans_dates(EXTRA)
    assert asks_dated_past("When was PLW#3?")
    assert not asks_dated_past("When will the next call for clusters open?")
    assert not asks_dated_past("What day in 2022 is the extra PLW on?")  # its year is told
