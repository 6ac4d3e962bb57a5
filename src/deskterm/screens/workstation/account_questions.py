"""What the subscription and address actions ask before the customer pane confirms them.

Pause and resume read the subscription first: the confirmation names it, and pausing what is
paused (or resuming what runs, or either without a subscription) is refused in one line
before anything is asked. A new address is typed over the one the order goes to now, and an
order the kitchen started on is refused at once (the provider checks again when it acts).
The reads run in a worker: the screen never waits on the shop.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from deskterm.backend.commerce.base import ActionFailed, ActionRefused, CommerceProvider
from deskterm.backend.commerce.catalogue import OrderActionSpec
from deskterm.backend.commerce.facts import ADDRESS_CHARS, ADDRESS_OPEN, address_closed
from deskterm.backend.commerce.jobs import OrderJob
from deskterm.domain.models import Customer, Order
from deskterm.domain.safety import one_line
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.screens.workstation.host import Host

Then = Callable[[OrderJob], None]


class AccountQuestions:
    """Asks what pause, resume and address need; hands the job to ``then``."""

    def __init__(
        self,
        host: Host,
        commerce: Callable[[], CommerceProvider],
        tell: Callable[..., None],
    ) -> None:
        self.host = host
        self.commerce = commerce
        self._tell = tell

    def ask_subscription(
        self, spec: OrderActionSpec, cid: int, customer: Customer, order: Order | None, then: Then
    ) -> None:
        work = partial(self._load_subscription, spec, cid, customer, order, then)
        self.host.in_thread(work, group="commerce", name="_load_subscription")

    def ask_address(
        self, spec: OrderActionSpec, cid: int, customer: Customer, order: Order, then: Then
    ) -> None:
        work = partial(self._load_address, spec, cid, customer, order, then)
        self.host.in_thread(work, group="commerce", name="_load_address")

    def _load_subscription(self, spec: OrderActionSpec, cid, customer, order, then) -> None:
        """Read the subscription first: the confirmation names it, and pausing what is
        paused (or has none) is refused in one line before anything is asked."""
        try:
            sub = self.commerce().account(customer).subscription
        except (ActionRefused, ActionFailed) as exc:
            self.host.from_thread(self._tell, exc.reason, severity="warning")
            return
        name = one_line(customer.name, 40)
        wanted = "active" if spec.kind == "pause" else "paused"
        if sub.state == "none":
            self.host.from_thread(self._tell, f"{name} has no subscription.", severity="warning")
            return
        if sub.state != wanted:
            said = f"{name}'s subscription is already {sub.state}."
            self.host.from_thread(self._tell, said, severity="warning")
            return
        whose = name + (f" ({one_line(sub.plan, 40)})" if sub.plan else "")
        if sub.next_delivery is not None:
            whose += f", from the box of {self._when(sub.next_delivery)}"
        job = OrderJob(spec.kind, cid, customer, order, spec.summary(order, whose))
        self.host.from_thread(then, job)

    def _when(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.host.desk.shop_tz):%a %d %b %H:%M}"

    def _load_address(self, spec: OrderActionSpec, cid, customer, order: Order, then) -> None:
        """Read where the order goes now (refused at once once the kitchen started), then
        ask for the new address over the current one."""
        if order.status.value not in ADDRESS_OPEN:
            why = address_closed(one_line(order.number, 30), order.status.value)
            self.host.from_thread(self._tell, why, title="Not done", severity="warning")
            return
        try:
            current = self.commerce().delivery(order).address
        except (ActionRefused, ActionFailed):
            current = ""  # the shop may still take the change: ask all the same
        self.host.from_thread(self._ask_address, spec, cid, customer, order, current, then)

    def _ask_address(self, spec, cid, customer, order: Order, current: str, then) -> None:
        def typed(text: str | None) -> None:
            if text is None:
                return
            address = " ".join(text.split())
            if not address:
                self._tell("Type the new delivery address.", severity="warning")
                return
            if len(address) > ADDRESS_CHARS:
                self._tell(f"An address fits in {ADDRESS_CHARS} characters.", severity="warning")
                return
            if address == " ".join(current.split()):
                self._tell("That is where the order goes already.", severity="warning")
                return
            summary = spec.summary(order, one_line(address, ADDRESS_CHARS))
            then(OrderJob(spec.kind, cid, customer, order, summary, address=address))

        now_at = one_line(current, ADDRESS_CHARS) or "not known"
        self.host.ask(
            TextPromptScreen(
                f"New delivery address for order {one_line(order.number, 30)}",
                one_line(current, ADDRESS_CHARS),
                detail=f"Now: {now_at}. Only before the kitchen starts on it.",
            ),
            typed,
        )
