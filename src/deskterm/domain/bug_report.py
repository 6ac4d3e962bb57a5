"""A problem written as a bug report for the product team's tracker, in Markdown, with the
customers' own words quoted and their personal data masked.

Masking errs on the side of hiding: an email address, a phone number (French or
international), a card-like number, an order number, any long run of digits and the
customer's own name (they sign their messages) become a label in brackets. A date written
with dots may be hidden too; a customer's phone number never shows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from deskterm.domain.problems import Problem

_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"]+@[\w-]+(?:\.[\w-]+)+")
#: 13 to 19 digits, in groups separated by spaces or dashes: a payment card's shape.
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
#: French numbers (06 12 34 56 78, +33 6 12 34 56 78, 0033…) and international ones (a plus
#: sign, then at least seven digits with spaces, dots, dashes or brackets between).
_PHONE = re.compile(
    r"(?:(?:\+|00)33[\s.-]?(?:\(0\))?[\s.-]?|(?<!\d)0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"
    r"|\+\d(?:[\s.()-]*\d){6,}"
)
#: An order reference as the shop writes it (PO-88213, CMD-2024-118) or after a hash.
_ORDER = re.compile(r"\b[A-Z]{2,4}-\d[\d-]{2,}\b|#\d{3,}")
#: Whatever long run of digits is left (an account, a tracking or a loyalty number).
_DIGITS = re.compile(r"\d(?:[\s.-]?\d){4,}")

MASKS = (
    (_EMAIL, "[email]"),
    (_CARD, "[card]"),
    (_PHONE, "[phone]"),
    (_ORDER, "[order]"),
    (_DIGITS, "[number]"),
)


def mask(text: str, names: Sequence[str] = ()) -> str:
    """``text`` with emails, phone, card, order and other long numbers masked, and the
    words of ``names`` (the customer's name, as they sign) too."""
    for pattern, label in MASKS:
        text = pattern.sub(label, text)
    words = {w for name in names for w in re.findall(r"[^\W\d_][\w'-]+", name)}
    if words:
        either = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        text = re.sub(rf"(?<!\w)(?:{either})(?!\w)", "[name]", text, flags=re.IGNORECASE)
        text = re.sub(r"\[name\](?:\s+\[name\])+", "[name]", text)
    return text


@dataclass(frozen=True)
class Excerpt:
    """One linked conversation as the report shows it."""

    conversation_id: int
    channel: str
    created_at: datetime
    words: str
    link: str
    customer_name: str = ""


def quote(text: str, limit: int = 400, names: Sequence[str] = ()) -> str:
    """A customer's words as a Markdown quote: masked, shortened, one paragraph."""
    clean = " ".join(mask(text, names).split())
    if len(clean) > limit:
        clean = clean[: limit - 1].rstrip() + "…"
    return "> " + clean.replace("\\", "\\\\") if clean else "> (no text)"


def markdown(problem: Problem, excerpts: Sequence[Excerpt], *, quotes: int = 5) -> str:
    """The problem as a ready-to-paste bug report."""
    first = min((e.created_at for e in excerpts), default=None)
    last = max((e.created_at for e in excerpts), default=None)
    channels = sorted({e.channel for e in excerpts})
    lines = [
        f"# {one_paragraph(problem.title)}",
        "",
        f"- **Kind:** {problem.kind.value} · **status:** {problem.status.label}",
        f"- **Customers:** {problem.customers} ({len(excerpts)} conversations)",
        f"- **First report:** {_day(first)} · **last report:** {_day(last)}",
        f"- **Channels:** {', '.join(channels) or '—'}",
    ]
    if problem.tracker_url:
        lines.append(f"- **Tracker:** {problem.tracker_url}")
    if problem.description.strip():
        lines += ["", "## What customers report", "", quote(problem.description, 800)]
    lines += ["", "## In their words", ""]
    for e in list(excerpts)[-quotes:]:
        said = quote(e.words, names=[e.customer_name])
        lines += [said, f"— {e.channel}, {_day(e.created_at)}, {e.link}", ""]
    lines += ["## Conversations", ""]
    lines += [
        f"- [#{e.conversation_id}]({e.link}) · {e.channel} · {_day(e.created_at)}" for e in excerpts
    ]
    lines += ["", f"<!-- deskterm problem {problem.id} -->", ""]
    return "\n".join(lines)


def one_paragraph(text: str) -> str:
    return " ".join(mask(text).split())


def _day(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d}" if moment is not None else "—"
