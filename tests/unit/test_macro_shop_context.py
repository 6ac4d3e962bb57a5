"""The shop's facts a macro can say: the customer's subscription and when the order comes."""

from __future__ import annotations

from datetime import UTC, datetime

from deskterm.domain.macros import build_context, render
from tests.unit.test_macros import AGENT, CONVERSATION, customer, order

ETA = datetime(2026, 11, 24, 11, 40, tzinfo=UTC)


def test_subscription_and_eta_in_the_customers_language() -> None:
    fr = build_context(
        customer=customer(language="fr"), agent=AGENT, conversation=CONVERSATION,
        order=order(), tz="Europe/Paris", subscription="paused", eta=ETA,
    )  # fmt: skip
    en = build_context(
        customer=customer(language="en"), agent=AGENT, conversation=CONVERSATION,
        order=order(), tz="Europe/Paris", subscription="active", eta=ETA,
    )  # fmt: skip

    assert render("{{ customer.subscription }} · {{ order.eta }}", fr).text == "en pause · 12:40"
    assert render("{{ customer.subscription }} · {{ order.eta }}", en).text == "active · 12:40"


def test_not_read_yet_shows_a_marker_not_a_guess() -> None:
    ctx = build_context(customer=customer(), agent=AGENT, conversation=CONVERSATION, order=order())

    out = render("{{ customer.subscription }} {{ order.eta }}", ctx)
    assert out.missing == ["customer.subscription", "order.eta"]
