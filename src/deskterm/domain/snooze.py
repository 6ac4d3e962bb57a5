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

The phrase is read into its pieces (a duration, a time of day, a day) by
:mod:`deskterm.domain.snooze_phrases`; this module puts them on the agent's wall clock and
says the result back.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from deskterm.domain.models import UNTIL_REPLY
from deskterm.domain.snooze_phrases import (
    HINT,
    SnoozeError,
    cannot_read,
    echo,
    normalize,
    parse_clock,
    parse_duration,
    parse_moment,
)
from deskterm.domain.snooze_words import UNTIL_REPLY_PHRASES, WAKE_PHRASES, clock_words

__all__ = [
    "EVENING",
    "MAX_AHEAD",
    "MORNING",
    "PRESETS",
    "SnoozeError",
    "SnoozeTarget",
    "describe",
    "parse_snooze",
    "preset_for",
    "preset_targets",
    "should_wake",
    "wants_wake",
]

MORNING = time(9)
EVENING = time(18)
#: Anything further ahead is almost certainly a typo (a year too many).
MAX_AHEAD = timedelta(days=5 * 366)
_MAX_TEXT = 80

#: The snooze menu: (key, label, expression understood by ``parse_snooze``).
PRESETS: list[tuple[str, str, str]] = [
    ("1", "In 1 hour", "1h"),
    ("2", "This evening", "this evening"),
    ("3", "Tomorrow morning", "tomorrow"),
    ("4", "Next Monday", "next monday"),
    ("5", "Until the customer replies", "until reply"),
]


@dataclass(frozen=True)
class SnoozeTarget:
    """When a snoozed conversation comes back, and how to say it to the agent."""

    until: datetime  # aware UTC, or UNTIL_REPLY
    label: str

    @property
    def until_reply(self) -> bool:
        """True when the conversation waits for the customer rather than a time."""
        return self.until == UNTIL_REPLY


def wants_wake(text: str) -> bool:
    """Whether *text* asks to wake the conversation now ("now", "wake", "réveiller")."""
    return normalize(text) in WAKE_PHRASES


def preset_for(text: str) -> str | None:
    """The preset expression a lone preset digit stands for ("1" → "1h"), else None.

    Only the digit alone: "14h30", "2h" or "1er janvier" are read as typed.
    """
    key = text.strip()
    return next((expression for k, _, expression in PRESETS if k == key), None)


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
        raise SnoozeError(cannot_read(text)) from exc
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


def _parse(text: str, now: datetime, zone: tzinfo, morning: time, evening: time) -> datetime:
    s = normalize(text)
    if not s:
        raise SnoozeError(f"Type when this conversation should come back: {HINT}")
    if len(s) > _MAX_TEXT:
        raise SnoozeError(cannot_read(text))
    if s in UNTIL_REPLY_PHRASES:
        return UNTIL_REPLY
    today = now.astimezone(zone).date()
    words = clock_words(morning, evening)
    until: datetime | None = None
    standalone = parse_clock(s, words, loose=False)
    if standalone is not None:
        until = _first_after([today, today + timedelta(days=1)], standalone[0], zone, now)
    else:
        forced = re.match(r"(?:(?:in|dans|en|for|pendant) |\+ ?)(.+)$", s, re.A)
        duration = parse_duration(forced.group(1) if forced else s)
        if duration is not None:
            until = _add(now, duration, zone, text)
        elif forced:
            raise SnoozeError(cannot_read(text))
        else:
            moment = parse_moment(s, today, words, morning, evening, text)
            if moment is None:
                raise SnoozeError(cannot_read(text))
            until = _first_after(moment[0], moment[1], zone, now)
    if until is None or until <= now:
        raise SnoozeError(f'"{echo(text)}" is in the past: pick a later time')
    if until - now > MAX_AHEAD:
        raise SnoozeError(f'"{echo(text)}" is more than 5 years ahead: pick an earlier time')
    return until


# --- wall-clock arithmetic -------------------------------------------------------------------


def _at(day: date, at: time, zone: tzinfo) -> datetime:
    """The instant the wall clock in *zone* shows *at* on *day* (fold=0: first of a repeat)."""
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def _first_after(days: list[date], at: time, zone: tzinfo, now: datetime) -> datetime | None:
    for day in days:
        instant = _at(day, at, zone)
        if instant > now:
            return instant
    return None


def _add(now: datetime, duration: tuple[float, float], zone: tzinfo, text: str) -> datetime:
    """*now* plus a duration: whole days on the wall clock (DST-proof), the rest as elapsed time."""
    days, seconds = duration
    whole_days, part_day = divmod(days, 1)
    seconds += part_day * 86400
    if days * 86400 + seconds <= 0:
        raise SnoozeError(f'"{echo(text)}" is no time at all: pick a later time')
    if days * 86400 + seconds > MAX_AHEAD.total_seconds():
        raise SnoozeError(f'"{echo(text)}" is more than 5 years ahead: pick an earlier time')
    moved = now
    if whole_days:
        local = now.astimezone(zone).replace(tzinfo=None) + timedelta(days=whole_days)
        moved = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    return (moved + timedelta(seconds=seconds)).astimezone(UTC)
