"""SLA clocks: which policy applies, when an answer is due, and how urgent a conversation is.

The clock runs while a customer waits: from their last message until an agent answers. Business
hours, when a policy has them, count only the minutes the team is open, on the team's wall
clock. Snoozing does not stop the clock: a snoozed conversation whose customer waits is still
late when its due time passes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from deskterm.domain.models import BusinessHours, Channel, SLAPolicy, Status

#: Below this share of the target left, a conversation is due soon.
DUE_SOON_SHARE = 0.25
#: Without a known target, due soon means less than this left.
DUE_SOON_FLOOR = timedelta(minutes=15)


def _policy(policy_id: int, channel: Channel, minutes: int) -> SLAPolicy:
    return SLAPolicy(
        id=policy_id,
        name=channel.value.capitalize() if channel is not Channel.WHATSAPP else "WhatsApp",
        channel=channel,
        first_response_minutes=minutes,
        next_response_minutes=minutes,
    )


#: Targets for a team like the demo's: instant channels in minutes, written ones in hours.
#: Used when the settings define no policy. Copy before changing (``model_copy``).
DEFAULT_POLICIES: list[SLAPolicy] = [
    _policy(1, Channel.WHATSAPP, 5),
    _policy(2, Channel.CHAT, 5),
    _policy(3, Channel.SOCIAL, 30),
    _policy(4, Channel.FORM, 240),
    _policy(5, Channel.EMAIL, 240),
    _policy(6, Channel.PHONE, 60),
]


def policy_for(
    channel: Channel, group_id: int | None, policies: Sequence[SLAPolicy]
) -> SLAPolicy | None:
    """The policy for a conversation: the most specific that matches, else None.

    Channel and group beat channel alone, which beats group alone, which beats the catch-all
    (neither set). Between equally specific policies the first in *policies* wins.
    """
    best: SLAPolicy | None = None
    best_rank = -1
    for policy in policies:
        if policy.channel is not None and policy.channel != channel:
            continue
        if policy.group_id is not None and policy.group_id != group_id:
            continue
        rank = 2 * (policy.channel is not None) + (policy.group_id is not None)
        if rank > best_rank:
            best, best_rank = policy, rank
    return best


# --- business hours ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Opening:
    zone: ZoneInfo
    start: timedelta  # after local midnight
    length: timedelta  # of wall-clock time, up to a day; past midnight for night shifts
    weekdays: frozenset[int]

    @property
    def week(self) -> timedelta:
        return self.length * len(self.weekdays)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The UTC instants the team opens and closes for the shift starting on *day*."""
        if day.weekday() not in self.weekdays:
            return None
        opens = datetime.combine(day, time()) + self.start
        return self._instant(opens), self._instant(opens + self.length)

    def steady(self, day: date) -> bool:
        """No UTC offset change during the 8 days from *day*: a week of shifts is nominal."""
        return self._offset(day) == self._offset(day + timedelta(days=8))

    def _instant(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.zone, fold=0).astimezone(UTC)

    def _offset(self, day: date) -> timedelta | None:
        return datetime.combine(day, time(), tzinfo=self.zone).utcoffset()


def _clock(text: str) -> timedelta:
    hours, _, minutes = text.partition(":")
    value = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if not timedelta(0) <= value <= timedelta(hours=24) or int(minutes or 0) > 59:
        raise ValueError(f"{text!r} is not a time of day (HH:MM)")
    return value


@lru_cache(maxsize=64)
def _opening_of(zone: str, start: str, end: str, weekdays: tuple[int, ...]) -> _Opening:
    opens, closes = _clock(start), _clock(end)
    # An end at or before the start is a shift past midnight; equal means open round the clock.
    length = (closes - opens) % timedelta(days=1) or timedelta(days=1)
    days = frozenset(d for d in weekdays if 0 <= d <= 6)
    return _Opening(ZoneInfo(zone), opens % timedelta(days=1), length, days)


def _opening(hours: BusinessHours) -> _Opening:
    return _opening_of(hours.timezone, hours.start, hours.end, tuple(hours.weekdays))


def add_business_minutes(start: datetime, minutes: int, hours: BusinessHours | None) -> datetime:
    """The instant *minutes* of open time after *start*.

    Without *hours* this is plain addition. With them, only minutes inside opening hours count,
    on the team's wall clock (DST-safe); a *start* outside hours begins at the next opening.
    Business hours with no open weekday count like no business hours at all. Cost grows with
    the number of weeks spanned, not with the minutes.
    """
    # In UTC, so that arithmetic is elapsed time, not wall-clock time.
    start = start.astimezone(UTC)
    if hours is None:
        return start + timedelta(minutes=minutes)
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    opening = _opening(hours)
    if not opening.weekdays:
        return start + timedelta(minutes=minutes)
    remaining = timedelta(minutes=minutes)
    first_day = start.astimezone(opening.zone).date()
    weeks = remaining / opening.week
    if weeks * 7 > (date.max - first_day).days - 16:
        raise OverflowError("that many business minutes ends beyond the calendar")
    # The day before, for a night shift that started yesterday and is still open.
    day = first_day - timedelta(days=1)
    while True:
        if day > first_day and remaining > opening.week and opening.steady(day):
            remaining -= opening.week
            day += timedelta(days=7)
            continue
        window = opening.window(day)
        if window is not None:
            opens, closes = max(window[0], start), window[1]
            if opens < closes:
                if remaining <= closes - opens:
                    return opens + remaining
                remaining -= closes - opens
        day += timedelta(days=1)


def business_minutes_between(a: datetime, b: datetime, hours: BusinessHours | None) -> float:
    """Minutes from *a* to *b* that count: all of them without *hours*, else only open ones.

    Negative when *b* is before *a*. The inverse of ``add_business_minutes``.
    """
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    if hours is None:
        return (b - a).total_seconds() / 60
    if b < a:
        return -business_minutes_between(b, a, hours)
    opening = _opening(hours)
    if not opening.weekdays:
        return (b - a).total_seconds() / 60
    first_day = a.astimezone(opening.zone).date()
    last_day = b.astimezone(opening.zone).date()
    total = timedelta(0)
    day = first_day - timedelta(days=1)
    while day <= last_day:
        # A whole week of shifts, all after a and closed before b, counts in one step.
        if first_day < day and day + timedelta(days=8) <= last_day and opening.steady(day):
            total += opening.week
            day += timedelta(days=7)
            continue
        window = opening.window(day)
        if window is not None:
            opens, closes = max(window[0], a), min(window[1], b)
            if opens < closes:
                total += closes - opens
        day += timedelta(days=1)
    return total.total_seconds() / 60


# --- due times ---------------------------------------------------------------------------------


def target_minutes(policy: SLAPolicy, first_response_at: datetime | None) -> int:
    """The target that applies: first response until someone answered once, then next response."""
    if first_response_at is None:
        return policy.first_response_minutes
    return policy.next_response_minutes


def due_at(
    *,
    status: Status,
    first_response_at: datetime | None,
    last_customer_message_at: datetime | None,
    last_agent_message_at: datetime | None,
    channel: Channel,
    group_id: int | None,
    policies: Sequence[SLAPolicy],
) -> datetime | None:
    """When the customer's wait breaches the SLA, or None when nobody is waiting on us.

    Nobody waits when the conversation is done or pending, when the customer never wrote, or
    when an agent wrote after the customer's last message; nor when no policy applies.
    Snoozing does not pause the clock.
    """
    if status in (Status.DONE, Status.PENDING) or last_customer_message_at is None:
        return None
    if last_agent_message_at is not None and last_agent_message_at > last_customer_message_at:
        return None
    policy = policy_for(channel, group_id, policies)
    if policy is None:
        return None
    minutes = target_minutes(policy, first_response_at)
    return add_business_minutes(last_customer_message_at, minutes, policy.business_hours)


class SLAState(StrEnum):
    NONE = "none"
    OK = "ok"
    DUE_SOON = "due_soon"
    BREACHED = "breached"


def sla_state(
    due: datetime | None, now: datetime, *, target_minutes: int | None = None
) -> SLAState:
    """Where a conversation stands against its due time.

    BREACHED from the due instant on; DUE_SOON when less than a quarter of *target_minutes*
    is left (less than 15 minutes when the target is unknown); NONE without a due time.
    """
    if due is None:
        return SLAState.NONE
    left = _elapsed(now, due)
    if left <= timedelta(0):
        return SLAState.BREACHED
    soon = timedelta(minutes=target_minutes) * DUE_SOON_SHARE if target_minutes else DUE_SOON_FLOOR
    return SLAState.DUE_SOON if left < soon else SLAState.OK


def _elapsed(a: datetime, b: datetime) -> timedelta:
    """Real time from *a* to *b*, even when both share a zone (Python would use wall time)."""
    return b.astimezone(UTC) - a.astimezone(UTC)


# --- compact formats ---------------------------------------------------------------------------


def format_countdown(due: datetime, now: datetime) -> str:
    """Time left until *due*, at most 5 characters: "4m", "1h05", "2h", "14h", "3d", "6w".

    Overdue shows a minus: "-12m", "-3h". Minutes left round up (30 s left is "1m", not yet
    late); under 10 hours the minutes show too, further out only the largest unit.
    """
    seconds = _elapsed(now, due).total_seconds()
    sign = "-" if seconds < 0 else ""
    minutes = math.ceil(abs(seconds) / 60)
    if minutes < 60:
        return f"{sign}{minutes}m"
    hours, rest = divmod(minutes, 60)
    if hours < 10:
        return f"{sign}{hours}h{rest:02d}" if rest else f"{sign}{hours}h"
    if hours < 48:
        return f"{sign}{hours}h"
    days = hours // 24
    if days < 100:
        return f"{sign}{days}d"
    if days < 700:
        return f"{sign}{days // 7}w"
    years = days // 365
    return f"{sign}{years}y" if years < 100 else f"{sign}99y+"


def format_age(then: datetime, now: datetime) -> str:
    """How long ago *then* was, in 3 characters or so: "now", "2m", "3h", "2d", "5w", "2y"."""
    seconds = _elapsed(then, now).total_seconds()
    if seconds < 60:
        return "now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 24 * 60:
        return f"{minutes // 60}h"
    days = minutes // (24 * 60)
    if days < 7:
        return f"{days}d"
    if days < 365:
        return f"{days // 7}w"
    return f"{min(days // 365, 99)}y"


# --- urgency -----------------------------------------------------------------------------------

#: What is at stake moves a conversation up the inbox as if its answer were due this many
#: seconds sooner (a negative stake: later). Low priority counts as a day later, so a
#: compliment never sits above a live late delivery; an order out for delivery now, a VIP
#: and an instant channel (the customer is holding their phone) come sooner.
PRIORITY_STAKES = {"urgent": 3600, "high": 1200, "normal": 0, "low": -86400}
DELIVERY_LIVE_STAKE = 2700
VIP_STAKE = 900
INSTANT_STAKE = 600
INSTANT_CHANNELS = frozenset({Channel.WHATSAPP, Channel.CHAT})
#: The most a stake can move a conversation later (low priority).
LATEST_STAKE = -min(PRIORITY_STAKES.values())


def stake_seconds(*, priority: str, channel: Channel, vip: bool, delivery_live: bool) -> int:
    """How much sooner than its due time a conversation counts (seconds; negative: later)."""
    return (
        PRIORITY_STAKES.get(str(priority), 0)
        + (INSTANT_STAKE if channel in INSTANT_CHANNELS else 0)
        + (VIP_STAKE if vip else 0)
        + (DELIVERY_LIVE_STAKE if delivery_live else 0)
    )


def urgency_key(
    sla_due_at: datetime | None, waiting_since: datetime | None, created_at: datetime
) -> tuple[int, float, float]:
    """Sort key, ascending = most urgent first.

    Conversations with a due time come first, earliest due first; then those where the customer
    waits without a due time, longest wait first; then the rest, oldest first. Priority and
    capital letters do not jump the queue: the clock decides.
    """
    created = created_at.timestamp()
    if sla_due_at is not None:
        return (0, sla_due_at.timestamp(), created)
    if waiting_since is not None:
        return (1, waiting_since.timestamp(), created)
    return (2, created, created)


def merge_policies(stored: Sequence[SLAPolicy], configured: Sequence[SLAPolicy]) -> list[SLAPolicy]:
    """The policies in force: the store's, each replaced by a configured policy for the same
    channel and group (or of the same name), then the configured ones that replace none.

    Configured policies' ids are ignored: a replacing one takes the id it replaces, the others
    the next free ones.
    """
    merged: list[SLAPolicy] = []
    used: set[int] = set()
    for old in stored:
        for n, new in enumerate(configured):
            same_scope = (new.channel, new.group_id) == (old.channel, old.group_id)
            if n not in used and (same_scope or new.name == old.name):
                merged.append(new.model_copy(update={"id": old.id}))
                used.add(n)
                break
        else:
            merged.append(old)
    next_id = max((p.id for p in stored), default=0) + 1
    for n, new in enumerate(configured):
        if n not in used:
            merged.append(new.model_copy(update={"id": next_id}))
            next_id += 1
    return merged
