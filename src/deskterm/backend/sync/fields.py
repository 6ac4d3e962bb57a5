"""Deciding what a field change should send, given what the remote holds now (pure).

Every connector pushes field changes the same way: read the remote's current values, then
for each changed field —

- the remote already has the new value: nothing to send (a retry of a change that landed);
- the remote still has the value the change started from: send the new value;
- the remote has a third value: someone else changed it meanwhile — a conflict, and the
  remote's version wins.

Tags are merged instead (the tags added and removed locally, applied to the remote's set),
since two agents tagging the same ticket do not contradict each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deskterm.backend.sync.protocol import PushAction

#: same(field, remote value, local value) -> True when they mean the same on the remote
Same = Callable[[str, Any, Any], bool]


@dataclass
class FieldPlan:
    send: dict[str, Any] = field(default_factory=dict)
    conflicts: dict[str, Any] = field(default_factory=dict)  # field -> the remote's value


def plan_fields(action: PushAction, remote_now: dict[str, Any], same: Same) -> FieldPlan:
    """What to send for ``action.fields`` given ``remote_now`` (in deskterm's terms)."""
    result = FieldPlan()
    for name, after in action.fields.items():
        if name not in remote_now:
            continue
        remote = remote_now[name]
        if name == "tags":
            before = set(action.before.get("tags") or [])
            wanted = set(after or [])
            merged = (set(remote or []) - (before - wanted)) | (wanted - before)
            if merged != set(remote or []):
                result.send["tags"] = sorted(merged)
            continue
        if same(name, remote, after):
            continue
        if name not in action.before or same(name, remote, action.before[name]):
            result.send[name] = after
        else:
            result.conflicts[name] = remote
    return result


def exact(name: str, remote: Any, local: Any) -> bool:
    """The simplest ``Same``: equal values."""
    return bool(remote == local)


def near(name: str, remote: Any, local: Any) -> bool:
    """The ``Same`` of both helpdesks: equal values, and snooze times within a minute (the
    remotes keep them to the minute or the second)."""
    if name == "snoozed_until":
        if remote is None or local is None:
            return remote is local
        return abs((remote - local).total_seconds()) < 60
    return bool(remote == local)


def say_value(value: Any) -> str:
    """A field's value as the conflict notice on a conversation says it."""
    if isinstance(value, datetime):
        return "snoozed until " + value.strftime("%Y-%m-%d %H:%M UTC")
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return ", ".join(value) or "no tags"
    return str(value)
