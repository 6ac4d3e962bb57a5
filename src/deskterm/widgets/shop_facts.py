"""What the customer pane shows of the shop's side: the customer's account (subscription,
address, promo codes, app) and where today's order is (the courier, the ETA, the address).

Built as ``Text`` from data, like the rest of the pane: every string here came from the
customer or the shop and goes through :func:`~deskterm.domain.safety.one_line`. A grid of
short labels and values that wrap keeps it readable from a 100-column terminal up.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from deskterm.backend.commerce.facts import AccountFacts, Delivery
from deskterm.domain.safety import one_line
from deskterm.domain.sla import format_age

#: Promo codes listed, newest first; the rest are counted.
PROMOS_SHOWN = 3
#: How the pane says where an order is, from the courier's status.
WHERE = {
    "waiting": "kitchen not started",
    "preparing": "in the kitchen",
    "out_for_delivery": "on its way",
    "delivered": "delivered",
    "cancelled": "cancelled",
}
#: Courier statuses worth a line: the order is still to come.
ON_THE_WAY = frozenset({"waiting", "preparing", "out_for_delivery"})
RESULT_STYLE = {"applied": "green"}


def _grid() -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


def _day(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%a %d %b %H:%M")


def account_block(
    facts: AccountFacts | None,
    *,
    failed: str = "",
    now: datetime,
    tz: ZoneInfo,
    pause_key: str,
    resume_key: str,
) -> RenderableType:
    """The account's lines; "" while nothing is known (not read yet, or no account)."""
    if failed:
        return Text(f"Shop: {one_line(failed, 120)}", style="dim italic")
    if facts is None or not facts.known:
        return ""
    grid = _grid()
    sub = facts.subscription
    line = Text()
    if sub.state == "none":
        line.append("none", style="dim")
    else:
        line.append(sub.state, style="bold green" if sub.state == "active" else "bold yellow")
        if sub.plan:
            line.append(f" · {one_line(sub.plan, 60)}")
        if sub.next_delivery is not None:
            line.append(f" · next {_day(sub.next_delivery, tz)}", style="dim")
        key, label = (pause_key, "pause") if sub.state == "active" else (resume_key, "resume")
        line.append("  ")
        line.append(f"[{key}]", style="bold")
        line.append(f" {label}", style="dim")
    grid.add_row("Subscription", line)
    if facts.address:
        grid.add_row("Address", Text(one_line(facts.address, 160)))
    if facts.promos:
        promos = Text()
        for i, used in enumerate(facts.promos[:PROMOS_SHOWN]):
            if i:
                promos.append("\n")
            promos.append(one_line(used.code, 30), style="bold")
            result = one_line(used.result, 30)
            if result:
                promos.append(f" {result}", style=RESULT_STYLE.get(result, "red"))
            if used.used_at is not None:
                promos.append(f" {used.used_at.astimezone(tz):%d %b}", style="dim")
        more = len(facts.promos) - PROMOS_SHOWN
        if more > 0:
            promos.append(f"\n+{more} more", style="dim")
        grid.add_row("Promo codes", promos)
    if facts.app is not None:
        app = Text(one_line(facts.app.version, 30))
        if facts.app.platform:
            app.append(f" · {one_line(facts.app.platform, 40)}")
        if facts.app.seen_at is not None:
            app.append(f" · seen {format_age(facts.app.seen_at, now)} ago", style="dim")
        grid.add_row("App", app)
    return grid


def delivery_block(
    delivery: Delivery | None, *, now: datetime, tz: ZoneInfo, key: str, usual: str = ""
) -> Table | None:
    """Where an order still to come is, and where it goes (said when it is not the
    ``usual`` address of the account), with the ``key`` that changes the address while the
    kitchen has not started; None once it is delivered or cancelled (its status says it)
    or while nothing is known."""
    if delivery is None or delivery.status not in ON_THE_WAY:
        return None
    grid = _grid()
    line = Text(
        WHERE[delivery.status], style="bold" if delivery.status == "out_for_delivery" else ""
    )
    if delivery.courier:
        line.append(f" · {one_line(delivery.courier, 30)}")
    if delivery.eta is not None:
        line.append(f" · ETA {delivery.eta.astimezone(tz):%H:%M}")
        minutes = int((delivery.eta - now).total_seconds() // 60)
        if minutes < 0:
            line.append(" (late)", style="bold red")
        elif minutes < 120:
            line.append(f" (in {minutes} min)", style="dim")
    grid.add_row("Delivery", line)
    to = Text(one_line(delivery.address, 160) if delivery.address else "address not known")
    if usual and delivery.address and delivery.address != usual:
        to.append(" (this order only)", style="italic")
    if delivery.status == "waiting":
        to.append("  ")
        to.append(f"[{key}]", style="bold")
        to.append(" change", style="dim")
    grid.add_row("To", to)
    return grid
