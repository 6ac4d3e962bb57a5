"""How the customer pane words the shop's facts: subscription, promo codes, the courier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from rich.console import Console

from deskterm.backend.commerce.facts import (
    UNKNOWN_ACCOUNT,
    AccountFacts,
    AppSeen,
    Delivery,
    PromoUse,
    Subscription,
)
from deskterm.widgets.shop_facts import account_block, delivery_block

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)  # 12:00 in Paris


def text(renderable) -> str:
    console = Console(width=120, color_system=None, record=True)
    console.print(renderable)
    return " ".join(console.export_text().split())


def account(**kw) -> str:
    return text(account_block(kw.pop("facts"), now=NOW, tz=PARIS, pause_key="h",
                              resume_key="H", **kw))  # fmt: skip


def test_an_active_subscription_offers_pause_and_a_paused_one_resume() -> None:
    active = AccountFacts(Subscription("active", "Weekly", NOW + timedelta(days=2)))
    paused = AccountFacts(Subscription("paused", "Weekly"))

    assert "active · Weekly · next Thu 26 Nov 12:00 [h] pause" in account(facts=active)
    assert "paused · Weekly [H] resume" in account(facts=paused)
    assert "Subscription none" in account(facts=AccountFacts())
    assert "[h]" not in account(facts=AccountFacts())


def test_nothing_known_shows_nothing_and_a_failure_one_line() -> None:
    assert account(facts=None) == ""
    assert account(facts=UNKNOWN_ACCOUNT) == ""
    assert account(facts=None, failed="the shop\nfailed") == "Shop: the shop failed"


def test_promo_codes_newest_three_then_a_count() -> None:
    used = tuple(PromoUse(f"CODE{i}", NOW - timedelta(days=i), "applied") for i in range(5))

    said = account(facts=AccountFacts(promos=used))

    assert "CODE0 applied 24 Nov" in said and "CODE2" in said and "CODE3" not in said
    assert "+2 more" in said


def test_the_app_and_its_age() -> None:
    seen = AccountFacts(app=AppSeen("4.13.0", "Pixel 7", NOW - timedelta(days=3)))

    assert "App 4.13.0 · Pixel 7 · seen 3d ago" in account(facts=seen)


def test_where_the_order_is() -> None:
    def where(status: str, eta: datetime | None, courier: str = "") -> str:
        found = delivery_block(
            Delivery("PO-1", status, eta, "3 rue Lepic", courier),  # type: ignore[arg-type]
            now=NOW,
            tz=PARIS,
            key="A",
        )
        return "" if found is None else text(found)

    on_its_way = where("out_for_delivery", NOW + timedelta(minutes=12), "Karim")
    assert "on its way · Karim · ETA 12:12 (in 12 min)" in on_its_way
    assert "[A]" not in on_its_way  # too late to change where it goes
    assert "(late)" in where("out_for_delivery", NOW - timedelta(minutes=1))
    waiting = where("waiting", NOW + timedelta(hours=5))
    assert "kitchen not started · ETA 17:00" in waiting and "(in" not in waiting
    assert "To 3 rue Lepic [A] change" in waiting
    moved = delivery_block(
        Delivery("PO-1", "waiting", None, "3 rue Lepic"), now=NOW, tz=PARIS, key="A",
        usual="12 rue Oberkampf",
    )  # fmt: skip
    assert "3 rue Lepic (this order only)" in text(moved)
    assert "this order only" not in waiting  # no account read: nothing to compare with
    assert where("delivered", None) == ""
    assert where("cancelled", None) == ""
