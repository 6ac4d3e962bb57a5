"""Delivery slots: one-hour windows inside the kitchen's services, in local time.

A service (lunch, dinner) says when deliveries may start and how often: on the hour, or
every half hour where the shop offers it ("18:30–19:30"). Pure: the caller passes "now"
and the time zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskterm.backend.commerce.base import Slot


@dataclass(frozen=True)
class Service:
    """Deliveries start from ``opens`` every ``every`` minutes, and end by ``closes``."""

    opens: time
    closes: time
    every: int = 60


#: Lunch and dinner, local time: the demo kitchen delivers every half hour.
OPENING_HOURS: tuple[Service, ...] = (
    Service(time(11), time(14), every=30),
    Service(time(18), time(22), every=30),
)
SLOT_LENGTH = timedelta(hours=1)
#: How far ahead slots are looked for (a closed shop must not loop forever).
HORIZON_DAYS = 14


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def start_times(hours: Sequence[Service] = OPENING_HOURS) -> list[time]:
    """The local times at which a slot may start: each one-hour slot ends by closing time."""
    length = int(SLOT_LENGTH.total_seconds() // 60)
    starts = {
        m
        for s in hours
        for m in range(_minutes(s.opens), _minutes(s.closes) - length + 1, max(1, s.every))
    }
    return [time(m // 60, m % 60) for m in sorted(starts) if m + length <= 24 * 60]


def next_slots(
    now: datetime, tz: ZoneInfo, count: int, *, hours: Sequence[Service] = OPENING_HOURS
) -> list[Slot]:
    """The next ``count`` one-hour slots that start at or after ``now``, soonest first."""
    if count <= 0:
        return []
    local_now = now.astimezone(tz)
    starts = start_times(hours)
    found: list[Slot] = []
    for offset in range(HORIZON_DAYS + 1):
        day = local_now + timedelta(days=offset)
        for at in starts:
            start = datetime(day.year, day.month, day.day, at.hour, at.minute, tzinfo=tz)
            start_utc = start.astimezone(UTC)
            if start_utc < now:
                continue
            found.append(Slot(start_utc, (start + SLOT_LENGTH).astimezone(UTC)))
            if len(found) == count:
                return found
    return found


def is_opening_slot(slot: Slot, tz: ZoneInfo, *, hours: Sequence[Service] = OPENING_HOURS) -> bool:
    """True for a one-hour slot starting at one of the services' start times."""
    start = slot.start.astimezone(tz)
    if (start.second, start.microsecond) != (0, 0):
        return False
    if slot.end - slot.start != SLOT_LENGTH:
        return False
    return time(start.hour, start.minute) in start_times(hours)


_TYPED_TIME = re.compile(r"^(\d{1,2})(?:h(\d{2})?|[:.](\d{2}))$", re.IGNORECASE)


def typed_time(text: str) -> time | None:
    """The time of day an agent typed to find a slot: ``18:30``, ``18h30``, ``18.30``,
    ``18h``; None for anything else (a bare ``18`` may be a date: not a time)."""
    match = _TYPED_TIME.match(text.strip())
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or match[3] or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
