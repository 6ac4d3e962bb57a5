"""One fuzzy matcher for every picker and the command palette, blind to accents and case.

"lea" finds "Léa Martin", "francois" finds "François", "strasse" finds "Straße": the query
and the text are compared letter by letter after folding (Unicode decomposition without
the combining marks, then case folding), and the positions found point into the original
text, so what is highlighted is what the agent sees.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

#: A run of the query found in one piece scores this much more than letters spread out.
WHOLE = 1000
WORD_START = 200


@dataclass(frozen=True)
class Match:
    """How well a query matched a text, and where (indexes into the original text)."""

    score: int
    positions: tuple[int, ...]


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """``text`` without accents and case: what matching compares."""
    return "".join(_fold_char(ch) for ch in text)


def _folded_with_origins(text: str) -> tuple[str, list[int]]:
    folded: list[str] = []
    origins: list[int] = []
    for i, ch in enumerate(text):
        part = _fold_char(ch)
        folded.append(part)
        origins.extend([i] * len(part))
    return "".join(folded), origins


def match(query: str, text: str) -> Match | None:
    """Where ``query`` occurs in ``text`` as a subsequence, scored; None when it does not.

    A query found whole scores most (more at a word start, more the earlier it is); else
    consecutive letters and letters at word starts score more, so "pr" finds "Paul Roux"
    before "upper".
    """
    q = fold(query)
    if not q:
        return Match(0, ())
    t, origins = _folded_with_origins(text)

    def word_start(i: int) -> bool:
        return i == 0 or not t[i - 1].isalnum()

    start = t.find(q)
    if start != -1:
        positions = tuple(sorted({origins[i] for i in range(start, start + len(q))}))
        return Match(WHOLE - start + (WORD_START if word_start(start) else 0), positions)
    score = 0
    pos = -1
    found: list[int] = []
    for ch in q:
        nxt = t.find(ch, pos + 1)
        if nxt == -1:
            return None
        score += 10 if nxt == pos + 1 else 1
        if word_start(nxt):
            score += 5
        found.append(origins[nxt])
        pos = nxt
    return Match(score, tuple(sorted(set(found))))


def score(query: str, text: str) -> int | None:
    """The score of ``match`` alone (None when the query does not match)."""
    found = match(query, text)
    return None if found is None else found.score


_SEPARATORS = "-_.: /"


def _tag_key(tag: str) -> str:
    folded = fold(tag)
    return "".join("-" if ch in _SEPARATORS else ch for ch in folded)


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether *a* and *b* differ by exactly one letter added, removed or changed."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)) :] == b[i + 1 :]


def near_duplicates(tag: str, others: Iterable[str], limit: int = 3) -> list[str]:
    """The tags among *others* that *tag* nearly repeats: the same but for case, accents or
    separators ("Bug notifs", "bug_notifs"), one extending the other after a separator
    ("bug-notifs" and "bug-notifs-4.13"), or one letter apart ("refund", "refunds")."""
    key = _tag_key(tag)
    found = []
    for other in others:
        if other == tag:
            continue
        o = _tag_key(other)
        short, long_ = (key, o) if len(key) <= len(o) else (o, key)
        if (
            o == key
            or (len(short) >= 3 and long_.startswith(short + "-"))
            or (len(short) >= 4 and _one_edit_apart(key, o))
        ):
            found.append(other)
            if len(found) >= limit:
                break
    return found
