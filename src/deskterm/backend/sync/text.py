"""Small pure helpers the engine and the connectors share: comparing texts, saying when, and
making remote text storable."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")

_SURROGATE = re.compile("[\ud800-\udfff]")


def normalised(text: str | None) -> str:
    """Text with its whitespace folded, for comparing a message with the remote's copy."""
    return " ".join((text or "").split())


def same_text(a: str | None, b: str | None) -> bool:
    """True when two message bodies are the same words (remotes re-wrap and trim)."""
    return normalised(a) == normalised(b)


def ago(moment: datetime, now: datetime) -> str:
    """``just now``, ``1 min ago``, ``5 min ago``, ``2 h ago``, ``3 days ago``."""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 45:
        return "just now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(minutes / 60)
    if hours < 48:
        return f"{hours} h ago"
    return f"{round(hours / 24)} days ago"


def well_formed(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD.

    JSON may spell a lone surrogate (``"\\ud800"``) and Python decodes it, but it is no
    character: SQLite, UTF-8 and the terminal all refuse it, and one such field failed the
    whole batch it came in. A high and low surrogate side by side join into their character.
    """
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def well_formed_record(record: T) -> T:
    """``record`` (a remote dataclass, or lists, dicts and tuples of them) with every string
    in it passed through :func:`well_formed`: what the sync applies to everything a connector
    hands over before it reaches the store. Returns the same object when nothing changed."""
    return _well_formed(record)  # type: ignore[no-any-return]


def _well_formed(value: Any) -> Any:
    if isinstance(value, str):
        return well_formed(value)
    if isinstance(value, list | tuple):
        items = [_well_formed(v) for v in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        pairs = [(_well_formed(k), _well_formed(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            old = getattr(value, f.name)
            new = _well_formed(old)
            if new is not old:
                changes[f.name] = new
        return replace(value, **changes) if changes else value
    return value
