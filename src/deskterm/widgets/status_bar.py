"""The one-line header: where you are, how much waits, what breaches, who you are."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusBar(Static):
    """Current view and count, breaching conversations, today's median response, agent."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    """

    view_title: reactive[str] = reactive("Inbox")
    """The title of the view on screen."""
    count: reactive[int | None] = reactive(None)
    """How many conversations the view holds (None while counting)."""
    capped: reactive[bool] = reactive(False)
    """True when the count stopped at the search cap (shown as "10,000+")."""
    breaching: reactive[int] = reactive(0)
    """Open conversations past their SLA due time."""
    median_first_response: reactive[str] = reactive("")
    """Today's median first-response time, formatted."""
    agent_name: reactive[str] = reactive("")
    """Who is working."""
    sync_state: reactive[str] = reactive("")
    """Remote sync state ("", "syncing…", "offline, 3 actions waiting")."""
    demo: reactive[bool] = reactive(False)
    """True when working in the demo helpdesk."""
    live_demo: reactive[str] = reactive("")
    """The live demo's state ("live 120/h (f8 pauses)", "live · paused…"; "" when none)."""

    def render(self) -> Text:
        text = self._line(short=False)
        right = Text(self.agent_name, style="dim")
        width = self.size.width - 2
        if text.cell_len + right.cell_len + 2 > width:
            text = self._line(short=True)  # a narrow terminal: keep the agent's name on screen
        pad = width - text.cell_len - right.cell_len
        if pad > 1:
            text.append(" " * pad)
            text.append(right)
        return text

    def _line(self, *, short: bool) -> Text:
        text = Text()
        text.append("deskterm", style="bold")
        if self.demo:
            text.append(" demo", style="italic")
        if self.live_demo:
            live = self.live_demo.split(" (")[0] if short else self.live_demo
            text.append(f" · {live}", style="italic bold" if "paused" in live else "italic")
        text.append("  ")
        text.append(self.view_title, style="bold reverse")
        if self.count is None:
            text.append(" …")
        else:
            text.append(f" {self.count:,}{'+' if self.capped else ''}")
        if self.breaching:
            text.append(f"   ⚠ {self.breaching} breaching", style="bold red")
        if self.median_first_response:
            label = "median 1st reply" if short else "median first reply today"
            text.append(f"   {label} {self.median_first_response}", style="dim")
        if self.sync_state:
            text.append(f"   {self.sync_state}", style="italic")
        return text
