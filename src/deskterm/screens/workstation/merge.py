"""Merging the conversation on screen with another open conversation of its customer.

The key asks once: with one other open conversation, a confirmation naming both and which
one is kept; with several, a picker of them; with none, a line saying so. The conversation
kept is the one the customer opened first (the older one): its number is the one the
customer and the team saw first, and the newer one closes with a line pointing to it. The
store moves the messages and closes the other in one transaction under one undo group, so
``u`` splits them back as it takes back any other action.

On a mirror of a remote helpdesk the merge is refused: the remote would still hold two
tickets, and the next sync would bring the closed one's replies back where they were. The
agent merges there, and the mirror follows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

from deskterm.backend.db import StoreError
from deskterm.backend.writes import new_key
from deskterm.domain.models import Conversation, Status
from deskterm.domain.safety import one_line
from deskterm.keymap import keys_for
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.picker import Choice, PickerScreen
from deskterm.screens.workstation.host import Host
from deskterm.screens.workstation.undo import DoneAction

if TYPE_CHECKING:
    from deskterm.backend.context import ConversationBundle
    from deskterm.widgets.inbox_list import InboxList


class MergeHost(Host, Protocol):
    """What merging needs of the workstation."""

    @property
    def inbox(self) -> InboxList: ...

    @property
    def bundle(self) -> ConversationBundle | None: ...

    def load_conversation(self, conversation_id: int) -> object: ...


def kept_and_closed(a: Conversation, b: Conversation) -> tuple[Conversation, Conversation]:
    """Which of two conversations a merge keeps (the one the customer opened first) and
    which it closes."""
    older, newer = sorted((a, b), key=lambda c: (c.created_at, c.id))
    return older, newer


def described(c: Conversation) -> str:
    """ "#12 “Missing bread” · 3 messages", customer text made one plain line."""
    count = f"{c.message_count} message{'s' if c.message_count != 1 else ''}"
    return f"#{c.number} “{one_line(c.subject, 50) or 'no subject'}” · {count}"


class Merges:
    """The merge key. ``remember`` puts a done merge on the screen's undo stack."""

    def __init__(self, host: MergeHost, remember: Callable[[DoneAction], None]) -> None:
        self.host = host
        self.remember = remember

    @property
    def _undo_key(self) -> str:
        return keys_for("desk.undo", self.host.desk.keymap_overrides).split(",")[0]

    def merge(self) -> None:
        """Offer to merge the conversation on screen with another of its customer's."""
        host = self.host
        bundle = host.bundle
        if bundle is None:
            host.notify("Open a conversation first: merge joins it with another one.")
            return
        runner = host.desk.sync_runner
        if runner is not None:
            host.notify(
                f"Merge on {runner.label} itself: this is a mirror of it, and a merge here "
                "would not reach it.",
                severity="warning",
                markup=False,
            )
            return
        shown = bundle.conversation
        if shown.status is Status.DONE:
            host.notify(f"#{shown.number} is closed: only open conversations merge.",
                        severity="warning")  # fmt: skip
            return
        host.in_thread(partial(self._read, shown.id), group="store", name="_read_open_others")

    def _read(self, conversation_id: int) -> None:
        store = self.host.desk.store
        shown = store.conversation(conversation_id)
        if shown is None:
            return
        others = [c for c in store.open_conversations_of(shown.customer_id) if c.id != shown.id]
        self.host.from_thread(self._offer, shown, others)

    def _offer(self, shown: Conversation, others: list[Conversation]) -> None:
        """On the event loop: ask once, as many conversations as there are call for."""
        host = self.host
        if not others:
            host.notify(
                f"{one_line(shown.customer_name, 40)} has no other open conversation to merge "
                "with.",
                markup=False,
            )
            return
        if len(others) == 1:
            kept, closed = kept_and_closed(shown, others[0])

            def answered(yes: bool | None) -> None:
                if yes:
                    self._merge(closed, kept)

            host.ask(
                ConfirmScreen(
                    f"Merge #{closed.number} into #{kept.number}?",
                    f"Kept: {described(kept)} — the customer opened it first.\n"
                    f"Closed: {described(closed)} — its messages move into "
                    f"#{kept.number}, in order of time, and it says where they went.\n"
                    f"{self._undo_key} splits them back.",
                ),
                answered,
            )
            return
        by_id = {str(c.id): c for c in others}

        def chosen(value: str | None) -> None:
            other = by_id.get(value or "")
            if other is not None:
                self._merge(*reversed(kept_and_closed(shown, other)))

        choices = [
            Choice(
                str(c.id),
                described(c),
                f"kept: #{shown.number} closes into it"
                if kept_and_closed(shown, c)[0] is c
                else f"closes into #{shown.number}",
            )
            for c in others
        ]
        host.ask(
            PickerScreen(
                f"Merge #{shown.number} with… (the one opened first is kept)",
                choices,
                hint=f"enter merges · esc cancel · {self._undo_key} after it splits them back",
            ),
            chosen,
        )

    def _merge(self, closed: Conversation, kept: Conversation) -> None:
        group = new_key()
        work = partial(self._run, closed, kept, group)
        self.host.in_thread(work, group="store", name="_run_merge")

    def _run(self, closed: Conversation, kept: Conversation, group: str) -> None:
        host = self.host
        try:
            moved = host.desk.store.merge(
                closed.id, kept.id, agent_id=host.desk.agent.id, undo_group=group
            )
        except StoreError as exc:  # refused (closed meanwhile…) or gone: one line, nothing lost
            host.from_thread(host.notify, one_line(str(exc), 200), severity="warning", markup=False)
            return
        host.from_thread(self._merged, closed, kept, moved, group)

    def _merged(self, closed: Conversation, kept: Conversation, moved: int, group: str) -> None:
        host = self.host
        self.remember(
            DoneAction(group, f"merge of #{closed.number} into #{kept.number}, split back")
        )
        host.inbox.refresh_rows()
        host.load_conversation(kept.id)
        messages = f"{moved} message{'s' if moved != 1 else ''}"
        host.notify(
            f"Merged #{closed.number} into #{kept.number}: {messages} moved, "
            f"#{closed.number} closed · {self._undo_key} to undo",
            markup=False,
        )
