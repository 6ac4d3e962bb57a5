"""The shop's facts in the customer pane, and the account actions from it: pause and resume
the subscription, a new delivery address before the kitchen starts (refused after), each
undone with u; and how the pane looks with all of it, wide and at 100 columns."""

from __future__ import annotations

from textual.widgets import Input, Static

from deskterm.backend.commerce import store_accounts
from deskterm.domain.models import OrderStatus
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.widgets.customer_panel import CustomerPanel
from tests.app.conftest import SIZE, settle
from tests.app.test_order_actions import _notes, _open_bread_customer_pane, _set_status, _warnings
from tests.app.test_snapshots import _ready
from tests.app.test_workstation import desk

HOME = "12 rue Oberkampf, 75011 Paris"


def give_lea_an_account(store, ids, *, state: str = "active") -> None:
    """Léa subscribes (Thursdays, 19:00); a code she typed holds markup and an escape code."""
    record = {
        "subscription": {
            "state": state,
            "plan": "Popote Hebdo, 4 repas",
            "weekday": 3,
            "hour": 19,
        },
        "address": HOME,
        "promo_codes": [
            {"code": "BIENVENUE10", "used_at": "2026-11-20T12:00:00+00:00", "result": "expired"},
            {
                "code": "[bold]AMI10\x1b[31m",
                "used_at": "2026-10-02T18:00:00+00:00",
                "result": "applied",
            },
        ],
        "app": {"version": "4.13.0", "platform": "iPhone 13", "seen_at": "2026-11-23T19:30:00Z"},
    }
    with store.transaction() as c:
        store_accounts.write_account(c, ids["lea"], record)


def subscription_state(store, ids) -> str:
    with store.transaction() as c:
        record = store_accounts.account_record(c, ids["lea"])
    assert record is not None
    return record["subscription"]["state"]


def account_text(app) -> str:
    """What the pane's account block says, as plain text, its wrapping undone."""
    return _said(app, "#customer-account")


def _said(app, selector: str) -> str:
    static = app.screen.query_one(selector, Static)
    lines = static.render_lines(static.region.reset_offset)
    return " ".join(" ".join(line.text for line in lines).split())


# -- the facts -------------------------------------------------------------------------------


async def test_the_pane_shows_the_account_and_makes_customer_text_inert(make_app, desk_store):
    store, ids = desk_store
    give_lea_an_account(store, ids)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await settle(pilot)
        text = account_text(app)
        assert "active · Popote Hebdo, 4 repas · next Thu 26 Nov 19:00" in text
        assert HOME in text
        assert "BIENVENUE10 expired 20 Nov" in text
        # The code's markup is shown as typed; its escape code never reaches the terminal.
        assert "[bold]AMI10" in text and "\x1b" not in text
        assert "4.13.0 · iPhone 13" in text


async def test_a_customer_without_an_account_shows_no_account_block(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await settle(pilot)
        assert app.screen.query_one("#customer-account", Static).display is False


async def test_the_courier_and_eta_of_an_order_on_its_way(make_app, desk_store):
    store, ids = desk_store
    give_lea_an_account(store, ids)
    _set_status(store, "PO-88213", OrderStatus.OUT_FOR_DELIVERY)
    with store.transaction() as c:
        store_accounts.write_delivery(c, ids["order"], {"courier": "Karim"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await settle(pilot)
        text = _said(app, "#customer-order")
        assert "on its way · Karim · ETA" in text
        assert HOME in text


# -- pause and resume ------------------------------------------------------------------------


async def test_pause_then_undo(make_app, desk_store):
    store, ids = desk_store
    give_lea_an_account(store, ids)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert subscription_state(store, ids) == "paused"
        screen = desk(app)
        assert "Nous avons mis votre abonnement en pause" in screen.composer.text
        assert "Pause the subscription of Léa Martin" in _notes(store, ids["bread"])[-1]
        assert "order.pause" in [e.kind for e in store.events(ids["bread"])]
        assert "paused" in account_text(app) and "[H] resume" in account_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert subscription_state(store, ids) == "active"
        assert "abonnement" not in screen.composer.text  # its sentence left the reply
        assert "Order action undone" in _notes(store, ids["bread"])[-1]


async def test_resume_says_when_the_next_box_comes(make_app, desk_store):
    store, ids = desk_store
    give_lea_an_account(store, ids, state="paused")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("H")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert subscription_state(store, ids) == "active"
        assert (
            "Nous avons repris votre abonnement : votre prochaine livraison est prévue "
            "jeudi à 19h00." in desk(app).composer.text
        )
        await pilot.press("u")
        await settle(pilot)
        assert subscription_state(store, ids) == "paused"


async def test_pausing_a_paused_subscription_is_refused_before_asking(make_app, desk_store):
    store, ids = desk_store
    give_lea_an_account(store, ids, state="paused")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("h")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert "Léa Martin's subscription is already paused." in _warnings(app)
        assert subscription_state(store, ids) == "paused"


async def test_pause_without_a_subscription(make_app, desk_store):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("h")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert "Léa Martin has no subscription." in _warnings(app)


# -- the address -----------------------------------------------------------------------------


async def test_change_the_address_before_the_kitchen_starts_then_undo(make_app, desk_store):
    store, ids = desk_store
    give_lea_an_account(store, ids)
    _set_status(store, "PO-88213", OrderStatus.PLACED)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, TextPromptScreen)
        typed = app.screen.query_one(Input)
        assert typed.value == HOME  # typed over the one it goes to now
        typed.value = "3 rue Lepic, 75018 Paris"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        order = store.order(ids["order"])
        with store.transaction() as c:
            assert store_accounts.delivery_record(c, order.id)["address"] == (
                "3 rue Lepic, 75018 Paris"
            )
        screen = desk(app)
        assert (
            "Nous avons modifié l'adresse de livraison de votre commande PO-88213 : "
            "3 rue Lepic, 75018 Paris." in screen.composer.text
        )
        assert "order.address" in [e.kind for e in store.events(ids["bread"])]
        await pilot.press("u")
        await settle(pilot)
        with store.transaction() as c:
            assert "address" not in store_accounts.delivery_record(c, order.id)
        assert "adresse" not in screen.composer.text


async def test_the_address_is_refused_in_one_line_once_the_kitchen_started(make_app, desk_store):
    store, ids = desk_store
    give_lea_an_account(store, ids)
    _set_status(store, "PO-88213", OrderStatus.PREPARING)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("A")
        await settle(pilot)
        assert not isinstance(app.screen, TextPromptScreen)
        assert _warnings(app)[-1] == (
            "Order PO-88213 is preparing: its delivery address can only change before the "
            "kitchen starts"
        )
        with store.transaction() as c:
            assert store_accounts.delivery_record(c, ids["order"]) == {}


async def test_the_kitchen_starting_while_the_agent_types_is_refused_too(make_app, desk_store):
    store, ids = desk_store
    give_lea_an_account(store, ids)
    _set_status(store, "PO-88213", OrderStatus.PLACED)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("A")
        await settle(pilot)
        app.screen.query_one(Input).value = "3 rue Lepic"
        _set_status(store, "PO-88213", OrderStatus.PREPARING)  # the kitchen, meanwhile
        await pilot.press("enter", "y")
        await settle(pilot)
        assert "before the kitchen starts" in _warnings(app)[-1]
        assert "adresse" not in desk(app).composer.text
        with store.transaction() as c:
            assert store_accounts.delivery_record(c, ids["order"]) == {}


# -- how it looks ----------------------------------------------------------------------------


def _pane_with_everything(store, ids) -> None:
    give_lea_an_account(store, ids)
    _set_status(store, "PO-88213", OrderStatus.OUT_FOR_DELIVERY)
    with store.transaction() as c:
        store_accounts.write_delivery(c, ids["order"], {"courier": "Karim"})


async def _customer_pane(pilot) -> None:
    await _ready(pilot)
    await pilot.press("f3")
    await _ready(pilot)
    assert isinstance(pilot.app.screen.focused, CustomerPanel)


def test_customer_pane_with_the_shops_facts(snap_compare, make_app, desk_store):
    store, ids = desk_store
    _pane_with_everything(store, ids)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_customer_pane)


def test_customer_pane_with_the_shops_facts_at_100_columns(snap_compare, make_app, desk_store):
    store, ids = desk_store
    _pane_with_everything(store, ids)
    assert snap_compare(make_app(), terminal_size=(100, 45), run_before=_customer_pane)


async def test_macros_can_say_the_subscription_and_the_eta(make_app, desk_store):
    store, ids = desk_store
    _pane_with_everything(store, ids)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await settle(pilot)
        context = desk(app).macros._context()
        assert context["customer"]["subscription"] == "actif"  # Léa reads French
        assert context["order"]["eta"] == "10:10"  # as the pane shows it
        assert "ETA 10:10" in _said(app, "#customer-order")


async def test_a_macro_pauses_the_subscription_with_its_reply(make_app, desk_store):
    from tests.app.test_macro_order_actions import _add_macro, _insert

    store, ids = desk_store
    give_lea_an_account(store, ids)
    _add_macro(
        store,
        "Zz pause the subscription",
        "C'est fait {{ customer.first_name }}, votre abonnement est en pause.",
        {"do": "pause"},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _insert(pilot, "zz pause")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # one confirmation, naming the plan
        assert "Popote Hebdo, 4 repas" in app.screen.detail
        await pilot.press("y")
        await settle(pilot, 5)
        assert subscription_state(store, ids) == "paused"
        assert store.messages(ids["bread"])[-1].body.startswith("C'est fait Léa")
        await pilot.press("escape", "u")  # the reply went: u takes back its pause
        await settle(pilot, 5)
        assert subscription_state(store, ids) == "active"


async def test_a_shop_that_cannot_be_asked_is_one_line_in_the_pane(
    make_app, desk_store, monkeypatch
):
    monkeypatch.delenv("SHOP_TOKEN_NOWHERE", raising=False)
    _, ids = desk_store
    app = make_app(
        commerce={
            "provider": "http",
            "base_url": "http://127.0.0.1:9",
            "token_env": "SHOP_TOKEN_NOWHERE",
        }
    )
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await settle(pilot)
        assert account_text(app) == (
            "Shop: No shop token: set SHOP_TOKEN_NOWHERE to the shop's API token"
        )
        assert "Order PO-88213" in _said(app, "#customer-order")  # the rest is all there


async def test_an_order_on_its_way_is_read_again_as_time_goes(make_app, desk_store, clock):
    store, ids = desk_store
    _pane_with_everything(store, ids)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await settle(pilot)
        assert "Karim · ETA 10:10 (in 10 min)" in _said(app, "#customer-order")
        with store.transaction() as c:
            store_accounts.write_delivery(c, ids["order"], {"courier": "Sofia"})
        clock.advance(minutes=15)
        app.screen.query_one(CustomerPanel)._refresh_facts()  # what the minute's timer does
        await settle(pilot)
        said = _said(app, "#customer-order")
        assert "Sofia" in said and "(late)" not in said
        assert "ETA 10:25 (in 10 min)" in said  # 10:15 now, past its ETA: minutes away
