"""A customer's message that only says thanks, told apart from one that asks or complains."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskterm.domain.closing_words import only_thanks


@pytest.mark.parametrize(
    "text",
    ["merci !", "Parfait, merci pour la rapidité", "great, thanks 🙏", "Thank you so much!",
     "ok merci", "Brilliant, cheers", "MERCI BEAUCOUP", "Top, merci bien"],
)  # fmt: skip
def test_a_thank_you(text: str) -> None:
    assert only_thanks(text)


@pytest.mark.parametrize(
    "text",
    ["Merci, mais ce n'est toujours pas arrivé.", "Thanks, but it still hasn't arrived.",
     "merci, et pour la prochaine commande ?", "Where is my order?", "",
     "Merci de me rembourser la commande PO-12345 qui est arrivée froide, les frites étaient "
     "immangeables et le dessert manquait", "OK", "no thanks"],
)  # fmt: skip
def test_not_only_a_thank_you(text: str) -> None:
    assert not only_thanks(text)


@given(st.text(max_size=200))
def test_a_question_is_never_only_thanks(text: str) -> None:
    assert not only_thanks(text + " merci ?")
