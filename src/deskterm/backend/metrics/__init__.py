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

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskterm.backend.metrics import digests as kept_digests
from deskterm.backend.metrics.agents import agent_figures, closes_by_agent
from deskterm.backend.metrics.fold import (
    BREACH_LIST,
    NO_TAG,
    Clock,
    DayPart,
    Fold,
    Policies,
    SliceKey,
    Tally,
    slice_label,
)
from deskterm.backend.metrics.problems import customers_notified, top_problems
from deskterm.backend.metrics.sql import (
    QUARTER,
    Traffic,
    iter_open_waits,
    iter_waits,
    names,
    tag_counts,
    traffic,
)
from deskterm.backend.metrics.types import Day, Figures, Report, TagTrend
from deskterm.domain.models import BusinessHours, Channel, SLAPolicy

#: The ways a period's figures can be broken down.
BREAKDOWNS = ("channel", "group", "agent", "tag", "hour")
#: How many reason tags a report ranks.
TOP_TAGS = 10
#: What other modules read from here (the figures' types are defined in ``types``).
__all__ = [
    "BREACH_LIST",
    "BREAKDOWNS",
    "NO_TAG",
    "Day",
    "Figures",
    "Report",
    "TagTrend",
    "build_report",
    "period_bounds",
    "read_policies",
    "today_first_response",
]


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
    digests: str | sqlite3.Connection | None = None,
) -> Report:
    """Every figure of the period *since*–*until* (local days in *tz*, both included).

    With *digests* (where to keep them: the store's path, for a connection of its own, or a
    connection that can write), each day's ended waits come from the day's digest while it
    is current, and are folded and kept otherwise (see
    :mod:`deskterm.backend.metrics.digests`); without, every wait is folded as it is read.
    Raises ValueError for an unknown breakdown or a period that ends before it starts.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break figures down by {by!r} (one of {', '.join(BREAKDOWNS)})")
    start, end = period_bounds(since, until, tz)
    if policies is None:
        policies = read_policies(conn)
    agents, groups = names(conn)
    clock = Clock(tz)
    rules = Policies(policies, int(now.timestamp()))
    days = [since + timedelta(days=i) for i in range((until - since).days + 1)]
    if digests is not None and kept_digests.has_digests(conn):
        fold, fresh = _fold_by_day(conn, days, tz, by, clock, rules)
        kept_digests.keep(digests, fresh)
    else:
        fold = Fold(by, clock, rules, days=with_days, agents=with_agents)
        fold.add_all(iter_waits(conn, start, end))
    rows, figures_of = _rows(fold, by, agents, groups)
    rows.sort(key=lambda f: (-f.conversations, -f.responses, f.label))
    report = Report(
        since=since,
        until=until,
        timezone=str(tz.key),
        by=by,
        overall=fold.overall.figures("all"),
        rows=rows,
        policies=[
            fold.policies[p.name].figures(p.name) for p in policies if p.name in fold.policies
        ],
        breaches=fold.breaches(),
    )
    if with_days:
        report.days = _series(fold, days, until, clock, traffic(conn, start, end))
    if with_tags:
        report.tags = top_tags(conn, start, end)
        report.notified = customers_notified(conn, start, end)
        report.problems = top_problems(conn, start, end)
    if with_agents:
        report.agents = agent_figures(
            conn,
            start,
            end,
            {
                # Broken down by agent, the rows are the agents' figures already.
                aid: replace(figures_of[aid])
                if by == "agent" and aid in figures_of
                else t.figures(agents.get(aid, f"agent {aid}"))
                for aid, t in fold.agents.items()
            },
            {aid: len(cids) for aid, cids in fold.answered.items()},
            fold.closes,
        )
    return report


def _rows(
    fold: Fold, by: str, agents: dict[int, str], groups: dict[int, str]
) -> tuple[list[Figures], dict[SliceKey, Figures]]:
    """The breakdown's rows (slices of the same name together), and each slice's figures
    by its key where it has a row of its own."""
    named: dict[str, list[SliceKey]] = defaultdict(list)
    for key in fold.slices:
        named[slice_label(by, key, agents, groups)].append(key)
    rows: list[Figures] = []
    figures_of: dict[SliceKey, Figures] = {}
    for label, keys in named.items():
        if len(keys) == 1:
            figures_of[keys[0]] = figures = fold.slices[keys[0]].figures(label)
        else:
            together = Tally()
            for key in keys:
                together.absorb(fold.slices[key])
            figures = together.figures(label)
        rows.append(figures)
    return rows, figures_of


def _fold_by_day(
    conn: sqlite3.Connection,
    days: Sequence[date],
    tz: ZoneInfo,
    by: str,
    clock: Clock,
    rules: Policies,
) -> tuple[Fold, list[kept_digests.DigestRow]]:
    """The period's fold from its days' digests, folding again the days whose waits changed,
    and the open waits; with the digests to keep. One read transaction: each digest is
    stamped with the generations of the waits it folded."""
    rules_key = kept_digests.fingerprint(rules.policies)

    def blank() -> Fold:
        return Fold(by, clock, rules)

    fold = blank()
    fresh: list[kept_digests.DigestRow] = []
    start, end = period_bounds(days[0], days[-1], tz)
    own_transaction = not conn.in_transaction
    if own_transaction:
        conn.execute("BEGIN")
    try:
        gens = kept_digests.generations(
            conn, start // kept_digests.DAY, (end - 1) // kept_digests.DAY
        )
        stored = kept_digests.kept(conn, tz.key, by, rules_key, days)
        for day in days:
            day_start, day_end = period_bounds(day, day, tz)
            stamp = kept_digests.stamp(gens, day_start, day_end)
            found = stored.get(day.isoformat())
            if found is not None and found[0] == stamp:
                fold.absorb(kept_digests.unpack(found[1], day, blank))
                continue
            one = blank().add_all(
                w for w in iter_waits(conn, day_start, day_end) if w.ended is not None
            )
            one.closes = closes_by_agent(conn, day_start, day_end)
            fold.absorb(one)
            body = kept_digests.pack(one, day)
            fresh.append((tz.key, day.isoformat(), by, rules_key, stamp, body))
        fold.add_all(iter_open_waits(conn, start, end))
    finally:
        if own_transaction:
            conn.execute("COMMIT")
    return fold, fresh


def _series(
    fold: Fold, days: Sequence[date], until: date, clock: Clock, counts: Iterable[Traffic]
) -> list[Day]:
    """The per-day series: volume, medians, same-day answers and the backlog."""
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
    # Backlog: +1 on the day a wait starts, -1 on the day it ends; a running sum is what is
    # still open at each day's end.
    past = len(days)
    delta = [0] * (past + 1)
    for day, part in fold.days.items():
        i = index.get(day)
        if i is None:
            continue
        delta[i] += part.started
        for end_day, n in part.ended.items():
            delta[index.get(end_day, past) if end_day <= until else past] -= n
    result: list[Day] = []
    open_ = 0
    for i, d in enumerate(days):
        open_ += delta[i]
        today = fold.days.get(d) or DayPart()
        f = today.tally.figures(d.isoformat())
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
                answered_same_day=today.same_day,
                backlog=open_,
            )
        )
    return result


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
    rules = Policies(policies, int(now.timestamp()))
    tally = Tally()
    for w in iter_waits(conn, start, end):
        if w.first:
            tally.add(w, *rules.timing(w, rules.of(w)))
    return tally.figures("today").first_median
