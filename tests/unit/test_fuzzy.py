"""The one fuzzy matcher: accents and case folded, positions in the original text."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from deskterm.domain.fuzzy import fold, match, score


def test_accents_and_case_are_folded():
    assert match("lea", "Léa Martin") is not None
    assert match("LÉA", "lea martin") is not None
    assert match("francois", "François Dupont") is not None
    assert match("strasse", "Hauptstraße 4") is not None
    assert match("zoe", "Paul Roux") is None


def test_positions_point_into_the_original_text():
    found = match("lea", "Mme Léa Martin")
    assert found is not None
    assert "".join("Mme Léa Martin"[i] for i in found.positions) == "Léa"


def test_whole_words_and_word_starts_rank_first():
    assert score("pr", "Paul Roux") > score("pr", "upper")  # type: ignore[operator]
    assert score("ref", "Refund") > score("ref", "Your refund")  # type: ignore[operator]
    assert score("ref", "refund") > score("ref", "r e f")  # type: ignore[operator]


@given(st.text(), st.text())
def test_a_match_is_a_subsequence_of_the_folded_text(query, text):
    found = match(query, text)
    if found is None:
        return
    assert list(found.positions) == sorted(set(found.positions))
    assert all(0 <= i < len(text) for i in found.positions)


@given(st.text(min_size=1))
def test_every_text_matches_itself_and_its_folded_form(text):
    if fold(text):
        assert match(text, text) is not None
        assert match(fold(text), text) is not None


def test_the_pickers_and_the_macro_picker_fold_accents():
    from deskterm.domain.models import Macro
    from deskterm.screens.macro_picker import rank_macros
    from deskterm.screens.picker import Choice, filter_choices

    people = [Choice("1", "Paul Roux"), Choice("2", "Léa Martin"), Choice("3", "Zoé Dupré")]
    assert [c.label for c in filter_choices("lea", people)] == ["Léa Martin"]
    assert [c.label for c in filter_choices("zoe", people)] == ["Zoé Dupré"]
    now = datetime(2026, 12, 1, tzinfo=UTC)
    macros = [
        Macro(id=i, title=title, body="…", created_at=now, updated_at=now)
        for i, title in enumerate(["Réponse délai", "Refund"])
    ]
    assert [m.title for m in rank_macros("reponse", macros)] == ["Réponse délai"]
