"""Snooze parsing: every form agents type, in English and French, and its errors."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from deskterm.domain.models import UNTIL_REPLY
from deskterm.domain.snooze import (
    SnoozeError,
    parse_snooze,
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


@pytest.mark.parametrize(
    "text",
    [
        "jusqu'à sa réponse",
        "Jusqu’à ce qu’elle réponde",
        "jusqu'à ce qu'il réponde",
        "en attente du client",
        "quand le client répond",
        "until she replies",
    ],
)
def test_french_and_english_until_reply_variants(text: str):
    from deskterm.domain.models import UNTIL_REPLY
    from deskterm.domain.snooze import parse_snooze

    now = datetime(2026, 11, 24, 9, tzinfo=UTC)
    assert parse_snooze(text, now, "Europe/Paris").until == UNTIL_REPLY


def test_wake_words_and_lone_preset_digits():
    from deskterm.domain.snooze import preset_for, wants_wake

    assert all(wants_wake(t) for t in ("now", "Wake now", "réveiller", "unsnooze", "maintenant"))
    assert not wants_wake("now + 2h") and not wants_wake("2h")
    assert preset_for("1") == "1h" and preset_for(" 5 ") == "until reply"
    assert preset_for("14h30") is None and preset_for("1er janvier") is None
    assert preset_for("2h") is None and preset_for("9") is None
