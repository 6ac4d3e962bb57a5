"""Reading what an agent typed for a snooze into its pieces: a duration, a time of day, a
day or the days it may mean. No clock and no time zone here: :mod:`deskterm.domain.snooze`
puts the pieces on the agent's wall clock (the forms understood are listed there).

The text is read normalised (see :func:`normalize`) against the words of
:mod:`deskterm.domain.snooze_words`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time, timedelta

from deskterm.domain.snooze_words import (
    AFTERNOON,
    AFTERNOON_DAYS,
    EVENING_DAYS,
    MONTHS,
    NEXT_WEEK,
    RELATIVE_DAYS,
    WEEKDAYS,
    duration_alias,
)

HINT = "try 2h, tomorrow 9:00, lundi, friday or 2026-12-01"


class SnoozeError(ValueError):
    """What the agent typed is not a usable snooze time; the message is one line for them."""


def echo(text: str) -> str:
    """The agent's input, quoted back safely: no control characters, not too long."""
    shown = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return shown if len(shown) <= 40 else shown[:39] + "…"


def cannot_read(text: str) -> str:
    """The one line saying *text* is no time deskterm can read, with examples."""
    return f'Can\'t read "{echo(text)}" as a time: {HINT}'


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’`´]", " ", text)
    text = re.sub(r"(?<=[a-z])[-‐–](?=[a-z])", " ", text)
    text = re.sub(r"(?<=\d)t(?=\d)", " ", text)  # ISO 2026-12-01T14:00
    text = re.sub(r",(?=\s|$)", " ", text)  # "tomorrow, 9am" (not the decimal in "1,5h")
    return " ".join(text.split()).strip(" .!;")


# --- durations -------------------------------------------------------------------------------

_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_UNIT = r"(minutes?|mins?|mn|m|hours?|hrs?|heures?|h|days?|jours?|d|j|weeks?|wks?|w|semaines?|sem)"
_CHUNK = re.compile(
    r"(?:and |et |\+ ?)?(?:(\d{1,7}(?:[.,]\d{1,4})?) ?|(an?|one|une?) )" + _UNIT + r"(?![a-z])",
    re.A,
)


def _unit_key(unit: str) -> str:
    if unit.startswith(("mi", "mn")) or unit == "m":
        return "m"
    if unit[0] == "h":
        return "h"
    if unit[0] in "dj":
        return "d"
    return "w"


def parse_duration(s: str) -> tuple[float, float] | None:
    """(calendar days, seconds) meant by a duration like "1h30" or "2 semaines", or None.

    Days and weeks are counted on the calendar so that "3 days" keeps the wall-clock time
    across a DST change; hours and minutes are elapsed time.
    """
    alias = duration_alias(s)
    if alias is not None:
        return 0.0, alias
    days, seconds, pos, last = 0.0, 0.0, 0, ""
    while pos < len(s):
        match = _CHUNK.match(s, pos)
        if match is None:
            # "1h30": minutes may follow hours without a unit, at the very end.
            tail = re.fullmatch(r"(\d{1,2})", s[pos:], re.A)
            if last == "h" and tail and int(tail.group(1)) < 60:
                return days, seconds + int(tail.group(1)) * 60
            return None
        number = float(match.group(1).replace(",", ".")) if match.group(1) else 1.0
        last = _unit_key(match.group(3))
        if last in "dw":
            days += number * (7 if last == "w" else 1)
        else:
            seconds += number * _UNIT_SECONDS[last]
        pos = match.end()
        if pos < len(s) and s[pos] == " ":
            pos += 1
    return (days, seconds) if pos else None


# --- clock times -----------------------------------------------------------------------------

_AMPM = re.compile(r"(\d{1,2})(?:[:h](\d{2}))? ?([ap])\.?m\.?", re.A)
_HHMM = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?", re.A)
_H = re.compile(r"(\d{1,2}) ?h ?(\d{2})?", re.A)
_HEURES = re.compile(r"(\d{1,2}) ?heures?(?: (\d{2}))?", re.A)
_BARE = re.compile(r"(\d{1,2})()", re.A)  # an empty minutes group, like the others
_CLOCK_PREFIX = re.compile(r"(?:(?:around|about|vers|at|a) |@ ?)(?=.)", re.A)


def parse_clock(s: str, words: dict[str, time], *, loose: bool) -> tuple[time, bool] | None:
    """A time of day and whether it said am/pm; None when *s* isn't a time of day.

    *loose* (after a day, or "at"/"à") also accepts "9", "9h" and "14 heures"; on its own a
    "<n>h" needs a two-digit hour so that "2h" stays a duration.
    """
    prefix = _CLOCK_PREFIX.match(s)
    if prefix:
        s, loose = s[prefix.end() :], True
    if s in words:
        return words[s], False
    if match := _AMPM.fullmatch(s):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise SnoozeError(f'"{echo(s)}" isn\'t a time of day: try 17:30, 5pm or 17h')
        return time(hour % 12 + (12 if match.group(3) == "p" else 0), minute), True
    match = _HHMM.fullmatch(s) or _H.fullmatch(s)
    if match is None and loose:
        match = _HEURES.fullmatch(s) or _BARE.fullmatch(s)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.re is _H and not loose and (len(match.group(1)) < 2 or hour > 23):
        return None  # "2h", "48h": durations
    if hour > 23 or minute > 59:
        raise SnoozeError(f'"{echo(s)}" isn\'t a time of day: try 17:30, 5pm or 17h')
    return time(hour, minute), False


# --- days and dates --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Day:
    dates: list[date]  # candidates in order; the first one still ahead wins
    default: time
    evening: bool = False  # "tonight 9" means 21:00


_WEEKDAY = re.compile(
    r"(?:(?:on|next|this|coming|this coming|le|ce) )?([a-z]+)\.?"
    r"(?: (?:prochain|prochaine|qui vient))?",
    re.A,
)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.A)
_DM = re.compile(r"(?:(?:le|on|the) )?(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?", re.A)
_D_MONTH = re.compile(
    r"(?:(?:le|on|the) )?(\d{1,2})(?:er|st|nd|rd|th)?(?: of)? ([a-z]+)\.?(?: (\d{4}))?", re.A
)
_MONTH_D = re.compile(r"(?:on )?([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?: (\d{4}))?", re.A)


def _parse_day(s: str, today: date, morning: time, evening: time, text: str) -> _Day | None:
    if s in RELATIVE_DAYS:
        offset = RELATIVE_DAYS[s]
        return _Day([today + timedelta(days=offset)], morning if offset else evening)
    if s in EVENING_DAYS:
        return _Day([today, today + timedelta(days=1)], evening, evening=True)
    if s in AFTERNOON_DAYS:
        return _Day([today], AFTERNOON)
    if s in NEXT_WEEK:
        return _Day([today + timedelta(days=7 - today.weekday())], morning)
    if (match := _WEEKDAY.fullmatch(s)) and match.group(1) in WEEKDAYS:
        ahead = (WEEKDAYS[match.group(1)] - today.weekday() - 1) % 7 + 1
        return _Day([today + timedelta(days=ahead)], morning)
    for pattern, order in ((_ISO, "ymd"), (_DM, "dmy"), (_D_MONTH, "dmy"), (_MONTH_D, "mdy")):
        match = pattern.fullmatch(s)
        if match is None:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = MONTHS.get(parts["m"]) if not parts["m"].isdigit() else int(parts["m"])
        if month is None:
            continue
        return _Day(_calendar_dates(parts["y"], month, int(parts["d"]), today, text), morning)
    return None


def _calendar_dates(year: str | None, month: int, day: int, today: date, text: str) -> list[date]:
    """The dates a written date can mean: the given year, or this year and the next few."""
    if year is not None:
        years = [int(year) + (2000 if len(year) == 2 else 0)]
    else:
        years = list(range(today.year, today.year + 9))  # 29/02 needs up to 8 years
    found = []
    for candidate in years:
        try:
            found.append(date(candidate, month, day))
        except ValueError:
            continue
    if not found:
        raise SnoozeError(f'"{echo(text)}" isn\'t a date on the calendar')
    return found


def parse_moment(
    s: str, today: date, words: dict[str, time], morning: time, evening: time, text: str
) -> tuple[list[date], time] | None:
    """A day and a time, in either order ("demain 14h", "9am tomorrow"), or a day alone."""
    tokens = s.split()
    for i in range(len(tokens), 0, -1):
        day = _parse_day(" ".join(tokens[:i]), today, morning, evening, text)
        if day is None:
            continue
        if i == len(tokens):
            return day.dates, day.default
        clock = parse_clock(" ".join(tokens[i:]), words, loose=True)
        if clock is None:
            continue
        at, said_ampm = clock
        if day.evening and not said_ampm and 1 <= at.hour < 12:
            at = at.replace(hour=at.hour + 12)
        return day.dates, at
    for i in range(1, len(tokens)):
        clock = parse_clock(" ".join(tokens[:i]), words, loose=True)
        day = _parse_day(" ".join(tokens[i:]), today, morning, evening, text)
        if clock is not None and day is not None:
            return day.dates, clock[0]
    return None
