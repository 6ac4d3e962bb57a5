"""Macro suggestions: tokenizer, BM25 ranking, fallback to macro text, learning, evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskterm.domain.suggest import MacroSuggester, evaluate, fold, stem, tokenize

MISSING, REFUND, SLOT, CANCEL, ADDRESS = 1, 2, 3, 4, 5

MACROS = [
    (MISSING, "Missing item", "Sorry {{ customer.first_name }}, {{ order.item_names }} …"),
    (REFUND, "Refund", "Your refund of {{ order.total }} is on its way."),
    (SLOT, "Change delivery slot", "Your delivery is now {{ order.delivery_slot }}."),
    (CANCEL, "Cancel order", "Your order {{ order.number }} is cancelled."),
    (ADDRESS, "Wrong address", "Can you confirm your address?"),
]

EXAMPLES = [
    (MISSING, "Il manque le pain dans ma commande"),
    (MISSING, "The bread is missing from my bag"),
    (MISSING, "J'ai pas reçu le tarama, il manquait dans le sac"),
    (MISSING, "missing hummus, forgot in my delivery?"),
    (REFUND, "Je voudrais être remboursé s'il vous plaît"),
    (REFUND, "Can I get my money back? I want a refund"),
    (REFUND, "Remboursement de ma commande annulée ?"),
    (SLOT, "Can you deliver later, at 7pm instead?"),
    (SLOT, "Est-ce possible de changer le créneau de livraison ?"),
    (CANCEL, "Please cancel my order, I made a mistake"),
    (CANCEL, "Annulez ma commande svp"),
    (ADDRESS, "The courier has the wrong address, I moved"),
]


def suggester(examples: list[tuple[int, str]] | None = None) -> MacroSuggester:
    return MacroSuggester(EXAMPLES if examples is None else examples, MACROS)


# -- tokenizer ----------------------------------------------------------------------


def test_fold_lowercases_and_strips_accents() -> None:
    assert fold("Remboursé ÉTÉ Œufs Straße") == "rembourse ete oeufs strasse"
    assert fold("e\u0301te\u0301") == "ete"  # already decomposed input


def test_tokenize_french_and_english() -> None:
    assert tokenize("Bonjour, il manque le PAIN dans ma commande n°88213 !") == [
        "manqu",
        "pain",
        "command",
    ]
    assert tokenize("Hello, the bread is missing from my order #88213.") == [
        "bread",
        "miss",
        "ord",
    ]


@pytest.mark.parametrize(
    "words",
    [
        ["remboursement", "rembourser", "remboursé", "remboursée", "remboursements"],
        ["refund", "refunds", "refunded", "refunding"],
        ["missing", "missed", "miss"],
        ["cancel", "cancelled", "cancels", "cancelling"],
        ["livraison", "livrer", "livré", "livrée", "livreur"],
        ["delivery", "deliveries", "delivered", "deliver"],
        ["manque", "manquant", "manquait", "manquaient", "manquent", "manquer"],
    ],
)
def test_stemming_brings_word_families_together(words: list[str]) -> None:
    assert len({stem(fold(w)) for w in words}) == 1


def test_tokenize_drops_stopwords_short_tokens_and_digits() -> None:
    assert tokenize("a I à y 42 the le la les merci thanks et and 3x") == []
    assert stem("bus") == "bus"  # short words are kept whole


@given(st.text(max_size=200))
def test_tokenize_never_fails_and_gives_folded_letters(text: str) -> None:
    for token in tokenize(text):
        assert len(token) >= 2
        assert token == fold(token)


# -- ranking ------------------------------------------------------------------------


def test_missing_bread_ranks_the_missing_item_macro_first() -> None:
    s = suggester()
    assert s.suggest("Bonjour, il manque le pain !")[0][0] == MISSING
    assert s.suggest("my bread wasn't in the bag")[0][0] == MISSING


def test_remboursement_finds_the_refund_macro() -> None:
    ranked = suggester().suggest("remboursement", k=3)
    assert ranked[0][0] == REFUND
    assert all(score > 0 for _, score in ranked)
    assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)


def test_fallback_to_macro_title_and_body_without_examples() -> None:
    s = MacroSuggester([], MACROS)
    assert len(s) == len(MACROS)
    assert s.suggest("my address is wrong")[0][0] == ADDRESS
    assert s.suggest("please change the delivery slot")[0][0] == SLOT
    # Liquid variable names are not words of the macro
    assert s.suggest("customer first name") == []


def test_no_shared_words_gives_no_suggestion() -> None:
    s = suggester()
    assert s.suggest("zzz qqq") == []
    assert s.suggest("") == []
    assert s.suggest("le la les the") == []
    assert s.suggest("bread", k=0) == []
    assert MacroSuggester().suggest("bread") == []


def test_k_limits_the_number_of_suggestions() -> None:
    assert len(suggester().suggest("commande order livraison delivery", k=2)) == 2


def test_ranking_is_deterministic_and_ties_go_by_macro_id() -> None:
    twins = MacroSuggester(
        [], [(9, "Parcel lost", ""), (3, "Parcel lost", ""), (5, "Lost parcel", "")]
    )
    assert [m for m, _ in twins.suggest("lost parcel")] == [3, 5, 9]
    a = suggester().suggest("commande pain livraison remboursement", k=5)
    b = MacroSuggester(list(reversed(EXAMPLES)), list(reversed(MACROS))).suggest(
        "commande pain livraison remboursement", k=5
    )
    assert a == b


def test_add_example_changes_the_ranking() -> None:
    s = suggester()
    query = "le colis est arrivé écrasé"
    assert all(m != ADDRESS for m, _ in s.suggest(query))
    s.add_example(ADDRESS, "Mon colis est arrivé complètement écrasé")
    assert s.suggest(query)[0][0] == ADDRESS
    # a macro seen for the first time through an example can be suggested too
    s.add_example(42, "Le livreur était très impoli")
    assert s.suggest("livreur impoli")[0][0] == 42


def test_add_example_matches_building_from_scratch() -> None:
    incremental = suggester(EXAMPLES[:6])
    for macro_id, text in EXAMPLES[6:]:
        incremental.add_example(macro_id, text)
    assert incremental.suggest("commande annulée, remboursement ?", k=5) == suggester().suggest(
        "commande annulée, remboursement ?", k=5
    )


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_suggestions_are_sorted_positive_and_known(text: str) -> None:
    ranked = suggester().suggest(text, k=3)
    assert len(ranked) <= 3
    assert all(score > 0 and macro_id in {m for m, _, _ in MACROS} for macro_id, score in ranked)
    assert ranked == sorted(ranked, key=lambda item: (-item[1], item[0]))


# -- evaluate -----------------------------------------------------------------------

LABELLED = [(text, macro_id) for macro_id, text in EXAMPLES] + [
    ("où est mon pain ? il manque", MISSING),
    ("bread missing again", MISSING),
    ("rembourser ma commande", REFUND),
    ("refund please, money back", REFUND),
    ("change delivery time to later", SLOT),
    ("cancel the order please", CANCEL),
    ("annuler la commande", CANCEL),
    ("wrong address on the order", ADDRESS),
]


def test_evaluate_reports_accuracy_on_held_out_folds() -> None:
    built: list[list[tuple[int, str]]] = []

    def factory(examples: list[tuple[int, str]]) -> MacroSuggester:
        built.append(examples)
        return MacroSuggester(examples, MACROS)

    result = evaluate(factory, LABELLED, folds=4, seed=1)
    assert result["n"] == len(LABELLED) and result["folds"] == 4
    assert 0.6 <= result["top1"] <= result["top3"] <= 1.0
    assert len(built) == 4
    # every conversation is held out exactly once, and never in its own index
    held_out = [len(LABELLED) - len(examples) for examples in built]
    assert sum(held_out) == len(LABELLED)
    assert evaluate(factory, LABELLED, folds=4, seed=1) == result


def test_evaluate_never_sees_the_predicted_conversation() -> None:
    # A suggester that only recalls exact training texts scores zero if nothing leaks.
    class Recall:
        def __init__(self, examples: list[tuple[int, str]]) -> None:
            self.known = {text: macro_id for macro_id, text in examples}

        def suggest(self, text: str, k: int = 3) -> list[tuple[int, float]]:
            return [(self.known[text], 1.0)] if text in self.known else []

    labelled = [(f"text {i}", i % 3) for i in range(20)]
    assert evaluate(Recall, labelled, folds=5)["top3"] == 0.0


def test_evaluate_edge_cases() -> None:
    assert evaluate(lambda ex: MacroSuggester(ex, MACROS), [])["n"] == 0
    small = evaluate(lambda ex: MacroSuggester(ex, MACROS), LABELLED[:3], folds=10)
    assert small["folds"] == 3
    with pytest.raises(ValueError):
        evaluate(lambda ex: MacroSuggester(ex, MACROS), LABELLED, folds=1)
