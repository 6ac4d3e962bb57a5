"""The workstation screen: inbox, conversation and customer side by side.

The screen lays out its panes and coordinates them: they post messages up, it reads the
store in thread workers and hands the results back down. What the agent does from it is
done by its parts (see the package's docstring); the screen owns them, calls down into them
from the thin ``action_*`` methods and handlers of :mod:`.parts`, which it builds on, and
hears back by their return values and messages. What stays here is the coordination: panes
and focus, the debounces, opening a conversation and the composer.
"""

from __future__ import annotations

from functools import partial

from textual import events, on, work
from textual.app import ComposeResult
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea
from textual.worker import Worker, get_current_worker

from deskterm import keymap
from deskterm.backend.context import ConversationBundle
from deskterm.domain.macros import order_actions
from deskterm.domain.safety import NAME_CELLS, one_line
from deskterm.patches.barrier import forward_failure
from deskterm.screens.workstation.conversation import OpenConversation
from deskterm.screens.workstation.drafts import DraftSaver
from deskterm.screens.workstation.files import Files
from deskterm.screens.workstation.layout import (
    NARROW,
    PANES,
    VERY_NARROW,
    compose_panes,
    panes_on_screen,
)
from deskterm.screens.workstation.lesson import CHECK_SECONDS as LESSON_CHECK_SECONDS
from deskterm.screens.workstation.lesson import Lesson
from deskterm.screens.workstation.live import LiveUpdates, Polled, arrival_notice
from deskterm.screens.workstation.macro_orders import MacroOrders
from deskterm.screens.workstation.macros import Macros
from deskterm.screens.workstation.merge import Merges
from deskterm.screens.workstation.order_actions import OrderActions
from deskterm.screens.workstation.parts import WorkstationParts
from deskterm.screens.workstation.problems import ProblemLinks
from deskterm.screens.workstation.replies import HeldReplies, HeldReply
from deskterm.screens.workstation.shift import GUIDE_SECONDS as SHIFT_GUIDE_SECONDS
from deskterm.screens.workstation.shift import ShiftGuide
from deskterm.screens.workstation.shop_facts import ShopFacts
from deskterm.screens.workstation.team import TeamDesk
from deskterm.screens.workstation.triage import Triage
from deskterm.screens.workstation.undo import DoneAction, OrderActionDone, UndoStack
from deskterm.screens.workstation.views import Views, view_for
from deskterm.widgets.composer import Composer
from deskterm.widgets.conversation_view import ThreadView
from deskterm.widgets.customer_panel import CustomerPanel
from deskterm.widgets.inbox_list import InboxList
from deskterm.widgets.lesson_panel import LessonPanel
from deskterm.widgets.status_bar import StatusBar

SHOW_DELAY = 0.06
SEARCH_DELAY = 0.15


#: The workstation's priority keys that are letters where text is typed (see check_action).
TYPED_AHEAD = frozenset({"undo", "reply", "note", "search"})


class WorkstationScreen(WorkstationParts):
    """The three panes an agent works in all day."""

    BINDINGS = keymap.bindings("desk")

    narrow_pane: reactive[str] = reactive("inbox")
    """On a narrow terminal, which pane is on screen."""

    def __init__(self) -> None:
        super().__init__()
        self._show_timer: Timer | None = None
        self._search_timer: Timer | None = None
        self.put_away: set[int] = set()
        """Conversations the agent closed or snoozed: when one leaves the view from under the
        cursor, the row that took its place is opened (inbox zero); any other that leaves
        (answered, reopened, changed by someone else) stays on screen."""
        # The parts, each with its one job; they share only what the screen hands them.
        self.undo: UndoStack[DoneAction | HeldReply | OrderActionDone] = UndoStack()
        self.drafts = DraftSaver(self)
        self.replies = HeldReplies(
            self,
            self.drafts.unsaved,
            self.undo.push,
            orders_back=partial(self._undo_reply_orders, taken_back=True),
        )
        self.triage = Triage(self, self.undo.push)
        self.merges = Merges(self, self.undo.push)
        self.macros = Macros(self)
        self.order_actions = OrderActions(self, self.undo.push)
        self.shop_facts = ShopFacts(self, lambda: self.order_actions.commerce)
        self.macro_orders = MacroOrders(self, self.order_actions, self.macros.fill)
        self.problem_links = ProblemLinks(self, self.triage.targets, self.undo.push)
        self.live = LiveUpdates(self)
        self.views = Views(self)
        self.team = TeamDesk(self)
        self.opened = OpenConversation(self)
        self.lesson: Lesson | None = None
        self.shift = ShiftGuide(self)
        self.files = Files(self)

    def compose(self) -> ComposeResult:
        yield from compose_panes(self.desk)

    def on_mount(self) -> None:
        status = self.query_one(StatusBar)
        status.agent_name = one_line(self.desk.agent.name, NAME_CELLS)
        status.demo = self.desk.demo
        if self.desk.live_demo is not None:
            status.live_demo = self.desk.live_demo.label(self.desk.keymap_overrides)
        self.query_one("#search", Input).display = False
        self.query_one("#search-error", Static).display = False
        self.query_one("#composer", Composer).display = False
        if self.desk.settings.shift:
            self.views.view = view_for("start")
            self.set_interval(SHIFT_GUIDE_SECONDS, self.shift.show)
        self.inbox.set_view(self.view, at_once=True)
        self.inbox.focus()
        self.live.poll()  # breaching count and snoozes due while deskterm was closed, at once
        self.set_interval(self.desk.live_update_seconds, self.live.poll)
        # After the first frame: half a second of reading at a million conversations.
        self.call_after_refresh(self.poll_median)
        self.call_after_refresh(self.problem_links.warm)
        self._apply_width(self.size.width)
        if self.desk.lesson is not None:
            self.lesson = Lesson(self, self.desk.lesson)
            self.add_class("-lesson")  # notices go below the lesson's words (deskterm.tcss)
            self.lesson.show()
            self.set_interval(LESSON_CHECK_SECONDS, self.lesson.check)

    @property
    def lesson_panel(self) -> LessonPanel:
        return self.query_one(LessonPanel)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def on_key(self, event: events.Key) -> None:
        self.desk.key_through_panes(event)  # see DeskApp.on_key: keys typed in one burst

    def focus_now(self, widget: Widget) -> None:
        """Focus ``widget`` before the keys already queued are handed on, so that what was
        typed with `r` or `/` goes into the box they opened; and once more after the focus
        changes already asked for (``focus()`` queues behind them: a view picked with `g`
        in the same burst focuses the inbox when its picker has closed)."""
        if self.app.screen is self:
            self.set_focus(widget)
        widget.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Undo, reply, note and search are priority keys (see keymap): the app acts on them
        # as it takes them from the terminal, before the keys typed after them, so `r` then
        # "Merci" in one burst is a reply that says "Merci" (not M for metrics, e for done).
        # In the search box or the composer they are text; in a pane that gives the same key
        # an action of its own (the customer pane's `r` resends), the pane's action it is.
        if action not in TYPED_AHEAD:
            return True
        focused = self.focused
        if isinstance(focused, (Input, TextArea)):
            return False
        return focused is None or not keymap.pane_claims(
            focused, f"desk.{action}", self.desk.keymap_overrides
        )

    # -- panes and layout ----------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW, "-narrow")
        self.set_class(width < VERY_NARROW, "-very-narrow")
        self._show_narrow()

    def watch_narrow_pane(self, pane: str) -> None:
        self._show_narrow()

    def _show_narrow(self) -> None:
        shown = panes_on_screen(
            self.narrow_pane,
            narrow=self.has_class("-narrow"),
            very_narrow=self.has_class("-very-narrow"),
        )
        for pane, display in zip(
            ("#inbox-pane", "#conversation-pane", "#customer"), shown, strict=True
        ):
            self.query_one(pane).display = display

    def show_pane(self, pane: str, *, focus: bool = True) -> None:
        if focus:
            self.action_show_pane(pane)
        else:
            self.narrow_pane = pane

    def action_show_pane(self, pane: str) -> None:
        self.narrow_pane = pane
        target = {
            "inbox": self.inbox,
            "conversation": self.thread,
            "customer": self.query_one(CustomerPanel),
        }[pane]
        target.focus()

    def action_focus_next_pane(self) -> None:
        self._cycle_pane(1)

    def action_focus_previous_pane(self) -> None:
        self._cycle_pane(-1)

    def _cycle_pane(self, step: int) -> None:
        order = [self.inbox, self.thread, self.query_one(CustomerPanel)]
        focused = self.focused
        index = 0
        for i, widget in enumerate(order):
            if focused is widget or (focused is not None and widget in focused.ancestors):
                index = i
        if focused is not None and self.composer in focused.ancestors_with_self:
            index = 1
        pane = PANES[(index + step) % 3]
        self.action_show_pane(pane)

    def action_back(self) -> None:
        """Back out one level: to the list (keeping its search), then out of the search."""
        search = self.search_box
        if self.focused is search:
            self.views.close_search(restore=True)
        elif self.focused is not self.inbox:
            self.action_show_pane("inbox")
        elif self.inbox.selected_ids:
            self.inbox.clear_selection()
        elif search.display:
            self.views.close_search(restore=True)

    # -- views and search ----------------------------------------------------------------

    @on(InboxList.Counted)
    def _counted(self, event: InboxList.Counted) -> None:
        self.views.counted(event.view, event.count)
        # The header names the view on screen, so it changes once the view's rows have been
        # painted, in a frame of its own: it is the screen's top line, and a frame that
        # changes it and the rows renders every pane between the two. Left alone until then,
        # the frame of the rows comes as soon as they are read (Textual spaces frames).
        self.call_after_refresh(self._show_count, event)

    def _show_count(self, event: InboxList.Counted) -> None:
        if event.view is self.view and self.query(StatusBar):
            status = self.query_one(StatusBar)
            status.view_title = event.view.title
            status.count = event.count
            status.capped = event.partial

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        self._search_timer = self.set_timer(
            SEARCH_DELAY, lambda: self._debounced_search(event.value)
        )

    def _debounced_search(self, text: str) -> None:
        self._search_timer = None
        self.views.search(text)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.inbox.focus()

    # -- opening a conversation ----------------------------------------------------------

    @on(InboxList.Highlighted)
    def _highlighted(self, event: InboxList.Highlighted) -> None:
        if self._show_timer is not None:
            self._show_timer.stop()
            self._show_timer = None
        cid = event.conversation_id
        if cid is None:
            self.call_later(self._show_nothing)
            return
        if event.left is not None:
            if event.left not in self.put_away and self.bundle is not None:
                # The conversation left the view but the agent is still on it: its thread
                # stays, and the row now under the cursor waits until the agent moves.
                return
            self.put_away.discard(event.left)
            self.inbox.landed = False
        if self.bundle is not None and self.bundle.conversation.id == cid:
            return
        self._show_timer = self.set_timer(SHOW_DELAY, lambda: self._debounced_show(cid))

    def _debounced_show(self, cid: int) -> None:
        self._show_timer = None
        self.load_conversation(cid)

    @property
    def settled(self) -> bool:
        """No conversation or search is waiting on its debounce timer."""
        return self._show_timer is None and self._search_timer is None

    async def _show_nothing(self) -> None:
        self.opened.show_nothing()

    @on(InboxList.Opened)
    def _opened(self, event: InboxList.Opened) -> None:
        if self.bundle is None or self.bundle.conversation.id != event.conversation_id:
            self.load_conversation(event.conversation_id)
        self.narrow_pane = "conversation"
        self.thread.focus()

    @on(CustomerPanel.OpenConversation)
    def _open_past(self, event: CustomerPanel.OpenConversation) -> None:
        self.load_conversation(event.conversation_id)
        self.action_show_pane("conversation")

    def open_conversation_by_id(self, conversation_id: int) -> None:
        self.load_conversation(conversation_id)
        self.action_show_pane("conversation")

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def load_conversation(self, conversation_id: int) -> None:
        found = self.opened.read(conversation_id)
        if found is None:
            return
        # A newer open replaced this one (the agent moved on): a thread worker runs to its end
        # even when cancelled, so it must not paint the conversation the agent left.
        if get_current_worker().is_cancelled:
            return
        self.from_thread(self._show_bundle, *found)

    async def _show_bundle(self, bundle: ConversationBundle, others: list[tuple[str, str]]) -> None:
        if not self.query(ThreadView):
            return  # the app is quitting: the panes are gone before the worker's answer came
        held = self.replies.restore_on_show
        restoring = held is not None and held.conversation_id == bundle.conversation.id
        if restoring:
            self.replies.restore_on_show = None
        sending = self.replies.held
        if (
            sending is not None
            and sending.conversation_id == bundle.conversation.id
            and bundle.draft_body == sending.body
        ):
            # The reply waiting out its undo delay is kept as the draft only in case deskterm
            # closes: it is sent (u takes it back), not a draft left to send.
            bundle.draft_body = ""
        if not self.opened.show(bundle, others, restoring=restoring):
            self.suggest_for(bundle)

    @on(ThreadView.NeedOlder)
    def _need_older(self, event: ThreadView.NeedOlder) -> None:
        self._load_older(event.conversation_id, event.before_id)

    @work(thread=True, group="open", exit_on_error=False)
    def _load_older(self, conversation_id: int, before_id: int) -> None:
        older = self.desk.store.messages(conversation_id, limit=60, before_id=before_id)
        self.from_thread(self.thread.prepend_older, older)

    # -- composing -----------------------------------------------------------------------

    def action_reply(self) -> None:
        self.open_composer(note=False)

    def action_note(self) -> None:
        self.open_composer(note=True)

    def action_send_draft(self, done: bool) -> None:
        """ctrl+s / ctrl+o from the inbox or the customer pane: send the open conversation's
        draft as the composer would, or say why nothing was sent."""
        composer = self.composer
        if composer.conversation_id is None or self.bundle is None:
            self.notify("Open a conversation first (enter), then write the reply (r).")
            return
        if not composer.text.strip():
            reply = keymap.keys_for("desk.reply", self.desk.keymap_overrides).split(",")[0]
            self.notify(
                f"Nothing to send: the open conversation has no draft ({reply} writes one)."
            )
            return
        composer.request_send(done=done)

    def open_composer(self, *, note: bool) -> None:
        cursor = self.inbox.chosen_id
        stale = self.bundle is None or (
            self.focused is self.inbox
            and cursor is not None
            and cursor != self.bundle.conversation.id
        )
        if stale and cursor is not None:
            # The cursor moved on and its thread is still loading (send & done, then r at
            # once): write to the conversation under the cursor, never the one just closed.
            if self._show_timer is not None:
                self._show_timer.stop()
                self._show_timer = None
            self.composer.load(cursor, f"#{cursor}", "", note=note)
            self.load_conversation(cursor)
        elif self.bundle is None:
            self.notify("Open a conversation first (enter).")
            return
        self.narrow_pane = "conversation"
        self.composer.display = True
        self.composer.note = note
        self.focus_now(self.composer.area)

    @on(Composer.Left)
    def _left_composer(self) -> None:
        self.composer.flush()
        self.inbox.focus()
        self.narrow_pane = "inbox"

    @on(Composer.DraftChanged)
    def _draft_changed(self, event: Composer.DraftChanged) -> None:
        if self.replies.sending_to(event.conversation_id) and not event.body.strip():
            return  # emptied by the send: the held reply stays the draft until it goes
        self.save_draft(event.conversation_id, event.body, event.note)

    @on(Composer.SendRequested)
    def _send_requested(self, event: Composer.SendRequested) -> None:
        if self.desk.settings.shift and not event.note:
            name = self.bundle.conversation.customer_name if self.bundle else "the customer"
            self.shift.confirm_send(
                one_line(name, NAME_CELLS), done=event.done, send=lambda: self._send(event)
            )
            return
        self._send(event)

    def _send(self, event: Composer.SendRequested) -> None:
        after = self.macros.changes(event.actions)
        # Until it is committed, the reply is also the conversation's draft (the composer
        # is emptied at once): a closed terminal during the undo delay loses nothing.
        self.save_draft(event.conversation_id, event.body, event.note)
        # A note tells the team, not the customer: its macros' order actions wait for a reply.
        orders = [] if event.note else order_actions(event.actions)
        before = partial(self.macro_orders.before_send, orders) if orders else None
        self.replies.send(
            event.conversation_id,
            event.body,
            event.note,
            event.done,
            after,
            event.macro_ids,
            before=before,
        )

    def move_on_from(self, conversation_id: int, *, closed: bool) -> None:
        """After a reply: back to the list, and, when it ``closed`` the conversation, on to
        the view's most urgent other one. A reply alone keeps the agent on the conversation
        (it may leave the view: its thread stays until the agent moves)."""
        self.inbox.focus()
        self.narrow_pane = "inbox"
        if closed and self.desk.settings.auto_advance:
            self.inbox.step_past(conversation_id)

    def focus_composer(self) -> None:
        self.composer.display = True
        self.focus_now(self.composer.area)
        self.narrow_pane = "conversation"

    # -- live updates --------------------------------------------------------------------

    @on(Polled)
    def _after_poll(self, event: Polled) -> None:
        if not self.query(StatusBar):
            return  # the app is quitting: the panes went before the poll's answer came
        self.query_one(StatusBar).breaching = event.breaching
        if event.changed:
            self.inbox.refresh_rows()
        shown = self.bundle.conversation.id if self.bundle is not None else None
        notice = arrival_notice(event.arrived, self.desk.agent.id, shown)
        if notice is not None:
            self.notify(notice, title="New message", timeout=4, markup=False)
        # The poll read the conversation that was open when it started; the agent may have
        # moved on since: never pull them back to it.
        again = self.opened.polled(
            event.fresh,
            event.others,
            moving_on=self._show_timer is not None,
            unsent=event.unsent,
        )
        if again is not None:
            self.load_conversation(again)

    def action_refresh(self) -> None:
        if self.desk.sync_runner is not None:
            self.desk.sync_runner.sync_now()  # remote mode: pull now, not in a few seconds
        self.inbox.refresh_rows()
        if self.bundle is not None:
            self.load_conversation(self.bundle.conversation.id)
