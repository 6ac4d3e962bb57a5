"""Which of deskterm's two languages a customer writes in, from their words, for remotes that
do not say (a mailbox; a Request Tracker user with no language set). Macros and order-action
sentences are then offered in that language.

Counts the small words each language cannot do without; says nothing unless one language
clearly leads, so a "Thanks!" from a French customer does not turn them English.
"""

from __future__ import annotations

import re

_FRENCH_WORDS = """
le la les un une des du de au aux et est sont pas je j tu il elle nous vous ils elles mon ma
mes ton ta votre vos notre nos ce cette ces qui que qu quoi pour avec sans dans sur mais ou où
donc car ne n y en c ça merci bonjour bonsoir commande toujours très été avoir être suis êtes
avez ai
"""
_ENGLISH_WORDS = """
the an and is are not i you he she we they my your our this that these those who what for
with without in on but or so because it's i'm don't can't have has had been be am was were
thanks thank hello hi please order still very me it of to
"""
_FRENCH = frozenset(_FRENCH_WORDS.split())
_ENGLISH = frozenset(_ENGLISH_WORDS.split())
_WORD = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœ']+")
#: Words of either list a text needs before a guess, and how far one language must lead.
_AT_LEAST = 3
_LEAD = 2.0


def guess_language(text: str) -> str | None:
    """``"fr"`` or ``"en"`` when the text clearly reads as one, else None."""
    words = [w.strip("'") for w in _WORD.findall(text.casefold())]
    french = sum(1 for w in words if w in _FRENCH)
    english = sum(1 for w in words if w in _ENGLISH)
    if french + english < _AT_LEAST:
        return None
    if french >= _LEAD * max(english, 1):
        return "fr"
    if english >= _LEAD * max(french, 1):
        return "en"
    return None
