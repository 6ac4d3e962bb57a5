"""When things happen: the daily rhythm of a meal-delivery service, how many conversations each
day gets, and placing a plan's steps on the clock relative to ``now``."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from random import Random
from zoneinfo import ZoneInfo

from deskterm.backend.demo.threads import INBOX_FATES, Plan

PARIS = ZoneInfo("Europe/Paris")
DAY = 86400
#: How far back the demo goes.
HISTORY_DAYS = 60
#: Monday to Sunday: Fridays and Sundays are busy, Saturdays quieter.
WEEKDAY_FACTORS = (1.0, 0.95, 1.0, 1.05, 1.2, 0.9, 1.15)
_PEAK = 1.35


def live_count(conversations: int) -> int:
    """How many conversations the last day holds: a lively inbox for a small demo, the
    steady daily rate for a big store."""
    return min(round(conversations * 0.3), 900 + conversations // 40)


def utc_offset(t: float) -> int:
    """Paris' offset from UTC at an instant, in seconds."""
    offset = datetime.fromtimestamp(t, PARIS).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def density(local_hour: float) -> float:
    """How busy support is at a local hour: lunch and dinner peaks, quiet nights."""
    busy = 0.25 if 7 <= local_hour < 23 else 0.0
    lunch = math.exp(-(((local_hour - 12.75) / 0.8) ** 2) / 2)
    dinner = 0.9 * math.exp(-(((local_hour - 20.0) / 1.0) ** 2) / 2)
    return 0.06 + busy + lunch + dinner


def sample_time(rng: Random, start: float, end: float, offset: int) -> float:
    """An instant in [start, end) following the daily rhythm (``offset``: local minus UTC)."""
    for _ in range(30):
        t = rng.uniform(start, end)
        hour = ((t + offset) % DAY) / 3600
        if rng.random() * _PEAK < density(hour):
            return t
    return rng.uniform(start, end)


def day_counts(total: int, days: int, first_day: float) -> list[int]:
    """Split ``total`` conversations over ``days`` days by weekday (largest remainders)."""
    weights = [
        WEEKDAY_FACTORS[datetime.fromtimestamp(first_day + i * DAY, UTC).weekday()]
        for i in range(days)
    ]
    scale = total / math.fsum(weights) if weights else 0.0
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(days), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def wait_for(rng: Random, target_minutes: int, breaching: bool) -> float:
    """How long the customer has been waiting now: past the target when breaching."""
    target = target_minutes * 60
    if breaching:
        return min(20 * 3600, target * rng.uniform(1.1, 6.0))
    return target * rng.uniform(0.03, 0.9)


def snooze_until(rng: Random, now: int) -> int:
    """A snooze time an agent would pick: tomorrow 9:00, or in a few hours, on the quarter."""
    if rng.random() < 0.4:
        offset = utc_offset(now)
        midnight = now - (now + offset) % DAY
        return midnight + DAY + 9 * 3600 + rng.choice((0, 0, DAY))
    until = now + rng.uniform(3600, 3 * DAY)
    return int(until // 900 + 1) * 900


def place(plan: Plan, now: int, *, start: float, floor: float, wait: float = 0.0) -> None:
    """Set the time of every step of ``plan``.

    A conversation waiting in the inbox is placed so that its customer's last message came
    ``wait`` seconds ago; any other starts at ``start``. Either way everything stays between
    ``floor`` and a minute ago, squeezing the gaps when a thread would not fit.
    """
    steps = plan.steps
    offsets: list[float] = []
    total = 0.0
    for i, step in enumerate(steps):
        total += step.gap if i else 0.0
        offsets.append(total)
    latest = now - 60
    if plan.fate in INBOX_FATES:
        anchor = max(i for i, s in enumerate(steps) if s.op == "C")
        last = now - wait
        before = offsets[anchor]
        if last - before < floor:
            squeeze = max(0.0, last - floor) / before if before else 1.0
            offsets = [o * squeeze if i <= anchor else o for i, o in enumerate(offsets)]
            before = offsets[anchor]
        after = offsets[-1] - before
        room = max(0.0, latest - last) * 0.8
        if after > room:
            offsets = [
                o if i <= anchor else before + (o - before) * room / after
                for i, o in enumerate(offsets)
            ]
        created = last - before
    else:
        # It starts when it was drawn (ids follow time: moving a start back by the days a
        # long thread lasts would put it among older conversations); a thread too long to
        # end before now has its gaps squeezed instead.
        created = max(floor, start)
        if created + total > latest and total:
            squeeze = max(0.0, latest - created) / total
            offsets = [o * squeeze for o in offsets]
    plan.created = int(created)
    for step, offset in zip(steps, offsets, strict=True):
        step.at = int(created + offset)
