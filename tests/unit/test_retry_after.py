"""The one Retry-After reader: seconds or an HTTP date, finite, capped; anything else is None."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.retry_after import MAX_RETRY_AFTER, retry_after

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@given(st.integers(min_value=0, max_value=10**12))
def test_whole_seconds_are_read_and_capped(seconds: int) -> None:
    assert retry_after(str(seconds)) == min(seconds, MAX_RETRY_AFTER)


@given(st.one_of(st.none(), st.text(max_size=80)), st.text(max_size=300))
def test_whatever_is_said_the_wait_is_none_or_finite_and_capped(
    header: str | None, body: str
) -> None:
    seconds = retry_after(header, body=body, now=NOW)
    assert seconds is None or (math.isfinite(seconds) and 0 <= seconds <= MAX_RETRY_AFTER)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_in_exponent_or_special_form_are_not_an_answer(value: float) -> None:
    text = repr(value)
    if "e" in text or "inf" in text or "nan" in text or value < 0:
        assert retry_after(text) is None


@pytest.mark.parametrize(
    "header", ["inf", "-inf", "nan", "NaN", "1e308", "1E3", "-5", "+5", "soon", "0x10", "", "  "]
)
def test_unusable_values_leave_the_wait_to_the_caller(header: str) -> None:
    assert retry_after(header) is None


def test_http_dates_count_from_now_and_past_dates_mean_now() -> None:
    assert retry_after(format_datetime(NOW + timedelta(seconds=45), usegmt=True), now=NOW) == 45
    assert retry_after("Wed, 01 May 2024 11:00:00 GMT", now=NOW) == 0
    assert retry_after(format_datetime(NOW + timedelta(days=2), usegmt=True), now=NOW) == 300


def test_decimals_and_a_smaller_cap() -> None:
    assert retry_after(" 0.2 ") == 0.2
    assert retry_after("120", cap=10) == 10


def test_plain_text_answers_are_read_when_the_header_says_nothing() -> None:
    assert retry_after(None, body="Rate limited. Retry after 12 seconds") == 12
    assert retry_after("garbage", body="wait 30 seconds") == 30
    assert retry_after("5", body="wait 30 seconds") == 5
    assert retry_after(None, body="Retry after 1e308 seconds") is None
    assert retry_after(None, body="Too Many Requests") is None
