"""HttpProvider against a small shop served on 127.0.0.1: answers, retries, faults.

The shop applies each idempotency key once and answers a repeat with its first answer, as
the provider's contract asks. Faults are programmed ahead, one per request; retry waits go
through a recording ``sleep``, so no test waits for a backoff.
"""

from __future__ import annotations

import collections
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from deskterm.backend.commerce.base import (
    ActionContext,
    ActionFailed,
    ActionRefused,
    Slot,
)
from deskterm.backend.commerce.http_provider import HttpProvider
from deskterm.domain.models import Channel, Customer, Order, OrderItem, OrderStatus

TOKEN = "shop-token"
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OWN_SLOT = Slot(T0 + timedelta(hours=3), T0 + timedelta(hours=4))
LATER = Slot(T0 + timedelta(hours=9), T0 + timedelta(hours=10))
HOME = "12 rue Oberkampf, 75011 Paris"
PLAN = "Popote Weekly, 4 meals"
NEXT_BOX = T0 + timedelta(days=7, hours=3)
ACCOUNT: dict[str, Any] = {
    "subscription": {"state": "active", "plan": PLAN, "next_delivery": NEXT_BOX.isoformat()},
    "address": HOME,
    "promo_codes": [
        {"code": "AMI10", "used_at": "2026-10-02T18:00:00Z", "result": "applied"},
        {"code": "HIVER15", "used_at": "2026-11-20T12:00:00Z", "result": "expired"},
    ],
    "app": {"version": "4.13.0", "platform": "iPhone 13", "seen_at": "2026-11-23T19:30:00Z"},
}
DELIVERY = {"status": "out_for_delivery", "eta": (T0 + timedelta(minutes=25)).isoformat(),
            "courier": "Karim"}  # fmt: skip


@dataclass(frozen=True)
class Fault:
    """What the shop does with one request instead of answering it normally.

    ``status``: answer it without applying; ``lost``: apply it, then answer 500 (the answer
    is lost on the way back); ``raw``: answer 200 with ``body`` and keep that as the key's
    answer; ``hang``: wait ``seconds`` (or until the test ends), then close unanswered.
    """

    kind: str
    status: int = 500
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    key: str | None
    authorization: str | None
    body: Any


@dataclass
class ShopState:
    faults: collections.deque[Fault] = field(default_factory=collections.deque)
    seen: list[Seen] = field(default_factory=list)
    applied: list[tuple[str, Any]] = field(default_factory=list)
    answers: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    subscription: str = "active"
    addresses: dict[str, str] = field(default_factory=dict)


class _Shop(BaseHTTPRequestHandler):
    server: _ShopServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: pytest shows what the test asserts

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        key = self.headers.get("Idempotency-Key")
        with state.lock:
            state.seen.append(
                Seen(self.command, self.path, key, self.headers.get("Authorization"), body)
            )
            fault = state.faults.popleft() if state.faults else None
        if fault is not None and fault.kind == "hang":
            state.stopping.wait(fault.seconds)
            self.close_connection = True
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send(401, {"error": "bad token"})
            return
        if fault is not None and fault.kind == "status":
            self._send(fault.status, {"error": "try again"}, fault.headers)
            return
        with state.lock:
            if key is not None and key in state.answers:
                status, payload = state.answers[key]
            elif fault is not None and fault.kind == "raw":
                status, payload = 200, fault.body
            else:
                status, answer = self._apply(body)
                payload = json.dumps(answer).encode()
            if key is not None:
                state.answers.setdefault(key, (status, payload))
        if fault is not None and fault.kind == "lost":
            self._send(500, {"error": "lost"})
            return
        self._send_raw(status, payload)

    def _apply(self, body: Any) -> tuple[int, dict[str, Any]]:
        """The shop's side of each endpoint (the caller holds the lock)."""
        state = self.server.state
        parts = self.path.strip("/").split("/")
        assert parts[0] == "api", self.path
        parts = parts[1:]
        if self.command == "GET" and parts[0] == "orders" and parts[2] == "slots":
            return 200, {"slots": [LATER.to_json(), OWN_SLOT.to_json()]}
        if parts[0] == "orders" and parts[2] == "resend":
            state.applied.append((self.path, body))
            count = sum(1 for p, _ in state.applied if p.endswith("/resend"))
            return 200, {"order": {"number": f"{parts[1]}-R{count}", "slot": LATER.to_json()}}
        if parts[0] == "orders" and parts[2] == "slot":
            state.applied.append((self.path, body))
            moved = {"start": body["start"], "end": body["end"]}
            return 200, {"order": {"number": parts[1], "slot": moved}, "previous": None}
        if parts[0] == "orders" and parts[2] == "cancel":
            if parts[1] == "PO-LATE":
                return 409, {"error": "Order PO-LATE is already out for delivery"}
            state.applied.append((self.path, body))
            return 200, {"order": {"number": parts[1], "status": "cancelled"}}
        if parts[0] == "customers" and parts[2] == "goodwill":
            state.applied.append((self.path, body))
            return 200, {"gesture": {"id": f"g-{len(state.applied)}"}}
        if parts[0] == "orders" and parts[2] == "refund":
            if parts[1] == "PO-LATE":
                return 422, {"error": "Tarama was refunded already"}
            state.applied.append((self.path, body))
            # The shop caps it by what is left (here: €5.00 of PO-1 was refunded before).
            paid = min(body["amount_cents"], 1840 - 500)
            return 200, {"refund": {"id": f"r-{len(state.applied)}", "amount_cents": paid}}
        if parts[0] == "refunds" and parts[2] == "reverse":
            state.applied.append((self.path, body))
            return 200, {"refund": {"id": parts[1], "state": "reversed"}}
        if self.command == "GET" and parts[0] == "customers" and parts[2] == "account":
            if parts[1] == "nobody":
                return 404, {"error": "no such customer"}
            sub = {**ACCOUNT["subscription"], "state": state.subscription}
            return 200, {**ACCOUNT, "subscription": sub}
        if self.command == "GET" and parts[0] == "orders" and parts[2] == "delivery":
            address = state.addresses.get(parts[1], HOME)
            return 200, {"delivery": {**DELIVERY, "number": parts[1], "address": address}}
        if parts[0] == "customers" and parts[2] == "subscription":
            wanted = {"pause": "paused", "resume": "active"}[parts[3]]
            if state.subscription == wanted:
                return 409, {"error": f"The subscription is already {wanted}"}
            state.applied.append((self.path, body))
            state.subscription = wanted
            nxt = None if wanted == "paused" else NEXT_BOX.isoformat()
            return 200, {"subscription": {"state": wanted, "plan": PLAN, "next_delivery": nxt}}
        if parts[0] == "orders" and parts[2] == "address":
            if parts[1] == "PO-LATE":
                return 409, {"error": "Order PO-LATE is being prepared: too late to move it"}
            state.applied.append((self.path, body))
            previous = state.addresses.get(parts[1], HOME)
            state.addresses[parts[1]] = body["address"]
            moved = {"number": parts[1], "address": body["address"]}
            return 200, {"order": moved, "previous": previous}
        if parts[0] == "gestures" and parts[2] == "reverse":
            state.applied.append((self.path, body))
            return 200, {"gesture": {"id": parts[1], "state": "reversed"}}
        return 404, {"error": f"no route {self.path}"}

    def _send(
        self, status: int, data: dict[str, Any], headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self._send_raw(status, json.dumps(data).encode(), headers)

    def _send_raw(
        self, status: int, payload: bytes, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up (a timeout test): nothing to answer to


class _ShopServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Shop)
        self.state = ShopState()


@pytest.fixture
def shop() -> Iterator[_ShopServer]:
    server = _ShopServer()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server
    server.state.stopping.set()  # releases hanging handlers
    server.shutdown()
    server.server_close()
    thread.join(timeout=2)


class Sleeps(list[float]):
    """A ``sleep`` that records how long the provider wanted to wait, and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_provider(shop: _ShopServer, sleeps: Sleeps, **kw: Any) -> HttpProvider:
    host, port = shop.server_address[:2]
    values: dict[str, Any] = {"token": TOKEN, "timeout": 0.5, "attempts": 3, "sleep": sleeps}
    return HttpProvider(f"http://{host}:{port}/api", **(values | kw))


@pytest.fixture
def provider(shop: _ShopServer, sleeps: Sleeps) -> Iterator[HttpProvider]:
    p = make_provider(shop, sleeps)
    yield p
    p.close()


ORDER = Order(
    id=1,
    number="PO-1",
    customer_id=7,
    status=OrderStatus.PLACED,
    placed_at=T0 - timedelta(hours=1),
    delivery_slot_start=OWN_SLOT.start,
    delivery_slot_end=OWN_SLOT.end,
    total_cents=1840,
    items=[
        OrderItem(id=11, order_id=1, name="Tarama", quantity=1, unit_price_cents=450),
        OrderItem(id=12, order_id=1, name="Pain de campagne", quantity=2, unit_price_cents=280),
    ],
)
CUSTOMER = Customer(id=7, name="Léa Martin", created_at=T0, external_id="cus 7/fr")


def resend(provider: HttpProvider, key: str = "k-1") -> Any:
    return provider.resend_items(
        ORDER, [(12, 2)], idempotency_key=key, context=ActionContext(conversation_id=42)
    )


# -- answers -------------------------------------------------------------------------------


def test_resend_success(provider: HttpProvider, shop: _ShopServer, sleeps: Sleeps) -> None:
    result = resend(provider)

    assert (result.kind, result.provider, result.order_number) == ("resend", "http", "PO-1")
    assert result.new_order_number == "PO-1-R1"
    assert result.slot == LATER
    assert result.items == (("Pain de campagne", 2),)
    [seen] = shop.state.seen
    assert (seen.method, seen.path, seen.key, seen.authorization) == (
        "POST",
        "/api/orders/PO-1/resend",
        "k-1",
        f"Bearer {TOKEN}",
    )
    assert seen.body == {
        "items": [{"item_id": 12, "quantity": 2}],
        "reference": "conversation 42",
    }
    assert sleeps == []


def test_available_slots_sorted_without_the_orders_own(provider: HttpProvider) -> None:
    assert provider.available_slots(ORDER) == [LATER]


def test_goodwill_then_undo_reverses_the_shops_gesture(
    provider: HttpProvider, shop: _ShopServer
) -> None:
    result = provider.goodwill(CUSTOMER, ORDER, 500, "credit", idempotency_key="g")
    provider.undo(result)

    assert result.reference == "g-1"
    goodwill, reverse = shop.state.seen
    # The customer's shop id is one path segment, whatever it holds.
    assert goodwill.path == "/api/customers/cus%207%2Ffr/goodwill"
    assert goodwill.body == {
        "amount_cents": 500,
        "currency": "EUR",
        "kind": "credit",
        "order_number": "PO-1",
        "reference": None,
    }
    assert (reverse.path, reverse.key) == ("/api/gestures/g-1/reverse", "g-undo")


def test_slot_change_then_undo_sends_the_previous_slot(
    provider: HttpProvider, shop: _ShopServer
) -> None:
    result = provider.change_slot(ORDER, LATER, idempotency_key="s")
    provider.undo(result)

    assert (result.slot, result.previous_slot) == (LATER, OWN_SLOT)
    change, undo = shop.state.seen
    assert Slot.from_json(change.body) == LATER
    assert (undo.path, undo.key, Slot.from_json(undo.body)) == (
        "/api/orders/PO-1/slot",
        "s-undo",
        OWN_SLOT,
    )


def test_cancel_is_not_undoable(provider: HttpProvider, shop: _ShopServer) -> None:
    result = provider.cancel_order(ORDER, idempotency_key="c")

    assert (result.kind, result.amount_cents, result.undoable) == ("cancel", 1840, False)
    with pytest.raises(ActionRefused, match="cannot be restored"):
        provider.undo(result)
    assert len(shop.state.seen) == 1


def test_refund_items_then_undo_reverses_the_shops_refund(
    provider: HttpProvider, shop: _ShopServer
) -> None:
    result = provider.refund_items(
        ORDER, [(11, 1), (12, 2)], idempotency_key="r", context=ActionContext(conversation_id=42)
    )
    provider.undo(result)

    assert (result.kind, result.order_number, result.reference) == ("refund", "PO-1", "r-1")
    assert result.items == (("Tarama", 1), ("Pain de campagne", 2))
    assert result.amount_cents == 1010  # the items' price, which the shop paid back
    refund, reverse = shop.state.seen
    assert (refund.path, refund.key) == ("/api/orders/PO-1/refund", "r")
    assert refund.body == {
        "items": [{"item_id": 11, "quantity": 1}, {"item_id": 12, "quantity": 2}],
        "amount_cents": 1010,
        "currency": "EUR",
        "reference": "conversation 42",
    }
    assert (reverse.path, reverse.key) == ("/api/refunds/r-1/reverse", "r-undo")


def test_the_shop_answers_what_it_paid_back(provider: HttpProvider) -> None:
    everything = [(11, 1), (12, 2), (13, 1)]
    order = ORDER.model_copy(
        update={
            "items": [
                *ORDER.items,
                OrderItem(id=13, order_id=1, name="Tiramisu", quantity=1, unit_price_cents=830),
            ]
        }
    )
    result = provider.refund_items(order, everything, idempotency_key="r")

    assert result.amount_cents == 1340  # capped by the shop, not the 1840 asked


def test_a_refund_the_shop_refuses(provider: HttpProvider, shop: _ShopServer) -> None:
    late = ORDER.model_copy(update={"number": "PO-LATE"})
    with pytest.raises(ActionRefused, match="Tarama was refunded already"):
        provider.refund_items(late, [(11, 1)], idempotency_key="r")
    with pytest.raises(ActionRefused, match="not part of order"):
        provider.refund_items(ORDER, [(99, 1)], idempotency_key="r2")
    assert len(shop.state.seen) == 1  # an unknown item never reaches the shop


def test_a_shops_refund_is_counted_in_the_store_too(
    provider: HttpProvider, shop: _ShopServer, store, team
) -> None:
    """What is left to refund is known here, whichever provider paid it back."""
    from deskterm.backend.commerce import ledger
    from deskterm.backend.commerce.catalogue import spec_for
    from deskterm.backend.commerce.jobs import items_job, run_job, undo_job
    from deskterm.config import GesturePolicy
    from tests.unit.test_commerce import add_order

    order = add_order(store, team.customer)
    customer = store.customer(team.customer)
    agent = store.agent(team.agent)
    cid = store.open_conversation(team.customer, Channel.EMAIL, "Tarama", "Le tarama était tourné")
    job = items_job(spec_for("refund"), cid, customer, order, [(order.items[0], 1)])
    result = run_job(store, provider, job, agent=agent, limits=GesturePolicy())

    assert ledger.refunded(store.conn, order.id) == ({order.items[0].id: 1}, 450)
    assert store.gestures_since(team.customer, T0 - timedelta(days=90)) == 0
    undo_job(store, provider, result, conversation_id=cid, description=job.summary, agent=agent)
    assert ledger.refunded(store.conn, order.id) == ({}, 0)
    assert [s.path for s in shop.state.seen][-1] == "/api/refunds/r-1/reverse"


# -- retries -------------------------------------------------------------------------------


def test_a_500_is_retried_and_applied_once(
    provider: HttpProvider, shop: _ShopServer, sleeps: Sleeps
) -> None:
    # The shop applies the first request but its answer is lost in a 500.
    shop.state.faults.append(Fault("lost"))

    result = resend(provider)

    assert result.new_order_number == "PO-1-R1"
    assert [s.key for s in shop.state.seen] == ["k-1", "k-1"]
    assert len(shop.state.applied) == 1
    assert sleeps == [0.25]


def test_repeated_5xx_back_off_then_fail_retryable(
    provider: HttpProvider, shop: _ShopServer, sleeps: Sleeps
) -> None:
    shop.state.faults.extend([Fault("status", 502), Fault("status", 503), Fault("status", 500)])

    with pytest.raises(ActionFailed) as failed:
        resend(provider)

    assert failed.value.retryable
    assert failed.value.reason == "Not done: the shop failed (500)"
    assert len(shop.state.seen) == 3
    assert shop.state.applied == []
    assert sleeps == [0.25, 0.5]  # no wait after the last attempt


@pytest.mark.parametrize(
    ("retry_after", "waited"),
    [("1", 1.0), ("0", 0.0), ("0.2", 0.2), ("120", 10.0), ("soon", 0.25)],
)
def test_429_honours_retry_after(
    provider: HttpProvider, shop: _ShopServer, sleeps: Sleeps, retry_after: str, waited: float
) -> None:
    shop.state.faults.append(Fault("status", 429, headers=(("Retry-After", retry_after),)))

    result = resend(provider)

    assert result.new_order_number == "PO-1-R1"
    assert sleeps == [waited]  # bounded by max_wait; unreadable: the backoff
    assert len(shop.state.applied) == 1


def test_429_with_an_http_date(provider: HttpProvider, shop: _ShopServer, sleeps: Sleeps) -> None:
    when = datetime.now(UTC) + timedelta(seconds=5)
    shop.state.faults.append(
        Fault("status", 429, headers=(("Retry-After", when.strftime("%a, %d %b %Y %H:%M:%S GMT")),))
    )

    resend(provider)

    [waited] = sleeps
    assert 3.0 <= waited <= 5.0


def test_a_timeout_is_retried_with_the_same_key(shop: _ShopServer, sleeps: Sleeps) -> None:
    shop.state.faults.append(Fault("hang", seconds=2.0))
    provider = make_provider(shop, sleeps, timeout=0.2)
    try:
        started = time.monotonic()
        result = resend(provider)
        elapsed = time.monotonic() - started
    finally:
        provider.close()

    assert result.new_order_number == "PO-1-R1"
    assert [s.key for s in shop.state.seen] == ["k-1", "k-1"]
    assert 0.2 <= elapsed < 1.5


def test_timeouts_end_in_a_retryable_failure(shop: _ShopServer, sleeps: Sleeps) -> None:
    shop.state.faults.extend([Fault("hang", seconds=2.0)] * 2)
    provider = make_provider(shop, sleeps, timeout=0.2, attempts=2)
    try:
        started = time.monotonic()
        with pytest.raises(ActionFailed) as failed:
            resend(provider)
        elapsed = time.monotonic() - started
    finally:
        provider.close()

    assert failed.value.retryable
    assert failed.value.reason == "Not done: the shop did not answer within 0.2s"
    assert shop.state.applied == []
    assert elapsed < 1.5


def test_a_shop_that_is_down(sleeps: Sleeps) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    provider = HttpProvider(
        f"http://127.0.0.1:{port}", token=TOKEN, timeout=0.5, attempts=2, sleep=sleeps
    )
    try:
        with pytest.raises(ActionFailed) as failed:
            provider.cancel_order(ORDER, idempotency_key="c")
    finally:
        provider.close()

    assert failed.value.retryable
    assert failed.value.reason == "Not done: the connection to the shop failed (ConnectError)"
    assert sleeps == [0.25]


# -- bad answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"{not json", b"<html>Bad gateway</html>", b"[1, 2]", b""])
def test_an_answer_that_is_not_a_json_object(
    provider: HttpProvider, shop: _ShopServer, body: bytes
) -> None:
    shop.state.faults.append(Fault("raw", body=body))

    with pytest.raises(ActionFailed) as failed:
        resend(provider)

    reason = failed.value.reason
    assert reason == "Not done: the shop's answer could not be read"
    assert "\n" not in reason and str(failed.value) == reason
    assert failed.value.retryable
    # Every retry carried the same key, so the shop applied nothing twice.
    assert {s.key for s in shop.state.seen} == {"k-1"}
    assert shop.state.applied == []


@pytest.mark.parametrize(
    ("body", "missing"),
    [(b'{"unexpected": true}', "no 'order'"), (b'{"order": "PO-1-R1"}', "no 'order'")],
)
def test_an_answer_without_the_order(
    provider: HttpProvider, shop: _ShopServer, body: bytes, missing: str
) -> None:
    shop.state.faults.append(Fault("raw", body=body))

    with pytest.raises(ActionFailed) as failed:
        resend(provider)

    assert failed.value.reason == f"The shop's answer could not be read ({missing})"
    assert failed.value.retryable
    assert len(shop.state.seen) == 1


def test_a_slot_without_times(provider: HttpProvider, shop: _ShopServer) -> None:
    shop.state.faults.append(
        Fault("raw", body=b'{"order": {"number": "PO-1-R1", "slot": {"start": "noon"}}}')
    )

    with pytest.raises(ActionFailed, match=r"could not be read \(a slot without times\)"):
        resend(provider)


# -- refusals ------------------------------------------------------------------------------


def test_a_refusal_is_shown_as_is_and_not_retried(
    provider: HttpProvider, shop: _ShopServer, sleeps: Sleeps
) -> None:
    late = ORDER.model_copy(update={"number": "PO-LATE"})

    with pytest.raises(ActionRefused) as refused:
        provider.cancel_order(late, idempotency_key="c")

    assert refused.value.reason == "Order PO-LATE is already out for delivery"
    assert len(shop.state.seen) == 1
    assert sleeps == []


def test_a_wrong_token_is_not_retried(shop: _ShopServer, sleeps: Sleeps) -> None:
    provider = make_provider(shop, sleeps, token="stale", token_env="SHOP_TOKEN_FOR_TEST")
    try:
        with pytest.raises(ActionFailed) as failed:
            resend(provider)
    finally:
        provider.close()

    assert not failed.value.retryable
    assert (
        failed.value.reason == "The shop refused deskterm's token (401): check SHOP_TOKEN_FOR_TEST"
    )
    assert len(shop.state.seen) == 1


def test_no_token_fails_before_calling(
    shop: _ShopServer, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOP_TOKEN_FOR_TEST", raising=False)
    provider = make_provider(shop, sleeps, token=None, token_env="SHOP_TOKEN_FOR_TEST")
    try:
        with pytest.raises(ActionFailed, match="set SHOP_TOKEN_FOR_TEST") as failed:
            resend(provider)
    finally:
        provider.close()

    assert not failed.value.retryable
    assert shop.state.seen == []


def test_the_token_is_read_from_the_environment(
    shop: _ShopServer, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOP_TOKEN_FOR_TEST", TOKEN)
    provider = make_provider(shop, sleeps, token=None, token_env="SHOP_TOKEN_FOR_TEST")
    try:
        assert resend(provider).new_order_number == "PO-1-R1"
    finally:
        provider.close()


# -- the account, the delivery, and their actions --------------------------------------------


def test_account_reads_every_fact(provider: HttpProvider, shop: _ShopServer) -> None:
    facts = provider.account(CUSTOMER)

    assert facts.known
    assert (facts.subscription.state, facts.subscription.plan) == ("active", PLAN)
    assert facts.subscription.next_delivery == NEXT_BOX
    assert facts.address == HOME
    # Newest first, whatever order the shop listed them in.
    assert [(p.code, p.result) for p in facts.promos] == [
        ("HIVER15", "expired"),
        ("AMI10", "applied"),
    ]
    assert facts.app is not None and (facts.app.version, facts.app.platform) == (
        "4.13.0",
        "iPhone 13",
    )
    [seen] = shop.state.seen
    assert (seen.method, seen.path, seen.key) == (
        "GET",
        "/api/customers/cus%207%2Ffr/account",
        None,
    )


def test_an_account_the_shop_does_not_have_is_unknown(provider: HttpProvider) -> None:
    stranger = CUSTOMER.model_copy(update={"external_id": "nobody"})

    assert provider.account(stranger).known is False


@pytest.mark.parametrize(
    "body",
    [
        b'{"subscription": {"state": "frozen"}}',
        b'{"promo_codes": "AMI10"}',
        b'{"promo_codes": [{"code": "AMI10", "used_at": "yesterday"}]}',
        b'{"app": {"platform": "iPhone"}}',
    ],
)
def test_an_account_that_cannot_be_read_fails_in_one_line(
    provider: HttpProvider, shop: _ShopServer, body: bytes
) -> None:
    shop.state.faults.append(Fault("raw", body=body))

    with pytest.raises(ActionFailed) as failed:
        provider.account(CUSTOMER)

    assert failed.value.reason.startswith("The shop's answer could not be read (")
    assert "\n" not in failed.value.reason


def test_delivery_reads_the_courier_and_eta(provider: HttpProvider, shop: _ShopServer) -> None:
    delivery = provider.delivery(ORDER)

    assert (delivery.order_number, delivery.status, delivery.courier) == (
        "PO-1",
        "out_for_delivery",
        "Karim",
    )
    assert delivery.eta == T0 + timedelta(minutes=25)
    assert delivery.address == HOME
    assert shop.state.seen[0].path == "/api/orders/PO-1/delivery"


def test_a_delivery_with_an_unknown_status_fails(provider: HttpProvider, shop: _ShopServer) -> None:
    shop.state.faults.append(Fault("raw", body=b'{"delivery": {"status": "teleported"}}'))

    with pytest.raises(ActionFailed, match="unknown courier status 'teleported'"):
        provider.delivery(ORDER)


def test_a_read_is_retried_after_a_500(
    provider: HttpProvider, shop: _ShopServer, sleeps: Sleeps
) -> None:
    shop.state.faults.append(Fault("status", 503))

    assert provider.delivery(ORDER).courier == "Karim"
    assert sleeps == [0.25]


def test_pause_then_undo_resumes(provider: HttpProvider, shop: _ShopServer) -> None:
    result = provider.pause_subscription(
        CUSTOMER, idempotency_key="p", context=ActionContext(conversation_id=42)
    )
    assert shop.state.subscription == "paused"
    assert (result.kind, result.extra["plan"], result.extra["next_delivery"]) == (
        "pause",
        PLAN,
        None,
    )

    provider.undo(result)

    pause, undo = shop.state.seen
    assert (pause.path, pause.key, pause.body) == (
        "/api/customers/cus%207%2Ffr/subscription/pause",
        "p",
        {"reference": "conversation 42"},
    )
    assert (undo.path, undo.key) == ("/api/customers/cus%207%2Ffr/subscription/resume", "p-undo")
    assert shop.state.subscription == "active"


def test_resume_says_the_next_box_and_undo_pauses_again(
    provider: HttpProvider, shop: _ShopServer
) -> None:
    shop.state.subscription = "paused"

    result = provider.resume_subscription(CUSTOMER, idempotency_key="r")
    assert result.extra["next_delivery"] == NEXT_BOX.isoformat()
    provider.undo(result)

    assert shop.state.subscription == "paused"
    assert shop.state.seen[-1].path.endswith("/subscription/pause")


def test_pausing_a_paused_subscription_is_refused_as_the_shop_says(
    provider: HttpProvider, shop: _ShopServer
) -> None:
    shop.state.subscription = "paused"

    with pytest.raises(ActionRefused, match="already paused"):
        provider.pause_subscription(CUSTOMER, idempotency_key="p")
    assert shop.state.applied == []


def test_a_pause_whose_answer_was_lost_is_applied_once(
    provider: HttpProvider, shop: _ShopServer
) -> None:
    shop.state.faults.append(Fault("lost"))

    result = provider.pause_subscription(CUSTOMER, idempotency_key="p")

    assert result.kind == "pause"
    assert [s.key for s in shop.state.seen] == ["p", "p"]
    assert len(shop.state.applied) == 1


def test_address_change_then_undo_restores_the_previous(
    provider: HttpProvider, shop: _ShopServer
) -> None:
    result = provider.change_address(ORDER, "  3 rue Lepic,\n75018 Paris ", idempotency_key="a")

    assert result.extra == {"address": "3 rue Lepic, 75018 Paris", "previous_address": HOME}
    assert shop.state.addresses["PO-1"] == "3 rue Lepic, 75018 Paris"
    provider.undo(result)

    change, undo = shop.state.seen
    assert change.body == {"address": "3 rue Lepic, 75018 Paris", "reference": None}
    assert (undo.path, undo.key, undo.body) == ("/api/orders/PO-1/address", "a-undo",
                                                {"address": HOME})  # fmt: skip
    assert shop.state.addresses["PO-1"] == HOME


def test_address_change_refused_once_the_kitchen_started(
    provider: HttpProvider, shop: _ShopServer
) -> None:
    late = ORDER.model_copy(update={"number": "PO-LATE"})

    with pytest.raises(ActionRefused) as refused:
        provider.change_address(late, "3 rue Lepic", idempotency_key="a")

    assert refused.value.reason == "Order PO-LATE is being prepared: too late to move it"
    assert shop.state.applied == []


def test_an_empty_address_is_refused_before_calling(
    provider: HttpProvider, shop: _ShopServer
) -> None:
    with pytest.raises(ActionRefused, match="Type the new delivery address"):
        provider.change_address(ORDER, " \n ", idempotency_key="a")
    assert shop.state.seen == []
