"""Macro actions: the changes a macro makes to the conversation when its reply is sent.

Each action is a ``field`` and a ``value``; every field is one :class:`ActionField` in
:data:`ACTION_FIELDS`, which says how its value is read, how the picker describes it, and
which change (``app/changes.py``) it becomes at send. A new macro action is one entry there.

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
order          order actions run through the shop (resend, goodwill…): see
               :mod:`deskterm.domain.macros.orders`
=============  =================================================================

Zendesk's field names ``current_tags`` and ``assignee_id`` are accepted as ``add_tags`` and
``assign`` so imported macros keep working.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from deskterm.domain.macros.marks import MacroError
from deskterm.domain.macros.orders import describe_orders, read_orders
from deskterm.domain.models import Agent, MacroAction, Priority, Status
from deskterm.domain.snooze import SnoozeError, parse_snooze

_FIELD_ALIASES = {"current_tags": "add_tags", "assignee_id": "assign"}
_STATUS_ALIASES = {"solved": "done", "closed": "done", "hold": "pending"}
_TAG_SPLIT = re.compile(r"[\s,]+")
_MAX_SNOOZE = 100


class Unresolved(Exception):
    """An action that cannot become a change now (a snooze phrase that no longer parses);
    its message is the one-line reason shown to the agent, and the other actions still run."""


@dataclasses.dataclass(frozen=True)
class SendContext:
    """What turning an action into a change may need: who sends, the team, the clock."""

    me: int
    agents: Sequence[Agent]
    now: datetime
    tz: tzinfo


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


def _status(value: object) -> str:
    return _choice("status", value, (s.value for s in Status), _STATUS_ALIASES)


def _priority(value: object) -> str:
    return _choice("priority", value, (p.value for p in Priority), {})


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


def _agent_for(value: object, ctx: SendContext) -> int | None:
    """The agent an ``assign`` names; an agent no longer in the team falls back to the sender."""
    text = str(value).strip().lower()
    if text == "me":
        return ctx.me
    if text in ("none", "nobody", ""):
        return None
    for a in ctx.agents:
        if str(a.id) == text or a.email.lower() == text or a.name.lower() == text:
            return a.id
    return ctx.me


def _snooze_target(value: object, ctx: SendContext) -> Any:
    try:
        return parse_snooze(str(value), ctx.now, ctx.tz)
    except SnoozeError as exc:
        raise Unresolved(f"Macro snooze ignored: {exc}") from None


def _tag_line(sign: str) -> Callable[[Any], str]:
    return lambda tags: f"Tags {sign} {', '.join(str(t) for t in tags)}"


@dataclasses.dataclass(frozen=True)
class ActionField:
    """One macro action field.

    ``read`` checks a value as written and returns it normalised (raises MacroError);
    ``describe`` is the picker's short line; ``change`` turns the value into the
    ``(kind, value)`` that ``app/changes.py`` applies at send (raises :class:`Unresolved`).
    ``single``: set at most once per macro, the last macro wins when several are merged;
    otherwise the values are tag-like lists that compose, or with ``collects`` lists that
    add up (every macro's order actions run). ``change`` None: not a change of the
    conversation (order actions go through the shop, see ``screens/workstation``).
    """

    read: Callable[[object], Any]
    describe: Callable[[Any], str]
    change: Callable[[Any, SendContext], tuple[str, Any]] | None
    single: bool = True
    collects: bool = False


#: Every macro action field, in the order the documentation lists them.
ACTION_FIELDS: dict[str, ActionField] = {
    "status": ActionField(_status, lambda v: f"Status → {v}", lambda v, _: ("status", Status(v))),
    "add_tags": ActionField(
        lambda v: _tags("add_tags", v),
        _tag_line("+"),
        lambda v, _: ("add_tags", list(v)),
        single=False,
    ),
    "remove_tags": ActionField(
        lambda v: _tags("remove_tags", v),
        _tag_line("−"),
        lambda v, _: ("remove_tags", list(v)),
        single=False,
    ),
    "snooze": ActionField(
        _snooze, lambda v: f"Snooze {v}", lambda v, ctx: ("snooze", _snooze_target(v, ctx))
    ),
    "assign": ActionField(
        _assign, lambda v: f"Assign → {v}", lambda v, ctx: ("assign", _agent_for(v, ctx))
    ),
    "priority": ActionField(
        _priority, lambda v: f"Priority → {v}", lambda v, _: ("priority", Priority(v))
    ),
    "order": ActionField(read_orders, describe_orders, None, single=False, collects=True),
}
FIELDS = tuple(ACTION_FIELDS)
_SINGLE = tuple(name for name, f in ACTION_FIELDS.items() if f.single)
_COLLECTS = tuple(name for name, f in ACTION_FIELDS.items() if f.collects)


def _value(field: str, value: Any) -> Any:
    return ACTION_FIELDS[field].read(value)


def _normalise(number: int, item: dict[str, Any] | MacroAction) -> MacroAction:
    """One action checked and normalised; raises MacroError naming the action's number."""
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
        return MacroAction(field=field, value=_value(field, value))
    except MacroError as err:
        raise MacroError(f"action {number}: {err}") from None


def parse_actions(raw: Iterable[dict[str, Any] | MacroAction]) -> list[MacroAction]:
    """Validate and normalise a macro's actions; raises MacroError (one line) on the first bad one.

    Single-valued fields (status, snooze, assign, priority) may appear once; tags given
    several times are merged. This is the check for one macro as written; the actions of
    several macros used in one reply are combined by :func:`merge_actions`, which never raises.
    """
    actions: list[MacroAction] = []
    seen: dict[str, MacroAction] = {}
    for number, item in enumerate(raw, start=1):
        action = _normalise(number, item)
        field = action.field
        if field in seen:
            if field in _SINGLE:
                raise MacroError(f"action {number}: {field} is set twice")
            if field in _COLLECTS:
                seen[field].value = _added(seen[field].value, action.value)
                continue
            seen[field].value = list(dict.fromkeys([*seen[field].value, *action.value]))
            continue
        seen[field] = action
        actions.append(action)
    return actions


@dataclasses.dataclass
class MergedActions:
    """What a reply's macros will do when it is sent, once their actions are combined.

    ``actions`` has at most one action per field, in the order of each field's last setting;
    ``replaced`` gives, per single-valued field, the earlier values a later macro replaced;
    ``skipped`` the one-line reasons of actions that cannot be applied.
    """

    actions: list[MacroAction] = dataclasses.field(default_factory=list)
    replaced: dict[str, list[Any]] = dataclasses.field(default_factory=dict)
    skipped: list[str] = dataclasses.field(default_factory=list)


def merge_actions(raw: Iterable[Any]) -> MergedActions:
    """Combine actions as if applied one after the other; never raises.

    A single-valued field (status, snooze, assign, priority) set twice keeps the last value:
    the macro inserted last wins, and the one it replaced is listed. Tags compose: a tag
    added then removed ends up removed, removed then added ends up added.
    """
    merged = MergedActions()
    single: dict[str, Any] = {}
    adds: dict[str, None] = {}
    removes: dict[str, None] = {}
    collected: dict[str, list[Any]] = {}
    last: dict[str, int] = {}
    for number, item in enumerate(raw, start=1):
        try:
            action = _normalise(number, item)
        except MacroError as err:
            merged.skipped.append(str(err))
            continue
        name, value = action.field, action.value
        if name in _SINGLE:
            if name in single and single[name] != value:
                earlier = merged.replaced.setdefault(name, [])
                if single[name] not in earlier:
                    earlier.append(single[name])
            single[name] = value
        elif name in _COLLECTS:
            collected[name] = _added(collected.get(name, []), value)
        else:
            gaining, losing = (adds, removes) if name == "add_tags" else (removes, adds)
            for tag in value:
                losing.pop(tag, None)
                gaining.pop(tag, None)
                gaining[tag] = None
        last[name] = number
    for name, earlier in list(merged.replaced.items()):
        kept = [v for v in earlier if v != single[name]]
        if kept:
            merged.replaced[name] = kept
        else:
            del merged.replaced[name]
    values: dict[str, Any] = dict(single)
    if adds:
        values["add_tags"] = list(adds)
    if removes:
        values["remove_tags"] = list(removes)
    values.update(collected)
    for name in sorted(values, key=lambda f: last[f]):
        merged.actions.append(MacroAction(field=name, value=values[name]))
    return merged


def _added(earlier: list[Any], more: list[Any]) -> list[Any]:
    """A collecting field's values, in order, each once."""
    return [*earlier, *(v for v in more if v not in earlier)]


def order_actions(raw: Iterable[Any]) -> list[dict[str, str]]:
    """The order actions of a reply's macros, merged (see :mod:`.orders`); never raises."""
    for action in merge_actions(raw).actions:
        if action.field == "order":
            return list(action.value)
    return []


def describe_actions(actions: Iterable[MacroAction]) -> list[str]:
    """One short line per action, for the macro picker: "Status → done", "Tags + vip"."""
    lines = []
    for action in actions:
        known = ACTION_FIELDS.get(action.field)
        if known is None:
            lines.append(f"{action.field} → {action.value}")
            continue
        value = action.value
        if not known.single and not isinstance(value, list):
            value = [value]
        lines.append(known.describe(value))
    return lines


def describe_merged(merged: MergedActions) -> list[str]:
    """:func:`describe_actions` for merged actions, naming what a later macro replaced:
    "Status → done (replaces pending)"."""
    lines = []
    for action, line in zip(merged.actions, describe_actions(merged.actions), strict=True):
        earlier = merged.replaced.get(action.field)
        if earlier:
            line += f" (replaces {', '.join(str(v) for v in earlier)})"
        lines.append(line)
    return lines


def send_changes(
    actions: Iterable[Any], ctx: SendContext
) -> tuple[list[tuple[str, Any]], list[str]]:
    """The macros' actions as the changes applied with the reply, and the one-line reasons
    of those that cannot be applied now. Several macros may set the same field: they are
    merged as the composer's On send line shows them (the last one wins), never refused."""
    changes: list[tuple[str, Any]] = []
    warnings: list[str] = []
    for action in merge_actions(actions).actions:
        change = ACTION_FIELDS[action.field].change
        if change is None:
            continue
        try:
            changes.append(change(action.value, ctx))
        except Unresolved as exc:
            warnings.append(str(exc))
    return changes, warnings
