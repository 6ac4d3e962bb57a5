"""Which macro fits this conversation? Offline text similarity over past uses of each macro.

Each macro is one document: the customer messages of conversations where it was used, its
title (counted three times: a title is written to describe the situation) and its body
without Liquid. A new conversation is the query; documents are ranked with BM25
(k1 = 1.2, b = 0.75). Pure Python, no model, no download: a library of 1,000 macros and
50,000 past uses builds in seconds and answers in milliseconds.

Text becomes tokens the same way for documents and queries, for French and English:

1. lowercase and strip accents (Unicode NFKD, then the combining marks are dropped;
   œ → oe, æ → ae);
2. split on anything that is not a letter (digits split too: order numbers are noise);
3. drop tokens shorter than 2 letters and stopwords (English and French function words,
   greetings and sign-offs that every support message has);
4. light stemming: "ies" → "y"; a plural "s" or "x" is dropped (not after "s"); then at
   most one English inflection (``INFLECTIONS``) and at most one suffix (``SUFFIXES``) are
   cut, each only if at least 3 letters remain, and a doubled final consonant left by a
   cut is halved (cancelled → cancel). Enough for remboursement / rembourser / remboursé
   to meet, and deliveries / delivered / deliver, missing / missed / miss.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Protocol

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3
MIN_TOKEN = 2
MIN_STEM = 3

#: English inflections, cut first: delivered → deliver, missing → miss.
INFLECTIONS = ("ing", "ed", "ly", "y")
#: Then one of these, checked in order (plurals are gone by then): deliver → deliv,
#: remboursement → rembours, livraison → livr.
SUFFIXES = (
    "issement",
    "ement",
    "ation",
    "aison",
    "ment",
    "ness",
    "euse",
    "able",
    "ible",
    "aient",
    "eur",
    "ait",
    "ant",
    "ent",
    "ee",
    "er",
    "ez",
    "e",
)

#: English and French function words, greetings and sign-offs, folded (no accents).
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did didn do does doesn doing don done
    down during each few for from further get got had has have having he her here hers
    herself him himself his how if in into is isn it its itself just ll me more most my
    myself no nor not now of off on once only or other our ours out over own re same she
    should so some such than that the their them then there these they this those through
    to too under until up ve very was wasn we were what when where which while who whom why
    will with would you your yours yourself yourselves yes hi hello hey dear thanks thank
    please regards best cheers ok okay kind sincerely team im ive
    au aux avec ce ces dans de des du elle elles en et eux il ils je la le les leur leurs
    lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que quel quelle
    qui sa se ses son sur ta te tes toi ton tu un une vos votre vous ete suis es est sommes
    etes sont sera serait etais etait ai as avons avez ont aura avais avait eu cet cette
    ceci cela ca celui celle ceux celles ici voici voila tout tous toute toutes tres bien
    plus moins aussi alors donc car comme si quand encore deja bonjour bonsoir salut merci
    svp stp cordialement madame monsieur mme bonne journee soiree equipe avoir etre faire
    fait peux peut pouvez pourriez pourrais voudrais veux oui non rien chez
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_LETTERS = re.compile(r"[^\W\d_]+")
_LIQUID = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
#: The general-purpose combining marks NFKD splits off Latin letters ("é" → "e" + U+0301);
#: a character class beats a Python loop over every character by far.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})


def fold(text: str) -> str:
    """Lowercase without accents: "Remboursé" → "rembourse"."""
    if text.isascii():
        return text.casefold()
    # Compatibility forms (𝑨, ﬁ) decompose to letters that may still need lowering, and
    # lowering may produce new combining marks (İ → i̇): normalise on both sides.
    text = unicodedata.normalize("NFKD", text).casefold().translate(_LIGATURES)
    return _MARKS.sub("", unicodedata.normalize("NFKD", text))


def _cut(word: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            if len(word) > MIN_STEM and word[-1] == word[-2] and word[-1] not in "aeiouys":
                word = word[:-1]
            break
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The light stem of a folded word (see the module docstring for the rules)."""
    if len(word) <= MIN_STEM:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word[-1] in "sx" and not word.endswith("ss"):
        word = word[:-1]
    return _cut(_cut(word, INFLECTIONS), SUFFIXES)


def tokenize(text: str) -> list[str]:
    """Stemmed content words of a French or English text, in order."""
    return [
        stem(word)
        for word in _LETTERS.findall(fold(text))
        if len(word) >= MIN_TOKEN and word not in STOPWORDS
    ]


def macro_text_tokens(title: str, body: str) -> list[str]:
    """The tokens a macro contributes by itself: its title (weighted) and its body."""
    return tokenize(title) * TITLE_WEIGHT + tokenize(_LIQUID.sub(" ", body))


class MacroSuggester:
    """BM25 over one document per macro; learns from each new use with ``add_example``."""

    def __init__(
        self,
        examples: Iterable[tuple[int, str]] = (),
        macros: Iterable[tuple[int, str, str]] = (),
    ) -> None:
        self._tf: dict[int, Counter[str]] = {}
        self._length: dict[int, int] = {}
        self._postings: dict[str, dict[int, int]] = {}
        self._total_length = 0
        for macro_id, title, body in macros:
            self._add_tokens(macro_id, macro_text_tokens(title, body))
        for macro_id, text in examples:
            self.add_example(macro_id, text)

    def __len__(self) -> int:
        """How many macros can be suggested."""
        return len(self._tf)

    def _add_tokens(self, macro_id: int, tokens: list[str]) -> None:
        counts = self._tf.setdefault(macro_id, Counter())
        counts.update(tokens)
        self._length[macro_id] = self._length.get(macro_id, 0) + len(tokens)
        self._total_length += len(tokens)
        postings = self._postings
        for term in set(tokens):
            posting = postings.get(term)
            if posting is None:
                posting = postings[term] = {}
            posting[macro_id] = counts[term]

    def add_example(self, macro_id: int, text: str) -> None:
        """Learn that ``macro_id`` answered a conversation with this customer text."""
        self._add_tokens(macro_id, tokenize(text))

    def scores(self, text: str, *, max_share: float = 1.0) -> dict[int, float]:
        """The BM25 score of every macro sharing a term with the text (others score 0).

        ``max_share``: a term found in more than that share of the documents is left out
        (with a few documents, BM25 still gives a word they all have some weight).
        """
        n_docs = len(self._tf)
        if not n_docs:
            return {}
        average = self._total_length / n_docs or 1.0
        scores: dict[int, float] = {}
        # Sorted terms: the same float additions in the same order, run after run.
        for term in sorted(set(tokenize(text))):
            postings = self._postings.get(term)
            if not postings:
                continue
            df = len(postings)
            if df > max_share * n_docs:
                continue
            idf = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
            for macro_id, tf in postings.items():
                norm = K1 * (1.0 - B + B * self._length[macro_id] / average)
                scores[macro_id] = scores.get(macro_id, 0.0) + idf * tf * (K1 + 1.0) / (tf + norm)
        return scores

    def suggest(self, text: str, k: int = 3, *, max_share: float = 1.0) -> list[tuple[int, float]]:
        """The ``k`` best macros for the text, best first; equal scores go by macro id."""
        if k <= 0:
            return []
        scores = self.scores(text, max_share=max_share)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [(macro_id, score) for macro_id, score in ranked[:k] if score > 0.0]


class Suggests(Protocol):
    """Anything that ranks macros for a text, like :class:`MacroSuggester`."""

    def suggest(self, text: str, k: int = 3) -> list[tuple[int, float]]: ...


def evaluate(
    suggester_factory: Callable[[list[tuple[int, str]]], Suggests],
    labelled: Sequence[tuple[str, int]],
    *,
    folds: int = 5,
    seed: int = 0,
) -> dict[str, float]:
    """Top-1 and top-3 accuracy by k-fold cross-validation.

    ``labelled`` holds (customer text, macro id actually used). Each fold is predicted by a
    suggester the factory builds from the other folds' examples only, so a conversation is
    never in the index that ranks it. Returns ``top1``, ``top3``, ``n`` and ``folds``.
    """
    if folds < 2:
        raise ValueError("evaluate needs at least 2 folds")
    n = len(labelled)
    if n == 0:
        return {"top1": 0.0, "top3": 0.0, "n": 0, "folds": 0}
    folds = min(folds, n)
    order = list(range(n))
    random.Random(seed).shuffle(order)
    fold_of = {index: position % folds for position, index in enumerate(order)}
    top1 = top3 = 0
    for fold in range(folds):
        training = [(labelled[i][1], labelled[i][0]) for i in range(n) if fold_of[i] != fold]
        suggester = suggester_factory(training)
        for i in (i for i in range(n) if fold_of[i] == fold):
            text, expected = labelled[i]
            ranked = [macro_id for macro_id, _ in suggester.suggest(text, k=3)]
            top1 += ranked[:1] == [expected]
            top3 += expected in ranked
    return {"top1": top1 / n, "top3": top3 / n, "n": n, "folds": folds}
