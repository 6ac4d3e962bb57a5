"""An in-memory helpdesk behind the Connector protocol, with faults on demand (unit tests)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from deskterm.backend.connectors.errors import Conflict, PermanentError, RemoteError
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

    def touch(self, ticket: Ticket) -> None:
        self.seq += 1
        ticket.seq = self.seq

    def add_ticket(self, tid: str, subject: str, body: str, customer: str = "Léa") -> Ticket:
        t = Ticket(tid, subject, RemoteCustomer(f"cust-{customer}", customer, f"{customer}@x.org"))
        self.tickets[tid] = t
        self.add_message(tid, body, author=None)
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
        if author is None and t.status in (Status.PENDING, Status.DONE):
            t.status = Status.OPEN
        self.touch(t)
        return m


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
        from deskterm.backend.connectors.errors import TransientError

        if not self.online:
            raise TransientError("connection refused")

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
            status=t.status,
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
            from deskterm.backend.connectors.errors import TransientError

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
                        return PushResult(m.external_id, already_there=True)
            m = self.desk.add_message(t.id, action.body or "", author=ME, public=action.public)
            self.desk.sent.append((t.id, action.body or "", action.public))
            if action.done:
                t.status = Status.DONE
            elif action.public:
                t.status = Status.PENDING
            return PushResult(m.external_id)
        now = {
            "status": str(t.status),
            "tags": list(t.tags),
            "snoozed_until": t.snoozed_until,
            "assignee": t.assignee.external_id if t.assignee else None,
        }
        plan = plan_fields(action, now, exact)
        if plan.conflicts:
            name, value = next(iter(plan.conflicts.items()))
            raise Conflict(f"Paul changed the {name} to {value}")
        for name, value in plan.send.items():
            if name == "status":
                t.status = Status(value)
            elif name == "tags":
                t.tags = list(value)
            elif name == "snoozed_until":
                t.snoozed_until = value
            elif name == "assignee":
                t.assignee = {ME.external_id: ME, PAUL.external_id: PAUL}.get(value)
        if plan.send:
            self.desk.touch(t)
        return PushResult()

    def fetch_customer(self, external_id: str) -> RemoteCustomer:
        for t in self.desk.tickets.values():
            if t.customer.external_id == external_id:
                return t.customer
        raise PermanentError("no such customer")

    def macros(self) -> list[RemoteMacro]:
        return [RemoteMacro("mac-1", "Thanks", "Hi {{ticket.requester.first_name}}", [])]


def at(minutes: float) -> datetime:
    return datetime(2026, 11, 24, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def state(desk: MemoryHelpdesk, tid: str) -> dict[str, Any]:
    t = desk.tickets[tid]
    return {"status": t.status, "tags": sorted(t.tags), "snoozed_until": t.snoozed_until}
