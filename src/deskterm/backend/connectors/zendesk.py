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
- Sync: the cursor-based incremental ticket export (``after_cursor`` is the cursor, kept at
  end of stream), then each changed ticket's comments by cursor pagination, and the people
  by ``show_many``.
- Macros import into deskterm's library with their Liquid placeholders as written;
  actions deskterm knows (status, priority, tags, assign to me) come along.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from deskterm.backend.connectors.errors import Conflict, PermanentError
from deskterm.backend.connectors.token_store import signed_in_session, zendesk_root
from deskterm.backend.connectors.zendesk_api import ZendeskClient
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
    RemoteMacro,
    RemoteMessage,
)
from deskterm.backend.sync.text import same_text
from deskterm.domain.models import UNTIL_REPLY, Channel, Priority, Status

SNOOZE_TAG = "deskterm_snooze_"
UNTIL_REPLY_TAG = SNOOZE_TAG + "reply"
EXPORT_PAGE = 100
#: How far back to look for our own comment when an earlier try may have landed (comments
#: the mirror already has are excluded by id, so this only bounds the search).
LOOKBACK = timedelta(days=1)
_STATUS_IN = {
    "new": Status.NEW,
    "open": Status.OPEN,
    "pending": Status.PENDING,
    "hold": Status.PENDING,
    "solved": Status.DONE,
    "closed": Status.DONE,
}
_CHANNELS = {
    "email": Channel.EMAIL,
    "chat": Channel.CHAT,
    "native_messaging": Channel.CHAT,
    "whatsapp": Channel.WHATSAPP,
    "voice": Channel.PHONE,
    "facebook": Channel.SOCIAL,
    "twitter": Channel.SOCIAL,
    "instagram_dm": Channel.SOCIAL,
}
_MACRO_FIELDS = {"status", "priority", "current_tags", "remove_tags", "assignee_id"}


def snooze_tag(until: datetime) -> str:
    if until >= UNTIL_REPLY:
        return UNTIL_REPLY_TAG
    return f"{SNOOZE_TAG}{int(until.timestamp())}"


def snooze_from_tags(tags: list[str]) -> datetime | None:
    """The wake time a ticket's deskterm snooze tag stands for, if it has one."""
    for tag in tags:
        if tag == UNTIL_REPLY_TAG:
            return UNTIL_REPLY
        if tag.startswith(SNOOZE_TAG) and tag[len(SNOOZE_TAG) :].isdigit():
            return datetime.fromtimestamp(int(tag[len(SNOOZE_TAG) :]), UTC)
    return None


def visible_tags(tags: list[str]) -> list[str]:
    return [t for t in tags if not t.startswith(SNOOZE_TAG)]


def remote_state(ticket: dict[str, Any], now: datetime) -> tuple[Status, datetime | None]:
    """deskterm's (status, snoozed_until) for a Zendesk ticket."""
    raw = str(ticket.get("status") or "new")
    status = _STATUS_IN.get(raw, Status.OPEN)
    until = snooze_from_tags(list(ticket.get("tags") or []))
    if raw == "pending" and until is not None:
        # Snoozed by deskterm: "pending" only carries the snooze; underneath it is open.
        return Status.OPEN, (until if until > now else None)
    return status, None


def _time(value: Any) -> datetime:
    if not value:
        return datetime.now(UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


class ZendeskConnector(BaseConnector):
    """One Zendesk account, mirrored."""

    name: ClassVar[str] = "zendesk"
    label: ClassVar[str] = "Zendesk"

    def __init__(self, client: ZendeskClient, *, start_time: int = 0) -> None:
        self.client = client
        self.start_time = start_time
        self._me: RemoteAgent | None = None
        self._users: dict[int, dict[str, Any]] = {}

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

    # -- people ----------------------------------------------------------------------------

    def whoami(self) -> RemoteAgent:
        me = self.client.me()
        self._me = RemoteAgent(str(me["id"]), str(me.get("name") or me["id"]), me.get("email"))
        return self._me

    def fetch_customer(self, external_id: str) -> RemoteCustomer:
        user = self.client.get_users([int(external_id)])
        if not user:
            raise PermanentError(f"no Zendesk user {external_id}", status=404)
        return self._customer(user[0])

    def _customer(self, user: dict[str, Any]) -> RemoteCustomer:
        organization = user.get("organization_id")
        return RemoteCustomer(
            str(user["id"]),
            str(user.get("name") or user.get("email") or user["id"]),
            user.get("email"),
            language=str(user.get("locale") or "en")[:2],
            organization=str(organization) if organization else None,
        )

    def _load_users(self, ids: set[int]) -> None:
        missing = {i for i in ids if i and i not in self._users}
        if missing:
            for user in self.client.get_users(sorted(missing)):
                self._users[int(user["id"])] = user

    # -- pull ------------------------------------------------------------------------------

    def pull(self, cursor: str | None) -> Iterator[PullBatch]:
        state = json.loads(cursor) if cursor else {}
        after = state.get("after")
        while True:
            if after:
                page = self.client.incremental_tickets(cursor=after, per_page=EXPORT_PAGE)
            else:
                page = self.client.incremental_tickets(
                    start_time=self.start_time, per_page=EXPORT_PAGE
                )
            conversations = [self._conversation(t) for t in page.tickets]
            if page.after_cursor:
                after = page.after_cursor
            yield PullBatch(conversations, json.dumps({"after": after}), None)
            if page.end_of_stream or not page.tickets:
                return

    def _conversation(self, ticket: dict[str, Any]) -> RemoteConversation:
        comments = list(self.client.iter_comments(int(ticket["id"])))
        people = {int(c["author_id"]) for c in comments if c.get("author_id")}
        people |= {int(i) for i in (ticket.get("requester_id"), ticket.get("assignee_id")) if i}
        self._load_users(people)
        requester = int(ticket.get("requester_id") or 0)
        customer_user = self._users.get(requester, {"id": requester, "name": f"user {requester}"})
        messages = []
        for c in comments:
            author = int(c.get("author_id") or 0)
            user = self._users.get(author, {})
            from_customer = author == requester or user.get("role") == "end-user"
            messages.append(
                RemoteMessage(
                    external_id=str(c["id"]),
                    author_kind="customer" if from_customer else "agent",
                    author_external_id=str(author) if author else None,
                    author_name=str(user.get("name") or ""),
                    body=str(c.get("plain_body") or c.get("body") or ""),
                    html=c.get("html_body"),
                    created_at=_time(c.get("created_at")),
                    public=bool(c.get("public", True)),
                )
            )
        status, until = remote_state(ticket, datetime.now(UTC))
        assignee = ticket.get("assignee_id")
        assignee_user = self._users.get(int(assignee)) if assignee else None
        via = ((ticket.get("via") or {}).get("channel")) or "web"
        priority = ticket.get("priority") or "normal"
        return RemoteConversation(
            external_id=str(ticket["id"]),
            subject=str(ticket.get("subject") or ticket.get("raw_subject") or "(no subject)"),
            status=status,
            customer=self._customer(customer_user),
            created_at=_time(ticket.get("created_at")),
            updated_at=_time(ticket.get("updated_at")),
            channel=_CHANNELS.get(str(via), Channel.FORM if via == "web" else Channel.EMAIL),
            assignee=(
                RemoteAgent(
                    str(assignee),
                    str((assignee_user or {}).get("name") or assignee),
                    (assignee_user or {}).get("email"),
                )
                if assignee
                else None
            ),
            tags=visible_tags(list(ticket.get("tags") or [])),
            priority=_priority(priority),
            snoozed_until=until,
            messages=messages,
        )

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
                    and _time(c.get("created_at")) >= since
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
        found = []
        for macro in self.client.iter_macros(active_only=True):
            body = ""
            actions = []
            for a in macro.get("actions") or []:
                field, value = a.get("field"), a.get("value")
                if field in ("comment_value", "comment_value_html"):
                    body = value[-1] if isinstance(value, list) else str(value or "")
                elif field in _MACRO_FIELDS:
                    if field == "assignee_id":
                        if value != "current_user":
                            continue  # another account's agent id means nothing here
                        value = "me"
                    actions.append({"field": field, "value": value})
            found.append(RemoteMacro(str(macro["id"]), str(macro.get("title")), body, actions))
        return found


def _priority(value: Any) -> Priority:
    try:
        return Priority(str(value))
    except ValueError:
        return Priority.NORMAL
