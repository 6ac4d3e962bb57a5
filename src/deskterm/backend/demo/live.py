"""The demo, alive: while the app runs, customers start conversations and answer agents.

``LiveDemo.step()`` writes what is due by its clock through the store's ordinary writes (a
conversation opened, a customer's message added), each one short transaction: routing
rules, kept waits, events, wake-ups and SLA clocks follow as for any real arrival. New
conversations come as a Poisson stream of ``rate_per_hour``; each agent reply may get an
answer a little later (see :mod:`.live_words`); a customer nobody answers may chase. The
same seed, store and clock readings give the same writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from random import Random

from deskterm.backend.db import StoreError, dt, ts
from deskterm.backend.demo import catalog as cat
from deskterm.backend.demo.live_words import Said, Seen, answer, chase
from deskterm.backend.demo.orders import OrderBook, OrderInfo
from deskterm.backend.demo.playback import Batch
from deskterm.backend.demo.render import SOCIAL, WHATSAPP, Customers, Renderer
from deskterm.backend.demo.replies import VAGUE, customer_text
from deskterm.backend.demo.threads import CHANNELS, NEW, Plan, Planner, weighted
from deskterm.backend.demo.timing import utc_offset
from deskterm.backend.demo.wording import fill, fit_to_hour
from deskterm.backend.rows import UNTIL_REPLY_TS
from deskterm.backend.store import Store
from deskterm.domain.models import AuthorKind, Channel, Order

PHOTO = [{"filename": "photo.jpg", "content_type": "image/jpeg", "size": 412_337}]
#: Conversations waiting on a customer when the demo starts are answered within this long.
WARM_UP_SECONDS = 900
#: How far back the demo looks for conversations waiting on a customer when it starts
#: (a customer may send the photo asked for two days later).
RECENT_SECONDS = 3 * 86400
_DISHES = {d.name: d for d in cat.MENU}


@dataclass(frozen=True)
class Written:
    """What one step wrote: a new conversation, or a customer's message in one."""

    conversation_id: int
    kind: str  # new, or what the customer said (see live_words.Said.kind)


@dataclass
class _Due:
    at: int
    after_message: int  # the agent reply it answers (0: a chase of an unanswered one)


@dataclass(frozen=True)
class _Customer:
    id: int
    first: str
    full: str
    language: str
    flags: int


class LiveDemo:
    """Customers writing into a demo store, as time passes on ``clock``."""

    def __init__(
        self,
        store: Store,
        *,
        rate_per_hour: float,
        seed: int = 7,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.rate = rate_per_hour
        self.seed = seed
        self.clock = clock or store.now
        self.rng = Random(seed)
        self.planner = Planner(self.rng)
        self._customers: list[_Customer] = []
        self._groups: set[int] = set()
        self._renderer: Renderer | None = None
        self._follow_renderer: Renderer | None = None
        self._next_arrival = 0.0
        self._seen_message = 0
        self._due: dict[int, _Due] = {}
        self.started = False

    # -- the clock -----------------------------------------------------------------------

    def step(self) -> list[Written]:
        """Write everything due by now; what was written, in order."""
        now = ts(self.clock()) or 0
        if not self.started:
            self._start(now)
        written: list[Written] = []
        self._watch_replies(now)
        for cid in sorted(self._due, key=lambda c: (self._due[c].at, c)):
            due = self._due[cid]
            if due.at <= now:
                del self._due[cid]
                said = self._react(cid, due, now)
                if said is not None:
                    written.append(Written(cid, said))
        while self.rate > 0 and self._next_arrival <= now:
            at = int(self._next_arrival)
            written.append(Written(self._new_conversation(at), "new"))
            self._next_arrival += self._gap()
        return written

    def resume(self, paused_seconds: float) -> None:
        """After a pause: nothing was due meanwhile, everything moves on by the pause."""
        shift = int(paused_seconds)
        self._next_arrival += shift
        for due in self._due.values():
            due.at += shift

    def _gap(self) -> float:
        return self.rng.expovariate(self.rate / 3600) if self.rate > 0 else float("inf")

    # -- starting --------------------------------------------------------------------------

    def _start(self, now: int) -> None:
        """Read the customers and groups, and who is waiting to be answered or to answer."""
        self.started = True
        conn = self.store.conn
        handles: dict[int, set[str]] = {}
        for customer_id, channel in conn.execute(
            "SELECT customer_id, channel FROM customer_handles"
        ):
            handles.setdefault(int(customer_id), set()).add(str(channel))
        for cid, name, language in conn.execute(
            "SELECT id, name, language FROM customers ORDER BY id"
        ):
            kinds = handles.get(int(cid), set())
            flags = WHATSAPP * ("whatsapp" in kinds) | SOCIAL * ("social" in kinds)
            full = str(name)
            self._customers.append(
                _Customer(int(cid), full.split(" ", 1)[0], full, str(language), flags)
            )
        self._groups = {int(r[0]) for r in conn.execute("SELECT id FROM groups")}
        if not self._customers:
            raise StoreError(f"{self.store.path} has no customers: the live demo needs a demo")
        top = conn.execute("SELECT coalesce(max(id), 0) FROM orders").fetchone()[0]
        book = OrderBook(self.rng, capacity=int(top) + 100_000)
        book.next_id = int(top) + 1
        policies = self.store.sla_policies()
        self._renderer = Renderer(self.rng, now, Customers(), book, policies)
        self._follow_renderer = Renderer(Random(), now, Customers(), book, policies)
        self._seen_message = int(
            conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
        )
        self._next_arrival = now + self._gap()
        # Who waits on a customer, and customers waiting on a first answer, from before.
        for cid, last_agent, waiting in conn.execute(
            "SELECT id, last_agent_message_at, last_agent_message_at IS NULL FROM conversations "
            "WHERE bucket != 'done' AND last_message_at > ? AND (last_agent_message_at IS NULL "
            "OR last_customer_message_at IS NULL "
            "OR last_agent_message_at >= last_customer_message_at) ORDER BY id",
            (now - RECENT_SECONDS,),
        ):
            rng = Random(f"{self.seed}:start:{cid}")
            if waiting or last_agent is not None:
                self._due[int(cid)] = _Due(now + rng.randrange(5, WARM_UP_SECONDS), -1)

    # -- what agents did -------------------------------------------------------------------

    def _watch_replies(self, now: int) -> None:
        """Every public agent reply since the last step: its customer may answer later."""
        rows = self.store.conn.execute(
            "SELECT m.id, m.conversation_id, c.channel FROM messages m "
            "JOIN conversations c ON c.id = m.conversation_id "
            "WHERE m.id > ? AND m.author_kind = 'agent' AND m.public = 1 ORDER BY m.id",
            (self._seen_message,),
        ).fetchall()
        top = self.store.conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
        self._seen_message = max(self._seen_message, int(top))
        for mid, cid, channel in rows:
            rng = Random(f"{self.seed}:{cid}:{mid}")
            if Channel(channel).instant:
                delay = min(360, 15 + rng.lognormvariate(3.8, 0.7))  # a minute or so
            else:
                delay = min(1200, 60 + rng.lognormvariate(5.3, 0.6))  # a few minutes
            self._due[int(cid)] = _Due(now + int(delay), int(mid))

    # -- customers writing -----------------------------------------------------------------

    def _react(self, cid: int, due: _Due, now: int) -> str | None:
        """The customer of ``cid`` writes back (or chases), if the thread still calls for it."""
        row = self.store.conn.execute(
            "SELECT c.channel, c.status, c.snoozed_until, c.tags, c.customer_id, "
            "c.last_agent_message_at, c.last_customer_message_at, cu.language, cu.name, "
            "(SELECT max(id) FROM messages m WHERE m.conversation_id = c.id "
            " AND m.author_kind = 'agent' AND m.public = 1) AS reply_id, "
            "(SELECT body FROM messages m WHERE m.conversation_id = c.id "
            " AND m.author_kind = 'customer' ORDER BY id LIMIT 1) AS opening "
            "FROM conversations c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?",
            (cid,),
        ).fetchone()
        if row is None:
            return None
        reply_id = row["reply_id"]
        if due.after_message > 0 and reply_id != due.after_message:
            return None  # another reply came since: its own answer is planned
        last_agent, last_customer = row["last_agent_message_at"], row["last_customer_message_at"]
        if reply_id is not None and last_customer is not None and last_customer > last_agent:
            return None  # the customer wrote since the reply
        reply = ""
        if reply_id is not None:
            reply = str(
                self.store.conn.execute(
                    "SELECT body FROM messages WHERE id = ?", (reply_id,)
                ).fetchone()[0]
            )
        orders = self.store.orders(int(row["customer_id"]), limit=1)
        seen = Seen(
            language=str(row["language"]),
            answered=reply_id is not None,
            last_reply=reply,
            waits_on_customer=row["snoozed_until"] == UNTIL_REPLY_TS,
            done=row["status"] == "done",
            tags=str(row["tags"]),
            order=orders[0].number if orders else "",
            vague=any(v in str(row["opening"]) for v in VAGUE.first[_lang(row["language"])]),
        )
        rng = Random(f"{self.seed}:{cid}:{due.after_message}:said")
        said = answer(rng, seen) if seen.answered else chase(rng, seen)
        if said is None:
            return None
        channel = Channel(row["channel"])
        slots = self._slots_of_order(rng, seen, str(row["name"]), now, orders)
        body = self._words(rng, said, channel, seen.language, slots, now, first=False)
        self.store.add_message(
            cid,
            author_kind=AuthorKind.CUSTOMER,
            author_name=str(row["name"]),
            body=body,
            attachments=PHOTO if said.photo else (),
            created_at=dt(now),
        )
        return said.kind

    def _new_conversation(self, at: int) -> int:
        """A customer writes for the first time today, about an order placed today."""
        rng, renderer = self.rng, self._renderer
        assert renderer is not None
        customers = self._customers
        customer = customers[int(len(customers) * rng.random() ** 1.5)]
        channel: Channel = weighted(rng, CHANNELS)
        if channel in (Channel.WHATSAPP, Channel.PHONE) and not customer.flags & WHATSAPP:
            channel = Channel.CHAT
        elif channel is Channel.SOCIAL and not customer.flags & SOCIAL:
            channel = Channel.EMAIL
        language = "fr" if customer.language == "fr" else "en"
        plan = self.planner.plan(NEW, channel, customer.id, language, False)
        plan.created = at
        renderer.now = at
        found = self._place_order(plan, renderer) if plan.topic.phase else None
        slots = renderer.slots_for(plan, found, customer.first, customer.full)
        first = plan.steps[0]
        subject = fill(rng.choice(plan.situation.subjects[language]), slots)
        said = Said("new", first.text, photo=first.attach)
        body = self._words(rng, said, channel, language, slots, at, first=True)
        group = cat.group_for(channel) + 1
        return self.store.open_conversation(
            customer.id,
            channel,
            subject,
            body,
            created_at=dt(at),
            group_id=group if group in self._groups else None,
            attachments=PHOTO if said.photo else (),
        )

    def _place_order(self, plan: Plan, renderer: Renderer) -> tuple[OrderInfo, int]:
        """The order a new conversation is about, written as the shop would record it."""
        batch = Batch()
        for _ in range(20):
            info, first_slot = renderer.order_for(plan, batch)
            row = info.row
            try:
                order_id = self.store.add_order(
                    plan.customer,
                    info.number,
                    status=str(row[3]),
                    placed_at=dt(int(row[4])),
                    slot_start=_at(row[5]),
                    slot_end=_at(row[6]),
                    items=[(name, qty, price) for _, _, name, qty, price in info.items],
                )
            except StoreError:  # that number is taken (another process made orders)
                continue
            info.id = order_id
            return info, first_slot
        raise StoreError("no free order number for the live demo")

    def _slots_of_order(self, rng: Random, seen: Seen, name: str, now: int,
                        orders: Sequence[Order]) -> dict[str, object]:  # fmt: skip
        """The slots a follow-up may use, from the customer's latest order."""
        found = None
        if orders:
            order = orders[0]
            dishes = [_DISHES[i.name] for i in order.items if i.name in _DISHES]
            start = ts(order.delivery_slot_start) or now
            if dishes:
                info = OrderInfo(order.id, order.number, start, dishes, order.total_cents, (), [])
                found = (info, start)
        language = "fr" if seen.language == "fr" else "en"
        plan = Plan(NEW, Channel.CHAT, 0, language, False, VAGUE, VAGUE, created=now)
        # Its own random source: what one customer says never shifts what the next writes.
        renderer = self._follow_renderer
        assert renderer is not None
        renderer.rng, renderer.now = rng, now
        return renderer.slots_for(plan, found, name.split(" ", 1)[0], name)

    def _words(self, rng: Random, said: Said, channel: Channel, language: str,
               slots: dict[str, object], at: int, *, first: bool) -> str:  # fmt: skip
        """A template filled, dressed for its channel, and fitting the shop's hour."""
        text = customer_text(rng, fill(said.template, slots), channel, language,
                             slots, first)  # type: ignore[arg-type]  # fmt: skip
        hour = ((at + utc_offset(at)) % 86400) / 3600
        return fit_to_hour(text, hour)


def _at(value: object) -> datetime | None:
    return None if value is None else dt(int(str(value)))


def _lang(language: object) -> str:
    return "fr" if language == "fr" else "en"
