"""The customer pane: who this is, what they ordered, what happened before, and what the
shop knows of them (their account, where today's order is: ``shop_facts.py``).

Everything is built as ``Text`` from data: customer-supplied strings never become markup.
The shop's facts are read by the workstation in a worker when the pane asks
(:class:`CustomerPanel.FactsWanted`), and shown when they come back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from deskterm import keymap
from deskterm.backend.commerce.facts import AccountFacts, Delivery
from deskterm.backend.context import ConversationBundle
from deskterm.domain.models import Customer, Order
from deskterm.domain.safety import NAME_CELLS, one_line, sanitize
from deskterm.domain.sla import format_age
from deskterm.widgets.shop_facts import ON_THE_WAY, account_block, delivery_block

#: Notes (a remote's organisation, an agent's memo) are read, not a document: the first
#: few paragraphs of them.
NOTES_CHARS = 2000
#: How often the shop's facts are read again while an order is on its way: its ETA moves.
FACTS_REFRESH_SECONDS = 60.0

CHANNEL_NAMES = {
    "email": "Email",
    "chat": "Chat",
    "whatsapp": "WhatsApp",
    "social": "Social",
    "form": "Form",
    "phone": "Phone",
}


ACTION_HINTS = (
    ("customer.resend", "resend"),
    ("customer.slot", "slot"),
    ("customer.gesture", "gesture"),
    ("customer.cancel", "cancel"),
    ("customer.refund", "refund"),
)


def money(cents: int, currency: str = "EUR") -> str:
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(currency, currency + " ")
    return f"{symbol}{cents / 100:,.2f}"


def slot(order: Order, tz: ZoneInfo) -> str:
    if order.delivery_slot_start is None:
        return "no slot"
    start = order.delivery_slot_start.astimezone(tz)
    text = start.strftime("%a %d %b %H:%M")
    if order.delivery_slot_end is not None:
        text += "–" + order.delivery_slot_end.astimezone(tz).strftime("%H:%M")
    return text


class CustomerPanel(VerticalScroll, can_focus=True):
    """Profile, orders and history of the open conversation's customer."""

    BINDINGS = keymap.bindings("customer")

    DEFAULT_CSS = """
    CustomerPanel { padding: 0 1; }
    CustomerPanel > Static { margin-bottom: 1; }
    CustomerPanel .empty { color: $text-muted; }
    """

    class OpenConversation(Message):
        def __init__(self, conversation_id: int) -> None:
            super().__init__()
            self.conversation_id = conversation_id

    class OrderActionRequested(Message):
        """The agent asked for an order action (``resend``, ``slot``, ``goodwill``,
        ``cancel``, ``pause``, ``resume``, ``address``: an entry of the commerce catalogue)
        on the order shown (None: the customer has no order)."""

        def __init__(self, kind: str, order: Order | None) -> None:
            super().__init__()
            self.kind = kind
            self.order = order

    class FactsWanted(Message):
        """The pane shows ``customer`` and ``order``: the shop's facts of them are wanted
        (read in a worker, handed back by :meth:`CustomerPanel.show_facts`)."""

        def __init__(self, customer: Customer, order: Order | None) -> None:
            super().__init__()
            self.customer = customer
            self.order = order

    def __init__(
        self,
        *,
        tz: ZoneInfo,
        clock: Callable[[], datetime],
        shop_tz: ZoneInfo | None = None,
        keymap_overrides: Mapping[str, str] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.tz = tz
        #: Delivery slots are shown on the shop's clock: the one the customer speaks in.
        self.shop_tz = shop_tz or tz
        self.clock = clock
        #: The config's remapped keys, so that the hints name the keys that work.
        self.keymap_overrides: Mapping[str, str] = keymap_overrides or {}
        self.bundle: ConversationBundle | None = None
        self._past_index = 0
        #: The shop's facts as last read: whose, the account (or why it failed), the delivery.
        self._facts_of: int | None = None
        self._account: AccountFacts | None = None
        self._account_failed = ""
        self._delivery: Delivery | None = None

    def on_mount(self) -> None:
        self.set_interval(FACTS_REFRESH_SECONDS, self._refresh_facts)

    def _refresh_facts(self) -> None:
        """Read the facts again while the order shown is still to come (its courier moves,
        its ETA with it); nothing for a delivered order or a pane off screen."""
        delivery = self._delivery
        if delivery is not None and delivery.status in ON_THE_WAY and self.display:
            self._want_facts()

    def compose(self):
        yield Static(Text("No conversation open.", style="dim"), id="customer-profile")
        yield Static(id="customer-account")
        yield Static(id="customer-order")
        yield Static(id="customer-past")

    def show(self, bundle: ConversationBundle | None) -> None:
        self.bundle = bundle
        self._past_index = 0
        customer = bundle.customer if bundle is not None else None
        if customer is None or customer.id != self._facts_of:
            # Another customer: nothing of the last one's account stays on screen. The same
            # one read again keeps what it showed until the new facts come.
            self._facts_of = customer.id if customer is not None else None
            self._account, self._account_failed, self._delivery = None, "", None
        self._render_all()
        self._want_facts()

    def _want_facts(self) -> None:
        b = self.bundle
        if b is not None and b.customer is not None:
            self.post_message(self.FactsWanted(b.customer, b.order))

    def show_facts(
        self,
        customer_id: int,
        account: AccountFacts | None,
        delivery: Delivery | None,
        *,
        failed: str = "",
    ) -> None:
        """The shop's facts of ``customer_id`` (and the delivery of one of their orders), as
        read; ``failed`` says why they could not be. Ignored once another customer is shown."""
        if customer_id != self._facts_of:
            return
        self._account, self._delivery, self._account_failed = account, delivery, failed
        self._render_all()

    def shown_facts(self) -> tuple[AccountFacts | None, Delivery | None]:
        """The shop's facts on screen: the account of the customer shown, the delivery of
        the order shown (None where not read yet)."""
        b = self.bundle
        if b is None or b.customer is None or b.customer.id != self._facts_of:
            return None, None
        order = b.order
        delivery = self._delivery
        if delivery is None or order is None or delivery.order_number != order.number:
            delivery = None
        return self._account, delivery

    def _render_all(self) -> None:
        profile = self.query_one("#customer-profile", Static)
        account = self.query_one("#customer-account", Static)
        order = self.query_one("#customer-order", Static)
        past = self.query_one("#customer-past", Static)
        b = self.bundle
        if b is None or b.customer is None:
            profile.update(Text("No conversation open.", style="dim"))
            account.update("")
            account.display = False
            order.update("")
            past.update("")
            return
        profile.update(self._profile(b))
        facts = account_block(
            self._account,
            failed=self._account_failed,
            now=self.clock(),
            tz=self.shop_tz,
            pause_key=self._key("customer.pause"),
            resume_key=self._key("customer.resume"),
        )
        account.update(facts)
        account.display = bool(facts)
        order.update(self._order(b))
        past.update(self._past(b))

    def _profile(self, b: ConversationBundle) -> RenderableType:
        c = b.customer
        assert c is not None
        now: datetime = self.clock()
        title = Text()
        title.append(one_line(c.name, NAME_CELLS), style="bold")
        if c.vip:
            title.append("  ★ VIP", style="bold yellow")
        lines: list[RenderableType] = [title]
        # A customer first seen today (a new mailbox sender, a requestor new to RT) is new,
        # not a customer "for now" or "for 3m".
        known = (
            "new customer"
            if now - c.created_at < timedelta(days=1)
            else f"customer for {format_age(c.created_at, now)}"
        )
        lines.append(Text(f"{c.language.upper()} · {known}", style="dim"))
        for h in c.handles:
            line = Text(f"{CHANNEL_NAMES.get(str(h.channel), str(h.channel))}: ", style="dim")
            line.append(one_line(h.value, NAME_CELLS))
            lines.append(line)
        lines.append(Text(f"{b.orders_count} orders · {money(b.spend_cents)} lifetime"))
        for problem in b.problems[:3]:
            line = Text("⚑ Problem: ", style="bold")
            line.append(one_line(problem.title, 40))
            line.append(f" · {problem.status.label}", style="dim")
            lines.append(line)
        if b.goodwill_cents:
            lines.append(Text(f"Goodwill, last 90 days: {money(b.goodwill_cents)}", style="italic"))
        if c.notes.strip():
            lines.append(Text("Notes", style="bold"))
            lines.append(Text(sanitize(c.notes, max_chars=NOTES_CHARS)))
        return Group(*lines)

    def _order(self, b: ConversationBundle) -> RenderableType:
        o = b.order
        if o is None:
            return Text("No orders.", style="dim")
        head = Text()
        head.append(f"Order {one_line(o.number, 30)}", style="bold")
        head.append(f"  {b.order_index % len(b.orders) + 1}/{len(b.orders)}  [ ]", style="dim")
        lines: list[RenderableType] = [head]
        if o.parent_order_id is not None:
            # Not one of the customer's "N orders": items sent again for one of them.
            origin = next((p.number for p in b.orders if p.id == o.parent_order_id), None)
            lines.append(
                Text(f"items sent again{f' for {one_line(origin, 30)}' if origin else ''}")
            )
        lines.append(Text(f"{o.status.value.replace('_', ' ')} · {slot(o, self.shop_tz)}"))
        delivery = self._delivery
        if delivery is not None and delivery.order_number == o.number:
            where = delivery_block(
                delivery,
                now=self.clock(),
                tz=self.shop_tz,
                key=self._key("customer.address"),
                usual=self._account.address if self._account else "",
            )
            if where is not None:
                lines.append(where)
        for item in o.items:
            line = Text(f"  {item.quantity}× ")
            line.append(one_line(item.name, NAME_CELLS))
            line.append(
                f"  {money(item.unit_price_cents * item.quantity, o.currency)}", style="dim"
            )
            refunded = b.refunded.get(o.id, {}).get(item.id, 0)
            if refunded:
                all_of_it = refunded >= item.quantity
                line.append(" · refunded" if all_of_it else f" · {refunded} refunded", "yellow")
            lines.append(line)
        lines.append(Text(f"Total {money(o.total_cents, o.currency)}", style="bold"))
        lines.append(self._action_keys())
        return Group(*lines)

    def _action_keys(self) -> Text:
        """The order actions and their keys (as remapped); they act when this pane has focus."""
        hint = Text(style="dim")
        for binding_id, label in ACTION_HINTS:
            hint.append(f"[{self._key(binding_id)}]", style="bold")
            hint.append(f" {label}  ")
        return hint

    def _key(self, binding_id: str) -> str:
        """The first key of an action, as remapped."""
        return keymap.keys_for(binding_id, self.keymap_overrides).split(",")[0]

    def _past(self, b: ConversationBundle) -> RenderableType:
        if not b.past:
            return Text("No other conversations.", style="dim")
        now = self.clock()
        lines: list[RenderableType] = [
            Text(f"Past conversations ({len(b.past)})  o open", style="bold")
        ]
        for i, conv in enumerate(b.past):
            marker = "›" if i == self._past_index else " "
            line = Text(f"{marker} {format_age(conv.created_at, now):>3} {conv.status.value:<7} ")
            line.append(one_line(conv.subject, 40))
            if conv.tags:
                line.append("  " + " ".join(conv.tags[:2]), style="dim")
            lines.append(line)
        return Group(*lines)

    def action_next_order(self) -> None:
        if self.bundle and self.bundle.orders:
            self.bundle.order_index = (self.bundle.order_index + 1) % len(self.bundle.orders)
            self._render_all()
            self._want_facts()  # that order's delivery

    def action_previous_order(self) -> None:
        if self.bundle and self.bundle.orders:
            self.bundle.order_index = (self.bundle.order_index - 1) % len(self.bundle.orders)
            self._render_all()
            self._want_facts()

    def action_open_past(self) -> None:
        if self.bundle and self.bundle.past:
            target = self.bundle.past[self._past_index % len(self.bundle.past)]
            self.post_message(self.OpenConversation(target.id))

    def action_order_action(self, kind: str) -> None:
        if self.bundle is not None and self.bundle.customer is not None:
            self.post_message(self.OrderActionRequested(kind, self.bundle.order))
        else:
            self.notify("Open a conversation first (enter).")
