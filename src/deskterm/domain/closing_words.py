"""Whether a customer's message only says thanks ("Parfait, merci pour la rapidité", "great,
thanks 🙏"): after an answer, such a message needs no reply, only to be closed. Shift mode
says so, so that a newcomer does not answer a thank-you with a macro.

Deliberately narrow: a question, or words beyond a short thank-you, is something to read.
"""

from __future__ import annotations

import re
import unicodedata

#: A thank-you is short; anything longer may carry a request.
_MAX_WORDS = 12
_THANKS = re.compile(r"\b(merci|thanks?|thank you|thx|cheers|ta)\b")
#: Words that turn a thank-you into a request or a complaint ("merci mais…", "thanks, but").
_BUT = re.compile(r"\b(mais|but|toujours|still|pas|not|no|non|rien|nothing|encore|again)\b")


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def only_thanks(text: str) -> bool:
    """True for a short message that thanks and asks nothing."""
    plain = _plain(text).strip()
    if not plain or "?" in plain:
        return False
    words = re.findall(r"\w+", plain)
    if not words or len(words) > _MAX_WORDS:
        return False
    return bool(_THANKS.search(plain)) and not _BUT.search(plain)
