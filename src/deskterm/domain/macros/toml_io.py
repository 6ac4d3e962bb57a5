"""A macro library as a TOML file, so a team can keep its macros in git and review changes.

```toml
[[macro]]
title = "Missing item"
body = \"\"\"
Hello {{ customer.first_name }}, sorry: {{ order.item_names }} …
\"\"\"
shared = true
actions = [
  {field = "status", value = "done"},
  {field = "order", value = {do = "resend", items = "{{ order.named_items }}"}},
]

[macro.titles]
fr = "Article manquant"

[macro.variants]
fr = "Bonjour {{ customer.first_name }}, …"
```

``titles`` and ``variants`` map a language code to the title and the body in that language;
``language`` says which language the default title and body are written in (a personal
macro saved from a French reply is ``fr``: offered to French-speaking customers only,
unless a variant translates it).

Bodies are not checked as Liquid here: a broken body still imports, and rendering it says
what is wrong (see ``check_syntax``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import tomli_w

from deskterm.domain.macros.actions import parse_actions
from deskterm.domain.macros.marks import MacroError
from deskterm.domain.models import Macro, MacroAction

_KEYS = {"title", "titles", "body", "variants", "actions", "shared", "external_id", "language"}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*macro[ \t]*\]\]", re.MULTILINE)
_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


@dataclass
class MacroSpec:
    """A macro as read from a library file, before it gets an id in the store."""

    title: str
    body: str
    variants: dict[str, str] = field(default_factory=dict)
    actions: list[MacroAction] = field(default_factory=list)
    shared: bool = True
    external_id: str | None = None
    titles: dict[str, str] = field(default_factory=dict)
    language: str | None = None


def _table(macro: Macro) -> dict[str, Any]:
    try:
        actions = parse_actions(macro.actions)
    except MacroError as err:
        raise MacroError(f"macro {macro.title!r}: {err}") from None
    table: dict[str, Any] = {"title": macro.title, "body": macro.body, "shared": macro.shared}
    if macro.external_id is not None:
        table["external_id"] = macro.external_id
    table["actions"] = [{"field": a.field, "value": a.value} for a in actions]
    if macro.language:
        table["language"] = macro.language
    if macro.titles:
        table["titles"] = dict(macro.titles)
    if macro.variants:
        table["variants"] = dict(macro.variants)
    return table


def export_toml(macros: Iterable[Macro]) -> str:
    """The macros as a TOML document of ``[[macro]]`` tables, in the order given."""
    tables = [_table(m) for m in macros]
    if not tables:
        return ""
    # Multi-line strings read best in a diff, but tomli_w writes them without their "\r";
    # a library with carriage returns falls back to escaped one-line strings.
    multiline = not any("\r" in text for text in _strings(tables))
    return tomli_w.dumps({"macro": tables}, multiline_strings=multiline)


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _lines_of_headers(text: str) -> list[int]:
    return [text.count("\n", 0, m.start()) + 1 for m in _HEADER.finditer(text)]


def import_toml(text: str, *, source: str = "macros.toml") -> list[MacroSpec]:
    """Read a macro library; raises MacroError("macros.toml line 12: …") on the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        where = _WHERE.search(message)
        if where:
            detail = message[: where.start()]
            detail = detail[:1].lower() + detail[1:]
            raise MacroError(
                f"{source} line {where.group(1)}: {detail} (column {where.group(2)})"
            ) from None
        detail = message.replace("(at end of document)", "at the end of the file").strip()
        last_line = text.count("\n") + 1
        detail = detail[:1].lower() + detail[1:]
        raise MacroError(f"{source} line {last_line}: {detail}") from None
    unknown = sorted(set(data) - {"macro"})
    if unknown:
        raise MacroError(f"{source}: unknown table or key {unknown[0]!r} (expected [[macro]])")
    entries = data.get("macro", [])
    if not isinstance(entries, list):
        raise MacroError(f"{source}: 'macro' must be written as [[macro]] tables")
    header_lines = _lines_of_headers(text)
    specs = []
    for index, entry in enumerate(entries):
        line = header_lines[index] if index < len(header_lines) else None
        place = f"{source} line {line}" if line else f"{source} macro {index + 1}"
        specs.append(_spec(entry, place))
    return specs


def _spec(entry: object, where: str) -> MacroSpec:
    if not isinstance(entry, dict):
        raise MacroError(f"{where}: a macro must be a table")
    title = entry.get("title")
    if not isinstance(title, str) or not title.strip():
        raise MacroError(f"{where}: the macro needs a title")
    where = f"{where}: macro {title!r}" if len(title) <= 60 else f"{where}: macro"
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise MacroError(f"{where}: unknown key {unknown[0]!r}")
    body = entry.get("body")
    if not isinstance(body, str):
        raise MacroError(f"{where}: the macro needs a body (text)")
    variants = entry.get("variants", {})
    if not isinstance(variants, dict) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str) for k, v in variants.items()
    ):
        raise MacroError(f"{where}: variants must map a language code to text")
    titles = entry.get("titles", {})
    if not isinstance(titles, dict) or not all(
        isinstance(k, str) and _LANGUAGE.match(k) and isinstance(v, str) and v.strip()
        for k, v in titles.items()
    ):
        raise MacroError(f"{where}: titles must map a language code to a title")
    language = entry.get("language")
    if language is not None and (not isinstance(language, str) or not _LANGUAGE.match(language)):
        raise MacroError(f"{where}: language must be a language code such as fr")
    shared = entry.get("shared", True)
    if not isinstance(shared, bool):
        raise MacroError(f"{where}: shared must be true or false")
    external_id = entry.get("external_id")
    if external_id is not None and not isinstance(external_id, str):
        raise MacroError(f"{where}: external_id must be text")
    raw_actions = entry.get("actions", [])
    if not isinstance(raw_actions, list):
        raise MacroError(f"{where}: actions must be a list of {{field, value}} tables")
    try:
        actions = parse_actions(raw_actions)
    except MacroError as err:
        raise MacroError(f"{where}: {err}") from None
    return MacroSpec(
        title=title,
        body=body,
        variants=dict(variants),
        actions=actions,
        shared=shared,
        external_id=external_id,
        titles=dict(titles),
        language=language,
    )
