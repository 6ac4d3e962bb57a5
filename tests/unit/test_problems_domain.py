"""Problems' pure rules: statuses as agents say them, one notice per customer, the new
problem's prefill, the sparkline, and which problems a conversation suggests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskterm.domain.problems import (
    ProblemStatus,
    Reporter,
    is_fixed_macro,
    new_problem_text,
    one_per_customer,
    parse_status,
    sparkline,
    suggest_problems,
)

T = datetime(2026, 11, 24, tzinfo=UTC)


@pytest.mark.parametrize(
    ("said", "status"),
    [
        ("fixed", ProblemStatus.FIXED),
        ("Won't fix", ProblemStatus.WONT_FIX),
        ("fix in progress", ProblemStatus.IN_PROGRESS),
        ("in-progress", ProblemStatus.IN_PROGRESS),
        (" OPEN ", ProblemStatus.OPEN),
    ],
)
def test_statuses_as_agents_say_them(said: str, status: ProblemStatus) -> None:
    assert parse_status(said) is status


def test_an_unknown_status_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="open, in_progress, fixed, wont_fix"):
        parse_status("solved")


reporters = st.lists(
    st.builds(
        Reporter,
        conversation_id=st.integers(1, 60),
        customer_id=st.integers(1, 8),
        created_at=st.integers(0, 1000).map(lambda m: T + timedelta(minutes=m)),
        notified=st.booleans(),
    ),
    max_size=30,
    unique_by=lambda r: r.conversation_id,
)


@given(reporters)
def test_each_customer_not_told_yet_is_told_once_in_their_latest(found: list[Reporter]) -> None:
    chosen = one_per_customer(found)
    customers = [r.customer_id for r in chosen]
    assert len(customers) == len(set(customers))
    told = {r.customer_id for r in found if r.notified}
    assert set(customers) == {r.customer_id for r in found} - told
    for r in chosen:
        theirs = [o for o in found if o.customer_id == r.customer_id]
        assert (r.created_at, r.conversation_id) == max(
            (o.created_at, o.conversation_id) for o in theirs
        )


def test_a_new_problem_is_prefilled_from_subject_and_first_message() -> None:
    title, description = new_problem_text("  Code   promo refusé ", "Le code\nne marche pas")
    assert (title, description) == ("Code promo refusé", "Le code ne marche pas")
    title, description = new_problem_text("", "x" * 700)
    assert len(title) == 80 and len(description) == 600 and description.endswith("…")


def test_sparkline_scales_to_the_busiest_day() -> None:
    assert sparkline([0, 0, 0]) == "   "
    assert sparkline([1, 2, 8]) == "▁▂█"
    assert len(sparkline([3] * 14)) == 14


def test_the_fixed_macro_is_found_by_its_title_in_french_or_english() -> None:
    assert is_fixed_macro("Bug — fixed, please update")
    assert is_fixed_macro("Problème corrigé")
    assert is_fixed_macro("Incident résolu")
    assert not is_fixed_macro("Refund issued")


def test_suggestions_rank_by_the_linked_conversations_words() -> None:
    problems = [
        (1, "App crashes after the update", "The app closes when paying"),
        (2, "Promo code refused", "Codes from the newsletter refused at checkout"),
        (3, "Slot page empties the basket", ""),
        (4, "Let customers move their slot", ""),
    ]
    examples = [
        (1, "L'appli plante quand je paie, commande PO-1234"),
        (1, "the app crashes at payment, my order PO-5678"),
        (2, "le code BIENVENUE10 ne marche pas, commande PO-9012"),
        (2, "promo code refused, my order PO-3456"),
        (3, "le panier se vide quand je change de créneau, ma commande"),
        (4, "je peux changer mon créneau pour ma commande ?"),
    ]
    assert (
        suggest_problems(problems, examples, "Bonjour, l'appli plante encore quand je paie")[0] == 1
    )
    assert suggest_problems(problems, examples, "Code promo refusé, le code ne marche pas")[0] == 2
    # Words every problem has ("commande", an order number) suggest nothing.
    assert suggest_problems(problems, examples, "Où est ma commande PO-1234 ?") == []
