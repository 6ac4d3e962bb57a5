"""One RT ticket and its history as deskterm's conversation (reading only).

- RT's ``new`` and ``open`` are deskterm's new and open (open is *pending* when the last
  public message is the agent's: the answer waits on the customer); ``resolved`` and
  ``rejected`` are done.
- ``stalled`` is snooze: the wake time is the ticket's ``Starts`` date (unset: until the
  customer replies). RT does not wake a stalled ticket when the customer writes, so a
  customer message after the ticket was stalled reads as woken.
- Tags live in a ticket custom field named ``Tags`` (multiple values, applied to the queue),
  kept locally in the store's spelling (lower case, dashes for spaces); priority 0–100 maps
  onto four levels.
- People carry RT's real names and addresses; a mail sent as HTML only reads as its text.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from deskterm.backend.connectors.rt_api import RTClient
from deskterm.backend.connectors.rt_people import People
from deskterm.backend.sync.protocol import RemoteConversation, RemoteFile, RemoteMessage
from deskterm.backend.writes.triage import clean_tag
from deskterm.domain.languages import guess_language
from deskterm.domain.models import UNTIL_REPLY, Channel, Priority, Status
from deskterm.domain.safety import html_to_text

FIELDS = ["Subject", "Status", "Owner", "Requestor", "Created", "LastUpdated", "Starts",
          "Priority", "CustomFields", "LastUpdatedBy"]  # fmt: skip
TAGS_FIELD = "Tags"
DONE = frozenset({"resolved", "rejected", "deleted"})


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


def raw_tags(ticket: dict[str, Any]) -> list[str]:
    """The ticket's tags as RT spells them."""
    for cf in ticket.get("CustomFields") or []:
        if cf.get("name") == TAGS_FIELD:
            return [str(v) for v in cf.get("values") or [] if str(v).strip()]
    return []


def tags_of(ticket: dict[str, Any]) -> list[str]:
    """The ticket's tags as the store spells them (``Late Delivery`` → ``late-delivery``)."""
    return sorted({clean_tag(v) for v in raw_tags(ticket)})


def spelled_as_remote(tags: list[str], remote: list[str]) -> list[str]:
    """``tags`` (the store's spelling) with each one RT already has in RT's own spelling, so
    that setting them changes only what really changed."""
    spelling = {clean_tag(v): v for v in remote}
    return [spelling.get(tag, tag) for tag in tags]


def snooze_of(ticket: dict[str, Any], now: datetime) -> datetime | None:
    """The wake time a stalled ticket stands for (None: not snoozed, or already due)."""
    if ticket.get("Status") != "stalled":
        return None
    starts = ticket.get("Starts")
    if starts is None:
        return UNTIL_REPLY
    return starts if starts > now else None


def message_text(txn: dict[str, Any]) -> str:
    """A message's text: its text part, else its HTML part read as text (sanitized)."""
    text = txn.get("Content")
    if text and str(text).strip():
        return str(text)
    html = txn.get("HtmlContent")
    return html_to_text(str(html)) if html else ""


def files_of(txn: dict[str, Any]) -> list[RemoteFile]:
    """The files attached to a message (RT's attachment ids)."""
    return [
        RemoteFile(
            external_id=str(f["id"]),
            filename=str(f.get("Filename") or "file"),
            content_type=str(f.get("ContentType") or "application/octet-stream"),
            size=int(f.get("Size") or 0),
        )
        for f in txn.get("Attachments") or []
    ]


class TicketReader:
    """Reads one ticket's history and maps it onto a conversation."""

    def __init__(self, client: RTClient, people: People) -> None:
        self.client = client
        self.people = people

    def conversation(self, ticket: dict[str, Any]) -> RemoteConversation:
        """The conversation of ``ticket`` (a search result with :data:`FIELDS`)."""
        history = self.client.history(int(ticket["id"]))
        requestors = [str(r) for r in ticket.get("Requestor") or []]
        requestor = requestors[0] if requestors else "unknown@invalid"
        customer = self.people.customer(requestor)
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
                    author_external_id=customer.external_id if from_customer else creator,
                    author_name=customer.name if from_customer else self._agent_name(creator),
                    body=message_text(txn),
                    html=txn.get("HtmlContent"),
                    created_at=txn.get("Created") or ticket["Created"],
                    public=kind != "Comment",
                    files=files_of(txn),
                )
            )
        if self.people.person(requestor).language is None:
            # RT keeps no language for this customer: their own words tell it, or nothing
            # (an empty language leaves the one the mirror has).
            said = "\n".join(m.body for m in messages if m.author_kind == "customer")
            guessed = guess_language(f"{ticket.get('Subject') or ''}\n{said}")
            customer = replace(customer, language=guessed or "")
        now = datetime.now(UTC)
        snoozed = snooze_of(ticket, now)
        public = [m for m in messages if m.public]
        if snoozed is not None and stalled_at is not None and public:
            last = public[-1]
            if last.author_kind == "customer" and last.created_at >= stalled_at:
                snoozed = None  # the customer wrote since: woken, whatever RT says
        raw = str(ticket.get("Status") or "new")
        if raw in DONE:
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
            assignee=None if owner == "Nobody" else self.people.agent(owner),
            tags=tags_of(ticket),
            priority=priority_of(ticket.get("Priority")),
            snoozed_until=snoozed,
            messages=messages,
        )

    def _agent_name(self, login: str) -> str:
        return self.people.agent(login).name if login else "Agent"
