"""The numbers that matter: response times, SLA attainment, volume and reasons, per period.

Definitions (the reads are in :mod:`deskterm.backend.metrics.sql`):

- A **wait** is a run of customer messages until the next public agent reply (answered) or
  until the conversation is marked done without one (closed: not counted as a response).
  Internal notes never answer. The **first response** answers the wait that the
  conversation's first customer message started; **response time** counts every answered
  wait, the first included.
- Durations are elapsed time, or only open time when the conversation's SLA policy has
  business hours (the same arithmetic as the live SLA clock).
- **SLA attainment**: a first response within the policy's first-response target, a later
  one within its next-response target. A wait still unanswered past its target is a breach
  too; one still within it, or closed without a reply, is not judged.
- A period is whole days in the team's time zone, and a wait belongs to the day and hour
  (same zone) it started in. Medians of an even count are the mean of the two middle values.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskterm.backend.metrics.agents import AgentTally, agent_figures
from deskterm.backend.metrics.problems import customers_notified, top_problems
from deskterm.backend.metrics.sql import (
    QUARTER,
    Traffic,
    Wait,
    iter_waits,
    names,
    tag_counts,
    traffic,
)
from deskterm.backend.metrics.types import Breach, Day, Figures, Report, TagTrend
from deskterm.domain import stats
from deskterm.domain.models import BusinessHours, Channel, SLAPolicy
from deskterm.domain.sla import business_minutes_between, policy_for

#: The ways a period's figures can be broken down.
BREAKDOWNS = ("channel", "group", "agent", "tag", "hour")
#: How many breaches a report lists (the longest waits first); the count covers them all.
BREACH_LIST = 50
#: How many reason tags a report ranks.
TOP_TAGS = 10
NO_TAG = "(no tag)"


def period_bounds(since: date, until: date, tz: ZoneInfo) -> tuple[int, int]:
    """Epoch seconds of local midnight starting *since* and ending *until* (inclusive)."""
    if until < since:
        raise ValueError("the period ends before it starts")
    start = datetime.combine(since, time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    return int(start.timestamp()), int(end.timestamp())


def read_policies(conn: sqlite3.Connection) -> list[SLAPolicy]:
    """The store's SLA policies (without the Store, so a report can read a read-only file)."""
    return [
        SLAPolicy(
            id=r[0],
            name=r[1],
            channel=Channel(r[2]) if r[2] else None,
            group_id=r[3],
            first_response_minutes=r[4],
            next_response_minutes=r[5],
            business_hours=BusinessHours(**json.loads(r[6])) if r[6] else None,
        )
        for r in conn.execute(
            "SELECT id, name, channel, group_id, first_response_minutes, "
            "next_response_minutes, business_hours FROM sla_policies ORDER BY id"
        )
    ]


class _Clock:
    """Local day and hour of epoch seconds, cached per quarter hour (they never straddle one)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._cache: dict[int, tuple[date, int]] = {}

    def local(self, at: int) -> tuple[date, int]:
        quarter = at // QUARTER
        found = self._cache.get(quarter)
        if found is None:
            moment = datetime.fromtimestamp(quarter * QUARTER, self.tz)
            found = self._cache[quarter] = (moment.date(), moment.hour)
        return found


class _Policies:
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
        target = 60 * _target(policy, w)
        if w.answered:
            return seconds, seconds <= target
        return seconds, (False if seconds > target else None)  # open, and late already?


class _Tally:
    """Figures of some waits, added one at a time (durations packed as doubles: a month of a
    large store is hundreds of thousands of them)."""

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

    def figures(self, label: str) -> Figures:
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


def _slice_key(
    by: str, clock: _Clock, agents: dict[int, str], groups: dict[int, str]
) -> Callable[[Wait], Iterable[str]]:
    """Which slices of the breakdown a wait belongs to (several for several tags)."""
    if by == "channel":
        return lambda w: (w.channel,)
    if by == "group":
        return lambda w: (
            groups.get(w.group_id, f"group {w.group_id}")
            if w.group_id is not None
            else "(no group)",
        )
    if by == "agent":

        def agent(w: Wait) -> Iterable[str]:
            # Who answered; a wait nobody answered yet belongs to whoever has the conversation.
            aid = w.responder_id if w.answered else w.assignee_id
            return (agents.get(aid, f"agent {aid}") if aid is not None else "(nobody)",)

        return agent
    if by == "tag":
        return lambda w: w.tags.split() or (NO_TAG,)
    if by == "hour":
        return lambda w: (f"{clock.local(w.started)[1]:02d}h",)
    raise ValueError(f"cannot break figures down by {by!r} (one of {', '.join(BREAKDOWNS)})")


class _Days:
    """The per-day series, fed one wait at a time."""

    def __init__(self, since: date, until: date, clock: _Clock) -> None:
        self.days = [since + timedelta(days=i) for i in range((until - since).days + 1)]
        self.index = {d: i for i, d in enumerate(self.days)}
        self.until = until
        self.clock = clock
        self.tallies = [_Tally() for _ in self.days]
        # Backlog: +1 on the day a wait starts, -1 on the day it ends; a running sum is what
        # is still open at each day's end.
        self.delta = [0] * (len(self.days) + 1)
        self.same_day = [0] * len(self.days)

    def add(self, w: Wait, seconds: float | None, met: bool | None) -> None:
        start_day = self.clock.local(w.started)[0]
        i = self.index.get(start_day)
        if i is None:
            return
        self.tallies[i].add(w, seconds, met)
        self.delta[i] += 1
        if w.ended is not None:
            end_day = self.clock.local(w.ended)[0]
            past = len(self.days)
            self.delta[self.index.get(end_day, past) if end_day <= self.until else past] -= 1
            if w.first and w.answered and end_day == start_day:
                self.same_day[i] += 1

    def series(self, counts: Iterable[Traffic]) -> list[Day]:
        volume = [[0, 0, 0, 0] for _ in self.days]
        for quarter, messages_in, replies_out, notes, new in counts:
            i = self.index.get(self.clock.local(quarter * QUARTER)[0])
            if i is not None:
                row = volume[i]
                row[0] += new
                row[1] += messages_in
                row[2] += replies_out
                row[3] += notes
        result: list[Day] = []
        open_ = 0
        for i, d in enumerate(self.days):
            open_ += self.delta[i]
            f = self.tallies[i].figures(d.isoformat())
            result.append(
                Day(
                    day=d,
                    new_conversations=volume[i][0],
                    messages_in=volume[i][1],
                    replies_out=volume[i][2],
                    notes=volume[i][3],
                    first_median=f.first_median,
                    response_median=f.response_median,
                    first_waits=f.conversations,
                    answered_same_day=self.same_day[i],
                    backlog=open_,
                )
            )
        return result


def build_report(
    conn: sqlite3.Connection,
    *,
    since: date,
    until: date,
    tz: ZoneInfo,
    now: datetime,
    by: str = "channel",
    policies: Sequence[SLAPolicy] | None = None,
    with_days: bool = True,
    with_tags: bool = True,
    with_agents: bool = True,
) -> Report:
    """Every figure of the period *since*–*until* (local days in *tz*, both included).

    The waits are read once and folded into tallies as they come: no list of them is kept.
    Raises ValueError for an unknown breakdown or a period that ends before it starts.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break figures down by {by!r} (one of {', '.join(BREAKDOWNS)})")
    start, end = period_bounds(since, until, tz)
    if policies is None:
        policies = read_policies(conn)
    agents, groups = names(conn)
    clock = _Clock(tz)
    key = _slice_key(by, clock, agents, groups)
    rules = _Policies(policies, int(now.timestamp()))
    overall = _Tally()
    slices: dict[str, _Tally] = defaultdict(_Tally)
    by_policy: dict[str, _Tally] = defaultdict(_Tally)
    days = _Days(since, until, clock)
    by_agent: dict[int, _Tally] = defaultdict(_Tally)
    answered = AgentTally()
    # The longest breaches: a bounded heap of (time over target, -conversation, -start, the
    # wait's kind, n, …): the same breaches whatever order the waits come in.
    late: list[tuple[float, int, int, int, int, int, Wait, SLAPolicy, float]] = []
    for n, w in enumerate(iter_waits(conn, start, end)):
        policy = rules.of(w)
        seconds, met = rules.timing(w, policy)
        overall.add(w, seconds, met)
        for k in key(w):
            slices[k].add(w, seconds, met)
        if with_days:
            days.add(w, seconds, met)
        if with_agents:
            aid = w.responder_id if w.answered else w.assignee_id
            if aid is not None:
                by_agent[aid].add(w, seconds, met)
                if w.answered:
                    answered.add(aid, w.conversation_id)
        if policy is None:
            continue
        by_policy[policy.name].add(w, seconds, met)
        if met is False and seconds is not None:
            over = seconds - 60 * _target(policy, w)
            entry = (
                over,
                -w.conversation_id,
                -w.started,
                w.first,
                w.answered,
                n,
                w,
                policy,
                seconds,
            )
            if len(late) < BREACH_LIST:
                heapq.heappush(late, entry)
            else:
                heapq.heappushpop(late, entry)
    rows = [tally.figures(label) for label, tally in slices.items()]
    rows.sort(key=lambda f: (-f.conversations, -f.responses, f.label))
    report = Report(
        since=since,
        until=until,
        timezone=str(tz.key),
        by=by,
        overall=overall.figures("all"),
        rows=rows,
        policies=[by_policy[p.name].figures(p.name) for p in policies if p.name in by_policy],
        breaches=[_breach(w, p, secs) for *_, w, p, secs in sorted(late, reverse=True)],
    )
    if with_days:
        report.days = days.series(traffic(conn, start, end))
    if with_tags:
        report.tags = top_tags(conn, start, end)
        report.notified = customers_notified(conn, start, end)
        report.problems = top_problems(conn, start, end)
    if with_agents:
        report.agents = agent_figures(
            conn,
            start,
            end,
            {aid: t.figures(agents.get(aid, f"agent {aid}")) for aid, t in by_agent.items()},
            answered.counts(),
        )
    return report


def _target(policy: SLAPolicy, wait: Wait) -> int:
    """The target of a wait, in minutes."""
    return policy.first_response_minutes if wait.first else policy.next_response_minutes


def _breach(w: Wait, policy: SLAPolicy, seconds: float) -> Breach:
    return Breach(
        conversation_id=w.conversation_id,
        policy=policy.name,
        first=bool(w.first),
        target_minutes=_target(policy, w),
        started=datetime.fromtimestamp(w.started, UTC),
        waited_seconds=seconds,
        answered=bool(w.answered),
    )


def top_tags(conn: sqlite3.Connection, start: int, end: int) -> list[TagTrend]:
    """The most used reason tags of ``[start, end)`` and the same period just before."""
    now = tag_counts(conn, start, end)
    before = tag_counts(conn, start - (end - start), start)
    ranked = sorted(now.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TAGS]
    return [TagTrend(tag, n, before.get(tag, 0)) for tag, n in ranked]


def today_first_response(
    conn: sqlite3.Connection, *, now: datetime, tz: ZoneInfo, policies: Sequence[SLAPolicy]
) -> float | None:
    """Today's median first-response time (local day in *tz*), in seconds; cheap enough to
    poll: it reads only the waits that started today."""
    today = now.astimezone(tz).date()
    start, end = period_bounds(today, today, tz)
    rules = _Policies(policies, int(now.timestamp()))
    tally = _Tally()
    for w in iter_waits(conn, start, end):
        if w.first:
            tally.add(w, *rules.timing(w, rules.of(w)))
    return tally.figures("today").first_median
