"""The shop's facts the customer pane shows, read off the event loop: the customer's account
and the delivery of the order on screen, through the same provider as the order actions.

The pane asks (``CustomerPanel.FactsWanted``) each time it shows a customer or another of
their orders; one worker at a time reads (a newer ask replaces an older one), and the pane
drops what comes back for a customer it no longer shows. A shop that cannot be reached is one
dim line in the pane, never a wait and never a modal.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

from deskterm.backend.commerce.base import ActionFailed, ActionRefused, CommerceProvider
from deskterm.backend.commerce.facts import AccountFacts, Delivery
from deskterm.domain.models import Customer, Order
from deskterm.screens.workstation.host import Host

if TYPE_CHECKING:
    from deskterm.widgets.customer_panel import CustomerPanel


class FactsHost(Host, Protocol):
    """What reading the shop's facts needs of the workstation."""

    @property
    def customer(self) -> CustomerPanel: ...


class ShopFacts:
    """Reads the customer's account and their order's delivery for the customer pane."""

    def __init__(self, host: FactsHost, provider: Callable[[], CommerceProvider]) -> None:
        self.host = host
        self.provider = provider

    def read(self, customer: Customer, order: Order | None) -> None:
        """Read them in a worker; the pane shows them when they come back."""
        work = partial(self._read, customer, order)
        self.host.in_thread(work, group="shop-facts", name="read_shop_facts", exclusive=True)

    def _read(self, customer: Customer, order: Order | None) -> None:
        account: AccountFacts | None = None
        delivery: Delivery | None = None
        failed = ""
        try:
            provider = self.provider()
            account = provider.account(customer)
            if order is not None:
                delivery = provider.delivery(order)
        except (ActionFailed, ActionRefused) as exc:
            failed = exc.reason
        self.host.from_thread(
            self.host.customer.show_facts, customer.id, account, delivery, failed=failed
        )
