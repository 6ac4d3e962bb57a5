"""The open conversation: reading it (in the screen's worker), showing it in the header,
thread, customer pane and composer, and following what the poll reads of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from rich.text import Text

from deskterm.backend.context import ConversationBundle, load_bundle
from deskterm.domain.models import Conversation, Status
from deskterm.domain.problems import Problem
from deskterm.domain.safety import NAME_CELLS, SUBJECT_CELLS, one_line
from deskterm.keymap import keys_for
from deskterm.screens.workstation.host import Host
from deskterm.widgets.inbox_row import SEVERAL_OPEN_MARK

if TYPE_CHECKING:
    from textual.widgets import Static

    from deskterm.app import DeskApp
    from deskterm.backend.rows import Unsent
    from deskterm.widgets.composer import Composer
    from deskterm.widgets.conversation_view import ThreadView
    from deskterm.widgets.customer_panel import CustomerPanel
    from deskterm.widgets.inbox_list import InboxList


def read_conversation(
    desk: DeskApp, conversation_id: int
) -> tuple[ConversationBundle, list[tuple[str, str]]] | None:
    """From a worker: the conversation with its customer, order and draft, marked read and
    as being viewed by the agent; and who else is on it. None when it is gone."""
    store = desk.store
    bundle = load_bundle(
        store,
        conversation_id,
        agent_id=desk.agent.id,
        goodwill_days=desk.settings.gestures.window_days,
    )
    if bundle is None:
        return None
    if bundle.conversation.unread:
        store.mark_read(conversation_id)
    store.touch_presence(conversation_id, desk.agent.id, "viewing")
    return bundle, store.presence(conversation_id, exclude_agent=desk.agent.id)


def composer_title(bundle: ConversationBundle) -> str:
    """Who the reply goes to, as the composer names it."""
    c = bundle.conversation
    return f"{c.customer_name} · {c.channel.value} · #{c.number}"


def header_text(
    c: Conversation,
    others: list[tuple[str, str]],
    *,
    now: datetime,
    tz: ZoneInfo,
    agent_name: Callable[[int | None], str],
    problems: list[Problem] | None = None,
    open_others: int = 0,
    merge_key: str = "",
) -> Text:
    """The two lines above the thread, a third naming the problem it reports, one saying
    how many other conversations its customer has open (``open_others``, while this one is
    open: ``merge_key`` merges them), and a line for each other agent on it."""
    text = Text()
    text.append(one_line(c.customer_name, 40), style="bold")
    text.append(f" · {c.channel.value} · #{c.number} · {c.status.value}")
    if c.assignee_id is not None:
        text.append(f" · {one_line(agent_name(c.assignee_id), NAME_CELLS)}")
    if c.snoozed_until is not None:
        from deskterm.domain.snooze import describe

        text.append(f" · snoozed {describe(c.snoozed_until, now, tz)}", style="italic")
    if c.tags:
        text.append("  " + " ".join(f"#{one_line(t, 24)}" for t in c.tags[:10]), style="dim")
    text.append("\n")
    text.append(one_line(c.subject, SUBJECT_CELLS), style="italic")
    if problems:  # a line of its own: a long subject and title would wrap into each other
        first = problems[0]
        text.append(f"\n⚑ {one_line(first.title, 60)} · {first.status.label}", style="bold")
        if len(problems) > 1:
            text.append(f" +{len(problems) - 1}", style="dim")
    if open_others and c.status is not Status.DONE:
        several = "s" if open_others > 1 else ""
        text.append(
            f"\n{SEVERAL_OPEN_MARK} {open_others} other open conversation{several} of this customer"
        )
        if merge_key:
            text.append(f" · {merge_key} merge", style="dim")
    for name, state in others:
        verb = "is replying" if state == "typing" else "is looking at this"
        text.append(f"\n⚑ {one_line(name, NAME_CELLS)} {verb}", style="bold yellow")
    return text


class ShowHost(Host, Protocol):
    """The panes a conversation is shown in."""

    @property
    def inbox(self) -> InboxList: ...

    @property
    def thread(self) -> ThreadView: ...

    @property
    def composer(self) -> Composer: ...

    @property
    def customer(self) -> CustomerPanel: ...

    @property
    def header(self) -> Static: ...


class OpenConversation:
    """The conversation on screen, as last read, and what the agent has seen of it."""

    def __init__(self, host: ShowHost) -> None:
        self.host = host
        self.bundle: ConversationBundle | None = None
        self.shown_count = 0
        """Messages in the thread as the agent last saw it."""
        self.latest_open: int | None = None
        """The conversation last asked to open (maybe not shown yet)."""

    def read(self, conversation_id: int) -> tuple[ConversationBundle, list[tuple[str, str]]] | None:
        """From the screen's worker (see :func:`read_conversation`)."""
        self.latest_open = conversation_id
        return read_conversation(self.host.desk, conversation_id)

    def show(
        self, bundle: ConversationBundle, others: list[tuple[str, str]], *, restoring: bool
    ) -> bool:
        """Show ``bundle`` in every pane; ``restoring``: undo-send already put the reply in
        the composer. Returns whether it is the conversation that was shown already."""
        host = self.host
        same = self.bundle is not None and self.bundle.conversation.id == bundle.conversation.id
        self.bundle = bundle
        cid = bundle.conversation.id
        if bundle.conversation.unread:
            # Read in the worker; the row loses its dot in the same frame as the thread shows.
            host.inbox.mark_read(cid)
        self.shown_count = bundle.conversation.message_count
        self.render_header(others)
        host.thread.show(
            bundle.conversation, bundle.messages, now=host.desk.clock(), unsent=bundle.unsent
        )
        host.customer.show(bundle)
        composer = host.composer
        typed_ahead = composer.conversation_id == cid and bool(composer.text)
        if restoring or (typed_ahead and not bundle.draft_body):
            # Undo-send put the reply back in the composer already, or the agent typed
            # ahead while it loaded: only its title changes.
            if composer.conversation_id == cid:
                composer.retarget(composer_title(bundle))
        elif not same:
            composer.load(cid, composer_title(bundle), bundle.draft_body, note=bundle.draft_note)
        composer.display = True
        return same

    def show_nothing(self) -> None:
        host = self.host
        host.composer.flush()
        self.bundle = None
        host.composer.conversation_id = None
        host.composer.display = False
        host.header.update("")
        host.thread.clear("Nothing here. Pick another view with g.")
        host.customer.show(None)

    def render_header(self, others: list[tuple[str, str]]) -> None:
        if self.bundle is None:
            return
        desk = self.host.desk
        self.host.header.update(
            header_text(
                self.bundle.conversation,
                others,
                now=desk.clock(),
                tz=desk.tz,
                agent_name=desk.agent_name,
                problems=self.bundle.problems,
                open_others=len(self.bundle.open_others),
                # On a mirror the merge is the remote helpdesk's to do (see merge.py).
                merge_key=""
                if desk.sync_runner is not None
                else keys_for("desk.merge", desk.keymap_overrides).split(",")[0],
            )
        )

    def polled(
        self,
        fresh: Conversation | None,
        others: list[tuple[str, str]],
        *,
        moving_on: bool,
        unsent: list[Unsent] | None = None,
    ) -> int | None:
        """The poll read ``fresh``: the header follows it, or, when messages came or the
        remote accepted an action (``unsent`` changed), the conversation to read again is
        returned. Never pulls an agent who moved on back."""
        moving_on = moving_on or (fresh is not None and self.latest_open not in (None, fresh.id))
        bundle = self.bundle
        if moving_on or bundle is None or fresh is None or fresh.id != bundle.conversation.id:
            return None
        if fresh.message_count != self.shown_count:
            return fresh.id
        if unsent is not None and unsent != bundle.unsent:
            return fresh.id
        bundle.conversation = fresh
        self.render_header(others)
        return None
