"""The problems screen (``g b``, ``B``, the palette): open problems, the most customers touched
this week first, each with a sparkline of new reports per day. The list a product team reads
every Monday: enter lists a problem's conversations (and jumps to one), ``s`` sets its
status, ``f`` marks it fixed and offers to tell its customers, ``c`` copies it as a bug report
and ``F`` files it in the team's tracker."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from deskterm import keymap
from deskterm.backend.writes import new_key
from deskterm.domain.problems import Problem, ProblemKind, ProblemStatus, sparkline
from deskterm.domain.safety import one_line, to_text
from deskterm.patches.barrier import forward_failure
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.fix_notices import FixNotices
from deskterm.screens.picker import Choice, PickerScreen
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.screens.tracker_report import TrackerReports
from deskterm.screens.workstation.undo import DoneAction, UndoStack
from deskterm.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from deskterm.app import DeskApp


def problem_row(p: Problem) -> Text:
    """One line of the list: customers this week, the sparkline, the title, the status."""
    text = Text()
    text.append(f"{p.customers_week:>3}", style="bold")
    text.append(f" {sparkline(p.per_day)} ", style="cyan")
    text.append(one_line(p.title, 60))
    text.append(f"  {p.kind.value} · {p.status.label} · {p.customers} in all", style="dim")
    if p.notified:
        text.append(f" · {p.notified} told", style="green")
    return text


def problem_detail(p: Problem) -> Text:
    """What the line under the list says of the highlighted problem."""
    text = Text()
    text.append(one_line(p.title, 100), style="bold")
    first = f"{p.first_report:%d %b}" if p.first_report else "—"
    last = f"{p.last_report:%d %b}" if p.last_report else "—"
    text.append(
        f"\n{p.conversations} conversations · {p.customers} customers · first report {first}"
        f" · last {last}"
    )
    if p.tracker_url:
        text.append(f" · {one_line(p.tracker_url, 80)}", style="underline")
    if p.description.strip():
        text.append("\n")
        text.append_text(to_text(one_line(p.description, 300)))
    return text


class ProblemsScreen(Screen[None]):
    """Open problems, the most customers this week first."""

    BINDINGS = keymap.bindings("problems")

    DEFAULT_CSS = """
    ProblemsScreen #problems-title { height: 1; background: $panel; padding: 0 1; }
    ProblemsScreen #problems-list { height: 1fr; }
    ProblemsScreen #problems-detail { height: auto; max-height: 8; padding: 0 1;
        border-top: solid $primary; }
    """

    def __init__(self, open_conversation: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.open_conversation = open_conversation
        self.problems: list[Problem] = []
        self.loaded = False
        self.undo: UndoStack[DoneAction] = UndoStack()
        self.notices = FixNotices(self)
        self.reports = TrackerReports(self)

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        title = Text("Problems", style="bold")
        title.append("  open, most customers first · customers this week │ new reports per ")
        title.append("day over 14 days │ problem", style="")
        yield Static(title, id="problems-title")
        yield OptionList(id="problems-list")
        yield Static(id="problems-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    @property
    def settled(self) -> bool:
        return self.loaded

    @work(thread=True, exclusive=True, group="problems", exit_on_error=False)
    def load(self) -> None:
        found = self.desk.store.problems()
        self.app.call_from_thread(self._show, found)

    def _show(self, problems: list[Problem]) -> None:
        if not self.is_attached:
            return
        keep = self.current.id if self.current is not None else None
        self.problems = problems
        options = self.query_one(OptionList)
        options.clear_options()
        for p in problems:
            options.add_option(Option(problem_row(p)))
        if not problems:
            self.query_one("#problems-detail", Static).update(
                Text("No open problem. Link a conversation to one with b.", style="dim")
            )
        else:
            ids = [p.id for p in problems]
            options.highlighted = ids.index(keep) if keep in ids else 0
        self.loaded = True

    @property
    def current(self) -> Problem | None:
        """The highlighted problem."""
        index = self.query_one(OptionList).highlighted if self.is_attached else None
        if index is None or index >= len(self.problems):
            return None
        return self.problems[index]

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        p = self.current
        if p is not None:
            self.query_one("#problems-detail", Static).update(problem_detail(p))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open()

    # -- keys ------------------------------------------------------------------------

    def action_back(self) -> None:
        self.notices.flush()  # notices held for the undo delay go now, in a worker
        self.dismiss()

    def action_refresh(self) -> None:
        self.load()

    def action_open(self) -> None:
        """The problem's conversations; enter on one jumps to it in the workstation."""
        p = self.current
        if p is not None:
            self.run_worker(
                partial(self._read_conversations, p),
                thread=True,
                group="store",
                exit_on_error=False,
            )

    def _read_conversations(self, p: Problem) -> None:
        found = self.desk.store.problem_conversations(p.id)
        choices = [
            Choice(
                str(c.id),
                f"{one_line(c.customer_name, 20)} · {one_line(c.subject, 24)}",
                f"{c.status.value} {c.created_at:%d %b}",
            )
            for c in found
        ]
        self.app.call_from_thread(self._ask_conversation, p, choices)

    def _ask_conversation(self, p: Problem, choices: list[Choice]) -> None:
        self.app.push_screen(
            PickerScreen(
                f"{one_line(p.title, 50)} — {len(choices)} conversations",
                choices,
                hint="enter open it · esc back",
            ),
            self._jump,
        )

    def _jump(self, value: str | None) -> None:
        if value is None:
            return
        self.action_back()
        if self.open_conversation is not None:
            self.open_conversation(int(value))

    def action_status(self) -> None:
        p = self.current
        if p is None:
            return
        choices = [Choice(s.value, s.label.capitalize()) for s in ProblemStatus]

        def chosen(value: str | None) -> None:
            if value:
                self.set_status(p, ProblemStatus(value))

        self.app.push_screen(PickerScreen(f"Status of {one_line(p.title, 50)}", choices), chosen)

    def action_kind(self) -> None:
        p = self.current
        if p is None:
            return
        choices = [Choice(k.value, k.value.capitalize()) for k in ProblemKind]

        def chosen(value: str | None) -> None:
            if value:
                self.change(p, {"kind": value}, f"{p.title}: {value}")

        self.app.push_screen(PickerScreen(f"Kind of {one_line(p.title, 50)}", choices), chosen)

    def action_edit(self) -> None:
        p = self.current
        if p is not None:
            self._ask_field(p, "title", "The problem's title:", p.title)

    def action_tracker_link(self) -> None:
        """The issue's address, when the report was pasted in the tracker by hand."""
        p = self.current
        if p is not None:
            self._ask_field(p, "tracker_url", "Its issue in the tracker (a link):", p.tracker_url)

    def _ask_field(self, p: Problem, field: str, question: str, value: str | None) -> None:
        def answered(text: str | None) -> None:
            if text:
                self.change(p, {field: text.strip()}, f"{p.title}: {field.replace('_', ' ')}")

        self.app.push_screen(TextPromptScreen(question, value or ""), answered)

    def change(self, p: Problem, changes: dict[str, object], description: str) -> None:
        """Change a problem's fields in a worker, under an undo group of its own."""
        group = new_key()
        self.undo.push(DoneAction(group, description))
        self.run_worker(
            partial(self._write, p, changes, group),
            thread=True,
            group="store",
            exit_on_error=False,
        )

    def _write(self, p: Problem, changes: dict[str, object], group: str) -> None:
        desk = self.desk
        try:
            desk.store.update_problem(p.id, changes, agent_id=desk.agent.id, undo_group=group)
        except ValueError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", markup=False)
            return
        self.app.call_from_thread(self.load)

    def action_fixed(self) -> None:
        p = self.current
        if p is not None:
            self.set_status(p, ProblemStatus.FIXED)

    def set_status(self, p: Problem, status: ProblemStatus) -> None:
        group = new_key()
        self.undo.push(DoneAction(group, f"{p.title}: {status.label}"))
        self.run_worker(
            partial(self._write_status, p, status, group),
            thread=True,
            group="store",
            exit_on_error=False,
        )

    def _write_status(self, p: Problem, status: ProblemStatus, group: str) -> None:
        desk = self.desk
        desk.store.update_problem(
            p.id, {"status": status}, agent_id=desk.agent.id, undo_group=group
        )
        self.app.call_from_thread(self._status_set, p, status)

    def _status_set(self, p: Problem, status: ProblemStatus) -> None:
        self.notify(f"{one_line(p.title, 60)}: {status.label} · u to undo", markup=False)
        self.load()
        if status is ProblemStatus.FIXED:
            self.app.push_screen(
                ConfirmScreen(
                    f"Fixed: {one_line(p.title, 60)}. Tell the customers who reported it?",
                    "One reply per customer, drafted from the team's “fixed” macro in their "
                    "language; you review them before they go.",
                ),
                lambda yes: self.notices.prepare(p) if yes else None,
            )

    def action_undo(self) -> None:
        if self.notices.take_back():
            return
        item = self.undo.pop()
        if item is None:
            self.notify("Nothing to undo.")
            return
        self.run_worker(partial(self._undo, item), thread=True, group="store", exit_on_error=False)

    def _undo(self, item: DoneAction) -> None:
        desk = self.desk
        touched = desk.store.undo(item.undo_group, agent_id=desk.agent.id)
        text = f"Undone: {item.description}" if touched else "Nothing left to undo there."
        self.app.call_from_thread(self.notify, one_line(text, 200), markup=False)
        self.app.call_from_thread(self.load)

    def action_report(self) -> None:
        p = self.current
        if p is not None:
            self.reports.copy(p)

    def action_file(self) -> None:
        p = self.current
        if p is not None:
            self.reports.file(p)

    def commit_held_now(self) -> None:
        """On quit: notices waiting out their undo delay go now, never dropped."""
        self.notices.commit_now()
