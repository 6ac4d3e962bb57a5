"""The metrics screen: median response times, SLA attainment, volume and reasons.

The figures are computed in a thread worker (a newer period or breakdown cancels the older
one) and drawn as charts; the period and the breakdown change with keys, escape goes back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, get_current_worker
from textual_plotext import PlotextPlot

from deskterm import keymap
from deskterm.backend.db import connect
from deskterm.backend.metrics import BREAKDOWNS, Report, build_report
from deskterm.backend.metrics.agents import TeamView, team_view
from deskterm.backend.metrics.report import agents_table, figures_table
from deskterm.domain.safety import one_line
from deskterm.domain.stats import format_duration, format_share
from deskterm.patches.barrier import forward_failure
from deskterm.widgets import metric_charts
from deskterm.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from deskterm.app import DeskApp

#: Period key → (label, days including today).
PERIODS: dict[str, tuple[str, int]] = {
    "today": ("Today", 1),
    "7d": ("7 days", 7),
    "30d": ("30 days", 30),
}
CHARTS = ("chart-response", "chart-volume", "chart-sla", "chart-reasons")
#: Below this width the charts stack in one column.
TWO_COLUMNS = 110


def period_days(period: str, now: datetime, tz: ZoneInfo) -> tuple[date, date]:
    """First and last local day of a period ending today."""
    today = now.astimezone(tz).date()
    return today - timedelta(days=PERIODS[period][1] - 1), today


class MetricsScreen(Screen[None]):
    """How fast the team answers, how often within the SLA, and what customers write about."""

    BINDINGS = keymap.bindings("metrics")

    DEFAULT_CSS = """
    MetricsScreen #metrics-title { height: 1; background: $panel; padding: 0 1; }
    /* A stable gutter: plots keep their width whether the scrollbar shows or not (plotext
       places ticks differently after a resize). */
    MetricsScreen #metrics-body { scrollbar-gutter: stable; }
    MetricsScreen #metrics-summary { height: auto; padding: 0 1; }
    MetricsScreen #metrics-charts {
        grid-size: 2; grid-gutter: 0 1; height: auto; grid-rows: 13; padding: 0 1;
    }
    MetricsScreen.-narrow #metrics-charts { grid-size: 1; grid-rows: 12; }
    MetricsScreen PlotextPlot { height: 100%; }
    MetricsScreen #metrics-table, MetricsScreen #metrics-agents { height: auto; padding: 0 1; }
    """

    period: reactive[str] = reactive("7d", init=False)
    """Which period is shown: a key of PERIODS."""
    breakdown: reactive[str] = reactive("channel", init=False)
    """How the table and the volume chart split the figures: one of BREAKDOWNS."""

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None
        #: The breakdown by agent as shown (what this agent may see of it).
        self.team: TeamView | None = None

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="metrics-title")
        yield Static(Text("Computing…", style="dim"), id="metrics-summary")
        with VerticalScroll(id="metrics-body"):
            yield Grid(id="metrics-charts")
            yield Static(id="metrics-table")
            yield Static(id="metrics-agents")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_class(self.size.width < TWO_COLUMNS, "-narrow")
        self.query_one("#metrics-body").focus()
        self._render_title(busy=True)
        self.load()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def on_resize(self, event) -> None:
        self.set_class(event.size.width < TWO_COLUMNS, "-narrow")

    # -- keys ------------------------------------------------------------------------

    def action_period(self, period: str) -> None:
        self.period = period

    def action_breakdown(self, step: int) -> None:
        i = BREAKDOWNS.index(self.breakdown)
        self.breakdown = BREAKDOWNS[(i + step) % len(BREAKDOWNS)]

    def action_refresh(self) -> None:
        self._render_title(busy=True)
        self.load()

    def action_back(self) -> None:
        self.dismiss()

    def watch_period(self) -> None:
        self._render_title(busy=True)
        self.load()

    def watch_breakdown(self) -> None:
        self._render_title(busy=True)
        self.load()

    # -- figures ---------------------------------------------------------------------

    @property
    def settled(self) -> bool:
        """The figures on screen are those of the period and breakdown chosen."""
        r = self.report
        if r is None:
            return False
        since, until = period_days(self.period, self.desk.clock(), self.desk.tz)
        return (r.since, r.until, r.by) == (since, until, self.breakdown)

    @work(thread=True, exclusive=True, group="metrics", exit_on_error=False)
    def load(self) -> None:
        desk = self.desk
        now = desk.clock()
        since, until = period_days(self.period, now, desk.tz)
        # A connection of its own, closed after: a month of a large store fills its page
        # cache, which a thread's shared connection would keep for the app's lifetime.
        conn = connect(desk.store.path, create=False, readonly=True)
        try:
            report = build_report(
                conn,
                since=since,
                until=until,
                tz=desk.tz,
                now=now,
                by=self.breakdown,
                policies=desk.store.sla_policies(),
                digests=str(desk.store.path),
            )
        finally:
            conn.close()
        # A newer choice replaced this one: a thread worker runs on when cancelled.
        if not get_current_worker().is_cancelled:
            # Textual's annotation cannot infer a coroutine's result type (it reads Never).
            self.app.call_from_thread(self._show, report)  # type: ignore[arg-type]

    def _render_title(self, *, busy: bool = False) -> None:
        text = Text()
        text.append("Metrics", style="bold")
        # Near the start, so that a narrow terminal still shows it.
        text.append(" computing… " if busy else "  ", style="italic")
        for number, (key, (label, _)) in enumerate(PERIODS.items(), start=1):
            style = "bold reverse" if key == self.period else "dim"
            text.append(f" {number} {label} ", style=style)
        text.append("  by")
        for name in BREAKDOWNS:
            text.append(f" {name} ", style="bold reverse" if name == self.breakdown else "dim")
        self.query_one("#metrics-title", Static).update(text)

    async def _show(self, report: Report) -> None:
        desk = self.desk
        self.report = report
        self._render_title(busy=not self.settled)  # a newer choice may be on its way
        o = report.overall
        # Three short lines on a narrow terminal, two on a wide one.
        gap = "\n" if self.has_class("-narrow") else "  ·  "
        answered = sum(d.answered_same_day for d in report.days)
        firsts = sum(d.first_waits for d in report.days)
        summary = Text()
        summary.append(f"{report.since:%a %d %b} – {report.until:%a %d %b}", style="bold")
        summary.append(f"  {o.conversations:,} conversations{gap}")
        summary.append("first reply ")
        summary.append(format_duration(o.first_median), style="bold")
        summary.append(f" (p90 {format_duration(o.first_p90)})  every reply ")
        summary.append(format_duration(o.response_median), style="bold")
        summary.append(f" (p90 {format_duration(o.response_p90)})\n")
        summary.append("SLA first ")
        summary.append(format_share(o.first_met, o.first_judged), style="bold")
        summary.append(" next ")
        summary.append(format_share(o.replies_met, o.replies_judged), style="bold")
        summary.append(f"  ·  {o.breaches:,} breaches  ·  {o.unanswered:,} unanswered")
        summary.append(f"  ·  same-day answers {format_share(answered, firsts)}")
        summary.append(f"\ncustomers notified of a fix {report.notified:,}")
        if report.problems:
            summary.append("  ·  top problems: ")
            summary.append(
                ", ".join(f"{one_line(p.title, 30)} ({p.customers})" for p in report.problems[:3])
            )
        self.query_one("#metrics-summary", Static).update(summary)
        # New plots each time, drawn before they are mounted: a plotext figure redrawn in
        # place keeps state from its earlier sizes and data (ticks move by a column).
        charts = [PlotextPlot(id=name) for name in CHARTS]
        metric_charts.response_times(charts[0], report.days)
        metric_charts.volume(charts[1], report.rows, report.by)
        metric_charts.attainment(charts[2], report.policies)
        metric_charts.reasons(charts[3], report.tags)
        grid = self.query_one("#metrics-charts", Grid)
        await grid.remove_children()
        await grid.mount_all(charts)
        self.query_one("#metrics-table", Static).update(
            figures_table(f"By {report.by}", report.by, report.rows, report.overall)
        )
        # Every agent for a lead; for an agent, their own line and the team's medians.
        team = team_view(report.agents, report.overall, viewer=desk.agent.id, lead=desk.is_lead)
        self.team = team
        self.query_one("#metrics-agents", Static).update(agents_table(team))
