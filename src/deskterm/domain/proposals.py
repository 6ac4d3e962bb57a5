"""What a lead reads of a proposed macro: the placeholders it uses and its difference from
the shared macro it would replace. Pure."""

from __future__ import annotations

import difflib
import re

_PLACEHOLDER = re.compile(r"\{\{-?\s*([A-Za-z_][\w.]*)")


def placeholders(text: str) -> list[str]:
    """The Liquid placeholders a macro's text uses (``customer.first_name``…), in order of
    first use, each once."""
    return list(dict.fromkeys(m.group(1) for m in _PLACEHOLDER.finditer(text)))


def macro_diff(old_title: str, old_body: str, new_title: str, new_body: str) -> list[str]:
    """A unified diff of title and body, without its file headers; every line of the
    proposal as added when there is no shared macro (``old_body`` empty)."""
    before = [f"# {old_title}", *old_body.splitlines()] if old_title else []
    after = [f"# {new_title}", *new_body.splitlines()]
    lines = list(difflib.unified_diff(before, after, lineterm="", n=2))
    return [line for line in lines if not line.startswith(("---", "+++"))]
