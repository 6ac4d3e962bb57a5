"""An in-memory helpdesk behind the Connector protocol, with faults on demand (unit tests).

It behaves as Request Tracker 5 does where the sync engine's rules depend on it (checked
against the real server in ``tests/integration/test_rt_sync.py``):

- a public reply, from the customer or from any agent, opens a new or resolved ticket
  (RT's "On Correspond Open Inactive Tickets"); an internal note changes no status;
- "waiting on the customer" is not a state of the remote: a ticket is open, and reads as
  pending when its last public message is an agent's (as the RT connector reads it);
- a customer's message wakes a snoozed ticket (RT leaves it stalled; the connector reads a
  customer message after the stall as woken);
- the status and the snooze are one field: a push sets both from the action's ``current``
  values, as the RT connector does;
- a field change retried after an earlier try may have landed is looked up in the ticket's
  history (RT keeps who changed what) before being called a conflict.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from deskterm.backend.connectors.errors import (
    Conflict,
    PermanentError,
    RemoteError,
    TransientError,
    Unreachable,
)
from deskterm.backend.sync.fields import exact, plan_fields
from deskterm.backend.sync.protocol import (
    BaseConnector,
    ConnectorOptions,
    PullBatch,
    PushAction,
    PushResult,
    RemoteAgent,
    RemoteConversation,
    RemoteCustomer,
    RemoteMacro,
    RemoteMessage,
)
from deskterm.backend.sync.text import same_text
from deskterm.domain.models import Status

ME = RemoteAgent("agent-1", "Alice", "alice@example.com")
PAUL = RemoteAgent("agent-2", "Paul", "paul@example.com")


@dataclass
class Ticket:
    id: str
    subject: str
    customer: RemoteCustomer
    status: Status = Status.NEW
    assignee: RemoteAgent | None = None
    tags: list[str] = field(default_factory=list)
    snoozed_until: datetime | None = None
    messages: list[RemoteMessage] = field(default_factory=list)
    seq: int = 0


class MemoryHelpdesk:
    """The remote side: tickets, a change counter as the pull cursor, and a send log."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.tickets: dict[str, Ticket] = {}
        self.seq = 0
        self.next_message = 100
        self.sent: list[tuple[str, str, bool]] = []  # (ticket, body, public) actually applied
        self.pushes = 0
        self.applied: dict[str, int] = {}  # idempotency key -> field writes that changed a ticket
        self.accepted: set[str] = set()  # idempotency keys of field changes the remote took
        self.closed: set[str] = set()  # idempotency keys of replies sent with done, closed

    def touch(self, ticket: Ticket) -> None:
        self.seq += 1
        ticket.seq = self.seq

    def add_ticket(self, tid: str, subject: str, body: str, customer: str = "Léa") -> Ticket:
        t = Ticket(tid, subject, RemoteCustomer(f"cust-{customer}", customer, f"{customer}@x.org"))
        self.tickets[tid] = t
        self.add_message(tid, body, author=None)
        t.status = Status.NEW  # the ticket's creation leaves it new
        return t

    def add_message(
        self, tid: str, body: str, *, author: RemoteAgent | None, public: bool = True
    ) -> RemoteMessage:
        t = self.tickets[tid]
        self.next_message += 1
        m = RemoteMessage(
            external_id=f"m{self.next_message}",
            author_kind="agent" if author else "customer",
            author_external_id=author.external_id if author else t.customer.external_id,
            author_name=author.name if author else t.customer.name,
            body=body,
            created_at=self.now,
            public=public,
        )
        t.messages.append(m)
        if public and t.status in (Status.NEW, Status.PENDING, Status.DONE):
            t.status = Status.OPEN
        if author is None:
            t.snoozed_until = None
        self.touch(t)
        return m

    def status_of(self, t: Ticket) -> Status:
        """The status as the connector reads it: open is pending when an agent spoke last."""
        if t.status not in (Status.OPEN, Status.PENDING):
            return t.status
        public = [m for m in t.messages if m.public]
        if public and public[-1].author_kind == "agent":
            return Status.PENDING
        return Status.OPEN


class MemoryConnector(BaseConnector):
    """Speaks to a MemoryHelpdesk; ``fail`` queues errors for the next pushes and pulls."""

    name = "memory"
    label = "Memory desk"

    def __init__(self, desk: MemoryHelpdesk, *, batch_size: int = 2) -> None:
        self.desk = desk
        self.batch_size = batch_size
        self.push_faults: list[RemoteError] = []
        self.lose_answers = 0  # pushes that land on the remote, then fail on the way back
        self.pull_faults: list[RemoteError] = []
        self.online = True
        self.pushed_kinds: list[str] = []

    @classmethod
    def from_options(cls, options: ConnectorOptions) -> MemoryConnector:
        raise NotImplementedError

    def account_name(self) -> str:
        return "memory"

    def whoami(self) -> RemoteAgent:
        self._network()
        return ME

    def _network(self) -> None:
        if not self.online:
            raise Unreachable("connection refused")

    def pull(self, cursor: str | None) -> Iterator[PullBatch]:
        self._network()
        if self.pull_faults:
            raise self.pull_faults.pop(0)
        since = int(cursor or 0)
        changed = sorted(
            (t for t in self.desk.tickets.values() if t.seq > since), key=lambda t: t.seq
        )
        for start in range(0, len(changed), self.batch_size):
            chunk = changed[start : start + self.batch_size]
            yield PullBatch(
                [self._remote(t) for t in chunk], cursor=str(chunk[-1].seq), total=len(changed)
            )

    def _remote(self, t: Ticket) -> RemoteConversation:
        return RemoteConversation(
            external_id=t.id,
            subject=t.subject,
            status=self.desk.status_of(t),
            customer=t.customer,
            created_at=t.messages[0].created_at,
            updated_at=self.desk.now,
            assignee=t.assignee,
            tags=list(t.tags),
            snoozed_until=t.snoozed_until,
            messages=list(t.messages),
        )

    def push(self, action: PushAction) -> PushResult:
        self._network()
        self.desk.pushes += 1
        if self.push_faults:
            raise self.push_faults.pop(0)
        t = self.desk.tickets.get(action.conversation_external_id)
        if t is None:
            raise PermanentError("no such ticket", status=404)
        result = self._apply(t, action)
        self.pushed_kinds.append(action.kind)
        if self.lose_answers:
            self.lose_answers -= 1
            raise TransientError("connection lost after the request was sent")
        return result

    def _apply(self, t: Ticket, action: PushAction) -> PushResult:
        if action.kind in ("reply", "note"):
            if action.attempts > 1:
                for m in t.messages:
                    if (
                        m.external_id not in action.known_message_ids
                        and m.author_external_id == ME.external_id
                        and same_text(m.body, action.body)
                        and m.created_at >= action.created_at - timedelta(days=1)
                    ):
                        if action.done:
                            t.status = Status.DONE  # as the RT connector does after finding it
                            self.desk.closed.add(action.idempotency_key)
                        return PushResult(m.external_id, already_there=True)
            m = self.desk.add_message(t.id, action.body or "", author=ME, public=action.public)
            self.desk.sent.append((t.id, action.body or "", action.public))
            if action.done:
                t.status = Status.DONE
                self.desk.closed.add(action.idempotency_key)
            elif action.public and action.current.get("snoozed_until") is None:
                t.snoozed_until = None  # a reply to a woken ticket reopens it
            return PushResult(m.external_id)
        if action.attempts > 1 and action.idempotency_key in self.desk.accepted:
            return PushResult(already_there=True)  # an earlier try landed (RT's history)
        raw = "open" if t.status is Status.PENDING else str(t.status)
        now = {
            "status": raw,
            "tags": list(t.tags),
            "snoozed_until": t.snoozed_until,
            "assignee": t.assignee.external_id if t.assignee else None,
        }
        plan = plan_fields(action, now, _same)
        if plan.conflicts:
            name, value = next(iter(plan.conflicts.items()))
            raise Conflict(f"Paul changed the {name} to {value}")
        if "status" in plan.send or "snoozed_until" in plan.send:
            # One field on the remote, set from the conversation's whole state (RT's stalled).
            t.status = Status(action.current.get("status", plan.send.get("status", "open")))
            if t.status is Status.PENDING:
                t.status = Status.OPEN
            t.snoozed_until = action.current.get("snoozed_until")
        for name, value in plan.send.items():
            if name == "tags":
                t.tags = list(value)
            elif name == "snoozed_until":
                t.snoozed_until = value
            elif name == "assignee":
                t.assignee = {ME.external_id: ME, PAUL.external_id: PAUL}.get(value)
        if plan.send:
            self.desk.touch(t)
            key = action.idempotency_key
            self.desk.applied[key] = self.desk.applied.get(key, 0) + 1
        self.desk.accepted.add(action.idempotency_key)
        return PushResult()

    def fetch_customer(self, external_id: str) -> RemoteCustomer:
        for t in self.desk.tickets.values():
            if t.customer.external_id == external_id:
                return t.customer
        raise PermanentError("no such customer")

    def macros(self) -> list[RemoteMacro]:
        return [RemoteMacro("mac-1", "Thanks", "Hi {{ticket.requester.first_name}}", [])]


def _same(name: str, remote: Any, local: Any) -> bool:
    if name == "status":  # open and pending are one state on the remote
        return bool({"pending": "open"}.get(str(local), str(local)) == remote)
    return exact(name, remote, local)


def at(minutes: float) -> datetime:
    return datetime(2026, 11, 24, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def state(desk: MemoryHelpdesk, tid: str) -> dict[str, Any]:
    t = desk.tickets[tid]
    return {"status": t.status, "tags": sorted(t.tags), "snoozed_until": t.snoozed_until}
