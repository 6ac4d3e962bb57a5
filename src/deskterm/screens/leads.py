"""The leads' desk (``g l``): gestures waiting for approval, conversations flagged "needs a
lead", and macros proposed to the team, one list; the highlighted item's details beside it.

``a`` approves a gesture (it is given and noted), publishes a proposal, or answers a flag;
``x`` refuses a gesture (the agent reads the reason in a note), declines a proposal with a
note, or takes a flag off; enter opens the conversation. Reads and decisions run in thread
workers; the list is read again after each decision.

On a mirror of a remote helpdesk with a shared macro library (Zendesk), publishing also
queues the macro's push there; one it refused stays listed, in deskterm only, with its
reason. Where the remote has none (Request Tracker), the proposal says it publishes in
deskterm only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from deskterm import keymap
from deskterm.backend.commerce.base import ActionFailed, ActionRefused
from deskterm.backend.commerce.policy import format_money
from deskterm.backend.db import StoreError
from deskterm.backend.leads import reads
from deskterm.backend.leads.flags import answer_flag
from deskterm.backend.leads.gestures import approve_gesture, refuse_gesture
from deskterm.backend.leads.proposals import decline_proposal, publish_proposal
from deskterm.backend.sync.shared_macros import shares_macros
from deskterm.domain.macros import order_actions, unkept_claims
from deskterm.domain.proposals import macro_diff, placeholders
from deskterm.domain.safety import one_line, to_text
from deskterm.patches.barrier import forward_failure
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from deskterm.app import DeskApp


@dataclass(frozen=True)
class Item:
    kind: str  # gesture, flag, proposal
    value: Any

    @property
    def conversation_id(self) -> int | None:
        return getattr(self.value, "conversation_id", None)


class LeadsScreen(Screen[int | None]):
    """Dismisses with a conversation to open, or None."""

    BINDINGS = keymap.bindings("leads")

    DEFAULT_CSS = """
    LeadsScreen #leads-title { height: 1; background: $panel; padding: 0 1; }
    LeadsScreen #leads-list { width: 45%; height: 1fr; }
    LeadsScreen #leads-detail { width: 1fr; height: 1fr; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Item] = []

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Text("Leads' desk  reading…", style="bold"), id="leads-title")
        with Horizontal():
            yield OptionList(id="leads-list")
            with VerticalScroll(id="leads-detail"):
                yield Static(id="leads-text")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    @work(thread=True, exclusive=True, group="leads", exit_on_error=False)
    def load(self) -> None:
        conn = self.desk.store.conn
        items = [Item("gesture", g) for g in reads.pending_gestures(conn)]
        items += [Item("flag", f) for f in reads.flagged(conn)]
        items += [Item("proposal", p) for p in reads.proposals(conn)]
        unshared = reads.unshared(conn)
        self.app.call_from_thread(self._show, items, unshared)

    @property
    def macro_remote(self) -> tuple[str | None, bool]:
        """The remote helpdesk's name (None in local mode), and whether publishing a macro
        also writes it to that remote's shared library."""
        runner = self.desk.sync_runner
        if runner is None:
            return None, False
        return runner.label, shares_macros(runner.engine.connector)

    def _show(self, items: list[Item], unshared: list[reads.Unshared] | None = None) -> None:
        self.items = items
        counts = {k: sum(i.kind == k for i in items) for k in ("gesture", "flag", "proposal")}
        title = Text("Leads' desk", style="bold")
        title.append(
            f"  {counts['gesture']} gestures to approve · {counts['flag']} flagged · "
            f"{counts['proposal']} proposed macros"
        )
        self.query_one("#leads-title", Static).update(title)
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        headers = {
            "gesture": "Gestures waiting for approval",
            "flag": "Needs a lead",
            "proposal": "Proposed macros",
        }
        for kind, header in headers.items():
            options.add_option(Option(Text(header, style="bold"), disabled=True))
            mine = [(n, i) for n, i in enumerate(items) if i.kind == kind]
            if not mine:
                options.add_option(Option(Text("  nothing", style="dim"), disabled=True))
            for n, item in mine:
                options.add_option(Option(self._label(item), id=str(n)))
            if kind == "proposal":
                for u in unshared or []:
                    line = f"  ⚠ “{one_line(u.title, 30)}” is in deskterm only: {u.reason}"
                    options.add_option(Option(to_text(line, style="yellow"), disabled=True))
        if items:
            options.highlighted = min(highlighted or 0, options.option_count - 1)
            if (
                options.highlighted is not None
                and options.get_option_at_index(options.highlighted).disabled
            ):
                options.action_cursor_down()
        self._detail()

    def _label(self, item: Item) -> Text:
        v = item.value
        if item.kind == "gesture":
            money = format_money(v.amount_cents, self.desk.settings.gestures.currency)
            return to_text(f"  {money} {v.kind} · {one_line(v.customer_name, 24)} · {v.agent_name}")
        if item.kind == "flag":
            return to_text(f"  #{v.conversation_id} {one_line(v.subject, 30)} · {v.agent_name}")
        change = "change" if v.shared_macro_id else "new"
        return to_text(f"  {one_line(v.title, 30)} ({change}) · {v.agent_name}")

    @property
    def current(self) -> Item | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        option = options.get_option_at_index(options.highlighted)
        return self.items[int(option.id)] if option.id is not None else None

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._detail()

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_open()

    def _detail(self) -> None:
        item = self.current
        text = Text()
        if item is None:
            text.append("Nothing waiting for a lead.", style="dim")
        elif item.kind == "gesture":
            text = self._gesture_detail(item.value)
        elif item.kind == "flag":
            text = self._flag_detail(item.value)
        else:
            text = self._proposal_detail(item.value)
        self.query_one("#leads-text", Static).update(text)

    def _gesture_detail(self, g: reads.PendingGesture) -> Text:
        currency = self.desk.settings.gestures.currency
        text = Text(f"{format_money(g.amount_cents, currency)} {g.kind}", style="bold")
        text.append(f" for {one_line(g.customer_name, 40)}, asked by {g.agent_name}\n")
        if g.order_number:
            text.append(f"Order {g.order_number}\n")
        text.append(to_text(f"Over the policy: {g.reason}\n"))
        text.append(f"\nGoodwill so far: {format_money(g.given_cents, currency)} applied\n")
        for p in g.history:
            text.append(f"  {p.at:%d %b %Y}  {format_money(p.amount_cents, currency)} ")
            text.append(f"{p.kind} ({p.state})\n", style="dim")
        if not g.history:
            text.append("  none before\n", style="dim")
        text.append("\na approve (give it) · x refuse with a reason · enter conversation", "dim")
        return text

    def _flag_detail(self, f: reads.Flagged) -> Text:
        text = Text(f"#{f.conversation_id} ", style="bold")
        text.append(to_text(one_line(f.subject, 60)))
        text.append(f" · {one_line(f.customer_name, 30)}\n\n")
        text.append(f"{f.agent_name or 'An agent'} asks:\n", style="bold")
        text.append(to_text(f.question or "(no question)"))
        text.append("\n\na answer in a note · x take the flag off · enter conversation", "dim")
        return text

    def _proposal_detail(self, p: reads.Proposal) -> Text:
        text = Text(one_line(p.title, 60), style="bold")
        text.append(f"  proposed by {p.agent_name}, used {p.uses} times\n")
        if p.note:
            text.append(to_text(f"“{p.note}”\n"))
        warning = unkept_claims([p.body, *p.variants.values()], order_actions(p.actions))
        if warning:
            text.append(f"⚠ {warning}\n", style="bold yellow")
        used = placeholders("\n".join([p.body, *p.variants.values()]))
        text.append("Placeholders: " + (", ".join(used) if used else "none") + "\n")
        text.append(
            f"Changes the shared macro “{p.old_title}”:\n" if p.old_title else "A new macro:\n"
        )
        for line in macro_diff(p.old_title, p.old_body, p.title, p.body):
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
            text.append(to_text(line, style=style))
            text.append("\n")
        text.append(self._where_published(p))
        text.append("\na publish to the shared library · x decline with a note", style="dim")
        return text

    def _where_published(self, p: reads.Proposal) -> Text:
        """Where publishing puts the macro, on a mirror of a remote helpdesk (one line)."""
        label, shares = self.macro_remote
        if label is None:
            return Text()
        if not shares:
            return Text(f"\n{label} has no shared macros API: this publishes in deskterm only.\n")
        text = Text(f"\nPublishing also writes it to {label}'s shared library.\n")
        runner = self.desk.sync_runner
        connector = runner.engine.connector if runner is not None else None
        unfilled = getattr(connector, "unfilled_placeholders", None)
        blank = unfilled(p.body) if callable(unfilled) else []
        if blank:
            text.append(to_text(f"{label}'s own agents see nothing for: {', '.join(blank)}\n"))
        return text

    # -- decisions -------------------------------------------------------------------

    def action_approve(self) -> None:
        item = self.current
        if item is None:
            return
        if item.kind == "flag":
            self.app.push_screen(
                TextPromptScreen("Your answer (an internal note; the flag goes off):"),
                partial(self._decide, item, "answer"),
            )
            return
        self._decide(item, "approve", "")

    def action_refuse(self) -> None:
        item = self.current
        if item is None:
            return
        if item.kind == "flag":
            self._decide(item, "answer", "")
            return
        question = (
            "Why is it refused? (the agent reads it in a note)"
            if item.kind == "gesture"
            else "Why is it declined? (the agent reads it)"
        )
        self.app.push_screen(TextPromptScreen(question), partial(self._decide, item, "refuse"))

    def _decide(self, item: Item, decision: str, text: str | None) -> None:
        if text is None:
            return
        self._run(item, decision, text)

    @work(thread=True, group="leads-decide", exit_on_error=False)
    def _run(self, item: Item, decision: str, text: str) -> None:
        desk = self.desk
        lead, store = desk.agent, desk.store
        currency = desk.settings.gestures.currency
        try:
            if item.kind == "gesture" and decision == "approve":
                approve_gesture(
                    store, desk.approval_provider(), item.value.id, lead=lead, currency=currency
                )
                done = "Approved and given"
            elif item.kind == "gesture":
                refuse_gesture(store, item.value.id, lead=lead, reason=text, currency=currency)
                done = "Refused; the agent has the reason in a note"
            elif item.kind == "flag":
                answer_flag(store, item.value.conversation_id, lead=lead, answer=text)
                done = "Answered; flag off" if text else "Flag off"
            elif decision == "approve":
                label, shares = self.macro_remote
                publish_proposal(store, item.value.id, lead=lead, remote=shares)
                done = "Published to the shared library"
                if label is not None:
                    done += (
                        f"; going to {label}'s too"
                        if shares
                        else f" (deskterm only: {label} has no shared macros API)"
                    )
            else:
                decline_proposal(store, item.value.id, lead=lead, note=text)
                done = "Declined"
        except (ActionRefused, ActionFailed, StoreError) as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", markup=False)
            return
        self.app.call_from_thread(self.notify, done, markup=False)
        if item.kind == "proposal" and decision == "approve":
            self.app.call_from_thread(desk.reload_macros)
        self.load()

    def action_open(self) -> None:
        item = self.current
        if item is not None and item.conversation_id is not None:
            self.dismiss(item.conversation_id)

    def action_refresh(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss(None)
