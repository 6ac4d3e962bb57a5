"""Problems: the known bugs, outages and suggestions that customers report, the rules of their
status, and the figures a problem list shows (customers touched, a sparkline of reports).

A problem gathers the conversations that report it; the day it is fixed, every customer who
reported it is told. Pure: no store, no UI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from deskterm.domain.suggest import MacroSuggester, fold


class ProblemKind(StrEnum):
    BUG = "bug"
    INCIDENT = "incident"
    SUGGESTION = "suggestion"


class ProblemStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    FIXED = "fixed"
    WONT_FIX = "wont_fix"

    @property
    def label(self) -> str:
        """As agents say it: "fix in progress", "won't fix"."""
        return STATUS_LABELS[self]

    @property
    def active(self) -> bool:
        """Still worth linking new reports to."""
        return self in (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS)


STATUS_LABELS = {
    ProblemStatus.OPEN: "open",
    ProblemStatus.IN_PROGRESS: "fix in progress",
    ProblemStatus.FIXED: "fixed",
    ProblemStatus.WONT_FIX: "won't fix",
}

#: How many days the sparkline of new reports covers.
SPARK_DAYS = 14
_BARS = " ▁▂▃▄▅▆▇█"


@dataclass
class Problem:
    """A problem as stored, with the figures read alongside it."""

    id: int
    title: str
    kind: ProblemKind
    status: ProblemStatus
    description: str
    tracker_url: str | None
    created_at: datetime
    updated_at: datetime
    notified: int = 0
    version: int = 1
    conversations: int = 0
    customers: int = 0
    customers_week: int = 0
    first_report: datetime | None = None
    last_report: datetime | None = None
    per_day: list[int] = field(default_factory=list)
    """New reports per day, oldest first, the last entry today (``SPARK_DAYS`` of them)."""


def sparkline(counts: list[int]) -> str:
    """One character per count, scaled to the largest: "▁▁▃█▂"; a blank for a zero."""
    top = max(counts, default=0)
    if top <= 0:
        return " " * len(counts)
    return "".join(_BARS[0] if n <= 0 else _BARS[max(1, round(n / top * 8))] for n in counts)


def parse_status(text: str) -> ProblemStatus:
    """A status from what an agent or a file says ("fixed", "won't fix", "in progress").

    Raises ValueError with one line naming the known ones.
    """
    key = text.strip().lower().replace("'", "").replace("-", "_").replace(" ", "_")
    key = {"wont_fix": "wont_fix", "fix_in_progress": "in_progress", "progress": "in_progress"}.get(
        key, key
    )
    try:
        return ProblemStatus(key)
    except ValueError:
        known = ", ".join(s.value for s in ProblemStatus)
        raise ValueError(f"Unknown problem status {text!r}: one of {known}") from None


def new_problem_text(subject: str, first_message: str, limit: int = 600) -> tuple[str, str]:
    """A new problem's title and description, prefilled from the conversation it starts
    from: its subject (or the message's first line) and the customer's first message."""
    body = " ".join(first_message.split())
    title = " ".join(subject.split()) or body[:80]
    description = body if len(body) <= limit else body[: limit - 1].rstrip() + "…"
    return title[:120], description


#: Below this BM25 score a problem shares a word or two with the conversation (a sign-off,
#: a first name) rather than what it is about: not suggested. Measured on the demo's 300
#: conversations and four problems: every linked conversation scores 3.1 or more; of the
#: others, 80% score under 2.4, and most of those above 3 are about a problem indeed (a
#: promo code, a slot) in words the demo did not link.
MIN_SUGGEST_SCORE = 3.0


class ProblemSuggester:
    """Which problems a conversation most likely reports: the macro suggester's ranking,
    each problem one document made of its title and description (``problems``: id, title,
    description) and its linked conversations' customer words (``examples``: problem id,
    text). Built once, asked for every conversation."""

    def __init__(
        self, problems: Iterable[tuple[int, str, str]], examples: Iterable[tuple[int, str]]
    ) -> None:
        self._ranking = MacroSuggester(
            ((pid, _clean(text)) for pid, text in examples),
            macros=((pid, title, _clean(description)) for pid, title, description in problems),
        )

    def suggest(self, text: str, k: int = 3) -> list[int]:
        """The ``k`` likeliest problems, best first; none that scores under the floor.

        Words most problems share ("commande", "order") are left out, and so are order
        references ("PO-63267" would read as the word "po").
        """
        found = self._ranking.suggest(_clean(text), k=k, max_share=COMMON_SHARE)
        return [pid for pid, score in found if score >= MIN_SUGGEST_SCORE]


#: A word found in more than this share of the problems says nothing of which one it is.
COMMON_SHARE = 0.5
_ORDER_REFERENCE = re.compile(r"\b[A-Z]{2,4}-\d[\d-]*\b|#\d+")


def _clean(text: str) -> str:
    return _ORDER_REFERENCE.sub(" ", text)


def suggest_problems(
    problems: Iterable[tuple[int, str, str]],
    examples: Iterable[tuple[int, str]],
    text: str,
    k: int = 3,
) -> list[int]:
    """:class:`ProblemSuggester` built and asked once."""
    return ProblemSuggester(problems, examples).suggest(text, k)


#: A macro whose title says one of these (accents and case aside) is the "fixed" macro a
#: fix notice is drafted from; without one, ``FIXED_BODY`` is.
FIXED_MACRO_WORDS = ("fixed", "corrige", "resolu")

FIXED_BODY = (
    "Hello {{ customer.first_name | default: 'there' }},\n\n"
    "Good news: the problem you told us about ({{ problem.title }}) is fixed. "
    "Thank you for reporting it: it helped us find it.\n\n{{ agent.first_name }}"
)
FIXED_VARIANTS = {
    "fr": "Bonjour {{ customer.first_name | default: '' }},\n\n"
    "Bonne nouvelle : le problème que vous nous aviez signalé ({{ problem.title }}) est "
    "corrigé. Merci de nous l'avoir signalé, cela nous a aidés à le trouver.\n\n"
    "{{ agent.first_name }}",
}


def is_fixed_macro(title: str) -> bool:
    """Whether a macro's title names it as the "fixed" macro."""
    folded = fold(title)
    return any(word in folded for word in FIXED_MACRO_WORDS)


@dataclass(frozen=True)
class Reporter:
    """A conversation linked to a problem, as the notice round sees it."""

    conversation_id: int
    customer_id: int
    created_at: datetime
    notified: bool


def one_per_customer(reports: Sequence[Reporter]) -> list[Reporter]:
    """The conversation each customer not told yet is told in: their latest one. A customer
    told already (in any of their conversations) is left out."""
    told = {r.customer_id for r in reports if r.notified}
    latest: dict[int, Reporter] = {}
    for r in reports:
        if r.customer_id in told:
            continue
        now = latest.get(r.customer_id)
        if now is None or (r.created_at, r.conversation_id) > (now.created_at, now.conversation_id):
            latest[r.customer_id] = r
    return sorted(latest.values(), key=lambda r: r.conversation_id)
