"""Zendesk Support behind the Connector protocol (over :class:`ZendeskClient`).

The model, mapped:

- Statuses: new, open and pending are deskterm's; hold (waiting on a third party) is
  pending; solved and closed are done (a closed ticket refuses changes: the refusal shows on
  the conversation).
- Snooze is ``pending`` plus a tag ``deskterm_snooze_<epoch seconds>`` (or
  ``deskterm_snooze_reply`` for "until the customer replies"). A tag, rather than a custom
  field, because every account has tags and needs no admin set-up, the tag travels with the
  ticket so every deskterm user of the account sees the same wake time, and Zendesk's own
  rule (a requester reply sets pending back to open) wakes it early, as deskterm does.
  Zendesk's own views show such a ticket as pending. The tag never shows among deskterm's
  tags.
- Sync, by role (read from ``users/me`` at sign-in): an admin's through the cursor-based
  incremental ticket export (``after_cursor`` is the cursor, kept at end of stream); an
  agent's, since Zendesk allows that export to admins only, through the search export
  (``type:ticket updated>…``, cursor pages), which agents may call. Its cursor is the newest
  ``updated_at`` seen, less ``SEARCH_LAG`` for the tickets Zendesk has not indexed yet, so a
  change is never skipped (the last few minutes are read again, not the comments of tickets
  already read unchanged); deletions, which search does not show, come from the list of
  deleted tickets. Then, either way, each changed ticket's comments by cursor pagination,
  and the people by ``show_many``.
- Deleted tickets: the export lists them with ``"status": "deleted"`` (their comments then
  answer 404); they leave deskterm's views. A ticket whose comments answer 404 was deleted
  while being read, and leaves them too; any other refusal on one ticket skips it with a
  line in the log. The page goes on and its cursor is kept either way.
- Macros import into deskterm's library with their Liquid placeholders as written;
  actions deskterm knows (status, priority, tags, assign to me) come along. A macro a lead
  publishes in deskterm is created or changed in Zendesk's shared library (see
  :mod:`.zendesk_macros`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from deskterm.backend.connectors import zendesk_macros
from deskterm.backend.connectors.errors import AuthError, Conflict, PermanentError, RateLimited
from deskterm.backend.connectors.token_store import signed_in_session, zendesk_root
from deskterm.backend.connectors.zendesk_api import ZendeskClient
from deskterm.backend.connectors.zendesk_files import fetch_attachment
from deskterm.backend.connectors.zendesk_tickets import (
    SNOOZE_TAG,
    UNTIL_REPLY_TAG,
    TicketReader,
    iso_time,
    remote_state,
    snooze_from_tags,
    snooze_tag,
    time_of,
    visible_tags,
)
from deskterm.backend.sync.fields import near, plan_fields, say_value
from deskterm.backend.sync.protocol import (
    BaseConnector,
    ConnectorOptions,
    MacroPublication,
    PullBatch,
    PushAction,
    PushResult,
    RemoteAgent,
    RemoteCustomer,
    RemoteMacro,
    RemovedConversation,
)
from deskterm.backend.sync.text import same_text

log = logging.getLogger(__name__)

__all__ = [
    "SNOOZE_TAG",
    "UNTIL_REPLY_TAG",
    "ZendeskConnector",
    "remote_state",
    "snooze_from_tags",
    "snooze_tag",
    "visible_tags",
]

EXPORT_PAGE = 100
#: Seconds a changed ticket may take to become searchable (Zendesk: "a few minutes").
SEARCH_LAG = 600
#: Seconds between two reads of the deleted tickets (Zendesk allows 10 a minute).
DELETED_EVERY = 60.0
#: How far back to look for our own comment when an earlier try may have landed (comments
#: the mirror already has are excluded by id, so this only bounds the search).
LOOKBACK = timedelta(days=1)


def _epoch(stamp: str, default: int) -> int:
    try:
        return int(time_of(stamp).timestamp()) if stamp else default
    except ValueError:
        return default  # an unreadable time moves nothing


class ZendeskConnector(BaseConnector):
    """One Zendesk account, mirrored."""

    name: ClassVar[str] = "zendesk"
    label: ClassVar[str] = "Zendesk"

    def __init__(
        self,
        client: ZendeskClient,
        *,
        start_time: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.start_time = start_time
        self.clock = clock
        #: When the deleted tickets were last read (by ``clock``); None: never.
        self._deleted_read_at: float | None = None
        self._me: RemoteAgent | None = None
        self._role: str | None = None
        self.tickets = TicketReader(client)
        #: Ticket id → the updated_at already mirrored by a search pull of this process.
        self._searched: dict[str, str] = {}

    @classmethod
    def from_options(cls, options: ConnectorOptions) -> ZendeskConnector:
        if not (options.subdomain or options.url):
            raise ValueError("Zendesk needs --subdomain (acme for acme.zendesk.com)")
        session = None
        root = zendesk_root(options.subdomain, options.url)
        if not options.oauth_token and root:
            session = signed_in_session(root, timeout=options.timeout)
        if not (session or options.oauth_token or (options.token and options.user)):
            raise ValueError(
                "Zendesk needs a sign-in (deskterm --remote zendesk login), or an API token "
                "(DESKTERM_ZENDESK_TOKEN) with the agent's email (--user or "
                "DESKTERM_ZENDESK_EMAIL), or an OAuth token (DESKTERM_ZENDESK_OAUTH_TOKEN)"
            )
        client = ZendeskClient(
            subdomain=options.subdomain,
            base_url=options.url,
            email=options.user,
            api_token=options.token,
            oauth_token=options.oauth_token,
            auth_provider=session,
            timeout=options.timeout,
        )
        return cls(client)

    def account_name(self) -> str:
        return self.client.base_url.split("://", 1)[-1].replace(":", "-")

    def close(self) -> None:
        self.client.close()

    def fetch_file(self, external_id: str) -> bytes:
        """A comment's file from its ``content_url`` (only from the account's own host or
        Zendesk's attachment host: see :mod:`.zendesk_files`)."""
        return fetch_attachment(self.client, external_id)

    # -- people ----------------------------------------------------------------------------

    def whoami(self) -> RemoteAgent:
        me = self.client.me()
        self._me = RemoteAgent(str(me["id"]), str(me.get("name") or me["id"]), me.get("email"))
        self._role = str(me.get("role") or "agent")
        return self._me

    def uses_export(self) -> bool:
        """Whether pulls use the admins' ticket export (else the agents' search export); asks
        ``users/me`` the first time."""
        if self._role is None:
            self.whoami()
        return self._role == "admin"

    def fetch_customer(self, external_id: str) -> RemoteCustomer:
        user = self.client.get_users([int(external_id)])
        if not user:
            raise PermanentError(f"no Zendesk user {external_id}", status=404)
        return self.tickets.customer(user[0])

    # -- pull ------------------------------------------------------------------------------

    def pull(self, cursor: str | None) -> Iterator[PullBatch]:
        state = json.loads(cursor) if cursor else {}
        if self.uses_export():
            try:
                yield from self._pull_by_export(state)
                return
            except PermanentError as exc:
                if exc.status != 403 or isinstance(exc, AuthError):
                    raise
                self._role = "agent"  # an admin by name only: agents' path from now on
        yield from self._pull_by_search(state)

    def _pull_by_export(self, state: dict[str, Any]) -> Iterator[PullBatch]:
        after = state.get("after")
        while True:
            if after:
                page = self.client.incremental_tickets(cursor=after, per_page=EXPORT_PAGE)
            else:
                start = int(state.get("since") or self.start_time)
                page = self.client.incremental_tickets(start_time=start, per_page=EXPORT_PAGE)
            batch = PullBatch([], None)
            for ticket in page.tickets:
                self.tickets.read(ticket, batch)
            if page.after_cursor:
                after = page.after_cursor
            batch.cursor = json.dumps({"after": after} if after else state)
            yield batch
            if page.end_of_stream or not page.tickets:
                return

    def _pull_by_search(self, state: dict[str, Any]) -> Iterator[PullBatch]:
        since = int(state.get("since") or self.start_time)
        newest = since
        query = f"updated>{iso_time(since - 1)}"
        batch, read = PullBatch([], json.dumps({"since": since})), {}
        for ticket in self.client.search_export(query):
            tid, stamp = str(ticket.get("id")), str(ticket.get("updated_at") or "")
            newest = max(newest, _epoch(stamp, since))
            if self._searched.get(tid) == stamp:
                continue  # read unchanged in an earlier window of this process
            self.tickets.read(ticket, batch)
            read[tid] = stamp
            if len(read) >= EXPORT_PAGE:
                yield batch  # the cursor stays: the window is not read to its end yet
                self._searched |= read
                batch, read = PullBatch([], json.dumps({"since": since})), {}
        removed, complete = self._deleted_since(since - SEARCH_LAG)
        batch.removed += removed
        # Deletions not read (a rate limit): the window stays, to read them next time.
        moved = max(since, newest - SEARCH_LAG) if complete else since
        batch.cursor = json.dumps({"since": moved})
        yield batch
        self._searched |= read

    def _deleted_since(self, since: int) -> tuple[list[RemovedConversation], bool]:
        """Tickets deleted since ``since`` (search no longer finds them), and whether the list
        was read to that point. An agent refused the list (403) cannot learn of deletions:
        nothing more to read then."""
        removed: list[RemovedConversation] = []
        now = self.clock()
        if self._deleted_read_at is not None and now - self._deleted_read_at < DELETED_EVERY:
            return removed, False  # read a moment ago: next time, the window stays till then
        self._deleted_read_at = now
        try:
            for record in self.client.deleted_tickets():
                if _epoch(str(record.get("deleted_at") or ""), 0) < since:
                    break
                removed.append(RemovedConversation(str(record.get("id")), "Deleted on Zendesk"))
        except AuthError:
            raise
        except RateLimited as exc:
            log.info("Zendesk deleted tickets not read this time: %s", str(exc)[:300])
            return removed, False
        except PermanentError as exc:
            log.info("Zendesk deleted tickets not readable: %s", str(exc)[:300])
        return removed, True

    # -- push ------------------------------------------------------------------------------

    def push(self, action: PushAction) -> PushResult:
        tid = int(action.conversation_external_id)
        if action.kind in ("reply", "note"):
            return self._push_message(tid, action)
        return self._push_fields(tid, action)

    def _my_id(self) -> int:
        if self._me is None:
            self.whoami()
        assert self._me is not None
        return int(self._me.external_id)

    def _push_message(self, tid: int, action: PushAction) -> PushResult:
        body = action.body or ""
        if action.attempts > 1:
            me = self._my_id()
            since = action.created_at - LOOKBACK
            for c in reversed(list(self.client.iter_comments(tid))):
                if (
                    str(c.get("id")) not in action.known_message_ids
                    and int(c.get("author_id") or 0) == me
                    and bool(c.get("public", True)) == action.public
                    and time_of(c.get("created_at")) >= since
                    and same_text(c.get("plain_body") or c.get("body"), body)
                ):
                    if action.done:
                        self.client.update_ticket(tid, {"status": "solved"})
                    return PushResult(str(c["id"]), already_there=True)
        update = self.client.add_comment(tid, body, public=action.public)
        if action.done:
            self.client.update_ticket(tid, {"status": "solved"})
        comment = update.comment or {}
        return PushResult(str(comment["id"]) if comment.get("id") else None)

    def _push_fields(self, tid: int, action: PushAction) -> PushResult:
        ticket = self.client.get_ticket(tid)
        now = datetime.now(UTC)
        status, until = remote_state(ticket, now)
        tags = list(ticket.get("tags") or [])
        remote = {
            "status": str(status),
            "snoozed_until": until,
            "assignee": str(ticket["assignee_id"]) if ticket.get("assignee_id") else None,
            "tags": visible_tags(tags),
            "priority": str(ticket.get("priority") or "normal"),
        }
        plan = plan_fields(action, remote, near)
        if plan.conflicts:
            said = ", ".join(f"the {k} to {say_value(v)}" for k, v in plan.conflicts.items())
            raise Conflict(f"someone changed {said} on Zendesk")
        if "group_id" in action.fields:
            raise PermanentError("deskterm's groups are not mirrored to Zendesk groups yet")
        update: dict[str, Any] = {}
        if "status" in plan.send or "snoozed_until" in plan.send or "tags" in plan.send:
            wanted = plan.send.get("tags", remote["tags"])
            local_status = str(action.current.get("status", "open"))
            snoozed = action.current.get("snoozed_until")
            if local_status == "done":
                update["status"] = "solved"
                snoozed = None
            elif snoozed is not None:
                update["status"] = "pending"
            elif local_status != "new" or ticket.get("status") != "new":
                update["status"] = {"pending": "pending"}.get(local_status, "open")
                if ticket.get("status") == "hold" and local_status == "pending":
                    update.pop("status")  # hold stays hold: deskterm reads both as waiting
            update["tags"] = sorted(set(wanted or [])) + ([snooze_tag(snoozed)] if snoozed else [])
        if "assignee" in plan.send:
            update["assignee_id"] = int(plan.send["assignee"]) if plan.send["assignee"] else None
        if "priority" in plan.send:
            update["priority"] = plan.send["priority"]
        if update:
            self.client.update_ticket(tid, update)
        return PushResult()

    # -- macros ----------------------------------------------------------------------------

    def macros(self) -> list[RemoteMacro]:
        return zendesk_macros.pull(self.client)

    def publish_macro(self, publication: MacroPublication) -> str:
        """Create or change the shared macro in Zendesk (see :mod:`.zendesk_macros`)."""
        return zendesk_macros.publish(self.client, publication)

    def kept_locally(self, actions: list[Any]) -> list[Any]:
        """The actions Zendesk's macros cannot hold (they stay in deskterm's copy)."""
        return zendesk_macros.kept_locally(actions)

    def unfilled_placeholders(self, body: str) -> list[str]:
        """The placeholders of a macro's body Zendesk's own agents see empty."""
        return zendesk_macros.deskterm_only(body)
