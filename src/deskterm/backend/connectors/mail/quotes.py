"""The new text of a reply, with the quoted history folded away and the signature kept.

Quoted history is found by mail-parser-reply (the "On … wrote:" / "Le … a écrit :" lines,
Outlook's "-----Original Message-----" and "De : / Envoyé :" blocks, in French and English),
then by a trailing block of ``>`` lines it leaves. What is folded is counted in one line at
the end, so the agent knows there was more.
"""

from __future__ import annotations

import re

from mailparser_reply import EmailReplyParser

#: The reply parser's expressions are only run on this much text (they backtrack on
#: pathological input); the rest of a longer mail is kept as it is.
PARSE_LIMIT = 50_000
LANGUAGES = ["fr", "en"]

_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|message d'origine|forwarded message|message transféré)"
    r"\s*-{2,}|_{5,})\s*$",
    re.IGNORECASE,
)


def fold_quotes(text: str) -> str:
    """The newest part of ``text``, signature kept, and a line saying how much was folded."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text.strip():
        return ""
    head, tail = text[:PARSE_LIMIT], text[PARSE_LIMIT:]
    if tail:
        return text  # too long to parse safely: shown whole, never cut at a guess
    try:
        latest = EmailReplyParser(languages=list(LANGUAGES)).parse_reply(head) or ""
    except Exception:  # the parser's trouble is no reason to lose the mail
        latest = head
    lines = latest.rstrip().split("\n")
    while lines and (_SEPARATOR.match(lines[-1]) or not lines[-1].strip()):
        lines.pop()
    while lines and lines[-1].lstrip().startswith(">"):
        lines.pop()  # a quoted block at the end, with no "wrote:" line before it
    while lines and not lines[-1].strip():
        lines.pop()
    if not any(line.strip() for line in lines):
        return text  # all of it looked quoted: better shown whole than empty
    kept = "\n".join(lines)
    folded = len([x for x in text.split("\n") if x.strip()]) - len([x for x in lines if x.strip()])
    if folded > 0:
        kept += f"\n\n┄ quoted history folded away ({folded} line{'s' if folded != 1 else ''})"
    return kept
