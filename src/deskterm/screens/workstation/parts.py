"""The workstation's hand-offs: each key and message the screen takes that one part acts on,
handed to that part in a line, and what the parts may ask of the screen (see host.py).

``WorkstationScreen`` (in :mod:`.screen`) builds on this class and keeps the coordination:
the panes and the focus, the debounces, opening a conversation and the composer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual import on
from textual.screen import Screen
from textual.widgets import Input, Static

from deskterm.backend.context import ConversationBundle
from deskterm.backend.drafts import UnsavedDrafts
from deskterm.backend.views import View
from deskterm.domain.models import Conversation
from deskterm.screens.workstation.conversation import OpenConversation
from deskterm.screens.workstation.drafts import DraftSaver
from deskterm.screens.workstation.files import Files
from deskterm.screens.workstation.host import ReloadConversation
from deskterm.screens.workstation.live import LiveUpdates, MedianRead
from deskterm.screens.workstation.macros import Macros
from deskterm.screens.workstation.merge import Merges
from deskterm.screens.workstation.order_actions import OrderActions
from deskterm.screens.workstation.problems import ProblemLinks
from deskterm.screens.workstation.replies import HeldReplies, HeldReply
from deskterm.screens.workstation.shift import ShiftGuide
from deskterm.screens.workstation.shop_facts import ShopFacts
from deskterm.screens.workstation.team import TeamDesk
from deskterm.screens.workstation.triage import Triage
from deskterm.screens.workstation.undo import DoneAction, OrderActionDone, UndoStack
from deskterm.screens.workstation.views import Views
from deskterm.widgets.composer import Composer
from deskterm.widgets.conversation_view import ThreadView
from deskterm.widgets.customer_panel import CustomerPanel
from deskterm.widgets.inbox_list import InboxList
from deskterm.widgets.next_step import NextStep
from deskterm.widgets.search_box import SearchBox
from deskterm.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from deskterm.app import DeskApp

T = TypeVar("T")


class WorkstationParts(Screen[None]):
    """The workstation's parts, and the one-line hand-offs from the screen to them."""

    # The parts, built by WorkstationScreen.__init__.
    undo: UndoStack[DoneAction | HeldReply | OrderActionDone]
    drafts: DraftSaver
    replies: HeldReplies
    triage: Triage
    merges: Merges
    macros: Macros
    order_actions: OrderActions
    shop_facts: ShopFacts
    problem_links: ProblemLinks
    live: LiveUpdates
    views: Views
    opened: OpenConversation
    shift: ShiftGuide
    files: Files
    team: TeamDesk

    if TYPE_CHECKING:

        def load_conversation(self, conversation_id: int) -> object:
            """Read a conversation in a worker and show it (WorkstationScreen)."""

        def open_conversation_by_id(self, conversation_id: int) -> None:
            """Open a conversation and show its pane (WorkstationScreen)."""

    # -- the panes and the conversation on screen ----------------------------------------------

    @property
    def bundle(self) -> ConversationBundle | None:
        """The conversation on screen, with its customer, order and draft."""
        return self.opened.bundle

    @bundle.setter
    def bundle(self, bundle: ConversationBundle | None) -> None:
        self.opened.bundle = bundle

    @property
    def desk(self) -> DeskApp:
        return cast("DeskApp", self.app)

    @property
    def inbox(self) -> InboxList:
        return self.query_one(InboxList)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def thread(self) -> ThreadView:
        return self.query_one(ThreadView)

    @property
    def search_box(self) -> Input:
        return self.query_one("#search", Input)

    @property
    def search_hint(self) -> Static:
        return self.query_one("#search-error", Static)

    # -- views and search ----------------------------------------------------------------------

    @property
    def view(self) -> View:
        """The view whose conversations the list shows."""
        return self.views.view

    def set_view(self, view: View) -> None:
        self.views.show(view)

    def open_saved_view(self, view_id: int) -> None:
        self.views.open_saved(view_id)

    def action_goto(self) -> None:
        self.views.goto()

    def action_leads(self) -> None:
        self.team.open_leads()

    def open_leads(self) -> None:
        self.team.open_leads()

    def action_ask_lead(self) -> None:
        self.team.ask_lead()

    def action_propose_macro(self) -> None:
        self.team.propose()

    def action_search(self) -> None:
        self.views.open_search()

    @on(InboxList.LoadFailed)
    def _load_failed(self, event: InboxList.LoadFailed) -> None:
        self.notify(event.message, title="Could not read the store", severity="error")

    @on(SearchBox.SaveRequested)
    def _save_search(self, event: SearchBox.SaveRequested) -> None:
        self.views.save_search(event.query)

    # -- drafts and held replies ---------------------------------------------------------------

    def save_draft(self, conversation_id: int, body: str, note: bool) -> None:
        """Save ``body`` as the conversation's draft soon, after the drafts offered before."""
        self.drafts.save(conversation_id, body, note)

    @property
    def unsaved(self) -> UnsavedDrafts:
        """The drafts typed and not yet in the store."""
        return self.drafts.unsaved

    def commit_held_now(self) -> None:
        """On quit: a held reply is committed at once, never dropped."""
        self.replies.commit_now()

    # -- macros --------------------------------------------------------------------------------

    def action_macro(self) -> None:
        self.macros.pick()

    def action_suggestion(self, index: int) -> None:
        self.macros.use_suggestion(index)

    @property
    def suggestions(self) -> list[tuple[int, str]]:
        return self.macros.suggestions

    def suggest_for(self, bundle: ConversationBundle) -> None:
        self.macros.suggest_for(bundle)

    @on(Composer.QuickInsert)
    def _quick_insert(self, event: Composer.QuickInsert) -> None:
        self.macros.quick_insert(event.token)

    @on(Composer.SaveAsMacro)
    def _save_as_macro(self, event: Composer.SaveAsMacro) -> None:
        self.macros.save_as_macro(event.body)

    # -- order actions -------------------------------------------------------------------------

    @on(CustomerPanel.OrderActionRequested)
    def _order_action(self, event: CustomerPanel.OrderActionRequested) -> None:
        self.order_actions.request(event.kind, event.order)

    @on(CustomerPanel.FactsWanted)
    def _facts_wanted(self, event: CustomerPanel.FactsWanted) -> None:
        self.shop_facts.read(event.customer, event.order)

    @on(ReloadConversation)
    def _reload_conversation(self, event: ReloadConversation) -> None:
        self.load_conversation(event.conversation_id)

    # -- triage and undo -----------------------------------------------------------------------

    def action_done(self) -> None:
        self.triage.done()

    def action_reopen(self) -> None:
        self.triage.reopen()

    def action_snooze(self) -> None:
        self.triage.snooze()

    def action_take(self) -> None:
        self.triage.take()

    def action_assign(self) -> None:
        self.triage.assign()

    def action_tag(self) -> None:
        self.triage.tag()

    def action_priority(self) -> None:
        self.triage.priority()

    def action_merge(self) -> None:
        self.merges.merge()

    def action_link_problem(self) -> None:
        self.problem_links.link()

    def action_problems(self) -> None:
        from deskterm.screens.problems import ProblemsScreen

        self.app.push_screen(ProblemsScreen(self.open_conversation_by_id))

    def open_screen(self, name: str) -> None:
        if name == "problems":
            self.action_problems()
        elif name == "leads":
            self.open_leads()

    def action_select_all(self) -> None:
        self.inbox.select_visible()

    def action_undo(self) -> None:
        """Take back the last action, through the part that did it."""
        item = self.undo.pop()
        if item is None:
            self.notify("Nothing to undo.")
        elif isinstance(item, HeldReply):
            taken_back = self.replies.take_back(item)
            if not taken_back:
                # Already committed: undo what it changed (status, tags…), not the words.
                self.triage.undo_group(
                    item.undo_group,
                    "Status after the reply undone (the message itself was already sent)",
                )
            self._undo_reply_orders(item, taken_back)
        elif isinstance(item, OrderActionDone):
            self.order_actions.undo(item)  # the shop's change goes back through its provider
        else:
            self.triage.undo_group(item.undo_group, f"Undone: {item.description}")

    def _undo_reply_orders(self, item: HeldReply, taken_back: bool) -> None:
        """The order actions its macros ran go back with the reply; one the shop cannot
        take back (a cancelled order) stays done, and leaves the reply it is back in."""
        kept = []
        for done in reversed(item.orders):
            if done.result.undoable:
                self.order_actions.undo(done)
            else:
                kept.append(done)
        if kept:
            if taken_back and self.composer.conversation_id == item.conversation_id:
                self.composer.forget_order_actions({d.result.kind for d in kept})
            names = "; ".join(d.description for d in kept)
            self.notify(f"Stays done, it cannot be undone: {names}", severity="warning",
                        markup=False)  # fmt: skip

    # -- live updates and the rest -------------------------------------------------------------

    def poll_median(self) -> None:
        self.live.poll_median()

    @on(MedianRead)
    def _show_median(self, event: MedianRead) -> None:
        # The header may be gone already when the answer comes in as the app quits.
        if not self.query(StatusBar):
            return
        self.query_one(StatusBar).median_first_response = event.median
        self.set_timer(event.next_in, self.poll_median)

    def action_open_file(self) -> None:
        self.files.open()

    def action_metrics(self) -> None:
        from deskterm.screens.metrics import MetricsScreen

        self.app.push_screen(MetricsScreen())

    def action_next_theme(self) -> None:
        self.desk.cycle_theme()

    def action_shift_summary(self) -> None:
        self.shift.summary()

    @property
    def suggestion_titles(self) -> list[str]:
        """The titles of the macros suggested for the conversation on screen."""
        return [title for _, title in self.macros.suggestions]

    @property
    def next_step(self) -> NextStep:
        return self.query_one(NextStep)

    def now(self) -> datetime:
        return self.desk.clock()

    # -- what the parts may ask (see host.py) --------------------------------------------------

    @property
    def shown(self) -> Conversation | None:
        return self.bundle.conversation if self.bundle is not None else None

    @property
    def shown_id(self) -> int | None:
        return self.bundle.conversation.id if self.bundle is not None else None

    @property
    def shown_count(self) -> int:
        return self.opened.shown_count

    @property
    def customer(self) -> CustomerPanel:
        return self.query_one(CustomerPanel)

    @property
    def header(self) -> Static:
        return self.query_one("#conversation-header", Static)

    @property
    def inbox_focused(self) -> bool:
        return self.focused is self.inbox

    def ask(self, modal: Screen[T], answered: Callable[[T | None], None]) -> None:
        self.app.push_screen(modal, answered)

    def in_thread(
        self, work: Callable[[], None], *, group: str, name: str, exclusive: bool = False
    ) -> None:
        self.run_worker(
            work, name=name, group=group, exclusive=exclusive, thread=True, exit_on_error=False
        )

    def from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.app.call_from_thread(callback, *args, **kwargs)

    def busy(self, group: str) -> bool:
        return any(w.group == group and not w.is_finished for w in self.app.workers)
