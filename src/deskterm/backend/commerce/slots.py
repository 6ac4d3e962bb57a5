"""Delivery slots: one-hour windows inside the kitchen's opening hours, in local time.

Pure: the caller passes "now" and the time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskterm.backend.commerce.base import Slot

#: Lunch and dinner service, local time: deliveries start on the hour inside these.
OPENING_HOURS: tuple[tuple[time, time], ...] = ((time(11), time(14)), (time(18), time(22)))
SLOT_LENGTH = timedelta(hours=1)
#: How far ahead slots are looked for (a closed shop must not loop forever).
HORIZON_DAYS = 14


def _start_hours(hours: Sequence[tuple[time, time]]) -> list[int]:
    """The local hours at which a slot may start: each one-hour slot ends by closing time."""
    return sorted(
        {
            h
            for opens, closes in hours
            for h in range(opens.hour, 24)
            if time(h) >= opens and (h + 1 < 24 and time(h + 1) <= closes)
        }
    )


def next_slots(
    now: datetime,
    tz: ZoneInfo,
    count: int,
    *,
    hours: Sequence[tuple[time, time]] = OPENING_HOURS,
) -> list[Slot]:
    """The next ``count`` one-hour slots that start at or after ``now``, soonest first."""
    if count <= 0:
        return []
    local_now = now.astimezone(tz)
    found: list[Slot] = []
    for offset in range(HORIZON_DAYS + 1):
        day = local_now + timedelta(days=offset)
        for hour in _start_hours(hours):
            start = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
            start_utc = start.astimezone(UTC)
            if start_utc < now:
                continue
            found.append(Slot(start_utc, (start + SLOT_LENGTH).astimezone(UTC)))
            if len(found) == count:
                return found
    return found


def is_opening_slot(
    slot: Slot, tz: ZoneInfo, *, hours: Sequence[tuple[time, time]] = OPENING_HOURS
) -> bool:
    """True for a one-hour slot starting on the hour inside the opening hours."""
    start = slot.start.astimezone(tz)
    if (start.minute, start.second, start.microsecond) != (0, 0, 0):
        return False
    if slot.end - slot.start != SLOT_LENGTH:
        return False
    return start.hour in _start_hours(hours)
