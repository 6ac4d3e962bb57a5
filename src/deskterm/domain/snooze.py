"""Snooze: read "when should this conversation come back?" as agents type it, in English or French.

``parse_snooze`` turns what an agent types into a :class:`SnoozeTarget`: an aware UTC instant
strictly after *now*, or :data:`~deskterm.domain.models.UNTIL_REPLY`. Everything is read on
the agent's wall clock, so "tomorrow 9:00" is 09:00 in the agent's time zone whatever the DST.
A wall time that does not exist (02:30 on the spring-forward night) becomes the instant the
clock shows 03:30; one that happens twice (autumn) is the first of the two.

Forms understood (case, accents and extra spaces do not matter):

- durations: ``2h``, ``45m``, ``1h30``, ``90 min``, ``3 days``, ``2 semaines``, ``in 2 hours``,
  ``dans 2 heures``, ``half an hour``. Days and weeks keep the wall-clock time.
- ``tonight``, ``this evening``, ``ce soir``: the coming evening (today's, or tomorrow's once
  today's evening hour has passed; the label shows which).
- ``tomorrow``, ``demain``, ``après-demain``, optionally with a time (``tomorrow 9:00``,
  ``demain 14h``, ``demain matin``): at the morning hour unless a time is given.
- weekdays, full or short (``monday``, ``mon``, ``lundi``, ``ven``), also ``next monday`` and
  ``lundi prochain``: the next such day, never today, at the morning hour unless a time is given.
- ``next week`` / ``semaine prochaine``: next Monday morning.
- times alone (``17:30``, ``5pm``, ``17h``, ``17h30``, ``midi``): today if still ahead, else
  tomorrow.
- dates: ``2026-12-01`` (morning), ``2026-12-01 14:00``, ``2026-12-01T14:00``, ``01/12``
  (day/month, next occurrence), ``1er décembre``, ``dec 1``.
- ``until reply``, ``until the customer replies``, ``reply``, ``jusqu'à réponse``, ``réponse``.

A bare ``<n>h`` is a clock time when the hour has two digits and exists (``17h``, ``09h30``,
``12h``) and a duration otherwise (``2h``, ``1h30``, ``48h``); ``in``/``dans`` always means a
duration.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from deskterm.domain.models import UNTIL_REPLY
from deskterm.domain.snooze_words import (
    AFTERNOON,
    AFTERNOON_DAYS,
    EVENING_DAYS,
    MONTHS,
    NEXT_WEEK,
    RELATIVE_DAYS,
    UNTIL_REPLY_PHRASES,
    WEEKDAYS,
    clock_words,
    duration_alias,
)

MORNING = time(9)
EVENING = time(18)
#: Anything further ahead is almost certainly a typo (a year too many).
MAX_AHEAD = timedelta(days=5 * 366)
_MAX_TEXT = 80
_HINT = "try 2h, tomorrow 9:00, lundi, friday or 2026-12-01"

#: The snooze menu: (key, label, expression understood by ``parse_snooze``).
PRESETS: list[tuple[str, str, str]] = [
    ("1", "In 1 hour", "1h"),
    ("2", "This evening", "this evening"),
    ("3", "Tomorrow morning", "tomorrow"),
    ("4", "Next Monday", "next monday"),
    ("5", "Until the customer replies", "until reply"),
]


class SnoozeError(ValueError):
    """What the agent typed is not a usable snooze time; the message is one line for them."""


@dataclass(frozen=True)
class SnoozeTarget:
    """When a snoozed conversation comes back, and how to say it to the agent."""

    until: datetime  # aware UTC, or UNTIL_REPLY
    label: str

    @property
    def until_reply(self) -> bool:
        """True when the conversation waits for the customer rather than a time."""
        return self.until == UNTIL_REPLY


def parse_snooze(
    text: str,
    now: datetime,
    tz: str | tzinfo = "UTC",
    *,
    morning: time = MORNING,
    evening: time = EVENING,
) -> SnoozeTarget:
    """Read *text* as the moment a conversation should come back; raise SnoozeError if it can't.

    *now* must be aware; *tz* is the agent's time zone (a name or a tzinfo). *morning* and
    *evening* are the hours meant by "tomorrow", weekdays, "ce soir" and the like.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    zone = _zone(tz)
    # In UTC, so that arithmetic and comparisons are in elapsed time, not on a wall clock.
    now = now.astimezone(UTC)
    try:
        until = _parse(text, now, zone, morning, evening)
    except SnoozeError:
        raise
    except (OverflowError, ValueError) as exc:
        # Calendar arithmetic at the far edges of datetime's range: still one clear line.
        raise SnoozeError(_cannot_read(text)) from exc
    return SnoozeTarget(until, describe(until, now, zone))


def preset_targets(
    now: datetime,
    tz: str | tzinfo = "UTC",
    *,
    morning: time = MORNING,
    evening: time = EVENING,
) -> list[SnoozeTarget]:
    """The PRESETS resolved at *now*, in the same order (so index i belongs to PRESETS[i]).

    "This evening" never fails: once the evening hour has passed it means tomorrow evening,
    which the target's label makes visible.
    """
    return [
        parse_snooze(expression, now, tz, morning=morning, evening=evening)
        for _, _, expression in PRESETS
    ]


def should_wake(
    snoozed_until: datetime | None, now: datetime, *, customer_wrote_since_snooze: bool
) -> bool:
    """Whether a snoozed conversation comes back now: its time has come, or the customer wrote.

    A message from the customer wakes any snooze, "until reply" or timed. A conversation that
    is not snoozed (None) has nothing to wake from.
    """
    if snoozed_until is None:
        return False
    return customer_wrote_since_snooze or now.astimezone(UTC) >= snoozed_until.astimezone(UTC)


_DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def describe(until: datetime, now: datetime, tz: str | tzinfo = "UTC") -> str:
    """Say when a snooze ends, to be read at a glance, on the agent's wall clock.

    "until 14:35 (in 45 min)" later today, "until 14:35 (due)" if already passed today,
    "until tomorrow 09:00", "until Tue 24 Nov 09:00" (with the year when it is not this
    year's), and "until the customer replies" for UNTIL_REPLY.
    """
    if until >= UNTIL_REPLY:
        return "until the customer replies"
    zone = _zone(tz)
    until, now = until.astimezone(UTC), now.astimezone(UTC)
    local = until.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = f"{local:%H:%M}"
    if local.date() == today:
        return f"until {clock} ({'due' if until <= now else _in(until - now)})"
    if local.date() == today + timedelta(days=1):
        return f"until tomorrow {clock}"
    year = f" {local.year}" if local.year != today.year else ""
    day = f"{_DAY_ABBR[local.weekday()]} {local.day} {_MONTH_ABBR[local.month - 1]}{year}"
    return f"until {day} {clock}"


def _in(delta: timedelta) -> str:
    minutes = math.ceil(delta.total_seconds() / 60)
    if minutes < 60:
        return f"in {minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"in {hours} h" if not minutes else f"in {hours} h {minutes:02d}"


def _zone(tz: str | tzinfo) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ValueError, KeyError, TypeError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise SnoozeError(f"Unknown time zone {tz!r}: use a name like Europe/Paris") from exc


def _echo(text: str) -> str:
    """The agent's input, quoted back safely: no control characters, not too long."""
    shown = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _cannot_read(text: str) -> str:
    return f'Can\'t read "{_echo(text)}" as a time: {_HINT}'


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’`´]", " ", text)
    text = re.sub(r"(?<=[a-z])[-‐–](?=[a-z])", " ", text)
    text = re.sub(r"(?<=\d)t(?=\d)", " ", text)  # ISO 2026-12-01T14:00
    text = re.sub(r",(?=\s|$)", " ", text)  # "tomorrow, 9am" (not the decimal in "1,5h")
    return " ".join(text.split()).strip(" .!;")


def _at(day: date, at: time, zone: tzinfo) -> datetime:
    """The instant the wall clock in *zone* shows *at* on *day* (fold=0: first of a repeat)."""
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def _parse(text: str, now: datetime, zone: tzinfo, morning: time, evening: time) -> datetime:
    s = _normalize(text)
    if not s:
        raise SnoozeError(f"Type when this conversation should come back: {_HINT}")
    if len(s) > _MAX_TEXT:
        raise SnoozeError(_cannot_read(text))
    if s in UNTIL_REPLY_PHRASES:
        return UNTIL_REPLY
    today = now.astimezone(zone).date()
    words = clock_words(morning, evening)
    until: datetime | None = None
    standalone = _parse_clock(s, words, loose=False)
    if standalone is not None:
        until = _first_after([today, today + timedelta(days=1)], standalone[0], zone, now)
    else:
        forced = re.match(r"(?:(?:in|dans|en|for|pendant) |\+ ?)(.+)$", s, re.A)
        duration = _parse_duration(forced.group(1) if forced else s)
        if duration is not None:
            until = _add(now, duration, zone, text)
        elif forced:
            raise SnoozeError(_cannot_read(text))
        else:
            moment = _parse_moment(s, today, words, morning, evening, text)
            if moment is None:
                raise SnoozeError(_cannot_read(text))
            until = _first_after(moment[0], moment[1], zone, now)
    if until is None or until <= now:
        raise SnoozeError(f'"{_echo(text)}" is in the past: pick a later time')
    if until - now > MAX_AHEAD:
        raise SnoozeError(f'"{_echo(text)}" is more than 5 years ahead: pick an earlier time')
    return until


def _first_after(days: list[date], at: time, zone: tzinfo, now: datetime) -> datetime | None:
    for day in days:
        instant = _at(day, at, zone)
        if instant > now:
            return instant
    return None


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


def _parse_duration(s: str) -> tuple[float, float] | None:
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


def _add(now: datetime, duration: tuple[float, float], zone: tzinfo, text: str) -> datetime:
    """*now* plus a duration: whole days on the wall clock (DST-proof), the rest as elapsed time."""
    days, seconds = duration
    whole_days, part_day = divmod(days, 1)
    seconds += part_day * 86400
    if days * 86400 + seconds <= 0:
        raise SnoozeError(f'"{_echo(text)}" is no time at all: pick a later time')
    if days * 86400 + seconds > MAX_AHEAD.total_seconds():
        raise SnoozeError(f'"{_echo(text)}" is more than 5 years ahead: pick an earlier time')
    moved = now
    if whole_days:
        local = now.astimezone(zone).replace(tzinfo=None) + timedelta(days=whole_days)
        moved = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    return (moved + timedelta(seconds=seconds)).astimezone(UTC)


# --- clock times -----------------------------------------------------------------------------

_AMPM = re.compile(r"(\d{1,2})(?:[:h](\d{2}))? ?([ap])\.?m\.?", re.A)
_HHMM = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?", re.A)
_H = re.compile(r"(\d{1,2}) ?h ?(\d{2})?", re.A)
_HEURES = re.compile(r"(\d{1,2}) ?heures?(?: (\d{2}))?", re.A)
_BARE = re.compile(r"(\d{1,2})()", re.A)  # an empty minutes group, like the others
_CLOCK_PREFIX = re.compile(r"(?:(?:around|about|vers|at|a) |@ ?)(?=.)", re.A)


def _parse_clock(s: str, words: dict[str, time], *, loose: bool) -> tuple[time, bool] | None:
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
            raise SnoozeError(f'"{_echo(s)}" isn\'t a time of day: try 17:30, 5pm or 17h')
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
        raise SnoozeError(f'"{_echo(s)}" isn\'t a time of day: try 17:30, 5pm or 17h')
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
        raise SnoozeError(f'"{_echo(text)}" isn\'t a date on the calendar')
    return found


def _parse_moment(
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
        clock = _parse_clock(" ".join(tokens[i:]), words, loose=True)
        if clock is None:
            continue
        at, said_ampm = clock
        if day.evening and not said_ampm and 1 <= at.hour < 12:
            at = at.replace(hour=at.hour + 12)
        return day.dates, at
    for i in range(1, len(tokens)):
        clock = _parse_clock(" ".join(tokens[:i]), words, loose=True)
        day = _parse_day(" ".join(tokens[i:]), today, morning, evening, text)
        if clock is not None and day is not None:
            return day.dates, clock[0]
    return None
