"""Snooze rules beyond the forms: DST, presets, labels, waking, and fuzzed guarantees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskterm.domain.models import UNTIL_REPLY
from deskterm.domain.snooze import (
    MAX_AHEAD,
    PRESETS,
    SnoozeError,
    SnoozeTarget,
    describe,
    parse_snooze,
    preset_targets,
    should_wake,
)

PARIS = ZoneInfo("Europe/Paris")
#: Tuesday 24 November 2026, 14:00 in Paris.
NOW = datetime(2026, 11, 24, 14, 0, tzinfo=PARIS)


def wall(text: str, now: datetime = NOW) -> str:
    """The result on the Paris wall clock, e.g. 'Wed 2026-11-25 09:00'."""
    return f"{parse_snooze(text, now, PARIS).until.astimezone(PARIS):%a %Y-%m-%d %H:%M}"


# --- DST ---------------------------------------------------------------------------------------

SPRING_EVE = datetime(2026, 3, 28, 15, 0, tzinfo=PARIS)  # clocks go 02:00 -> 03:00 tonight
AUTUMN_EVE = datetime(2026, 10, 24, 15, 0, tzinfo=PARIS)  # clocks go 03:00 -> 02:00 tonight


def test_tomorrow_morning_across_spring_forward_is_paris_wall_time() -> None:
    target = parse_snooze("tomorrow 9:00", SPRING_EVE, PARIS)
    assert target.until == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 09:00 CEST


def test_tomorrow_morning_across_fall_back_is_paris_wall_time() -> None:
    target = parse_snooze("tomorrow 9:00", AUTUMN_EVE, PARIS)
    assert target.until == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # 09:00 CET


def test_days_keep_the_wall_clock_but_hours_are_elapsed_time() -> None:
    assert wall("1d", SPRING_EVE) == "Sun 2026-03-29 15:00"
    assert wall("24h", SPRING_EVE) == "Sun 2026-03-29 16:00"
    assert wall("1d", AUTUMN_EVE) == "Sun 2026-10-25 15:00"
    assert wall("24h", AUTUMN_EVE) == "Sun 2026-10-25 14:00"


def test_non_existent_wall_time_resolves_to_a_valid_later_instant() -> None:
    target = parse_snooze("tomorrow 2:30", SPRING_EVE, PARIS)
    assert target.until == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert f"{target.until.astimezone(PARIS):%H:%M}" == "03:30"
    assert target.until > datetime(2026, 3, 29, 2, 0, tzinfo=PARIS)


def test_ambiguous_wall_time_picks_the_first() -> None:
    target = parse_snooze("tomorrow 2:30", AUTUMN_EVE, PARIS)
    assert target.until == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST


# --- presets, labels, waking -------------------------------------------------------------------


def test_presets_have_the_required_keys() -> None:
    assert PRESETS[:5] == [
        ("1", "In 1 hour", "1h"),
        ("2", "This evening", "this evening"),
        ("3", "Tomorrow morning", "tomorrow"),
        ("4", "Next Monday", "next monday"),
        ("5", "Until the customer replies", "until reply"),
    ]


@pytest.mark.parametrize("hour", [8, 14, 19, 23])
def test_preset_targets_line_up_with_presets_at_any_hour(hour: int) -> None:
    now = NOW.replace(hour=hour)
    targets = preset_targets(now, PARIS)
    assert len(targets) == len(PRESETS)
    assert all(isinstance(t, SnoozeTarget) and t.until > now for t in targets)
    assert targets[0].until == now + timedelta(hours=1)
    assert targets[2].label == "until tomorrow 09:00"
    assert targets[3].label == "until Mon 30 Nov 09:00"
    assert targets[4].until_reply
    expected_evening = "until 18:00" if hour < 18 else "until tomorrow 18:00"
    assert targets[1].label.startswith(expected_evening)


@pytest.mark.parametrize(
    ("until", "expected"),
    [
        (NOW + timedelta(minutes=45), "until 14:45 (in 45 min)"),
        (NOW + timedelta(minutes=150), "until 16:30 (in 2 h 30)"),
        (NOW + timedelta(hours=3), "until 17:00 (in 3 h)"),
        (NOW - timedelta(minutes=5), "until 13:55 (due)"),
        (datetime(2026, 11, 25, 9, 0, tzinfo=PARIS), "until tomorrow 09:00"),
        (datetime(2026, 11, 27, 9, 0, tzinfo=PARIS), "until Fri 27 Nov 09:00"),
        (datetime(2027, 1, 4, 9, 0, tzinfo=PARIS), "until Mon 4 Jan 2027 09:00"),
        (UNTIL_REPLY, "until the customer replies"),
    ],
)
def test_describe(until: datetime, expected: str) -> None:
    assert describe(until, NOW, PARIS) == expected


def test_describe_uses_the_agents_time_zone() -> None:
    until = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert describe(until, NOW, "Europe/Paris") == "until tomorrow 04:00"
    assert describe(until, NOW, "America/New_York") == "until 22:00 (in 14 h)"


def test_should_wake() -> None:
    later = NOW + timedelta(hours=1)
    assert not should_wake(None, NOW, customer_wrote_since_snooze=True)
    assert not should_wake(later, NOW, customer_wrote_since_snooze=False)
    assert should_wake(later, NOW, customer_wrote_since_snooze=True)
    assert should_wake(later, later, customer_wrote_since_snooze=False)
    assert should_wake(NOW, later, customer_wrote_since_snooze=False)
    assert not should_wake(UNTIL_REPLY, later, customer_wrote_since_snooze=False)
    assert should_wake(UNTIL_REPLY, later, customer_wrote_since_snooze=True)


# --- properties --------------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"]
WORDS = [
    "in",
    "dans",
    "2",
    "17",
    "45",
    "1h30",
    "h",
    "m",
    "min",
    "days",
    "semaines",
    "tomorrow",
    "demain",
    "lundi",
    "friday",
    "next",
    "prochain",
    "week",
    "at",
    "à",
    "9:00",
    "17h",
    "5pm",
    "2026-03-29",
    "01/12",
    "29/02",
    "réponse",
    "until",
    "reply",
    "ce",
    "soir",
    "matin",
    "1er",
    "décembre",
    "-",
    "+",
    "0",
    "99999",
    "tonight",
    "25:61",
    "2:30",
    "today",
    "the",
    ",",
]
nows = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)
texts = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
)


@settings(max_examples=400, deadline=None)
@given(text=texts, now=nows, tz=st.sampled_from(ZONES))
def test_parse_only_raises_snooze_error_and_only_returns_the_future(
    text: str, now: datetime, tz: str
) -> None:
    try:
        target = parse_snooze(text, now, tz)
    except SnoozeError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert target.until > now
    assert target.until == UNTIL_REPLY or target.until - now <= MAX_AHEAD
    assert target.until.utcoffset() == timedelta(0)
    assert target.label.startswith("until ")


@settings(max_examples=200, deadline=None)
@given(text=texts, now=nows, tz=st.sampled_from(ZONES))
def test_parse_is_deterministic(text: str, now: datetime, tz: str) -> None:
    def attempt() -> SnoozeTarget | str:
        try:
            return parse_snooze(text, now, tz)
        except SnoozeError as exc:
            return str(exc)

    assert attempt() == attempt()


@settings(max_examples=200, deadline=None)
@given(now=nows, tz=st.sampled_from(ZONES), hour=st.integers(0, 23), minute=st.integers(0, 59))
def test_tomorrow_at_a_time_shows_that_time_on_the_wall_clock(
    now: datetime, tz: str, hour: int, minute: int
) -> None:
    target = parse_snooze(f"tomorrow {hour}:{minute:02d}", now, tz)
    local = target.until.astimezone(ZoneInfo(tz))
    assert local.date() == now.astimezone(ZoneInfo(tz)).date() + timedelta(days=1)
    # A wall time skipped by DST moves later; otherwise it is exactly the time asked for.
    assert (local.hour, local.minute) >= (hour, minute)
