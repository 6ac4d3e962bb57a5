"""The customer's language guessed from their words, for remotes that do not say it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.demo.situations import ORDER_SITUATIONS
from deskterm.domain.languages import guess_language


@pytest.mark.parametrize(
    ("text", "language"),
    [("Bonjour, il manque le pain dans ma commande PO-12345. Merci !", "fr"),
     ("Hi, the bread is missing from my order PO-12345, can you send it?", "en"),
     ("Je n'ai toujours rien reçu, c'est la deuxième fois ce mois-ci…", "fr"),
     ("Thanks!", None), ("Merci", None), ("PO-12345", None), ("", None)],
)  # fmt: skip
def test_a_language_or_none(text: str, language: str | None) -> None:
    assert guess_language(text) == language


def test_the_demo_customers_first_messages_read_as_their_language() -> None:
    """Every situation's first messages, in French and in English, are told apart."""
    wrong = []
    told = 0
    for situation in ORDER_SITUATIONS:
        for language, texts in situation.first.items():
            for text in texts:
                said = guess_language(text.replace("{", " ").replace("}", " "))
                if said not in (language, None):
                    wrong.append((language, text))
                told += said == language
    assert wrong == []
    assert told > 20


@given(st.text(max_size=300))
def test_any_text_gives_a_known_answer(text: str) -> None:
    assert guess_language(text) in ("fr", "en", None)
