"""The order a customer means by the dish they name, and the order the customer pane shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.context import relevant_order_index
from deskterm.domain.item_mentions import (
    LITTLE_WORDS,
    RECENT,
    mentions,
    named_order,
    names,
    words,
)
from deskterm.domain.models import AuthorKind, Message, Order, OrderItem

T0 = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def order(oid: int, number: str, *dishes: str, days_ago: int = 0, parent: int | None = None):
    return Order(
        id=oid,
        number=number,
        customer_id=1,
        placed_at=T0 - timedelta(days=days_ago),
        parent_order_id=parent,
        items=[OrderItem(id=oid * 10 + i, order_id=oid, name=d) for i, d in enumerate(dishes)],
    )


def at_t0(texts: list[str]) -> list[tuple[str, datetime]]:
    """What the customer wrote, newest first, all written at T0."""
    return [(t, T0) for t in texts]


def message(body: str, kind: AuthorKind = AuthorKind.CUSTOMER, mid: int = 1) -> Message:
    return Message(id=mid, conversation_id=1, author_kind=kind, body=body, created_at=T0)


# Newest first, as the store reads them.
LATEST = order(3, "PO-3003", "Houmous", "Tiramisu")
PAD_THAI = order(2, "PO-2002", "Pad thaï", "Nems", days_ago=2)
OLDER_PAD_THAI = order(1, "PO-1001", "Pad thaï", "Tiramisu", days_ago=3)
ORDERS = [LATEST, PAD_THAI, OLDER_PAD_THAI]


def test_the_ways_a_customer_names_a_dish():
    for said in (
        "la boîte de Pad thaï était froide",
        "the pad thai was cold",
        "pad thaï",
        "PAD THAI !!",
        "mes deux pad thaïs",
        "the pad-thai",
    ):
        assert names("Pad thaï", said), said
    assert names("Tiramisu", "two tiramisus please")
    assert names("Gâteau au chocolat", "les gateaux chocolat")
    assert not names("Pad thaï", "a pad of paper, thai basil")
    assert not names("Pad thaï", "")
    assert not names("", "anything")  # a name of little words names nothing


def test_customers_shorten_a_dish_to_its_first_words():
    assert names("Pad thaï aux crevettes", "la boîte de Pad thaï était froide")
    assert names("Saumon et riz noir", "le saumon était immangeable")
    assert names("Dahl de lentilles corail", "the dahl")
    assert not names("Eau pétillante", "de l'eau partout")  # "eau" alone tells nothing apart
    assert not names("Pad thaï aux crevettes", "des crevettes")  # its first words, not any


def test_the_longest_name_said_is_the_one_meant():
    dishes = [words(d) for d in ("Salade César", "Salade de lentilles", "Pad thaï")]
    assert mentions("la salade de lentilles et le pad thaï", dishes) == [
        frozenset({words("Salade de lentilles")}),
        frozenset({words("Pad thaï")}),
    ]
    # "la salade" alone may be either.
    assert mentions("la salade", dishes) == [
        frozenset({words("Salade César"), words("Salade de lentilles")})
    ]


def test_a_short_name_means_any_dish_it_starts():
    newer = order(2, "PO-2", "Pain complet", "Houmous")
    older = order(1, "PO-1", "Pain de campagne", "Salade de lentilles", days_ago=1)
    assert named_order([newer, older], at_t0(["il manque le pain"])) == 0
    assert named_order([newer, older], at_t0(["il manque le pain de campagne"])) == 1
    assert named_order([newer, older], at_t0(["la salade et le pain"])) == 1


def test_the_newest_order_holding_the_dish_is_meant():
    assert named_order(ORDERS, at_t0(["la boîte de Pad thaï était froide"])) == 1


def test_every_dish_named_narrows_to_the_order_holding_them_all():
    assert named_order(ORDERS, at_t0(["le pad thaï et le tiramisu"])) == 2


def test_dishes_of_different_orders_are_ambiguous():
    assert named_order(ORDERS, at_t0(["les nems et le houmous"])) is None


def test_the_newest_message_naming_a_dish_decides():
    said = ["merci !", "en fait c'était le houmous", "le pad thaï était froid"]  # newest first
    assert named_order(ORDERS, at_t0(said)) == 0


def test_the_longer_name_is_the_one_meant():
    orders = [order(2, "PO-2", "Pad thaï"), order(1, "PO-1", "Pad thaï crevettes", days_ago=3)]
    assert named_order(orders, at_t0(["le pad thaï crevettes"])) == 1
    assert named_order(orders, at_t0(["le pad thaï"])) == 0


def test_follow_up_orders_are_not_what_a_customer_names():
    follow_up = order(4, "PO-2002-R1", "Pad thaï", parent=2)
    assert named_order([follow_up, *ORDERS], at_t0(["le pad thaï"])) == 2


def test_an_old_order_is_not_what_a_dish_names():
    """Three weeks ago's salade César is not what "la salade César au lieu du dahl" means."""
    old = order(1, "PO-1", "Salade César", days_ago=19)
    assert named_order([LATEST, old], at_t0(["la salade César au lieu du dahl"])) is None
    written_then = [("la salade César", T0 - timedelta(days=18))]
    assert named_order([LATEST, old], written_then) == 1


def test_nothing_named():
    assert named_order(ORDERS, at_t0(["bonjour", "où est ma commande ?"])) is None
    assert named_order([], at_t0(["le pad thaï"])) is None


def test_the_pane_shows_the_order_by_number_then_by_dish_then_the_latest():
    by_number = [message("ma commande PO-1001"), message("le pad thaï", mid=2)]
    assert relevant_order_index(ORDERS, by_number) == 2
    assert relevant_order_index(ORDERS, [message("le pad thaï était froid")]) == 1
    assert relevant_order_index(ORDERS, [message("les nems et le houmous")]) == 0  # ambiguous
    assert relevant_order_index(ORDERS, [message("bonjour")]) == 0


def test_only_the_customer_names_what_they_mean():
    thread = [
        message("il manque quelque chose"),
        message("Je regarde votre pad thaï", AuthorKind.AGENT, mid=2),
    ]
    assert relevant_order_index(ORDERS, thread) == 0


# -- properties ----------------------------------------------------------------------------

_letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàïôç", min_size=2, max_size=8)
_names = st.lists(_letters, min_size=1, max_size=3).map(" ".join).filter(lambda n: words(n))
_articles = st.sampled_from(["", "le ", "la ", "the ", "l'", "la boîte de ", "my two "])
_noise = st.text(alphabet="abc xyz.,!?", max_size=20)


def _shout_plural(name: str) -> str:
    return name.upper() + "S"


@given(_names, _articles, _noise, _noise)
def test_a_name_is_found_whatever_surrounds_it(name, article, before, after):
    assert names(name, f"{before} {article}{name} {after}")


# Plurals are heard on words of three letters or more ("pads", not "as").
_dish_words = st.text(alphabet="abcdefghijklmnopqrtuvwyzéèàïôç", min_size=3, max_size=8)
_dish_names = st.lists(_dish_words, min_size=1, max_size=3).map(" ".join).filter(words)


@given(_dish_names, _articles)
def test_case_accents_and_plural_do_not_hide_a_name(name, article):
    assert names(name, f"{article}{_shout_plural(name)}")


@given(_names)
def test_little_words_alone_never_name_a_dish(name):
    assert not names(name, " ".join(sorted(LITTLE_WORDS)))


@given(
    st.lists(st.lists(_names, min_size=1, max_size=3), min_size=1, max_size=5),
    st.lists(st.text(max_size=40), max_size=4),
)
def test_the_order_meant_holds_every_dish_named_and_is_the_newest_such(dishes, said):
    orders = [order(i + 1, f"PO-{i}", *d, days_ago=i) for i, d in enumerate(dishes)]
    found = named_order(orders, at_t0(said))
    if found is None:
        return
    assert 0 <= found < len(orders)
    assert orders[found].placed_at >= T0 - RECENT
    recent = [o for o in orders if o.placed_at >= T0 - RECENT]
    text = next(t for t in said if any(names(i.name, t) for o in recent for i in o.items))
    held = {words(i.name) for i in orders[found].items if names(i.name, text)}
    assert held  # it holds a dish the deciding message names
    for newer in orders[:found]:  # and no newer order holds them all
        assert not held <= {words(i.name) for i in newer.items}
    assert relevant_order_index(orders, []) == 0
