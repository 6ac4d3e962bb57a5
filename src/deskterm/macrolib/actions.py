"""Macro actions: the changes a macro makes to the conversation when its reply is sent.

Each action is a ``field`` and a ``value``:

=============  =================================================================
field          value
=============  =================================================================
status         new, open, pending or done (Zendesk's solved/closed → done, hold → pending)
add_tags       a list of tags, or one string of tags separated by spaces or commas
remove_tags    the same
snooze         an expression for the snooze parser ("2h", "tomorrow 9:00", "until reply"),
               kept as typed and checked when the macro is applied
assign         "me", "none", an agent's name or an agent's id
priority       low, normal, high or urgent
=============  =================================================================

Zendesk's field names ``current_tags`` and ``assignee_id`` are accepted as ``add_tags`` and
``assign`` so imported macros keep working.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from deskterm.macrolib import MacroError
from deskterm.models import MacroAction, Priority, Status

_FIELD_ALIASES = {"current_tags": "add_tags", "assignee_id": "assign"}
_STATUS_ALIASES = {"solved": "done", "closed": "done", "hold": "pending"}
_SINGLE = ("status", "snooze", "assign", "priority")
FIELDS = ("status", "add_tags", "remove_tags", "snooze", "assign", "priority")
_TAG_SPLIT = re.compile(r"[\s,]+")
_MAX_SNOOZE = 100


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _choice(field: str, value: object, choices: Iterable[str], aliases: dict[str, str]) -> str:
    allowed = list(choices)
    if isinstance(value, str):
        word = value.strip().lower()
        word = aliases.get(word, word)
        if word in allowed:
            return word
    raise MacroError(f"{field} must be one of {', '.join(allowed)}, not {_short(value)}")


def _tags(field: str, value: object) -> list[str]:
    if isinstance(value, str):
        tags = [t for t in _TAG_SPLIT.split(value) if t]
    elif isinstance(value, list | tuple):
        tags = []
        for tag in value:
            if not isinstance(tag, str) or not tag.strip() or _TAG_SPLIT.search(tag.strip()):
                raise MacroError(f"{field}: each tag must be one word, not {_short(tag)}")
            tags.append(tag.strip())
    else:
        raise MacroError(f"{field} must be a list of tags, not {_short(value)}")
    if not tags:
        raise MacroError(f"{field} needs at least one tag")
    return list(dict.fromkeys(tags))


def _assign(value: object) -> str | int:
    if isinstance(value, bool):
        raise MacroError(f"assign must be me, none, an agent name or id, not {_short(value)}")
    if value is None:
        return "none"
    if isinstance(value, int):
        if value < 1:
            raise MacroError(f"assign: agent id must be positive, not {value}")
        return value
    if isinstance(value, str) and value.strip():
        word = value.strip()
        if word.lower() in ("me", "none"):
            return word.lower()
        return int(word) if word.isascii() and word.isdigit() and int(word) > 0 else word
    raise MacroError(f"assign must be me, none, an agent name or id, not {_short(value)}")


def _snooze(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MacroError(f"snooze needs an expression such as 2h, not {_short(value)}")
    text = " ".join(value.split())
    if len(text) > _MAX_SNOOZE:
        raise MacroError(f"snooze expression is too long ({len(text)} characters)")
    return text


def _value(field: str, value: Any) -> Any:
    if field == "status":
        return _choice(field, value, (s.value for s in Status), _STATUS_ALIASES)
    if field == "priority":
        return _choice(field, value, (p.value for p in Priority), {})
    if field in ("add_tags", "remove_tags"):
        return _tags(field, value)
    if field == "assign":
        return _assign(value)
    return _snooze(value)


def parse_actions(raw: Iterable[dict[str, Any] | MacroAction]) -> list[MacroAction]:
    """Validate and normalise a macro's actions; raises MacroError (one line) on the first bad one.

    Single-valued fields (status, snooze, assign, priority) may appear once; tags given
    several times are merged.
    """
    actions: list[MacroAction] = []
    seen: dict[str, MacroAction] = {}
    for number, item in enumerate(raw, start=1):
        if isinstance(item, MacroAction):
            field, value = item.field, item.value
        elif isinstance(item, dict):
            extra = set(item) - {"field", "value"}
            if extra:
                raise MacroError(f"action {number}: unknown key {sorted(extra)[0]!r}")
            if "field" not in item or "value" not in item:
                raise MacroError(f"action {number}: needs a field and a value")
            field, value = item["field"], item["value"]
        else:
            raise MacroError(f"action {number}: must be a table with field and value")
        if not isinstance(field, str):
            raise MacroError(f"action {number}: field must be text, not {_short(field)}")
        field = _FIELD_ALIASES.get(field.strip().lower(), field.strip().lower())
        if field not in FIELDS:
            raise MacroError(
                f"action {number}: unknown field {_short(field)} (use {', '.join(FIELDS)})"
            )
        try:
            normalised = _value(field, value)
        except MacroError as err:
            raise MacroError(f"action {number}: {err}") from None
        if field in seen:
            if field in _SINGLE:
                raise MacroError(f"action {number}: {field} is set twice")
            merged = list(dict.fromkeys([*seen[field].value, *normalised]))
            seen[field].value = merged
            continue
        action = MacroAction(field=field, value=normalised)
        seen[field] = action
        actions.append(action)
    return actions


def describe_actions(actions: Iterable[MacroAction]) -> list[str]:
    """One short line per action, for the macro picker: "Status → done", "Tags + vip"."""
    lines = []
    for action in actions:
        value = action.value
        if action.field in ("add_tags", "remove_tags"):
            tags = value if isinstance(value, list) else [value]
            sign = "+" if action.field == "add_tags" else "−"
            lines.append(f"Tags {sign} {', '.join(str(t) for t in tags)}")
        elif action.field == "snooze":
            lines.append(f"Snooze {value}")
        else:
            lines.append(f"{action.field.capitalize()} → {value}")
    return lines
