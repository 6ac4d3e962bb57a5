"""Macros that do what they say: the claim detector (English and French), the demo library
kept honest by it, the catalogue's reading of a macro's order actions, and ``deskterm macros
check``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.commerce.base import ActionRefused
from deskterm.backend.commerce.macro_orders import check_order_action, resolve, still_applies
from deskterm.backend.demo.library import LIBRARY
from deskterm.cli import main
from deskterm.domain.macros import claim_warning, claims_in, offered_to, pick_title
from deskterm.domain.models import Macro, MacroAction, Order, OrderItem, OrderStatus

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("I've refunded order PO-1.", ["refund"]),
        ("Je vous ai remboursé le plat abîmé.", ["refund"]),
        ("Je viens de vous le rembourser sur votre carte.", ["refund"]),
        ("J'ai procédé au remboursement de la commande.", ["refund"]),
        ("I've added a €5 voucher to your account.", ["credit"]),
        ("Je vous ai ajouté un bon de 5 € sur votre compte.", ["credit"]),
        ("We'll give you store credit: I've credited your account.", ["credit"]),
        ("On vous a offert un avoir de 10 €.", ["credit"]),
        ("We're sending it with your next delivery, free of charge.", ["resend"]),
        ("Nous vous le renvoyons gratuitement.", ["resend"]),
        ("I've resent the bread.", ["resend"]),
        ("Your order is cancelled and fully refunded.", ["refund", "cancel"]),
        ("Votre commande est annulée et intégralement remboursée.", ["refund", "cancel"]),
        ("I've moved your delivery to 19:00.", ["slot"]),
        ("J'ai décalé votre créneau à 19h.", ["slot"]),
        ("I've updated the delivery address.", ["address"]),
        ("J'ai modifié l'adresse de livraison.", ["address"]),
        ("I’ve refunded the dish you didn’t get.", ["refund"]),  # typographic apostrophes
    ],
)
def test_claims_are_found_in_english_and_french(text: str, claims: list[str]) -> None:
    assert claims_in(text) == claims


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry, I can't cancel it any more.",
        "Toutes mes excuses, je ne peux plus l'annuler.",
        "Je ne peux plus la décaler, elle est en préparation.",
        "I've passed your refund request to our billing team.",
        "J'ai transmis votre demande de remboursement à la facturation.",
        "Would you like me to refund it?",
        "If you'd like a refund, just reply here.",
        "Don't forget to change your default address in the app.",
        "The refund shows on your card within 3 to 5 days.",
        "Bon appétit, et bonne soirée !",
        "Promo codes can't be added afterwards.",
        "Hi {{ customer.first_name }}, your slot is {{ order.delivery_slot }}.",
        "I've sent you a new password reset link.",
    ],
)
def test_no_claim_in_refusals_questions_conditions_and_hand_offs(text: str) -> None:
    assert claims_in(text) == []


_PLAIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ,.'éà\n", max_size=120)


@given(_PLAIN, _PLAIN)
def test_a_claim_is_found_wherever_it_sits_between_plain_sentences(before: str, after: str):
    text = f"{before}.\nI've refunded order PO-1.\n{after}"
    assert "refund" in claims_in(text)


@given(st.text(max_size=300))
def test_the_detector_never_raises_and_names_only_known_claims(text: str) -> None:
    assert set(claims_in(text)) <= {"refund", "credit", "resend", "cancel", "slot", "address"}


def _macro(body: str, *orders: dict, **kw) -> Macro:
    actions = [MacroAction(field="order", value=list(orders))] if orders else []
    return Macro(id=1, title="t", body=body, actions=actions, created_at=T0, updated_at=T0, **kw)


def test_a_warning_names_what_is_claimed_and_what_is_carried() -> None:
    assert claim_warning(_macro("I've refunded it.")) == "claims refund, carries none"
    credit = {"do": "goodwill", "as": "credit", "amount": "5"}
    assert claim_warning(_macro("I've refunded it.", credit)) == (
        "claims refund, carries goodwill (credit)"
    )
    assert claim_warning(_macro("I've refunded it.", {"do": "goodwill"})) is None  # asks which
    french = _macro("Hello.", variants={"fr": "Je vous ai remboursé."})
    assert claim_warning(french) == "claims refund, carries none"  # every language is read


def test_every_demo_macro_carries_what_it_claims() -> None:
    for spec in LIBRARY:
        macro = _macro(spec.en, variants={"fr": spec.fr})
        macro.actions = [MacroAction(**a) for a in spec.actions()]
        assert claim_warning(macro) is None, spec.key
        for action in next((a.value for a in macro.actions if a.field == "order"), []):
            assert check_order_action(action) is None, spec.key


def test_titles_and_the_language_a_macro_is_offered_in() -> None:
    macro = _macro("Merci !", titles={"fr": "Merci"}, language="fr")
    macro.title = "Merci (mine)"
    assert pick_title(macro, "fr-FR") == "Merci" and pick_title(macro, "en") == "Merci (mine)"
    assert offered_to(macro, "fr") and not offered_to(macro, "en")
    macro.variants = {"en": "Thanks!"}
    assert offered_to(macro, "en")  # translated
    assert offered_to(_macro("Hi"), "de")  # no language said: everyone's


# -- the catalogue's reading -----------------------------------------------------------


def _order() -> Order:
    items = [
        OrderItem(id=1, order_id=3, name="Pain de campagne", quantity=2, unit_price_cents=280),
        OrderItem(id=2, order_id=3, name="Pain", quantity=1, unit_price_cents=100),
        OrderItem(id=3, order_id=3, name="Tarama", quantity=1, unit_price_cents=450),
    ]
    return Order(id=3, number="PO-1", customer_id=7, placed_at=T0, total_cents=1110, items=items)


def test_resolve_fills_items_and_amounts_from_the_order() -> None:
    said = {"{{ order.named_items }}": "pain de campagne et tarama", "{{ x }}": "⟦x⟧"}
    found = resolve({"do": "resend", "items": "{{ order.named_items }}"}, _order(), said.get)
    assert [(i.name, q) for i, q in found.items or ()] == [("Pain de campagne", 2), ("Tarama", 1)]
    assert resolve({"do": "resend", "items": "{{ x }}"}, _order(), said.get).items is None
    refund = resolve({"do": "goodwill", "as": "refund", "amount": "4,50 €"}, None, str)
    assert (refund.amount_cents, refund.goodwill_kind) == (450, "refund")
    assert resolve({"do": "goodwill"}, None, str).amount_cents is None  # asked at send


def test_resolve_asks_how_many_of_named_items_only() -> None:
    said = {"{{ order.named_items }}": "pain de campagne"}
    named = resolve({"do": "refund", "items": "{{ order.named_items }}"}, _order(), said.get)
    assert named.how_many and named.refunds
    assert not resolve({"do": "refund", "items": "all"}, _order(), str).how_many


def _still(actions: list[dict], status: OrderStatus, paid: int = 1110, left=None):
    order = _order().model_copy(update={"status": status})
    said = {"{{ order.named_items }}": "pain de campagne"}
    found = [resolve(a, order, said.get) for a in actions]
    left = {1: 2, 2: 1, 3: 1} if left is None else left
    kept, why = still_applies(found, order, paid_left_cents=paid, items_left=left)
    return [m.spec.kind for m in kept], why, kept


CANCEL_AND_REFUND = [{"do": "goodwill", "as": "refund", "amount": "11"}, {"do": "cancel"}]


def test_a_cancelled_order_is_neither_cancelled_nor_refunded_again() -> None:
    kinds, why, _ = _still(CANCEL_AND_REFUND, OrderStatus.CANCELLED)
    assert kinds == []
    assert why == [
        "PO-1 is already cancelled, which refunded it: not refunded again",
        "PO-1 is already cancelled: not cancelled again",
    ]


def test_a_cancel_and_refund_refunds_by_the_cancel() -> None:
    kinds, why, _ = _still(CANCEL_AND_REFUND, OrderStatus.PLACED)
    assert kinds == ["cancel"]
    assert why == ["PO-1: cancelling it refunds it, no second refund"]


def test_an_order_refunded_in_full_is_not_refunded_again_but_credit_stays() -> None:
    actions = [
        {"do": "refund", "items": "all"},
        {"do": "goodwill", "as": "credit", "amount": "5"},
    ]
    kinds, why, _ = _still(actions, OrderStatus.DELIVERED, paid=0)
    assert kinds == ["goodwill"]
    assert why == ["PO-1 is already refunded in full: not refunded again"]
    kinds, why, _ = _still(actions, OrderStatus.REFUNDED)
    assert kinds == ["goodwill"] and len(why) == 1


def test_a_refund_covers_only_what_is_left_to_refund_of_each_item() -> None:
    named = [{"do": "refund", "items": "{{ order.named_items }}"}]
    _, why, [kept] = _still(named, OrderStatus.DELIVERED, left={1: 1, 2: 1, 3: 1})
    assert why == [] and [(i.name, q) for i, q in kept.items or ()] == [("Pain de campagne", 1)]
    kinds, why, _ = _still(named, OrderStatus.DELIVERED, left={1: 0, 2: 1, 3: 1})
    assert kinds == []
    assert why == ["PO-1: Pain de campagne already refunded, not refunded again"]
    kinds, why, _ = _still([{"do": "resend", "items": "all"}], OrderStatus.CANCELLED)
    assert kinds == ["resend"] and why == []


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"do": "teleport"}, "Order action 'teleport' does not exist \\(use resend, slot"),
        ({"do": "cancel", "amount": "5"}, "Order action cancel takes no amount"),
        ({"do": "goodwill", "amount": "5,5,5"}, "Order action goodwill: 5,5,5 is not an amount"),
    ],
)
def test_resolve_refuses_what_the_catalogue_does_not_have(action: dict, message: str) -> None:
    with pytest.raises(ActionRefused, match=message):
        resolve(action, _order(), str)


# -- deskterm macros check ---------------------------------------------------------------


def test_macros_check_passes_the_demo_and_flags_a_refund_it_does_not_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    assert main(["seed", str(db), "--conversations", "20", "--now", "2026-12-04T12:00:00Z"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "macros", "check"]) == 0
    assert capsys.readouterr().out == ""
    library = tmp_path / "extra.toml"
    library.write_text(
        '[[macro]]\ntitle = "Refund, in words only"\nbody = "I\'ve refunded your order."\n'
        '[[macro]]\ntitle = "Refund for real"\nbody = "I\'ve refunded your order."\n'
        'actions = [{field = "order", value = {do = "goodwill", as = "refund"}}]\n',
        encoding="utf-8",
    )
    assert main(["--db", str(db), "macros", "import", str(library)]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "macros", "check"]) == 1
    out = capsys.readouterr().out
    assert out == "'Refund, in words only': claims refund, carries none\n"
    assert main(["macros", "check", str(library)]) == 1  # a file, before it is imported
    assert capsys.readouterr().out == out


def test_macros_import_refuses_an_order_action_the_shop_does_not_have(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library = tmp_path / "bad.toml"
    library.write_text(
        '[[macro]]\ntitle = "x"\nbody = "y"\n'
        'actions = [{field = "order", value = {do = "teleport"}}]\n',
        encoding="utf-8",
    )
    assert main(["--db", str(tmp_path / "d.db"), "macros", "import", str(library)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("deskterm: ") and "order action 'teleport' does not exist" in err
    assert err.count("\n") == 1


def test_a_store_of_version_9_gets_titles_and_languages_for_its_macros(tmp_path: Path) -> None:
    from deskterm.backend.db import connect
    from deskterm.backend.store import Store
    from tests.unit.test_kept_waits import drop_macro_titles

    path = tmp_path / "old.db"
    store = Store(path)
    mid = store.add_macro("Thanks", "Thanks!", titles={"fr": "Merci"}, language="en")
    store.close()
    conn = connect(path)
    drop_macro_titles(conn)
    conn.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    conn.close()
    store = Store(path)
    try:
        macro = store.macro(mid)
        assert macro is not None and macro.body == "Thanks!"
        assert macro.titles == {} and macro.language is None  # nothing invented
        store.upsert_macro_by_title("Thanks", "Thanks!", titles={"fr": "Merci"}, language="en")
        again = store.macro(mid)
        assert again is not None and (again.titles, again.language) == ({"fr": "Merci"}, "en")
    finally:
        store.close()
