"""The bug report for the tracker: personal data masked (properties on generated emails,
phone numbers, card numbers), and the Markdown a product team pastes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from deskterm.domain.bug_report import Excerpt, markdown, mask
from deskterm.domain.problems import Problem, ProblemKind, ProblemStatus

#: Words around the personal data: letters, spaces and punctuation, never a digit or an @.
WORDS = st.text(alphabet=st.sampled_from("abcdéèàçXYZ ,;:!?'()\n"), min_size=0, max_size=30).map(
    lambda s: f" {s} "
)

SEPARATORS = st.sampled_from(["", " ", ".", "-"])


@st.composite
def french_phones(draw) -> str:
    prefix = draw(st.sampled_from(["0", "+33", "+33 ", "0033 ", "+33 (0)"]))
    sep = draw(SEPARATORS)
    first = draw(st.integers(1, 9))
    pairs = [f"{draw(st.integers(0, 99)):02d}" for _ in range(4)]
    return f"{prefix}{first}{sep}{sep.join(pairs)}"


@st.composite
def international_phones(draw) -> str:
    country = draw(st.integers(1, 999))
    groups = draw(st.lists(st.integers(10, 9999), min_size=2, max_size=4))
    sep = draw(st.sampled_from([" ", "-", ".", ""]))
    return f"+{country} " + sep.join(str(g) for g in groups)


@st.composite
def card_numbers(draw) -> str:
    digits = "".join(str(draw(st.integers(0, 9))) for _ in range(draw(st.integers(13, 19))))
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


ORDERS = st.builds(
    lambda prefix, n: f"{prefix}-{n}",
    st.sampled_from(["PO", "CMD", "ORD"]),
    st.integers(100, 10**8),
)

PERSONAL = st.one_of(st.emails(), french_phones(), international_phones(), card_numbers(), ORDERS)


@given(before=WORDS, data=PERSONAL, after=WORDS)
def test_personal_data_never_survives_masking(before: str, data: str, after: str) -> None:
    masked = mask(before + data + after)
    assert data not in masked
    assert not re.search(r"\d", masked), masked
    assert "@" not in masked


@given(st.lists(PERSONAL, min_size=1, max_size=4), WORDS)
def test_several_at_once(found: list[str], words: str) -> None:
    masked = mask(words.join(found))
    assert not re.search(r"\d", masked)
    assert all(item not in masked for item in found)


@given(WORDS)
def test_words_without_personal_data_are_left_as_they_are(words: str) -> None:
    assert mask(words) == words


def test_each_kind_gets_its_label() -> None:
    text = (
        "Je suis lea.martin@example.com, tel 06 12 34 56 78 ou +44 20 7946 0958, "
        "carte 4970 1012 3456 7890, commande PO-88213."
    )
    assert mask(text) == (
        "Je suis [email], tel [phone] ou [phone], carte [card], commande [order]."
    )


def test_the_customer_name_is_masked_where_they_sign() -> None:
    said = "Le code ne marche pas. Cordialement, Céline Leroy"
    assert mask(said, ["Céline Leroy"]) == "Le code ne marche pas. Cordialement, [name]"
    assert mask("merci céline", ["Céline Leroy"]) == "merci [name]"
    assert mask("Leroy Merlin is a shop", []) == "Leroy Merlin is a shop"


def _problem() -> Problem:
    when = datetime(2026, 11, 20, tzinfo=UTC)
    return Problem(
        id=7,
        title="App crashes after the update",
        kind=ProblemKind.BUG,
        status=ProblemStatus.OPEN,
        description="Crash on launch since 4.2, write to ana@example.com",
        tracker_url=None,
        created_at=when,
        updated_at=when,
        customers=2,
    )


def test_the_report_has_figures_masked_quotes_and_links() -> None:
    excerpts = [
        Excerpt(
            3, "email", datetime(2026, 11, 21, tzinfo=UTC), "Ça plante ! 06123456 Ana", "l:3", "Ana"
        ),
        Excerpt(
            9, "chat", datetime(2026, 11, 23, tzinfo=UTC), "Crash, card 4111111111111111", "l:9"
        ),
    ]
    text = markdown(_problem(), excerpts)
    assert text.startswith("# App crashes after the update\n")
    assert "**Customers:** 2 (2 conversations)" in text
    assert "**First report:** 2026-11-21 · **last report:** 2026-11-23" in text
    assert "**Channels:** chat, email" in text
    assert "> Ça plante ! [number] [name]" in text and "> Crash, card [card]" in text
    assert "[email]" in text and "ana@example.com" not in text
    assert "- [#9](l:9) · chat · 2026-11-23" in text
    assert "06123456" not in text and "4111" not in text
