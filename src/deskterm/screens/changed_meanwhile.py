"""What an agent reads when another agent got there first.

A triage action carries what the agent saw of the fields it changes; when someone else
changed one of them since, the store refuses it (:class:`ChangedMeanwhile`) and the agent is
told who did what and when, and that the same key again applies theirs anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from deskterm.backend.rows import InboxRow
from deskterm.backend.writes import ChangedMeanwhile
from deskterm.domain.models import Conversation

#: The field each triage change sets, as the store checks it.
FIELD_OF = {
    "assign": "assignee_id",
    "group": "group_id",
    "status": "status",
    "priority": "priority",
    "snooze": "snoozed_until",
}


def seen_values(kind: str, shown: InboxRow | Conversation | None) -> dict[str, Any] | None:
    """What the agent saw of the field that ``kind`` changes (None: nothing to check)."""
    field = FIELD_OF.get(kind)
    if field is None or shown is None or not hasattr(shown, field):
        return None
    return {field: getattr(shown, field)}


def ago(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "meanwhile"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def what_happened(exc: ChangedMeanwhile, name: Callable[[int | None], str], now: datetime) -> str:
    """One line: "Paul took this 10 s ago"."""
    who = name(exc.by_agent_id) if exc.by_agent_id is not None else "Someone"
    who = who[:1].upper() + who[1:]
    when = ago(exc.at, now)
    if exc.field == "assignee_id":
        if exc.found is None:
            return f"{who} unassigned this {when}"
        if exc.found == exc.by_agent_id:
            return f"{who} took this {when}"
        return f"{who} assigned this to {name(exc.found)} {when}"
    if exc.field == "status":
        if exc.by_agent_id is None:
            return f"This changed to {exc.found} {when} (a new message?)"
        return f"{who} set this to {exc.found} {when}"
    if exc.field == "priority":
        return f"{who} set the priority to {exc.found} {when}"
    if exc.field == "snoozed_until":
        return f"{who} changed the snooze {when}"
    if exc.field == "group_id":
        return f"{who} moved this to another group {when}"
    return f"{who} changed this {when}"


def notice(
    refused: list[ChangedMeanwhile],
    total: int,
    *,
    name: Callable[[int | None], str],
    now: datetime,
    again: str,
) -> str:
    """The line shown when some of an action's conversations were refused.

    ``again`` says how to apply it anyway: "press i again to take it anyway".
    """
    if total == 1 and len(refused) == 1:
        return f"{what_happened(refused[0], name, now)} — {again}"
    first = what_happened(refused[0], name, now)
    more = ", …" if len(refused) > 1 else ""
    return (
        f"{len(refused)} of {total} skipped, changed by someone else since you looked "
        f"({first}{more}) — {again}"
    )
