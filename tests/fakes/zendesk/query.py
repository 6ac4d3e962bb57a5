"""Search query matching for the fake Zendesk (its search export).

Search follows Zendesk's query syntax for a useful subset: ``type:ticket|user|organization``,
``status:X``/``status<X``/``status>=X`` (ordered new < open < pending < hold < solved < closed),
``priority`` (ordered the same way, low to urgent), ``tags:X`` (or ``tag:``), ``assignee:me|none|
<id>|<email>``, ``requester:me|<id>|<email>``, ``group:<id>|none``, ``via:<channel>``,
``ticket_type:X``, ``created``/``updated`` with ``: < > <= >=`` and a ``YYYY-MM-DD`` date (or
an ISO 8601 time, compared to the second), a
leading ``-`` to negate a term, and free words or ``"quoted phrases"`` looked up in the subject,
description and comments (users: name and email; organisations: name).
"""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime
from typing import Any

from tests.fakes.zendesk.account import ZendeskAccount
from tests.fakes.zendesk.records import (
    PRIORITIES,
    STATUSES,
    Ticket,
)

_TERM = re.compile(r"^(-?)([a-z_]+)(:|<=|>=|<|>)(.+)$")


def _compare(left: Any, op: str, right: Any) -> bool:
    if left is None or right is None:
        return op == ":" and left == right
    return {
        ":": left == right,
        "<": left < right,
        ">": left > right,
        "<=": left <= right,
        ">=": left >= right,
    }[op]


def _rank(order: tuple[str, ...], value: str | None) -> int | None:
    return order.index(value) if value in order else None


def _day(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")


def _user_matches(account: ZendeskAccount, user_id: int | None, value: str, me: int) -> bool:
    if value == "none":
        return user_id is None
    if value == "me":
        return user_id == me
    if value.isdigit():
        return user_id == int(value)
    user = account.users.get(user_id or -1)
    return user is not None and value.lower() in (
        str(user.get("email") or "").lower(),
        str(user.get("name") or "").lower(),
    )


def _ticket_text(account: ZendeskAccount, ticket: Ticket) -> str:
    bodies = " ".join(c.body for c in account.comments.get(ticket.id, []))
    return f"{ticket.subject} {ticket.description} {bodies}".lower()


def _ticket_term(
    account: ZendeskAccount, ticket: Ticket, key: str, op: str, value: str, me: int
) -> bool:
    value_l = value.lower()
    if key == "status":
        return _compare(_rank(STATUSES, ticket.status), op, _rank(STATUSES, value_l))
    if key == "priority":
        return _compare(_rank(PRIORITIES, ticket.priority), op, _rank(PRIORITIES, value_l))
    if key in ("tags", "tag"):
        return value_l in ticket.tags
    if key == "assignee":
        return _user_matches(account, ticket.assignee_id, value_l, me)
    if key == "requester":
        return _user_matches(account, ticket.requester_id, value_l, me)
    if key == "group":
        if value_l == "none":
            return ticket.group_id is None
        return str(ticket.group_id) == value_l
    if key == "via":
        return ticket.via_channel == value_l
    if key == "ticket_type":
        return ticket.type == value_l
    if key in ("created", "updated"):
        epoch = ticket.created if key == "created" else ticket.updated
        if len(value) > 10:  # an ISO 8601 time: to the second
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return _compare(epoch, op, int(when.timestamp()))
        return _compare(_day(epoch), op, value[:10])
    if key == "subject":
        return value_l in ticket.subject.lower()
    if key == "description":
        return value_l in ticket.description.lower()
    # Zendesk reads an unknown keyword as plain text.
    return f"{key}{op}{value_l}" in _ticket_text(account, ticket)


def parse_query(query: str) -> tuple[str | None, list[tuple[bool, str, str, str]], list[str]]:
    """Split a query into its ``type``, its ``(negated, key, op, value)`` terms and its words."""
    try:
        tokens = shlex.split(query)
    except ValueError:
        tokens = query.split()
    result_type: str | None = None
    terms: list[tuple[bool, str, str, str]] = []
    words: list[str] = []
    for token in tokens:
        match = _TERM.match(token)
        if match is None:
            words.append(token.lower())
            continue
        negated, key, op, value = match.groups()
        if key == "type" and op == ":":
            result_type = value.lower()
        else:
            terms.append((negated == "-", key, op, value))
    return result_type, terms, words


def search(account: ZendeskAccount, query: str, me: int, hidden_after: int | None) -> list[dict]:
    """Every record matching ``query``, each with its ``result_type``; tickets created after
    ``hidden_after`` are not indexed yet."""
    result_type, terms, words = parse_query(query)
    results: list[dict[str, Any]] = []
    if result_type in (None, "ticket"):
        for ticket in account.tickets.values():
            if ticket.status == "deleted":
                continue  # deleted tickets leave the search index
            if hidden_after is not None and ticket.created > hidden_after:
                continue
            text = _ticket_text(account, ticket)
            if not all(w in text for w in words):
                continue
            if all(
                _ticket_term(account, ticket, key, op, value, me) != negated
                for negated, key, op, value in terms
            ):
                results.append(account.ticket_json(ticket) | {"result_type": "ticket"})
    if result_type in (None, "user") and not terms:
        for user in account.users.values():
            text = f"{user['name']} {user.get('email') or ''}".lower()
            if words and all(w in text for w in words):
                results.append(dict(user) | {"result_type": "user"})
    if result_type in (None, "organization") and not terms:
        for org in account.organizations.values():
            if words and all(w in org["name"].lower() for w in words):
                results.append(dict(org) | {"result_type": "organization"})
    return results
