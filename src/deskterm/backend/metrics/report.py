"""``deskterm report``: a period's figures as a Rich table, CSV or JSON on stdout.

Times in CSV and JSON are seconds (numbers, for spreadsheets and scripts); the table shows
them compactly ("4m", "1h05").
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from deskterm.backend.metrics import Figures, Report
from deskterm.backend.metrics.agents import TeamView, team_view
from deskterm.domain.safety import one_line
from deskterm.domain.stats import format_duration, format_share

FORMATS = ("table", "csv", "json")

#: The CSV columns, in order: one row per slice of the breakdown, then "all".
CSV_FIELDS = (
    "label",
    "conversations",
    "first_responses",
    "first_median",
    "first_p90",
    "responses",
    "response_median",
    "response_p90",
    "first_met",
    "first_judged",
    "replies_met",
    "replies_judged",
    "unanswered",
    "closed_unanswered",
)


def render(
    report: Report, fmt: str, *, width: int | None = None, team: TeamView | None = None
) -> str:
    """The report as text in *fmt* (``table``, ``csv`` or ``json``); *team* is the breakdown
    by agent as the reader may see it (every agent when not given)."""
    if team is None:
        team = team_view(report.agents, report.overall, viewer=None, lead=True)
    if fmt == "json":
        return json.dumps(as_json(report, team), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return as_csv(report)
    if fmt == "table":
        console = Console(
            file=io.StringIO(), width=width or 100, force_terminal=False, color_system=None
        )
        console.print(tables(report, team))
        return console.file.getvalue()  # type: ignore[attr-defined]
    raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def _tenths(values: dict[str, Any]) -> dict[str, Any]:
    """Times to a tenth of a second (interpolated percentiles carry float noise)."""
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in values.items()}


def as_json(report: Report, team: TeamView | None = None) -> dict[str, Any]:
    def figures(f: Figures) -> dict[str, Any]:
        return _tenths(asdict(f)) | {"breaches": f.breaches}

    return {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "timezone": report.timezone,
        "by": report.by,
        "overall": figures(report.overall),
        "rows": [figures(f) for f in report.rows],
        "sla": [figures(f) for f in report.policies],
        "breaches": [
            asdict(b) | {"started": b.started.isoformat().replace("+00:00", "Z")}
            for b in report.breaches
        ],
        "days": [_tenths(asdict(d)) | {"day": d.day.isoformat()} for d in report.days],
        "tags": [asdict(t) | {"change": t.change} for t in report.tags],
        "customers_notified": report.notified,
        "problems": [asdict(p) for p in report.problems],
        "agents": [
            {
                "agent_id": a.agent_id,
                "name": a.figures.label,
                "answered": a.answered,
                "first_median": a.figures.first_median,
                "response_median": a.figures.response_median,
                "sla_met": a.figures.first_met + a.figures.replies_met,
                "sla_judged": a.figures.first_judged + a.figures.replies_judged,
                "closed": a.closed,
                "reopened": a.reopened,
                "gestures": a.gestures,
                "gestures_cents": a.gestures_cents,
            }
            for a in (team.agents if team is not None else report.agents)
        ],
        "team": None
        if team is None
        else {
            "first_median": team.team_first_median,
            "response_median": team.team_response_median,
            "reopen_rate": team.team_reopen_rate,
        },
    }


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[report.by, *CSV_FIELDS[1:]], lineterminator="\n")
    writer.writeheader()
    for f in [*report.rows, report.overall]:
        row = _tenths({k: getattr(f, k) for k in CSV_FIELDS})
        row[report.by] = row.pop("label")
        writer.writerow(row)
    return out.getvalue()


def figures_table(title: str, first_column: str, rows: list[Figures], total: Figures | None):
    """Median and 90th-percentile first response and response, SLA attainment, per row."""
    table = Table(title=title, title_justify="left", title_style="bold", expand=False)
    table.add_column(first_column)
    for name in ("conv.", "first reply", "p90", "replies", "median", "p90"):
        table.add_column(name, justify="right")
    table.add_column("SLA first", justify="right")
    table.add_column("SLA next", justify="right")
    table.add_column("unanswered", justify="right")
    for f in [*rows, *([total] if total is not None else [])]:
        style = "bold" if f is total else None
        table.add_row(
            one_line(f.label, 24),
            f"{f.conversations:,}",
            format_duration(f.first_median),
            format_duration(f.first_p90),
            f"{f.responses:,}",
            format_duration(f.response_median),
            format_duration(f.response_p90),
            format_share(f.first_met, f.first_judged),
            format_share(f.replies_met, f.replies_judged),
            f"{f.unanswered:,}",
            style=style,
        )
    return table


def agents_table(team: TeamView) -> Table:
    """One line per agent the reader may see, and the team's medians."""
    table = Table(title="By agent", title_justify="left", title_style="bold", expand=False)
    table.add_column("agent")
    for name in ("answered", "first reply", "replies", "SLA", "reopened", "gestures", "total"):
        table.add_column(name, justify="right")
    for a in team.agents:
        f = a.figures
        table.add_row(
            one_line(f.label, 24),
            f"{a.answered:,}",
            format_duration(f.first_median),
            format_duration(f.response_median),
            format_share(f.first_met + f.replies_met, f.first_judged + f.replies_judged),
            format_share(a.reopened, a.closed),
            f"{a.gestures:,}",
            f"{a.gestures_cents / 100:,.2f}",
        )
    rate = team.team_reopen_rate
    table.add_row(
        "team (median)",
        "",
        format_duration(team.team_first_median),
        format_duration(team.team_response_median),
        "",
        "—" if rate is None else f"{100 * rate:.0f}%",
        "",
        "",
        style="bold",
    )
    return table


def tables(report: Report, team: TeamView | None = None) -> Group:
    """Everything in the report, as Rich renderables."""
    parts: list[Any] = [
        Text(
            f"{report.since.isoformat()} – {report.until.isoformat()} ({report.timezone}): "
            "median and 90th percentile; SLA = share within target",
            style="dim",
        ),
        figures_table(f"By {report.by}", report.by, report.rows, report.overall),
        figures_table("SLA per policy", "policy", report.policies, None),
    ]
    if team is not None and (team.agents or report.agents):
        parts.append(agents_table(team))
    if report.breaches:
        late = Table(title="Longest breaches", title_justify="left", title_style="bold")
        for name in ("#", "policy", "wait", "target", "took", "answered"):
            late.add_column(name, justify="right" if name in ("#", "target", "took") else "left")
        for b in report.breaches[:10]:
            late.add_row(
                str(b.conversation_id),
                b.policy,
                "first" if b.first else "next",
                f"{b.target_minutes}m",
                format_duration(b.waited_seconds),
                "yes" if b.answered else "still unanswered",
            )
        parts.append(late)
    if report.tags:
        tags = Table(title="Top reasons", title_justify="left", title_style="bold")
        tags.add_column("tag")
        tags.add_column("conversations", justify="right")
        tags.add_column("vs. period before", justify="right")
        for t in report.tags:
            change = t.change
            tags.add_row(
                one_line(t.tag, 30),
                f"{t.count:,}",
                "new" if change is None else f"{change:+.0%}",
            )
        parts.append(tags)
    if report.problems or report.notified:
        problems = Table(
            title=f"Top problems · customers notified of a fix: {report.notified:,}",
            title_justify="left",
            title_style="bold",
        )
        problems.add_column("problem")
        problems.add_column("status")
        problems.add_column("customers", justify="right")
        problems.add_column("told", justify="right")
        for p in report.problems:
            problems.add_row(one_line(p.title, 50), p.status, f"{p.customers:,}", f"{p.notified:,}")
        parts.append(problems)
    if report.days:
        days = Table(title="Per day", title_justify="left", title_style="bold")
        for name in ("day", "new", "in", "out", "first reply", "same day", "backlog"):
            days.add_column(name, justify="left" if name == "day" else "right")
        for d in report.days:
            days.add_row(
                d.day.strftime("%a %d %b"),
                f"{d.new_conversations:,}",
                f"{d.messages_in:,}",
                f"{d.replies_out:,}",
                format_duration(d.first_median),
                format_share(d.answered_same_day, d.first_waits),
                f"{d.backlog:,}",
            )
        parts.append(days)
    return Group(*parts)
