"""Medians and percentiles of response times, and their compact display.

Pure: no I/O, no UI. The median of an even count is the mean of the two middle values (the
textbook convention, and what ``statistics.median`` returns), and every percentile uses the
same rule: linear interpolation between the closest ranks, so that the 50th percentile *is*
the median and a single value is every percentile of itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], share: float, *, presorted: bool = False) -> float | None:
    """The *share* quantile (0–1) of *values*; None when there are none.

    Linear interpolation between closest ranks (the "inclusive" method): with n sorted values
    the quantile sits at rank ``share × (n − 1)``.
    """
    if not 0 <= share <= 1:
        raise ValueError("share must be between 0 and 1")
    if not values:
        return None
    ordered = values if presorted else sorted(values)
    rank = share * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    fraction = rank - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


def median(values: Sequence[float], *, presorted: bool = False) -> float | None:
    """The middle value; the mean of the two middle ones for an even count; None if empty."""
    return percentile(values, 0.5, presorted=presorted)


def format_duration(seconds: float | None) -> str:
    """A response time in a few characters: "45s", "4m", "1h05", "26h", "3d"; "—" for none.

    Under a minute in seconds, under an hour in whole minutes (rounded), under ten hours as
    hours and minutes, then hours up to two days, then days.
    """
    if seconds is None:
        return "—"
    seconds = max(0.0, seconds)
    if seconds < 59.5:
        return f"{round(seconds)}s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, rest = divmod(minutes, 60)
    if hours < 10:
        return f"{hours}h{rest:02d}" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    return f"{hours // 24}d"


def format_share(part: int, whole: int) -> str:
    """A share as a whole percentage ("93%"); "—" when there is nothing to divide."""
    if whole <= 0:
        return "—"
    return f"{100 * part / whole:.0f}%"


def trend(current: int, previous: int) -> float | None:
    """Relative change from *previous* to *current* (0.4 for +40 %); None when new."""
    if previous <= 0:
        return None
    return (current - previous) / previous
