"""The open conversation: reading it for the screen (in the screen's worker), its header,
the composer's title for it, and the panes a narrow terminal shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text

from deskterm.backend.context import ConversationBundle, load_bundle
from deskterm.domain.models import Conversation
from deskterm.domain.safety import NAME_CELLS, SUBJECT_CELLS, one_line

if TYPE_CHECKING:
    from deskterm.app import DeskApp

PANES = ("inbox", "conversation", "customer")


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
    return f"{c.customer_name} · {c.channel.value} · #{c.id}"


def header_text(
    c: Conversation,
    others: list[tuple[str, str]],
    *,
    now: datetime,
    tz: ZoneInfo,
    agent_name: Callable[[int | None], str],
) -> Text:
    """The two lines above the thread, and a line for each other agent on it."""
    text = Text()
    text.append(one_line(c.customer_name, 40), style="bold")
    text.append(f" · {c.channel.value} · #{c.id} · {c.status.value}")
    if c.assignee_id is not None:
        text.append(f" · {one_line(agent_name(c.assignee_id), NAME_CELLS)}")
    if c.snoozed_until is not None:
        from deskterm.domain.snooze import describe

        text.append(f" · snoozed {describe(c.snoozed_until, now, tz)}", style="italic")
    if c.tags:
        text.append("  " + " ".join(f"#{one_line(t, 24)}" for t in c.tags[:10]), style="dim")
    text.append("\n")
    text.append(one_line(c.subject, SUBJECT_CELLS), style="italic")
    for name, state in others:
        verb = "is replying" if state == "typing" else "is looking at this"
        text.append(f"\n⚑ {one_line(name, NAME_CELLS)} {verb}", style="bold yellow")
    return text


def panes_on_screen(pane: str, *, narrow: bool, very_narrow: bool) -> tuple[bool, bool, bool]:
    """Which of inbox, conversation and customer are displayed, ``pane`` being the one the
    agent is on: all three when wide, two when narrow, one when very narrow."""
    if very_narrow:
        return pane == "inbox", pane == "conversation", pane == "customer"
    if narrow:
        return pane != "customer", True, pane == "customer"
    return True, True, True
