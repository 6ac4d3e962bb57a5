"""Where text goes in a reply: an inserted macro or an order action's sentence is a paragraph
of its own, before the signature, never glued to a word or to the agent's name.

Pure functions on strings, so the composer's behaviour is tested without a terminal. Offsets
are character offsets in the draft.

The signature is the reply's closing block, as the macros write it::

    …nothing to do on your side.

    Enjoy your meal,
    Camille

It starts at an e-mail signature delimiter (a line ``--``), or at the last non-empty line
when that line begins with one of the agent's names, taking with it a short sign-off just
above ending with a comma ("Enjoy your meal,", "Bon appétit,").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

#: A sign-off line taken with the name below it is at most this long ("Have a good evening,").
_SIGN_OFF_MAX = 40
#: A signature line starting with the agent's name has at most this many words.
_NAME_LINE_WORDS = 6
#: How alike an edited sentence must still be to the one inserted to be offered for removal.
EDITED_LIKENESS = 0.6
_LINE = re.compile(r"[^\n]*\n?")
_BREAK = re.compile(r"\n(?:[ \t]*\n)+")


@dataclass(frozen=True)
class Edit:
    """Replace ``draft[start:end]`` with ``text``; ``at`` is where the placed paragraph begins
    in the edited draft, ``length`` its length."""

    start: int
    end: int
    text: str
    at: int = 0
    length: int = 0

    def apply(self, draft: str) -> str:
        return draft[: self.start] + self.text + draft[self.end :]


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line without its newline) for each line of ``text``."""
    out: list[tuple[int, str]] = []
    pos = 0
    for match in _LINE.finditer(text):
        if match.start() == len(text) and out:
            break
        out.append((pos, match.group().rstrip("\n")))
        pos = match.end()
    return out


def _starts_with_name(line: str, names: Iterable[str]) -> bool:
    words = line.split()
    if not words or len(words) > _NAME_LINE_WORDS or line.rstrip()[-1:] in ".!?:;":
        return False
    low = line.strip().casefold()
    for name in names:
        wanted = name.strip().casefold()
        if wanted and low.startswith(wanted):
            rest = low[len(wanted) :]
            if not rest or not (rest[0].isalnum() or rest[0] == "_"):
                return True
    return False


def signature_start(draft: str, names: Iterable[str] = ()) -> int:
    """Offset where the signature begins (at a line start), or ``len(draft)`` without one."""
    lines = _lines(draft)
    for offset, line in lines:
        if line.strip() == "--":
            return offset
    names = [n for n in names if n.strip()]
    filled = [(i, off, line) for i, (off, line) in enumerate(lines) if line.strip()]
    if not filled or not names:
        return len(draft)
    index, offset, line = filled[-1]
    if not _starts_with_name(line, names):
        return len(draft)
    if index > 0:
        above_offset, above = lines[index - 1]
        sign_off = above.strip()
        if sign_off.endswith(",") and len(sign_off) <= _SIGN_OFF_MAX:
            return above_offset
    return offset


def split_signature(text: str, names: Iterable[str] = ()) -> tuple[str, str]:
    """``text`` as (body, signature); the signature is "" when there is none."""
    start = signature_start(text, names)
    return text[:start], text[start:]


def paragraphs(draft: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph's text, without the blank lines around it."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for brk in [*_BREAK.finditer(draft), None]:
        stop = brk.start() if brk is not None else len(draft)
        chunk = draft[pos:stop]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((pos + lead, pos + len(chunk.rstrip())))
        if brk is not None:
            pos = brk.end()
    return spans


def _anchor(draft: str, cursor: int, limit: int) -> int:
    """Where a new paragraph goes for this cursor: before the paragraph when the cursor is at
    its beginning, after it when the cursor is inside it (even mid-word), at the cursor when
    it is between paragraphs; never after ``limit`` (the signature)."""
    if cursor >= limit:
        return limit
    for start, end in paragraphs(draft):
        if cursor <= start:
            return min(start, limit) if cursor == start else cursor
        if cursor <= end:
            return min(end, limit)
    return min(cursor, limit)


def place_paragraph(draft: str, cursor: int, text: str, names: Iterable[str] = ()) -> Edit:
    """Put ``text`` into ``draft`` as a paragraph of its own.

    It goes after the paragraph the cursor is in (a cursor in the middle of a word never
    splits it), or where the cursor stands between paragraphs, and always before the
    signature. When the draft already has a signature, the text's own is dropped, so a
    macro never signs twice. Only whitespace of the draft is changed.
    """
    names = list(names)
    text = text.strip()
    cursor = max(0, min(cursor, len(draft)))
    sig = signature_start(draft, names)
    if sig < len(draft):
        body, own = split_signature(text, names)
        if own and body.strip():
            text = body.strip()
    if not text:
        return Edit(cursor, cursor, "", cursor, 0)
    if not draft.strip():
        return Edit(0, len(draft), text, 0, len(text))
    anchor = _anchor(draft, cursor, sig)
    before = len(draft[:anchor].rstrip())
    after = anchor + len(draft[anchor:]) - len(draft[anchor:].lstrip())
    # The whitespace around the anchor becomes the paragraph breaks.
    head = "\n\n" if before else ""
    tail = "\n\n" if after < len(draft) else ""
    return Edit(before, after, head + text + tail, before + len(head), len(text))


def _removal(draft: str, start: int, end: int) -> Edit:
    """The edit removing ``draft[start:end]`` and one of the paragraph breaks around it."""
    before = len(draft[:start].rstrip())
    after = end + len(draft[end:]) - len(draft[end:].lstrip())
    if before == 0 or after == len(draft):
        return Edit(before, after, "")
    return Edit(before, after, "\n\n")


def remove_paragraph(draft: str, paragraph: str) -> Edit | None:
    """The edit taking ``paragraph`` back out of ``draft``, if it is still there word for
    word (the last such paragraph); None when it was edited or removed."""
    wanted = paragraph.strip()
    if not wanted:
        return None
    for start, end in reversed(paragraphs(draft)):
        if draft[start:end] == wanted:
            return _removal(draft, start, end)
    return None


def edited_paragraph(draft: str, paragraph: str) -> tuple[int, int] | None:
    """(start, end) of the paragraph that looks like an edited ``paragraph``, or None when
    nothing in the draft is close enough (the agent deleted it or rewrote it entirely)."""
    wanted = " ".join(paragraph.split())
    best: tuple[float, tuple[int, int]] | None = None
    for start, end in paragraphs(draft):
        seen = " ".join(draft[start:end].split())
        likeness = difflib.SequenceMatcher(None, wanted, seen, autojunk=False).ratio()
        if likeness >= EDITED_LIKENESS and (best is None or likeness > best[0]):
            best = (likeness, (start, end))
    return best[1] if best else None


def removal_of(draft: str, span: tuple[int, int]) -> Edit:
    """The edit removing the paragraph at ``span`` (from :func:`edited_paragraph`)."""
    return _removal(draft, *span)


def _phrases(text: str, size: int = 3) -> list[str]:
    words = text.split()
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def keeps_text_of(draft: str, inserted: str) -> bool:
    """Whether any run of three words of ``inserted`` is still in ``draft``: the agent
    adapted a macro's text rather than deleting or rewriting all of it. A macro with no
    text (actions only) is always kept."""
    phrases = _phrases(inserted)
    flat = " ".join(draft.split())
    return not phrases or any(phrase in flat for phrase in phrases)
