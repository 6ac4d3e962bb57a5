"""Request Tracker 5 behind the Connector protocol (over :class:`RTClient`, REST 2).

How a ticket maps onto a conversation is in :mod:`.rt_tickets`; which queues are mirrored,
and their cursors, in :mod:`.rt_queues`; who RT's users are in :mod:`.rt_people`.

Incremental pull, queue by queue: TicketSQL ``LastUpdated >= since``, walked in id order with
``id > last`` (stable while tickets change); ``since`` is RT's own clock when the pass started,
so nothing updated during a pass is missed. A ticket whose history RT will not give (a 404,
or a 500 twice) is skipped with a line in the log, and the pass goes on.

Every few minutes, after a pull, the mirror asks :meth:`RTConnector.in_scope` which tickets
are in the queues (TicketSQL hides deleted tickets), and :meth:`RTConnector.why_gone` about
each one that left: deleted, or moved to another queue.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from deskterm.backend.connectors.errors import (
    AuthError,
    Conflict,
    PermanentError,
    RateLimited,
    TransientError,
)
from deskterm.backend.connectors.rt_api import RTClient
from deskterm.backend.connectors.rt_people import People
from deskterm.backend.connectors.rt_queues import (
    Cursors,
    Queue,
    queue_names,
    resolve,
    where_queues,
)
from deskterm.backend.connectors.rt_records import format_rt_date
from deskterm.backend.connectors.rt_tickets import (
    DONE,
    FIELDS,
    TAGS_FIELD,
    TicketReader,
    priority_of,
    raw_tags,
    snooze_of,
    spelled_as_remote,
    tags_of,
)
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
)
from deskterm.backend.sync.text import same_text
from deskterm.domain.models import UNTIL_REPLY, Priority

log = logging.getLogger(__name__)

BATCH = 50
#: Histories read side by side (RT's server is started with four workers).
WORKERS = 4
_PRIORITY_OUT = {Priority.LOW: 10, Priority.NORMAL: 0, Priority.HIGH: 70, Priority.URGENT: 95}
#: How far back to look for our own message when an earlier try may have landed (messages
#: the mirror already has are excluded by id, so this only bounds the search).
LOOKBACK = timedelta(days=1)
#: Passes a ticket RT will not give is tried in before it is left out (until it changes).
SKIP_TRIES = 3


class RTConnector(BaseConnector):
    """One or more RT queues, mirrored."""

    name: ClassVar[str] = "rt"
    label: ClassVar[str] = "Request Tracker"

    def __init__(self, client: RTClient, *, user: str, queue: str = "General") -> None:
        """``queue``: one queue name, or several separated by commas."""
        self.client = client
        self.user = user
        self.queue_names = queue_names(queue)
        self.people = People(client)
        self.reader = TicketReader(client, self.people)
        self._queues: list[Queue] | None = None
        #: Keys of the queues the mirror has a cursor for (as the last pull read it).
        self._followed: frozenset[str] = frozenset()

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

    def queues(self) -> list[Queue]:
        """The mirrored queues, checked with RT once per connector.

        Raises:
            PermanentError: a queue RT does not have, in one line naming those it has.
        """
        if self._queues is None:
            self._queues = resolve(self.client, self.queue_names)
        return self._queues

    # -- who -------------------------------------------------------------------------------

    def whoami(self) -> RemoteAgent:
        """The agent, once the queues are known to exist (a mistyped queue is refused here,
        before anything is mirrored)."""
        record = self.client.get_user(self.user)
        self.queues()
        return RemoteAgent(
            str(record.get("Name") or self.user),
            str(record.get("RealName") or record.get("Name") or self.user),
            record.get("EmailAddress") or None,
        )

    def fetch_customer(self, external_id: str) -> RemoteCustomer:
        return self.people.customer(external_id)

    # -- pull ------------------------------------------------------------------------------

    def pull(self, cursor: str | None) -> Iterator[PullBatch]:
        cursors = Cursors(cursor)
        self._followed = cursors.followed()
        queues = self.queues()
        started = self.client.server_time() - timedelta(seconds=1)
        passes = [(q, cursors.state(q)) for q in queues]
        totals = [self._remaining(q, state) for q, state in passes]
        total = sum(totals)
        with ThreadPoolExecutor(WORKERS) as pool:
            for queue, state in passes:
                yield from self._pull_queue(pool, cursors, queue, state, started, total)

    def _where(self, queue: Queue, state: dict[str, Any]) -> str:
        where = f"Queue = {queue.id}"
        since = state.get("since")
        if since:
            where += f" AND LastUpdated >= '{format_rt_date(datetime.fromisoformat(since))}'"
        return where

    def _remaining(self, queue: Queue, state: dict[str, Any]) -> int:
        where = self._where(queue, state)
        total = self.client.search_tickets(where, fields=["id"], per_page=1).total
        after = int(state.get("after") or 0)
        if after:
            total = max(0, total - self.client.search_tickets(
                f"{where} AND id <= {after}", fields=["id"], per_page=1).total)  # fmt: skip
        return total

    def _pull_queue(
        self,
        pool: ThreadPoolExecutor,
        cursors: Cursors,
        queue: Queue,
        state: dict[str, Any],
        now: datetime,
        total: int,
    ) -> Iterator[PullBatch]:
        where = self._where(queue, state)
        after = int(state.get("after") or 0)
        # A pass resumed after an interruption keeps the start time of its first part.
        started = state.get("started") or now.isoformat()
        skipped: dict[str, int] = dict(state.get("skipped") or {})
        if skipped and not after:
            # Tickets skipped by earlier passes are tried again, a few times, first.
            ids = " OR ".join(f"id = {int(tid)}" for tid in skipped)
            page = self.client.search_tickets(
                f"Queue = {queue.id} AND ({ids})", fields=FIELDS, per_page=len(skipped)
            )
            retried = self._read(pool, page.items, skipped)
            moved = dict(state, skipped=skipped)
            yield PullBatch(retried, cursors.moved(queue, moved), total)
        while True:
            page = self.client.search_tickets(
                f"{where} AND id > {after}", fields=FIELDS, per_page=BATCH
            )
            if not page.items:
                break
            conversations = self._read(pool, page.items, skipped)
            after = int(page.items[-1]["id"])
            moved = {"since": state.get("since"), "after": after, "started": started,
                     "skipped": skipped}  # fmt: skip
            yield PullBatch(conversations, cursors.moved(queue, moved), total)
            if page.next_page is None:
                break
        # The pass is complete: the next one starts from when this one did.
        done = {"since": started, "after": 0, "skipped": skipped}
        yield PullBatch([], cursors.moved(queue, done), total)

    def _read(
        self, pool: ThreadPoolExecutor, tickets: list[dict[str, Any]], skipped: dict[str, int]
    ) -> list[RemoteConversation]:
        """The conversations of ``tickets``; the ones RT will not give are counted in
        ``skipped`` (and dropped from it after :data:`SKIP_TRIES` passes)."""
        read = list(pool.map(self._conversation_or_why, tickets))
        conversations = []
        for ticket, result in zip(tickets, read, strict=True):
            tid = str(ticket["id"])
            if isinstance(result, RemoteConversation):
                skipped.pop(tid, None)
                conversations.append(result)
                continue
            tries = skipped.get(tid, 0) + 1
            if tries >= SKIP_TRIES:
                skipped.pop(tid, None)
                log.warning("ticket %s left out after %d tries: %s", tid, tries, result)
            else:
                skipped[tid] = tries
                log.warning("ticket %s skipped (tried again next pass): %s", tid, result)
        return conversations

    def _conversation_or_why(self, ticket: dict[str, Any]) -> RemoteConversation | str:
        """The ticket's conversation, or why RT will not give it (a 404, a 500 twice), so
        that one bad ticket never holds up the others. Lost connections, refused
        credentials, rate limits and gateways that cannot reach RT still stop the pull."""
        reason = ""
        for _attempt in (1, 2):
            try:
                return self.reader.conversation(ticket)
            except AuthError:
                raise
            except PermanentError as exc:
                return str(exc).splitlines()[0][:300]
            except TransientError as exc:
                if exc.status != 500 or isinstance(exc, RateLimited):
                    raise
                reason = str(exc).splitlines()[0][:300]
        return reason

    # -- what left the queues --------------------------------------------------------------

    def in_scope(self) -> frozenset[str]:
        """Every ticket in the mirrored queues now (ids only; deleted ones are not listed)."""
        where = where_queues(self.queues())
        return frozenset(str(t["id"]) for t in self.client.iter_tickets(where, ["id"]))

    def why_gone(self, external_id: str) -> str | None:
        try:
            ticket = self.client.get_ticket(int(external_id))
        except PermanentError as exc:
            if exc.status == 404:
                return f"deleted in {self.label}"
            raise
        if str(ticket.get("Status")) == "deleted":
            return f"deleted in {self.label}"
        queue = ticket.get("Queue")
        if queue in {q.id for q in self.queues()} or str(queue) in self._followed:
            # In a queue this mirror followed before (not named this time): kept as it was.
            return None
        try:
            name = str(self.client.get_queue(int(queue or 0)).get("Name") or queue)
        except (PermanentError, TypeError, ValueError):
            name = "another queue"
        else:
            name = f"queue {name}"
        return f"moved to {name} in {self.label}"

    def fetch_file(self, external_id: str) -> bytes:
        data, _record = self.client.attachment(int(external_id))
        return data

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
        if action.done and status not in DONE:
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
            "status": "done" if raw in DONE else ("new" if raw == "new" else "open"),
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
            login = str(ticket.get("LastUpdatedBy") or "")
            who = self.people.agent(login).name if login else "someone"
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
            spelled = spelled_as_remote(list(plan.send["tags"]), raw_tags(ticket))
            update["CustomFields"] = {TAGS_FIELD: spelled}
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
