"""Request Tracker 5 behind the Connector protocol (over :class:`RTClient`, REST 2).

The model, mapped:

- RT's ``new`` and ``open`` are deskterm's new and open (open is *pending* when the last
  public message is the agent's: the answer waits on the customer); ``resolved`` and
  ``rejected`` are done.
- ``stalled`` is snooze: the wake time is the ticket's ``Starts`` date (unset: until the
  customer replies). RT does not wake a stalled ticket when the customer writes, so the
  mirror reads "a customer message after the ticket was stalled" as woken.
- Tags live in a ticket custom field named ``Tags`` (multiple values), which must be applied
  to the queue; the agent is the ticket's ``Owner``; priority 0–100 maps onto four levels.

Incremental pull: TicketSQL ``LastUpdated >= since``, walked in id order with ``id > last``
(stable while tickets change); ``since`` is RT's own clock when the pass started, so nothing
updated during a pass is missed. The cursor is JSON: ``{"since": …, "after": last id}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from deskterm.backend.connectors.errors import Conflict, PermanentError
from deskterm.backend.connectors.rt_api import RTClient
from deskterm.backend.connectors.rt_records import format_rt_date
from deskterm.backend.sync.fields import near, plan_fields, say_value
from deskterm.backend.sync.protocol import (
    BaseConnector,
    ConnectorOptions,
    PullBatch,
    PushAction,
    PushResult,
    RemoteAgent,
    RemoteConversation,
    RemoteCustomer,
    RemoteMessage,
)
from deskterm.backend.sync.text import same_text
from deskterm.domain.models import UNTIL_REPLY, Channel, Priority, Status

FIELDS = ["Subject", "Status", "Owner", "Requestor", "Created", "LastUpdated", "Starts",
          "Priority", "CustomFields", "LastUpdatedBy"]  # fmt: skip
TAGS_FIELD = "Tags"
BATCH = 50
#: Histories read side by side (RT's server is started with four workers).
WORKERS = 4
_DONE = {"resolved", "rejected", "deleted"}
_PRIORITY_OUT = {Priority.LOW: 10, Priority.NORMAL: 0, Priority.HIGH: 70, Priority.URGENT: 95}
#: How far back to look for our own message when an earlier try may have landed (messages
#: the mirror already has are excluded by id, so this only bounds the search).
LOOKBACK = timedelta(days=1)


def priority_of(value: Any) -> Priority:
    try:
        n = int(value or 0)
    except (TypeError, ValueError):
        return Priority.NORMAL
    if n >= 90:
        return Priority.URGENT
    if n >= 60:
        return Priority.HIGH
    if 1 <= n < 30:
        return Priority.LOW
    return Priority.NORMAL


def tags_of(ticket: dict[str, Any]) -> list[str]:
    for cf in ticket.get("CustomFields") or []:
        if cf.get("name") == TAGS_FIELD:
            return [str(v).lower() for v in cf.get("values") or [] if str(v).strip()]
    return []


def snooze_of(ticket: dict[str, Any], now: datetime) -> datetime | None:
    """The wake time a stalled ticket stands for (None: not snoozed, or already due)."""
    if ticket.get("Status") != "stalled":
        return None
    starts = ticket.get("Starts")
    if starts is None:
        return UNTIL_REPLY
    return starts if starts > now else None


class RTConnector(BaseConnector):
    """One RT queue, mirrored."""

    name: ClassVar[str] = "rt"
    label: ClassVar[str] = "Request Tracker"

    def __init__(self, client: RTClient, *, user: str, queue: str = "General") -> None:
        self.client = client
        self.user = user
        self.queue = queue
        self._base = client.base_url.host or "rt"

    @classmethod
    def from_options(cls, options: ConnectorOptions) -> RTConnector:
        if not options.url:
            raise ValueError("Request Tracker needs --url (http://host:port)")
        if not options.url.startswith(("http://", "https://")):
            raise ValueError(f"--url {options.url!r} is not an http:// or https:// address")
        if not options.user:
            raise ValueError("Request Tracker needs a user name (--user or DESKTERM_RT_USER)")
        if not (options.token or options.password):
            raise ValueError(
                "Request Tracker needs a token (DESKTERM_RT_TOKEN) or a password "
                "(DESKTERM_RT_PASSWORD), or one in the system keyring"
            )
        client = RTClient(
            options.url,
            token=options.token,
            user=options.user,
            password=options.password,
            timeout=options.timeout,
            web_session=not options.token,  # one login, then cheap requests (see RTClient)
        )
        return cls(client, user=options.user, queue=options.queue)

    def account_name(self) -> str:
        url = self.client.base_url
        return f"{url.host}-{url.port}" if url.port else str(url.host)

    def close(self) -> None:
        self.client.close()

    # -- who -------------------------------------------------------------------------------

    def whoami(self) -> RemoteAgent:
        record = self.client.get_user(self.user)
        return RemoteAgent(
            str(record.get("Name") or self.user),
            str(record.get("RealName") or record.get("Name") or self.user),
            record.get("EmailAddress") or None,
        )

    def fetch_customer(self, external_id: str) -> RemoteCustomer:
        record = self.client.get_user(external_id)
        email = record.get("EmailAddress") or external_id
        return RemoteCustomer(external_id, str(record.get("RealName") or email), email)

    # -- pull ------------------------------------------------------------------------------

    def pull(self, cursor: str | None) -> Iterator[PullBatch]:
        state = json.loads(cursor) if cursor else {}
        since = state.get("since")
        after = int(state.get("after") or 0)
        started = state.get("started") or (self.client.server_time() - timedelta(seconds=1))
        if isinstance(started, str):
            started = datetime.fromisoformat(started)
        where = f"Queue = '{_quote(self.queue)}'"
        if since:
            where += f" AND LastUpdated >= '{format_rt_date(datetime.fromisoformat(since))}'"
        total = self.client.search_tickets(where, fields=["id"], per_page=1).total
        if after:
            total = max(0, total - self.client.search_tickets(
                f"{where} AND id <= {after}", fields=["id"], per_page=1).total)  # fmt: skip
        with ThreadPoolExecutor(WORKERS) as pool:
            while True:
                page = self.client.search_tickets(
                    f"{where} AND id > {after}", fields=FIELDS, per_page=BATCH
                )
                if not page.items:
                    break
                conversations = list(pool.map(self._conversation, page.items))
                after = int(page.items[-1]["id"])
                next_state = {"since": since, "after": after, "started": started.isoformat()}
                yield PullBatch(conversations, json.dumps(next_state), total)
                if page.next_page is None:
                    break
        # The pass is complete: the next one starts from when this one did.
        yield PullBatch([], json.dumps({"since": started.isoformat(), "after": 0}), total)

    def _conversation(self, ticket: dict[str, Any]) -> RemoteConversation:
        history = self.client.history(int(ticket["id"]))
        requestors = [str(r) for r in ticket.get("Requestor") or []]
        email = requestors[0] if requestors else "unknown@invalid"
        customer = RemoteCustomer(email, email.split("@")[0].replace(".", " ").title(), email)
        messages: list[RemoteMessage] = []
        stalled_at: datetime | None = None
        for txn in history:
            kind = txn.get("Type")
            if kind == "Status" and txn.get("NewValue") == "stalled":
                stalled_at = txn.get("Created")
            if kind not in ("Create", "Correspond", "Comment"):
                continue
            creator = str(txn.get("Creator") or "")
            from_customer = kind == "Create" or (kind == "Correspond" and creator in requestors)
            messages.append(
                RemoteMessage(
                    external_id=str(txn["id"]),
                    author_kind="customer" if from_customer else "agent",
                    author_external_id=email if from_customer else creator,
                    author_name=customer.name if from_customer else creator,
                    body=str(txn.get("Content") or txn.get("HtmlContent") or ""),
                    html=txn.get("HtmlContent"),
                    created_at=txn.get("Created") or ticket["Created"],
                    public=kind != "Comment",
                )
            )
        now = datetime.now(UTC)
        snoozed = snooze_of(ticket, now)
        public = [m for m in messages if m.public]
        if snoozed is not None and stalled_at is not None and public:
            last = public[-1]
            if last.author_kind == "customer" and last.created_at >= stalled_at:
                snoozed = None  # the customer wrote since: woken, whatever RT says
        raw = str(ticket.get("Status") or "new")
        if raw in _DONE:
            status = Status.DONE
        elif raw == "new":
            status = Status.NEW
        elif public and public[-1].author_kind == "agent":
            status = Status.PENDING
        else:
            status = Status.OPEN
        owner = str(ticket.get("Owner") or "Nobody")
        return RemoteConversation(
            external_id=str(ticket["id"]),
            subject=str(ticket.get("Subject") or "(no subject)"),
            status=status,
            customer=customer,
            created_at=ticket["Created"],
            updated_at=ticket.get("LastUpdated") or ticket["Created"],
            channel=Channel.EMAIL,
            assignee=None if owner == "Nobody" else RemoteAgent(owner, owner),
            tags=tags_of(ticket),
            priority=priority_of(ticket.get("Priority")),
            snoozed_until=snoozed,
            messages=messages,
        )

    # -- push ------------------------------------------------------------------------------

    def push(self, action: PushAction) -> PushResult:
        tid = int(action.conversation_external_id)
        if action.kind in ("reply", "note"):
            return self._push_message(tid, action)
        return self._push_fields(tid, action)

    def _push_message(self, tid: int, action: PushAction) -> PushResult:
        kind = "Correspond" if action.public else "Comment"
        body = action.body or ""
        if action.attempts > 1:
            found = self._find_own(
                tid, kind, body, action.created_at - LOOKBACK, action.known_message_ids
            )
            if found is not None:
                self._after_message(tid, action)
                return PushResult(found, already_there=True)
        if action.public:
            self.client.correspond(tid, body)
        else:
            self.client.comment(tid, body)
        self._after_message(tid, action)
        return PushResult(
            self._find_own(tid, kind, body, action.created_at - LOOKBACK, action.known_message_ids)
        )

    def _after_message(self, tid: int, action: PushAction) -> None:
        """Send & done resolves the ticket; a reply to a woken (still stalled) ticket
        reopens it, else RT would keep it snoozed."""
        status = self.client.get_ticket(tid).get("Status")
        if action.done and status not in _DONE:
            self.client.update_ticket(tid, {"Status": "resolved"})
        elif (
            not action.done
            and action.public
            and status == "stalled"
            and action.current.get("snoozed_until") is None
        ):
            self.client.update_ticket(tid, {"Status": "open"})

    def _find_own(
        self, tid: int, kind: str, body: str, since: datetime, known: frozenset[str]
    ) -> str | None:
        """The id of our own message of that text on the ticket since ``since`` that the
        mirror does not hold yet, if any."""

        def candidate(txn: dict[str, Any]) -> bool:
            created = txn.get("Created")
            return (
                txn.get("Type") == kind
                and str(txn.get("id")) not in known
                and txn.get("Creator") == self.user
                and created is not None
                and created >= since.replace(microsecond=0)
            )

        for txn in reversed(self.client.history(tid, parts=candidate)):
            if candidate(txn) and same_text(txn.get("Content") or "", body):
                return str(txn["id"])
        return None

    def _push_fields(self, tid: int, action: PushAction) -> PushResult:
        ticket = self.client.get_ticket(tid)
        now = datetime.now(UTC)
        raw = str(ticket.get("Status") or "new")
        remote = {
            "status": "done" if raw in _DONE else ("new" if raw == "new" else "open"),
            "snoozed_until": snooze_of(ticket, now),
            "assignee": None if ticket.get("Owner") in (None, "Nobody") else ticket["Owner"],
            "tags": tags_of(ticket),
            "priority": str(priority_of(ticket.get("Priority"))),
        }
        plan = plan_fields(action, remote, _same)
        status_change = {"status", "snoozed_until"} & {*plan.send, *plan.conflicts}
        if status_change and action.attempts > 1 and self._landed(tid, action):
            return PushResult(already_there=True)  # ours landed; someone changed it since
        if plan.conflicts:
            who = ticket.get("LastUpdatedBy") or "someone"
            said = ", ".join(f"the {k} to {say_value(v)}" for k, v in plan.conflicts.items())
            raise Conflict(f"{who} changed {said} on {self.label}")
        update: dict[str, Any] = {}
        if "status" in plan.send or "snoozed_until" in plan.send:
            status = str(action.current.get("status", action.fields.get("status", "open")))
            until = action.current.get("snoozed_until")
            if status == "done":
                update["Status"] = "resolved"
            elif until is not None:
                update["Status"] = "stalled"
                update["Starts"] = (
                    "1970-01-01 00:00:00" if until >= UNTIL_REPLY else format_rt_date(until)
                )
            elif status == "new" and raw == "new":
                pass
            else:
                update["Status"] = "open"
        if "assignee" in plan.send:
            update["Owner"] = plan.send["assignee"] or "Nobody"
        if "tags" in plan.send:
            update["CustomFields"] = {TAGS_FIELD: list(plan.send["tags"])}
        if "priority" in plan.send:
            update["Priority"] = _PRIORITY_OUT[Priority(plan.send["priority"])]
        if "group_id" in action.fields:
            raise PermanentError("groups are not mirrored to Request Tracker (use its queues)")
        if update:
            self.client.update_ticket(tid, update)
        return PushResult()

    def _landed(self, tid: int, action: PushAction) -> bool:
        """Whether an earlier try of this status change reached RT (its answer lost): a
        Status transaction of ours to the status it sets, since the action was taken."""
        status = str(action.current.get("status", action.fields.get("status", "")))
        until = action.current.get("snoozed_until")
        wanted = "resolved" if status == "done" else "stalled" if until is not None else "open"
        since = action.created_at - timedelta(minutes=1)  # the two clocks may differ a little
        return any(
            txn.get("Type") == "Status"
            and txn.get("Creator") == self.user
            and txn.get("NewValue") == wanted
            and (txn.get("Created") or since) >= since
            for txn in self.client.history(tid, parts=lambda _txn: False)
        )


def _same(name: str, remote: Any, local: Any) -> bool:
    if name == "status":  # RT has no "waiting on the customer": it is open there
        equivalent = {"pending": "open"}
        return bool(equivalent.get(str(local), str(local)) == remote)
    return near(name, remote, local)


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")
