"""Where inserted text goes in a reply: its own paragraph, before the signature, never in a word."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deskterm.domain.reply_text import (
    edited_paragraph,
    keeps_text_of,
    paragraphs,
    place_paragraph,
    removal_of,
    remove_paragraph,
    signature_start,
)

NAMES = ("Camille", "Camille Moreau")
SENTENCE = "We are sending Pain de campagne again, free, with your next delivery."


@pytest.mark.parametrize(
    ("draft", "signature"),
    [
        ("Hello Léa,\n\nsorry.\n\nEnjoy your meal,\nCamille", "Enjoy your meal,\nCamille"),
        ("Bonjour Léa, désolés !\n\nCamille", "Camille"),
        ("Bonjour Léa, désolés ! (commande PO-1). \nCamille", "Camille"),
        ("Hi Léa,\n\nDone.\n\nCamille Moreau — Popote support", "Camille Moreau — Popote support"),
        (
            "Hi,\n\nDone.\n\n--\nPopote support\nhelp@popote.example",
            "--\nPopote support\nhelp@popote.example",
        ),
        ("Hi,\n\nDone.\n\nBest,\ncamille\n", "Best,\ncamille\n"),
    ],
)
def test_the_signature_is_found(draft: str, signature: str) -> None:
    assert draft[signature_start(draft, NAMES) :] == signature


@pytest.mark.parametrize(
    "draft",
    [
        "Hi Léa,\n\nCamille will call you tomorrow about the refund.",
        "Hi Léa,\n\nthanks!",
        "Camilleri is the courier's name",
        "",
    ],
)
def test_no_signature_where_there_is_none(draft: str) -> None:
    assert signature_start(draft, NAMES) == len(draft)


def test_a_sentence_goes_before_the_sign_off_not_after_the_name() -> None:
    draft = "Hello Léa,\n\nsorry about the bread.\n\nEnjoy your meal,\nCamille"
    new = place_paragraph(draft, len(draft), SENTENCE, NAMES).apply(draft)
    assert new == (
        f"Hello Léa,\n\nsorry about the bread.\n\n{SENTENCE}\n\nEnjoy your meal,\nCamille"
    )


def test_a_cursor_in_the_middle_of_a_word_never_splits_it() -> None:
    draft = "Bonjour Léa, désolés pour le pain.\n\nÀ bientôt !"
    cursor = draft.index("sol")
    edit = place_paragraph(draft, cursor, SENTENCE)
    new = edit.apply(draft)
    assert new == f"Bonjour Léa, désolés pour le pain.\n\n{SENTENCE}\n\nÀ bientôt !"
    assert new[edit.at : edit.at + edit.length] == SENTENCE


def test_a_signature_on_the_next_line_gets_its_own_paragraph() -> None:
    draft = "Bonjour Léa, désolés ! (commande PO-88213). \nCamille"
    new = place_paragraph(draft, 10, SENTENCE, NAMES).apply(draft)
    assert new == f"Bonjour Léa, désolés ! (commande PO-88213).\n\n{SENTENCE}\n\nCamille"


def test_a_macro_into_a_signed_draft_does_not_sign_twice() -> None:
    draft = "Bonjour Léa,\n\nBon appétit,\nCamille"
    macro = "Votre commande arrive à 12:30.\n\nBonne journée,\nCamille"
    new = place_paragraph(draft, 12, macro, NAMES).apply(draft)
    assert new == "Bonjour Léa,\n\nVotre commande arrive à 12:30.\n\nBon appétit,\nCamille"


def test_cursor_at_the_start_or_between_paragraphs() -> None:
    draft = "First paragraph.\n\n\nSecond."
    assert place_paragraph(draft, 0, "X").apply(draft) == "X\n\n" + draft
    middle = draft.index("\n\n") + 1
    assert place_paragraph(draft, middle, "X").apply(draft) == ("First paragraph.\n\nX\n\nSecond.")


def test_into_an_empty_draft_the_text_is_the_draft() -> None:
    assert place_paragraph("  \n", 1, "\nHello\n").apply("  \n") == "Hello"


def test_an_unedited_sentence_comes_back_out() -> None:
    draft = "Hello Léa,\n\nsorry.\n\nEnjoy your meal,\nCamille"
    added = place_paragraph(draft, len(draft), SENTENCE, NAMES).apply(draft)
    removal = remove_paragraph(added, SENTENCE)
    assert removal is not None and removal.apply(added) == draft
    # At the very end or the very start too.
    for alone in ("Hello Léa, sorry.", ""):
        added = place_paragraph(alone, len(alone), SENTENCE).apply(alone)
        removal = remove_paragraph(added, SENTENCE)
        assert removal is not None and removal.apply(added) == alone


def test_an_edited_sentence_is_found_but_not_removed_blindly() -> None:
    draft = f"Hello Léa,\n\n{SENTENCE}\n\nCamille"
    edited = draft.replace("next delivery", "delivery on Tuesday")
    assert remove_paragraph(edited, SENTENCE) is None
    span = edited_paragraph(edited, SENTENCE)
    assert span is not None and edited[span[0] : span[1]].startswith("We are sending")
    assert removal_of(edited, span).apply(edited) == "Hello Léa,\n\nCamille"
    assert edited_paragraph("Hello Léa,\n\nCamille", SENTENCE) is None


def test_macro_text_kept_while_adapted_and_gone_when_rewritten() -> None:
    macro = "Bonjour Léa, désolés ! Nous vous renvoyons le pain."
    assert keeps_text_of("Bonjour Léa, vraiment désolés ! Nous vous renvoyons le pain.", macro)
    assert not keeps_text_of("Hi, I will call you back.", macro)
    assert not keeps_text_of("", macro)
    assert keeps_text_of("Anything at all.", "")  # a macro of actions only stays


# -- properties ----------------------------------------------------------------------------

_WORDS = st.sampled_from(["Bonjour", "Léa,", "le", "pain", "manque.", "Camille", "--", "Merci,"])
_LINES = st.lists(_WORDS, max_size=6).map(" ".join)
_DRAFTS = st.lists(_LINES, max_size=8).map("\n".join)
_TEXTS = st.lists(
    st.sampled_from(["Nous", "renvoyons", "le", "pain", "gratuitement."]), min_size=1, max_size=6
).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(_DRAFTS, st.data(), _TEXTS)
def test_inserted_text_is_a_whole_paragraph_and_the_draft_keeps_its_words(
    draft: str, data: st.DataObject, text: str
) -> None:
    cursor = data.draw(st.integers(0, len(draft)))
    edit = place_paragraph(draft, cursor, text, NAMES)
    new = edit.apply(draft)
    assert new[edit.at : edit.at + edit.length] == text
    assert edit.at == 0 or new[: edit.at].endswith("\n\n")
    end = edit.at + edit.length
    assert end == len(new) or new[end:].startswith("\n\n")
    # Only whitespace of the draft was touched, so its words are all there, in order.
    assert draft[edit.start : edit.end].strip() == ""
    assert new[: edit.at].split() + new[end:].split() == draft.split()
    # The paragraph is never after the signature.
    assert signature_start(draft, NAMES) >= len(new[: edit.at].rstrip()) or not draft.strip()


@settings(max_examples=300, deadline=None)
@given(_DRAFTS, st.data(), _TEXTS)
def test_placing_then_removing_keeps_every_word(draft: str, data: st.DataObject, text: str) -> None:
    assume(text not in draft)
    cursor = data.draw(st.integers(0, len(draft)))
    new = place_paragraph(draft, cursor, text).apply(draft)
    removal = remove_paragraph(new, text)
    assert removal is not None
    assert removal.apply(new).split() == draft.split()


@settings(max_examples=200, deadline=None)
@given(_DRAFTS)
def test_paragraphs_hold_all_the_words(draft: str) -> None:
    spans = paragraphs(draft)
    assert " ".join(draft[a:b] for a, b in spans).split() == draft.split()
    assert all(a < b for a, b in spans)
