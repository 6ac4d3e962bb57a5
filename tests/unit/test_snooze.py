"""Snooze parsing: every form agents type, DST, presets, labels and wake rules."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskterm.models import UNTIL_REPLY
from deskterm.snooze import (
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


def wall(text: str, now: datetime = NOW, tz: ZoneInfo = PARIS) -> str:
    """The result on the Paris wall clock, e.g. 'Wed 2026-11-25 09:00'."""
    return f"{parse_snooze(text, now, tz).until.astimezone(tz):%a %Y-%m-%d %H:%M}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", "Tue 2026-11-24 16:00"),
        ("45m", "Tue 2026-11-24 14:45"),
        ("1d", "Wed 2026-11-25 14:00"),
        ("1h30", "Tue 2026-11-24 15:30"),
        ("1h30m", "Tue 2026-11-24 15:30"),
        ("2h 15min", "Tue 2026-11-24 16:15"),
        ("90 min", "Tue 2026-11-24 15:30"),
        ("3 days", "Fri 2026-11-27 14:00"),
        ("3 jours", "Fri 2026-11-27 14:00"),
        ("2 semaines", "Tue 2026-12-08 14:00"),
        ("2 weeks", "Tue 2026-12-08 14:00"),
        ("in 2 hours", "Tue 2026-11-24 16:00"),
        ("dans 2 heures", "Tue 2026-11-24 16:00"),
        ("in an hour", "Tue 2026-11-24 15:00"),
        ("dans une heure", "Tue 2026-11-24 15:00"),
        ("1 hour and 30 minutes", "Tue 2026-11-24 15:30"),
        ("1,5h", "Tue 2026-11-24 15:30"),
        ("half an hour", "Tue 2026-11-24 14:30"),
        ("une demi-heure", "Tue 2026-11-24 14:30"),
        ("24h", "Wed 2026-11-25 14:00"),
        ("48h", "Thu 2026-11-26 14:00"),
    ],
)
def test_durations(text: str, expected: str) -> None:
    assert wall(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tonight", "Tue 2026-11-24 18:00"),
        ("this evening", "Tue 2026-11-24 18:00"),
        ("ce soir", "Tue 2026-11-24 18:00"),
        ("tonight 9", "Tue 2026-11-24 21:00"),
        ("ce soir 20h", "Tue 2026-11-24 20:00"),
        ("tomorrow", "Wed 2026-11-25 09:00"),
        ("tomorrow 9:00", "Wed 2026-11-25 09:00"),
        ("tomorrow 14h", "Wed 2026-11-25 14:00"),
        ("tomorrow at 2pm", "Wed 2026-11-25 14:00"),
        ("tomorrow evening", "Wed 2026-11-25 18:00"),
        ("9am tomorrow", "Wed 2026-11-25 09:00"),
        ("demain", "Wed 2026-11-25 09:00"),
        ("demain 14h", "Wed 2026-11-25 14:00"),
        ("demain à 14h30", "Wed 2026-11-25 14:30"),
        ("demain matin", "Wed 2026-11-25 09:00"),
        ("demain après-midi", "Wed 2026-11-25 14:00"),
        ("demain soir", "Wed 2026-11-25 18:00"),
        ("après-demain", "Thu 2026-11-26 09:00"),
        ("apres demain 10h", "Thu 2026-11-26 10:00"),
        ("day after tomorrow", "Thu 2026-11-26 09:00"),
    ],
)
def test_evenings_and_tomorrows(text: str, expected: str) -> None:
    assert wall(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("monday", "Mon 2026-11-30 09:00"),
        ("mon", "Mon 2026-11-30 09:00"),
        ("lundi", "Mon 2026-11-30 09:00"),
        ("lun", "Mon 2026-11-30 09:00"),
        ("friday", "Fri 2026-11-27 09:00"),
        ("fri", "Fri 2026-11-27 09:00"),
        ("friday 10am", "Fri 2026-11-27 10:00"),
        ("vendredi 10h", "Fri 2026-11-27 10:00"),
        ("ven. 10h", "Fri 2026-11-27 10:00"),
        ("friday morning", "Fri 2026-11-27 09:00"),
        ("vendredi soir", "Fri 2026-11-27 18:00"),
        ("next monday", "Mon 2026-11-30 09:00"),
        ("lundi prochain", "Mon 2026-11-30 09:00"),
        ("next monday at 10", "Mon 2026-11-30 10:00"),
        # Today is a Tuesday: "tuesday" is never today.
        ("tuesday", "Tue 2026-12-01 09:00"),
        ("mardi", "Tue 2026-12-01 09:00"),
        ("wednesday", "Wed 2026-11-25 09:00"),
        ("dimanche", "Sun 2026-11-29 09:00"),
        ("next week", "Mon 2026-11-30 09:00"),
        ("semaine prochaine", "Mon 2026-11-30 09:00"),
        ("la semaine prochaine", "Mon 2026-11-30 09:00"),
    ],
)
def test_weekdays(text: str, expected: str) -> None:
    assert wall(text) == expected


def test_next_week_on_a_monday_is_the_monday_after() -> None:
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=PARIS)
    assert wall("next week", monday) == "Mon 2026-12-07 09:00"
    assert wall("lundi", monday) == "Mon 2026-12-07 09:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17:30", "Tue 2026-11-24 17:30"),
        ("5pm", "Tue 2026-11-24 17:00"),
        ("5:30 pm", "Tue 2026-11-24 17:30"),
        ("17h", "Tue 2026-11-24 17:00"),
        ("17h30", "Tue 2026-11-24 17:30"),
        ("à 17h", "Tue 2026-11-24 17:00"),
        ("at 17:00", "Tue 2026-11-24 17:00"),
        # Already past today: tomorrow.
        ("9:00", "Wed 2026-11-25 09:00"),
        ("09h30", "Wed 2026-11-25 09:30"),
        ("12h", "Wed 2026-11-25 12:00"),
        ("9am", "Wed 2026-11-25 09:00"),
        ("midi", "Wed 2026-11-25 12:00"),
        ("14:00", "Wed 2026-11-25 14:00"),  # exactly now is not ahead
        ("evening", "Tue 2026-11-24 18:00"),
    ],
)
def test_times_alone(text: str, expected: str) -> None:
    assert wall(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", "Tue 2026-12-01 09:00"),
        ("2026-12-01 14:00", "Tue 2026-12-01 14:00"),
        ("2026-12-01T14:00", "Tue 2026-12-01 14:00"),
        ("2026-12-01T14:00:00", "Tue 2026-12-01 14:00"),
        ("01/12", "Tue 2026-12-01 09:00"),
        ("1/12 15h", "Tue 2026-12-01 15:00"),
        ("01/12/2027", "Wed 2027-12-01 09:00"),
        ("1er décembre", "Tue 2026-12-01 09:00"),
        ("le 3 mars", "Wed 2027-03-03 09:00"),
        ("dec 1", "Tue 2026-12-01 09:00"),
        ("december 1st at 4pm", "Tue 2026-12-01 16:00"),
        # Day/month already past this year: next year's.
        ("01/01", "Fri 2027-01-01 09:00"),
        ("24/11", "Wed 2027-11-24 09:00"),
        ("29/02", "Tue 2028-02-29 09:00"),
    ],
)
def test_dates(text: str, expected: str) -> None:
    assert wall(text) == expected


def test_written_date_today_still_ahead_is_today() -> None:
    early = datetime(2026, 12, 1, 7, 0, tzinfo=PARIS)
    assert wall("01/12", early) == "Tue 2026-12-01 09:00"


@pytest.mark.parametrize(
    "text",
    [
        "until reply",
        "until the customer replies",
        "reply",
        "jusqu'à réponse",
        "jusqu’à la réponse",
        "réponse",
        "REPONSE",
    ],
)
def test_until_reply(text: str) -> None:
    target = parse_snooze(text, NOW, PARIS)
    assert target.until == UNTIL_REPLY
    assert target.until_reply
    assert target.label == "until the customer replies"


@pytest.mark.parametrize("text", ["  DEMAIN   14H ", "Demain 14h", "APRÈS-DEMAIN", "Lundi."])
def test_case_accents_and_spaces_do_not_matter(text: str) -> None:
    plain = " ".join(text.lower().replace("è", "e").rstrip(".").split())
    assert parse_snooze(text, NOW, PARIS) == parse_snooze(plain, NOW, PARIS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("blah", 'Can\'t read "blah" as a time: try 2h, tomorrow 9:00'),
        ("", "Type when this conversation should come back"),
        ("2020-01-01", "in the past"),
        ("2026-11-24 10:00", "in the past"),
        ("today 9:00", "in the past"),
        ("25:00", "isn't a time of day"),
        ("demain 25h", "isn't a time of day"),
        ("31/02", "isn't a date on the calendar"),
        ("0h", "no time at all"),
        ("2040-01-01", "more than 5 years ahead"),
        ("9000 days", "more than 5 years ahead"),
        ("in blah", "Can't read"),
        ("3 months", "Can't read"),
    ],
)
def test_errors_are_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(SnoozeError) as caught:
        parse_snooze(text, NOW, PARIS)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_error_does_not_echo_control_characters() -> None:
    with pytest.raises(SnoozeError) as caught:
        parse_snooze("\x1b[31mred" + "x" * 100, NOW, PARIS)
    assert "\x1b" not in str(caught.value)
    assert len(str(caught.value)) < 120


def test_unknown_time_zone_is_a_snooze_error() -> None:
    with pytest.raises(SnoozeError, match="Unknown time zone"):
        parse_snooze("2h", NOW, "Mars/Olympus")


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_snooze("2h", datetime(2026, 11, 24, 14, 0), PARIS)


def test_team_morning_and_evening_hours() -> None:
    target = parse_snooze("demain", NOW, PARIS, morning=time(8, 30), evening=time(19))
    assert f"{target.until.astimezone(PARIS):%H:%M}" == "08:30"
    target = parse_snooze("ce soir", NOW, PARIS, morning=time(8, 30), evening=time(19))
    assert f"{target.until.astimezone(PARIS):%H:%M}" == "19:00"


def test_evening_already_past_means_tomorrow_evening() -> None:
    late = datetime(2026, 11, 24, 19, 0, tzinfo=PARIS)
    assert wall("this evening", late) == "Wed 2026-11-25 18:00"


def test_result_is_utc_and_tz_name_works() -> None:
    target = parse_snooze("tomorrow 9:00", NOW, "Europe/Paris")
    assert target.until.tzinfo is UTC
    assert target.until == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


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
