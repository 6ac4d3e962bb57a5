"""Macros: Liquid replies personalised from the customer, the agent, the conversation and the order.

An agent picks a macro, deskterm renders it into the composer, the agent edits and sends.
A value that is not known never silently disappears: it shows as ``⟦customer.first_name⟧``
and the composer will not send until the agent fills it in.

Variables
---------

==============================  ===================================================
variable                        example
==============================  ===================================================
``customer.first_name``         Léa
``customer.name``               Léa Martin
``customer.language``           fr
``customer.email``              lea@example.com
``customer.vip``                true / false
``customer.orders_count``       14
``customer.subscription``       active, paused, none (French: actif, en pause, aucun)
``agent.first_name``            Paul
``agent.name``                  Paul Durand
``conversation.id``             4821 (the helpdesk's reference when mirrored)
``conversation.subject``        Missing bread
``conversation.channel``        WhatsApp, email, chat… (in the customer's language)
``order.number``                88213
``order.items``                 a list of {name, quantity}; ``{{ order.items | item_list }}``
                                gives "2 × bread, tarama and hummus"
``order.named_items``           the order's items the customer names: bread (French: pain)
``order.named_items_total``     what they cost: €5.60 (French: 5,60 €)
``order.item_names``            bread, tarama and hummus (French: pain, tarama et houmous)
``order.delivery_slot``         Tue 24 Nov 12:00–13:00 (French: mar. 24 nov. 12:00–13:00)
``order.delivery_date``         Tue 24 Nov (French: mar. 24 nov.)
``order.total``                 €41.50 (French: 41,50 €)
``order.status``                out for delivery (French: en cours de livraison)
``order.eta``                   12:40, when the courier should bring an order still to come
``problem.title``               App crashes after the update (in a fix notice)
``problem.status``              fixed, fix in progress…
``ticket.requester.first_name`` Zendesk alias of ``customer.first_name``
``ticket.requester.name``       Zendesk alias of ``customer.name``
``ticket.id``                   Zendesk alias of ``conversation.id``
``current_user.first_name``     Zendesk alias of ``agent.first_name``
``current_user.name``           Zendesk alias of ``agent.name``
==============================  ===================================================

Standard Liquid filters work: ``{{ customer.first_name | default: "there" }}`` shows
"there" when the name is unknown, and an expression with ``default`` is never marked.
``{% cursor %}`` marks where the agent starts typing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from deskterm.domain.macros.actions import (
    ACTION_FIELDS,
    FIELDS,
    ActionField,
    MergedActions,
    SendContext,
    describe_actions,
    describe_merged,
    merge_actions,
    order_actions,
    parse_actions,
    send_changes,
)
from deskterm.domain.macros.claims import claims_in, unkept_claims
from deskterm.domain.macros.context import build_context, language_code
from deskterm.domain.macros.marks import MARK_CLOSE, MARK_OPEN, MacroError
from deskterm.domain.macros.toml_io import MacroSpec, export_toml, import_toml
from deskterm.domain.models import Macro

__all__ = [
    "ACTION_FIELDS",
    "FIELDS",
    "VARIABLES",
    "ActionField",
    "MacroError",
    "MacroSpec",
    "MergedActions",
    "Rendered",
    "SendContext",
    "build_context",
    "check_syntax",
    "claim_warning",
    "claims_in",
    "describe_actions",
    "describe_merged",
    "export_toml",
    "import_toml",
    "merge_actions",
    "missing_placeholders",
    "offered_to",
    "order_actions",
    "parse_actions",
    "pick_body",
    "pick_title",
    "render",
    "send_changes",
    "templatize",
    "unkept_claims",
]


def _variable_table(doc: str) -> tuple[tuple[str, str], ...]:
    rows: list[tuple[str, str]] = []
    for line in doc.splitlines():
        row = re.match(r"``([\w.]+)``\s+(.*)", line)
        if row:
            rows.append((row.group(1), row.group(2).strip()))
        elif rows and line.startswith(" " * 32) and line.strip():
            name, example = rows[-1]
            rows[-1] = (name, f"{example} {line.strip()}")
    return tuple(rows)


#: (variable, example) for every variable in the table above, for the help screen.
VARIABLES = _variable_table(__doc__ or "")


@dataclass
class Rendered:
    """A rendered macro body, ready for the composer.

    ``missing`` names the variables shown as markers, in order of first appearance;
    ``cursor`` is the offset in ``text`` where the agent should type; ``error`` is one
    line when the body is not valid Liquid (``text`` is then the raw body).
    """

    text: str
    missing: list[str] = field(default_factory=list)
    cursor: int | None = None
    error: str | None = None


def _pick(variants: dict[str, str], language: str, default: str) -> str:
    wanted = language.strip().replace("_", "-").lower()
    primary = language_code(language)
    by_code = {k.strip().replace("_", "-").lower(): v for k, v in variants.items()}
    for key in (wanted, primary):
        text = by_code.get(key)
        if text is not None and text.strip():
            return text
    for key, text in by_code.items():
        if language_code(key) == primary and text.strip():
            return text
    return default


def pick_body(macro: Macro, language: str) -> str:
    """The body for the customer's language (``fr``, ``fr-FR`` → fr), else the default body."""
    return _pick(macro.variants, language, macro.body)


def pick_title(macro: Macro, language: str) -> str:
    """The title for the customer's language, as :func:`pick_body` picks the body."""
    return _pick(macro.titles, language, macro.title)


def offered_to(macro: Macro, language: str) -> bool:
    """Whether to offer the macro to a customer speaking ``language``: a macro written in one
    language (``macro.language``) only to its speakers, unless a variant translates it."""
    if not macro.language:
        return True
    primary = language_code(language)
    if language_code(macro.language) == primary:
        return True
    return any(language_code(k) == primary and v.strip() for k, v in macro.variants.items())


def claim_warning(macro: Macro) -> str | None:
    """One line when the macro's text claims an action it does not carry ("claims refund,
    carries none"): what the picker marks and ``deskterm macros check`` reports."""
    return unkept_claims([macro.body, *macro.variants.values()], order_actions(macro.actions))


def load_liquid() -> ModuleType:
    """The Liquid environment, imported on first use: Liquid and Babel are a tenth of
    deskterm's start-up, and the app warms them in the background once the inbox shows."""
    from deskterm.domain.macros import liquid_env

    return liquid_env


def check_syntax(body: str) -> str | None:
    """None when the body is valid Liquid, else the one-line error ``render`` would give."""
    liquid = load_liquid()
    try:
        template = liquid.parse(body)
        # Liquid only finds an unknown filter when it runs; an editor wants to know now.
        for name, spans in template.analyze(include_partials=False).filters.items():
            if name not in liquid.ENV.filters:
                line = body.count("\n", 0, spans[0].index) + 1
                return f"Liquid error in macro: unknown filter '{name}' at line {line}"
    except Exception as err:  # anything from the parser is reported, never raised
        return liquid.error_line(err)
    return None


def render(body: str, context: dict[str, Any]) -> Rendered:
    """Render a macro body; never raises.

    Unknown or empty values show as ``⟦name⟧`` markers listed in ``missing``; a syntax or
    render error gives the raw body back with ``error`` set.
    """
    sentinel = f"\ue000{secrets.token_hex(8)}\ue001"
    liquid = load_liquid()
    try:
        text, missing = liquid.render_template(liquid.parse(body), context, sentinel)
    except Exception as err:  # a bad body or an odd value must not take the composer down
        return Rendered(text=body, error=liquid.error_line(err))
    position = text.find(sentinel)
    cursor = position if position >= 0 else None
    return Rendered(text=text.replace(sentinel, ""), missing=missing, cursor=cursor)


_MARKER = re.compile(f"{MARK_OPEN}([^{MARK_OPEN}{MARK_CLOSE}\n]+){MARK_CLOSE}")


def missing_placeholders(text: str) -> list[tuple[int, int, str]]:
    """The ``⟦name⟧`` markers left in composer text, as (start, end, name)."""
    return [(m.start(), m.end(), m.group(1)) for m in _MARKER.finditer(text)]


# -- save a reply as a macro ------------------------------------------------------------

#: Variables templatize puts back, in order of preference when two have the same value.
_TEMPLATIZED = (
    "customer.name",
    "customer.first_name",
    "customer.email",
    "order.number",
    "order.delivery_slot",
    "order.delivery_date",
    "order.total",
)
#: The agent's own name is only taken back in the signature, the reply's last lines.
_SIGNATURE = ("agent.name", "agent.first_name")
_SIGNATURE_LINES = 3
_ESCAPED_BRACE = '{{ "{" }}'


def _lookup(context: dict[str, Any], path: str) -> str | None:
    value: Any = context
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    # Too short a value ("A", "7") would swallow ordinary words.
    if isinstance(value, str) and len(value.strip()) >= 2 and value == value.strip():
        return value
    return None


def _alternation(
    context: dict[str, Any], paths: tuple[str, ...]
) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    by_value: dict[str, str] = {}
    for path in paths:
        value = _lookup(context, path)
        if value is not None:
            by_value.setdefault(value, path)
    if not by_value:
        return None, by_value
    ordered = sorted(by_value, key=len, reverse=True)
    pattern = "|".join(re.escape(v) for v in ordered)
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)"), by_value


def _signature_start(text: str) -> int:
    starts = [m.start() for m in re.finditer(r"(?m)^[^\S\n]*\S", text)]
    return starts[-_SIGNATURE_LINES] if len(starts) >= _SIGNATURE_LINES else 0


def _escape_literal(segment: str, before_placeholder: bool) -> str:
    # Only a "{" that would open a tag or an output needs escaping, including one that
    # the following placeholder's "{{" would complete.
    out = []
    for i, char in enumerate(segment):
        nxt = segment[i + 1] if i + 1 < len(segment) else ("{" if before_placeholder else "")
        out.append(_ESCAPED_BRACE if char == "{" and nxt in ("{", "%") else char)
    return "".join(out)


def templatize(text: str, context: dict[str, Any]) -> str:
    """Turn a sent reply into a macro body: the customer's details become placeholders.

    Whole words only, the longest value first; the agent's name only in the signature.
    Literal ``{{`` and ``{%`` are escaped so the agent's text is never read as Liquid.
    """
    body_re, body_paths = _alternation(context, _TEMPLATIZED)
    sig_re, sig_paths = _alternation(context, _TEMPLATIZED + _SIGNATURE)
    paths = {**sig_paths, **body_paths}
    split = _signature_start(text)
    matches: list[re.Match[str]] = []
    if body_re is not None:
        matches += list(body_re.finditer(text, 0, split))
    if sig_re is not None:
        matches += list(sig_re.finditer(text, split))
    out, pos = [], 0
    for match in matches:
        out.append(_escape_literal(text[pos : match.start()], before_placeholder=True))
        out.append(f"{{{{ {paths[match.group()]} }}}}")
        pos = match.end()
    out.append(_escape_literal(text[pos:], before_placeholder=False))
    return "".join(out)
