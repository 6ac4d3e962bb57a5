"""The numbers that matter: response times, SLA attainment, volume and reasons, per period.

Definitions (the reads are in :mod:`deskterm.backend.metrics_sql`):

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
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from deskterm import stats
from deskterm.backend.metrics_sql import QUARTER, Wait, names, tag_counts, traffic, waits
from deskterm.backend.metrics_types import Breach, Day, Figures, Report, TagTrend
from deskterm.models import BusinessHours, Channel, SLAPolicy
from deskterm.sla import business_minutes_between, policy_for

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


class _Timed(NamedTuple):
    """A wait with its policy and how long it lasted (or has lasted, if still open)."""

    wait: Wait
    policy: SLAPolicy | None
    seconds: float | None
    """Answered: time to the answer; still waiting: time so far; closed unanswered: None."""
    met: bool | None
    """Within target; None when not judged."""


def _time_waits(waits_: Iterable[Wait], policies: Sequence[SLAPolicy], now: int) -> list[_Timed]:
    chosen: dict[tuple[str, int | None], SLAPolicy | None] = {}
    timed: list[_Timed] = []
    for w in waits_:
        key = (w.channel, w.group_id)
        if key not in chosen:
            try:
                channel = Channel(w.channel)
            except ValueError:
                chosen[key] = None
            else:
                chosen[key] = policy_for(channel, w.group_id, policies)
        policy = chosen[key]
        hours = policy.business_hours if policy is not None else None
        if w.ended is not None and not w.answered:
            timed.append(_Timed(w, policy, None, None))
            continue
        end = w.ended if w.ended is not None else now
        if hours is None:
            seconds = float(end - w.started)
        else:
            seconds = 60 * business_minutes_between(
                datetime.fromtimestamp(w.started, UTC), datetime.fromtimestamp(end, UTC), hours
            )
        met: bool | None = None
        if policy is not None:
            target = 60 * (
                policy.first_response_minutes if w.first else policy.next_response_minutes
            )
            if w.answered:
                met = seconds <= target
            elif seconds > target:
                met = False  # still waiting, and already late
        timed.append(_Timed(w, policy, max(0.0, seconds), met))
    return timed


def figures(label: str, timed: Iterable[_Timed]) -> Figures:
    """Counts, medians, 90th percentiles and attainment of some timed waits."""
    result = Figures(label)
    first: list[float] = []
    every: list[float] = []
    conversations: set[int] = set()
    for t in timed:
        w = t.wait
        if w.first:
            conversations.add(w.conversation_id)
        if w.ended is not None and not w.answered:
            result.closed_unanswered += 1
        elif not w.answered:
            result.waiting += 1
        elif t.seconds is not None:
            every.append(t.seconds)
            if w.first:
                first.append(t.seconds)
        if t.met is not None:
            if w.first:
                result.first_judged += 1
                result.first_met += t.met
            else:
                result.replies_judged += 1
                result.replies_met += t.met
    first.sort()
    every.sort()
    result.conversations = len(conversations)
    result.first_responses = len(first)
    result.first_median = stats.median(first, presorted=True)
    result.first_p90 = stats.percentile(first, 0.9, presorted=True)
    result.responses = len(every)
    result.response_median = stats.median(every, presorted=True)
    result.response_p90 = stats.percentile(every, 0.9, presorted=True)
    return result


def _slices(
    timed: list[_Timed],
    by: str,
    clock: _Clock,
    agents: dict[int, str],
    groups: dict[int, str],
) -> dict[str, list[_Timed]]:
    keyed: dict[str, list[_Timed]] = defaultdict(list)
    key: Callable[[_Timed], Iterable[str]]
    if by == "channel":

        def key(t: _Timed) -> Iterable[str]:
            return (t.wait.channel,)
    elif by == "group":

        def key(t: _Timed) -> Iterable[str]:
            gid = t.wait.group_id
            return (groups.get(gid, f"group {gid}") if gid is not None else "(no group)",)
    elif by == "agent":

        def key(t: _Timed) -> Iterable[str]:
            # Who answered; a wait nobody answered yet belongs to whoever has the conversation.
            aid = t.wait.responder_id if t.wait.answered else t.wait.assignee_id
            return (agents.get(aid, f"agent {aid}") if aid is not None else "(nobody)",)
    elif by == "tag":

        def key(t: _Timed) -> Iterable[str]:
            return t.wait.tags.split() or (NO_TAG,)
    elif by == "hour":

        def key(t: _Timed) -> Iterable[str]:
            return (f"{clock.local(t.wait.started)[1]:02d}h",)
    else:
        raise ValueError(f"cannot break figures down by {by!r} (one of {', '.join(BREAKDOWNS)})")
    for t in timed:
        for k in key(t):
            keyed[k].append(t)
    return keyed


def _days(
    since: date,
    until: date,
    timed: list[_Timed],
    clock: _Clock,
    counts: Iterable[tuple[int, int, int, int, int]],
) -> list[Day]:
    days = [since + timedelta(days=i) for i in range((until - since).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    volume = [[0, 0, 0, 0] for _ in days]
    for quarter, messages_in, replies_out, notes, new in counts:
        i = index.get(clock.local(quarter * QUARTER)[0])
        if i is not None:
            row = volume[i]
            row[0] += new
            row[1] += messages_in
            row[2] += replies_out
            row[3] += notes
    per_day: list[list[_Timed]] = [[] for _ in days]
    # Backlog: +1 on the day a wait starts, -1 on the day it ends; a running sum is what is
    # still open at each day's end.
    delta = [0] * (len(days) + 1)
    same_day = [0] * len(days)
    for t in timed:
        start_day = clock.local(t.wait.started)[0]
        i = index.get(start_day)
        if i is None:
            continue
        per_day[i].append(t)
        delta[i] += 1
        if t.wait.ended is not None:
            end_day = clock.local(t.wait.ended)[0]
            j = index.get(end_day, len(days)) if end_day <= until else len(days)
            delta[j] -= 1
            if t.wait.first and t.wait.answered and end_day == start_day:
                same_day[i] += 1
    result: list[Day] = []
    open_ = 0
    for i, d in enumerate(days):
        open_ += delta[i]
        f = figures(d.isoformat(), per_day[i])
        result.append(
            Day(
                day=d,
                new_conversations=volume[i][0],
                messages_in=volume[i][1],
                replies_out=volume[i][2],
                notes=volume[i][3],
                first_median=f.first_median,
                response_median=f.response_median,
                first_waits=sum(1 for t in per_day[i] if t.wait.first),
                answered_same_day=same_day[i],
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
) -> Report:
    """Every figure of the period *since*–*until* (local days in *tz*, both included).

    Raises ValueError for an unknown breakdown or a period that ends before it starts.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break figures down by {by!r} (one of {', '.join(BREAKDOWNS)})")
    start, end = period_bounds(since, until, tz)
    if policies is None:
        policies = read_policies(conn)
    agents, groups = names(conn)
    clock = _Clock(tz)
    timed = _time_waits(waits(conn, start, end), policies, int(now.timestamp()))
    rows = [figures(label, ts) for label, ts in _slices(timed, by, clock, agents, groups).items()]
    rows.sort(key=lambda f: (-f.conversations, -f.responses, f.label))
    by_policy: dict[str, list[_Timed]] = defaultdict(list)  # in the policies' order
    late: list[tuple[float, int, int]] = []  # (minus the time over target, conversation, index)
    for i, t in enumerate(timed):
        if t.policy is None:
            continue
        by_policy[t.policy.name].append(t)
        if t.met is False:
            over = (t.seconds or 0.0) - 60 * _target(t.policy, t.wait)
            late.append((-over, t.wait.conversation_id, i))
    breaches = [_breach(timed[i]) for _, _, i in heapq.nsmallest(BREACH_LIST, late)]
    report = Report(
        since=since,
        until=until,
        timezone=str(tz.key),
        by=by,
        overall=figures("all", timed),
        rows=rows,
        policies=[figures(p.name, by_policy[p.name]) for p in policies if p.name in by_policy],
        breaches=breaches,
    )
    if with_days:
        report.days = _days(since, until, timed, clock, traffic(conn, start, end))
    if with_tags:
        report.tags = top_tags(conn, start, end)
    return report


def _target(policy: SLAPolicy, wait: Wait) -> int:
    """The target of a wait, in minutes."""
    return policy.first_response_minutes if wait.first else policy.next_response_minutes


def _breach(t: _Timed) -> Breach:
    assert t.policy is not None
    return Breach(
        conversation_id=t.wait.conversation_id,
        policy=t.policy.name,
        first=bool(t.wait.first),
        target_minutes=_target(t.policy, t.wait),
        started=datetime.fromtimestamp(t.wait.started, UTC),
        waited_seconds=t.seconds or 0.0,
        answered=bool(t.wait.answered),
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
    first = [w for w in waits(conn, start, end) if w.first]
    return figures("today", _time_waits(first, policies, int(now.timestamp()))).first_median
