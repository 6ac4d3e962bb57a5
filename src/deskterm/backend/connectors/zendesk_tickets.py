"""Zendesk tickets read as deskterm's conversations: statuses, snooze tags, channels, people.

- Statuses: new, open and pending are deskterm's; hold (waiting on a third party) is
  pending; solved and closed are done. ``deleted`` (only the ticket export shows it) is no
  status: such a ticket leaves deskterm's views.
- Channels: Zendesk's ``via.channel`` names where a ticket came from; those of the messaging
  channels ("instant" in deskterm: the customer waits on screen) get the instant SLA and view.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from deskterm.backend.connectors.errors import AuthError, PermanentError
from deskterm.backend.connectors.zendesk_api import ZendeskClient
from deskterm.backend.connectors.zendesk_files import files_of
from deskterm.backend.sync.protocol import (
    PullBatch,
    RemoteAgent,
    RemoteConversation,
    RemoteCustomer,
    RemoteMessage,
    RemovedConversation,
)
from deskterm.domain.models import UNTIL_REPLY, Channel, Priority, Status

SNOOZE_TAG = "deskterm_snooze_"
UNTIL_REPLY_TAG = SNOOZE_TAG + "reply"
#: The status the ticket export gives a deleted ticket (it is no status a ticket can be set to).
DELETED = "deleted"
_STATUS_IN = {
    "new": Status.NEW,
    "open": Status.OPEN,
    "pending": Status.PENDING,
    "hold": Status.PENDING,
    "solved": Status.DONE,
    "closed": Status.DONE,
}
#: Zendesk's ``via.channel`` (the "Via object reference" of Zendesk's API documentation, and
#: its messaging channels' pages) → deskterm's channel. WhatsApp, the other messaging apps and
#: the web and mobile messaging widget are instant: the customer waits on screen. A channel not
#: listed reads as email, unless the ticket says it came from a messaging channel
#: (``from_messaging_channel``), which reads as chat.
CHANNELS = {
    "email": Channel.EMAIL,
    "api": Channel.EMAIL,  # integrations: answers go out by email
    "web": Channel.FORM,  # the web form
    "help_center": Channel.FORM,
    "mobile": Channel.FORM,
    "mobile_sdk": Channel.FORM,
    "chat": Channel.CHAT,  # live chat
    "native_messaging": Channel.CHAT,  # the web and mobile messaging widget
    "sms": Channel.CHAT,  # text messages: a conversation, not a letter
    "whatsapp": Channel.WHATSAPP,
    "facebook": Channel.SOCIAL,
    "messenger": Channel.SOCIAL,
    "twitter": Channel.SOCIAL,
    "instagram_dm": Channel.SOCIAL,
    "line": Channel.SOCIAL,
    "wechat": Channel.SOCIAL,
    "telegram": Channel.SOCIAL,
    "viber": Channel.SOCIAL,
    "kakaotalk": Channel.SOCIAL,
    "apple_business_chat": Channel.SOCIAL,
    "google_rcs": Channel.SOCIAL,
    "voice": Channel.PHONE,
}


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


def iso_time(epoch: int) -> str:
    return datetime.fromtimestamp(max(0, epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def time_of(value: Any) -> datetime:
    if not value:
        return datetime.now(UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def channel_of(ticket: dict[str, Any]) -> Channel:
    """deskterm's channel for a ticket's ``via.channel`` (email for any channel not listed)."""
    via = str((ticket.get("via") or {}).get("channel") or "web")
    if via in CHANNELS:
        return CHANNELS[via]
    return Channel.CHAT if ticket.get("from_messaging_channel") else Channel.EMAIL


def _priority(value: Any) -> Priority:
    try:
        return Priority(str(value))
    except ValueError:
        return Priority.NORMAL


class TicketReader:
    """Reads exported or searched tickets into batches: their comments and their people."""

    def __init__(self, client: ZendeskClient) -> None:
        self.client = client
        self._users: dict[int, dict[str, Any]] = {}

    def customer(self, user: dict[str, Any]) -> RemoteCustomer:
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

    def read(self, ticket: dict[str, Any], batch: PullBatch) -> None:
        """Add one exported ticket to ``batch``: mirrored, removed or skipped. Only what
        concerns every ticket (credentials, rate limit, the network) stops the page."""
        tid = str(ticket.get("id"))
        if ticket.get("status") == DELETED:
            batch.removed.append(RemovedConversation(tid, "Deleted on Zendesk"))
            return
        try:
            batch.conversations.append(self.conversation(ticket))
        except AuthError:
            raise
        except PermanentError as exc:
            if exc.status == 404:
                batch.removed.append(RemovedConversation(tid, "No longer on Zendesk"))
            batch.skipped.append(f"Zendesk ticket {tid}: {str(exc).splitlines()[0][:300]}")
        except (KeyError, TypeError, ValueError) as exc:  # a record deskterm cannot read
            batch.skipped.append(f"Zendesk ticket {tid}: unreadable ({type(exc).__name__})")

    def conversation(self, ticket: dict[str, Any]) -> RemoteConversation:
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
                    created_at=time_of(c.get("created_at")),
                    public=bool(c.get("public", True)),
                    files=files_of(c),
                )
            )
        status, until = remote_state(ticket, datetime.now(UTC))
        assignee = ticket.get("assignee_id")
        assignee_user = self._users.get(int(assignee)) if assignee else None
        priority = ticket.get("priority") or "normal"
        return RemoteConversation(
            external_id=str(ticket["id"]),
            subject=str(ticket.get("subject") or ticket.get("raw_subject") or "(no subject)"),
            status=status,
            customer=self.customer(customer_user),
            created_at=time_of(ticket.get("created_at")),
            updated_at=time_of(ticket.get("updated_at")),
            channel=channel_of(ticket),
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
