"""Settings: rates in their plainest form are accepted without loading the rate library, and
every one of them is a rate that library reads; anything else is still checked by it."""

from __future__ import annotations

import pytest
from limits import parse

from plw_assistant.config import PLAIN_RATE, Settings, load_settings
from plw_assistant.errors import PLWError


@pytest.mark.parametrize("rate", ["1/second", "10/minute", "999999999/hour", "5/day", "2/year"])
def test_plain_rates_are_ones_limits_reads(rate: str) -> None:
    assert PLAIN_RATE.fullmatch(rate) and parse(rate)
    assert Settings(feedback_rate=rate).feedback_rate == rate


@pytest.mark.parametrize("rate", ["10 per hour", "3/2 minutes", "1/second;10/minute"])
def test_other_rates_are_checked_by_limits(rate: str) -> None:
    assert not PLAIN_RATE.fullmatch(rate)
    assert Settings(admin_failure_rate=rate).admin_failure_rate == rate


@pytest.mark.parametrize("rate", ["ten a minute", "10/fortnight", ""])
def test_a_bad_rate_names_its_variable(rate: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLW_FEEDBACK_RATE", rate)
    with pytest.raises(PLWError, match=r"^Invalid setting: PLW_FEEDBACK_RATE: .*10/minute"):
        load_settings()
