"""One triage change applied to one conversation in the store: what ``e``, ``z``, ``a``,
``t``, ``p`` and a macro's actions come down to (called from store workers)."""

from __future__ import annotations

from typing import Any

from deskterm.backend.store import Store
from deskterm.domain.models import Priority, Status
from deskterm.domain.snooze import SnoozeTarget


def apply_change(
    store: Store,
    conversation_id: int,
    kind: str,
    value: Any,
    *,
    agent_id: int,
    undo_group: str | None,
    seen: dict[str, Any] | None = None,
    outbox: dict[str, Any] | None = None,
) -> None:
    """Apply the change ``kind`` (status, snooze, wake, assign, group, add_tags, remove_tags,
    priority) with ``value``, recorded under ``undo_group``.

    ``seen``: what the agent saw of the field it changes; the store raises ChangedMeanwhile
    when another agent changed that field since. ``outbox``: the entry that pushes it to a
    remote helpdesk (None when local). Raises ValueError for an unknown ``kind``.
    """
    me = agent_id
    if kind == "status":
        store.set_status(
            conversation_id,
            Status(value),
            agent_id=me,
            undo_group=undo_group,
            seen=seen,
            outbox=outbox,
        )
    elif kind == "snooze":
        target: SnoozeTarget = value
        store.snooze(
            conversation_id,
            target.until,
            agent_id=me,
            reason=target.label,
            undo_group=undo_group,
            seen=seen,
            outbox=outbox,
        )
    elif kind == "wake":
        store.update_conversation(
            conversation_id,
            {"snoozed_until": None, "snoozed_at": None, "snooze_reason": None},
            agent_id=me,
            kind="wake",
            undo_group=undo_group,
            seen=seen,
            outbox=outbox,
        )
    elif kind == "assign":
        store.assign(
            conversation_id, value, agent_id=me, undo_group=undo_group, seen=seen, outbox=outbox
        )
    elif kind == "group":
        store.update_conversation(
            conversation_id,
            {"group_id": value},
            agent_id=me,
            kind="group",
            undo_group=undo_group,
            seen=seen,
            outbox=outbox,
        )
    elif kind == "add_tags":
        store.change_tags(
            conversation_id, add=value, agent_id=me, undo_group=undo_group, outbox=outbox
        )
    elif kind == "remove_tags":
        store.change_tags(
            conversation_id, remove=value, agent_id=me, undo_group=undo_group, outbox=outbox
        )
    elif kind == "priority":
        store.update_conversation(
            conversation_id,
            {"priority": Priority(value)},
            agent_id=me,
            kind="priority",
            undo_group=undo_group,
            seen=seen,
            outbox=outbox,
        )
    else:
        raise ValueError(f"Unknown change {kind!r}")
