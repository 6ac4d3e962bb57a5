"""The metrics screen's charts: plotext plots fed from a report, nothing else.

Each function redraws one ``PlotextPlot`` from report data; the plot repaints on the next
frame. Labels are cleaned of markup and control characters (tag names come from customers'
conversations and remote helpdesks).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

from deskterm.backend.metrics import Day, Figures, TagTrend
from deskterm.domain.safety import one_line

#: Bars and lines in the order a chart uses them; plotext names, readable on both themes.
COLORS = ("cyan", "orange", "green", "magenta")


def _minutes(seconds: float | None) -> float:
    return round(seconds / 60, 1) if seconds is not None else 0.0


def _reset(chart: PlotextPlot, title: str) -> None:
    # The widget's "auto" theme follows the app's colours at each render.
    chart.plt.clear_figure()
    chart.plt.title(title)


def response_times(chart: PlotextPlot, days: Sequence[Day]) -> None:
    """Median first reply and median reply per day, in minutes."""
    _reset(
        chart,
        "Median response per day (minutes)" if len(days) != 1 else "Median response (minutes)",
    )
    plt = chart.plt
    if days:
        xs = list(range(len(days)))
        labels = [d.day.strftime("%d/%m") for d in days]
        first = [_minutes(d.first_median) for d in days]
        every = [_minutes(d.response_median) for d in days]
        if len(days) == 1:
            plt.bar(["first reply", "every reply"], [first[0], every[0]], color=COLORS[0])
        else:
            plt.plot(xs, first, label="first reply", color=COLORS[0], marker="hd")
            plt.plot(xs, every, label="every reply", color=COLORS[1], marker="hd")
            # At most five dates, apart: plotext moves labels that nearly touch, and not always
            # the same way.
            step = max(1, -(-len(days) // 5))
            plt.xticks([float(x) for x in xs[::step]], labels[::step])
    chart.refresh()


def volume(chart: PlotextPlot, rows: Sequence[Figures], by: str, limit: int = 8) -> None:
    """Conversations per slice of the breakdown (the largest on top)."""
    _reset(chart, f"Conversations by {by}")
    shown = list(rows)[:limit][::-1]  # plotext draws the first bar at the bottom
    if shown:
        chart.plt.bar(
            [one_line(f.label, 14) for f in shown],
            [f.conversations for f in shown],
            orientation="horizontal",
            color=COLORS[2],
            width=0.6,
        )
    chart.refresh()


def attainment(chart: PlotextPlot, policies: Sequence[Figures]) -> None:
    """Share of first and next replies within target, per SLA policy, in percent."""
    _reset(chart, "SLA attainment (% within target)")
    if policies:
        labels = [one_line(f.label, 10) for f in policies]
        first = [_share(f.first_met, f.first_judged) for f in policies]
        nxt = [_share(f.replies_met, f.replies_judged) for f in policies]
        # plotext takes one label and one colour per series here; its stubs say one in all.
        chart.plt.multiple_bar(
            labels,
            [first, nxt],
            labels=["first", "next"],  # type: ignore[call-arg]
            color=[COLORS[0], COLORS[1]],  # type: ignore[arg-type]
        )
        chart.plt.ylim(0, 100)
    chart.refresh()


def reasons(chart: PlotextPlot, tags: Sequence[TagTrend], limit: int = 8) -> None:
    """The top reason tags, with their change from the period before in the label."""
    _reset(chart, "Top reasons (vs. period before)")
    shown = list(tags)[:limit][::-1]  # the most frequent on top
    if shown:
        labels = []
        for t in shown:
            change = t.change
            trend = "new" if change is None else f"{change:+.0%}"
            labels.append(f"{one_line(t.tag, 16)} {trend}")
        chart.plt.bar(
            labels, [t.count for t in shown], orientation="horizontal", color=COLORS[3], width=0.6
        )
    chart.refresh()


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0
