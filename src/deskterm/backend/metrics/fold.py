"""Folding waits into a report's figures: one wait at a time, or folds merged together.

A :class:`Fold` holds every figure of some waits — overall, per slice of the breakdown, per
SLA policy, per day, per agent, and the longest breaches — as counts and sorted durations,
so that folds of separate days merge into exactly the figures of their waits together: the
report of a month is the merge of its days' folds (kept in the store, see
:mod:`deskterm.backend.metrics.digests`) and of its waits still open, which change with the
clock.
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from deskterm.backend.metrics.sql import QUARTER, Wait
from deskterm.backend.metrics.types import Breach, Figures
from deskterm.domain import stats
from deskterm.domain.models import Channel, SLAPolicy
from deskterm.domain.sla import business_minutes_between, policy_for

#: How many breaches a report lists (the longest waits first); the count covers them all.
BREACH_LIST = 50
NO_TAG = "(no tag)"
#: What a slice of a breakdown is keyed by before it gets its label: a channel, a group or
#: agent id (None for none), a tag, an hour.
SliceKey = str | int | None
#: A breach as folds keep it: (time over target, -conversation, -start, first, answered,
#: seconds waited, policy, target minutes), so that the longest come first whatever order
#: the waits are folded in.
Late = tuple[float, int, int, int, int, float, str, int]


class Clock:
    """Local day and hour of epoch seconds, cached per quarter hour (they never straddle one)."""

    def __init__(self, tz: object) -> None:
        self.tz = tz
        self._cache: dict[int, tuple[date, int]] = {}

    def local(self, at: int) -> tuple[date, int]:
        quarter = at // QUARTER
        found = self._cache.get(quarter)
        if found is None:
            moment = datetime.fromtimestamp(quarter * QUARTER, self.tz)  # type: ignore[arg-type]
            found = self._cache[quarter] = (moment.date(), moment.hour)
        return found


class Policies:
    """Which SLA policy a wait falls under, and how long it lasted by that policy's clock."""

    def __init__(self, policies: Sequence[SLAPolicy], now: int) -> None:
        self.policies = policies
        self.now = now
        self._chosen: dict[tuple[str, int | None], SLAPolicy | None] = {}

    def of(self, w: Wait) -> SLAPolicy | None:
        key = (w.channel, w.group_id)
        if key not in self._chosen:
            try:
                channel = Channel(w.channel)
            except ValueError:
                self._chosen[key] = None
            else:
                self._chosen[key] = policy_for(channel, w.group_id, self.policies)
        return self._chosen[key]

    def timing(self, w: Wait, policy: SLAPolicy | None) -> tuple[float | None, bool | None]:
        """(seconds, within target): time to the answer, or so far for a wait still open;
        None for a wait closed without a reply. Within target is None when not judged."""
        if w.ended is not None and not w.answered:
            return None, None
        end = w.ended if w.ended is not None else self.now
        hours = policy.business_hours if policy is not None else None
        if hours is None:
            seconds = float(end - w.started)
        else:
            seconds = 60 * business_minutes_between(
                datetime.fromtimestamp(w.started, UTC), datetime.fromtimestamp(end, UTC), hours
            )
        seconds = max(0.0, seconds)
        if policy is None:
            return seconds, None
        target = 60 * target_minutes(policy, w)
        if w.answered:
            return seconds, seconds <= target
        return seconds, (False if seconds > target else None)  # open, and late already?


def target_minutes(policy: SLAPolicy, wait: Wait) -> int:
    """The target of a wait, in minutes."""
    return policy.first_response_minutes if wait.first else policy.next_response_minutes


class Tally:
    """Figures of some waits, added one at a time or merged (durations packed as doubles: a
    month of a large store is hundreds of thousands of them)."""

    __slots__ = (
        "closed",
        "every",
        "first",
        "first_judged",
        "first_met",
        "firsts",
        "replies_judged",
        "replies_met",
        "unanswered",
    )

    def __init__(self) -> None:
        self.first = array("d")
        self.every = array("d")
        self.firsts = self.first_met = self.first_judged = 0
        self.replies_met = self.replies_judged = self.unanswered = self.closed = 0

    def add(self, w: Wait, seconds: float | None, met: bool | None) -> None:
        if w.first:
            self.firsts += 1
        if seconds is None:
            self.closed += 1
        elif not w.answered:
            self.unanswered += 1
        else:
            self.every.append(seconds)
            if w.first:
                self.first.append(seconds)
        if met is not None:
            if w.first:
                self.first_judged += 1
                self.first_met += met
            else:
                self.replies_judged += 1
                self.replies_met += met

    #: The counts, in the order :meth:`counts` gives them and a digest keeps them.
    COUNTS = (
        "firsts", "first_met", "first_judged", "replies_met", "replies_judged", "unanswered",
        "closed",
    )  # fmt: skip

    def counts(self) -> list[int]:
        return [getattr(self, name) for name in self.COUNTS]

    def _set_counts(self, counts: Iterable[int]) -> None:
        for name, n in zip(self.COUNTS, counts, strict=True):
            setattr(self, name, n)

    def absorb(self, other: Tally) -> None:
        """Add *other*'s waits to these."""
        self.first.extend(other.first)
        self.every.extend(other.every)
        self._set_counts(a + b for a, b in zip(self.counts(), other.counts(), strict=True))

    @classmethod
    def of(cls, counts: Sequence[int], first: array[float], every: array[float]) -> Tally:
        tally = cls()
        tally.first, tally.every = first, every
        tally._set_counts(counts)
        return tally

    def figures(self, label: str) -> Figures:
        # Merged folds hold runs already in order: sorting them is a merge of the runs.
        first, every = sorted(self.first), sorted(self.every)
        return Figures(
            label=label,
            conversations=self.firsts,  # each conversation has one first wait
            first_responses=len(first),
            first_median=stats.median(first, presorted=True),
            first_p90=stats.percentile(first, 0.9, presorted=True),
            responses=len(every),
            response_median=stats.median(every, presorted=True),
            response_p90=stats.percentile(every, 0.9, presorted=True),
            first_met=self.first_met,
            first_judged=self.first_judged,
            replies_met=self.replies_met,
            replies_judged=self.replies_judged,
            unanswered=self.unanswered,
            closed_unanswered=self.closed,
        )


def slice_keys(by: str, clock: Clock) -> Callable[[Wait], Iterable[SliceKey]]:
    """Which slices of the breakdown a wait belongs to (several for several tags), keyed
    before they are named (see :func:`slice_label`)."""
    if by == "channel":
        return lambda w: (w.channel,)
    if by == "group":
        return lambda w: (w.group_id,)
    if by == "agent":
        # Who answered; a wait nobody answered yet belongs to whoever has the conversation.
        return lambda w: (w.responder_id if w.answered else w.assignee_id,)
    if by == "tag":
        return lambda w: w.tags.split() or (NO_TAG,)
    if by == "hour":
        return lambda w: (f"{clock.local(w.started)[1]:02d}h",)
    raise ValueError(f"cannot break figures down by {by!r}")


def slice_label(by: str, key: SliceKey, agents: dict[int, str], groups: dict[int, str]) -> str:
    """A slice's name as the report shows it."""
    if by == "group":
        return groups.get(key, f"group {key}") if isinstance(key, int) else "(no group)"
    if by == "agent":
        return agents.get(key, f"agent {key}") if isinstance(key, int) else "(nobody)"
    return str(key)


@dataclass
class DayPart:
    """What one local day adds to the per-day series."""

    tally: Tally = field(default_factory=Tally)
    started: int = 0
    ended: Counter[date] = field(default_factory=Counter)
    """Waits that started this day, by the local day they ended (the backlog's decrements)."""
    same_day: int = 0
    """First waits answered the day they started."""

    def absorb(self, other: DayPart) -> None:
        self.tally.absorb(other.tally)
        self.started += other.started
        self.ended.update(other.ended)
        self.same_day += other.same_day


class Fold:
    """Every figure of some waits (see the module's docstring)."""

    def __init__(
        self, by: str, clock: Clock, rules: Policies, *, days: bool = True, agents: bool = True
    ) -> None:
        self.clock = clock
        self.rules = rules
        self.key = slice_keys(by, clock)
        self.with_days, self.with_agents = days, agents
        self.overall = Tally()
        self.slices: dict[SliceKey, Tally] = defaultdict(Tally)
        self.policies: dict[str, Tally] = defaultdict(Tally)
        self.days: dict[date, DayPart] = defaultdict(DayPart)
        self.agents: dict[int, Tally] = defaultdict(Tally)
        self.answered: dict[int, set[int]] = defaultdict(set)
        """The conversations each agent answered."""
        self.late: list[Late] = []
        """The longest breaches, a bounded heap."""
        self.closes: dict[int, list[int]] | None = None
        """Closes and reopens by agent (agent → [closed, reopened]) of the days whose
        digests hold them; None when not read with the waits."""

    def add_all(self, waits: Iterable[Wait]) -> Fold:
        for w in waits:
            self.add(w)
        return self

    def add(self, w: Wait) -> None:
        policy = self.rules.of(w)
        seconds, met = self.rules.timing(w, policy)
        self.overall.add(w, seconds, met)
        for k in self.key(w):
            self.slices[k].add(w, seconds, met)
        if self.with_days:
            start_day = self.clock.local(w.started)[0]
            part = self.days[start_day]
            part.tally.add(w, seconds, met)
            part.started += 1
            if w.ended is not None:
                end_day = self.clock.local(w.ended)[0]
                part.ended[end_day] += 1
                if w.first and w.answered and end_day == start_day:
                    part.same_day += 1
        if self.with_agents:
            aid = w.responder_id if w.answered else w.assignee_id
            if aid is not None:
                self.agents[aid].add(w, seconds, met)
                if w.answered:
                    self.answered[aid].add(w.conversation_id)
        if policy is None:
            return
        self.policies[policy.name].add(w, seconds, met)
        if met is False and seconds is not None:
            target = target_minutes(policy, w)
            over = seconds - 60 * target
            entry: Late = (
                over, -w.conversation_id, -w.started, w.first, w.answered, seconds,
                policy.name, target,
            )  # fmt: skip
            if len(self.late) < BREACH_LIST:
                heapq.heappush(self.late, entry)
            else:
                heapq.heappushpop(self.late, entry)

    def absorb(self, other: Fold) -> None:
        """Add *other*'s waits to these (the same breakdown, clock and policies)."""
        self.overall.absorb(other.overall)
        for k, t in other.slices.items():
            self.slices[k].absorb(t)
        for name, t in other.policies.items():
            self.policies[name].absorb(t)
        if self.with_days:
            for day, part in other.days.items():
                self.days[day].absorb(part)
        if self.with_agents:
            for aid, t in other.agents.items():
                self.agents[aid].absorb(t)
            for aid, cids in other.answered.items():
                self.answered[aid] |= cids
        if other.closes is not None:
            if self.closes is None:
                self.closes = {}
            for aid, (closed, reopened) in other.closes.items():
                mine = self.closes.setdefault(aid, [0, 0])
                mine[0] += closed
                mine[1] += reopened
        self.late = heapq.nlargest(BREACH_LIST, self.late + other.late)
        heapq.heapify(self.late)

    def breaches(self) -> list[Breach]:
        return [
            Breach(
                conversation_id=-neg_cid,
                policy=policy,
                first=bool(first),
                target_minutes=target,
                started=datetime.fromtimestamp(-neg_start, UTC),
                waited_seconds=seconds,
                answered=bool(answered),
            )
            for _, neg_cid, neg_start, first, answered, seconds, policy, target in sorted(
                self.late, reverse=True
            )
        ]
