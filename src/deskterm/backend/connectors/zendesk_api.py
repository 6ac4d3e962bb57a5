"""A typed client for the Zendesk Support REST API (``/api/v2``), on a synchronous httpx client.

It speaks Zendesk's JSON and hands back its records as dicts; mapping them onto deskterm's
model is the connector's job. It never retries on its own: every failure becomes one of the
domain errors of ``errors.py`` (see ``zendesk_http`` for the mapping) and the sync engine
decides what to do. Credentials never appear in messages, logs or ``repr``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from deskterm.backend.connectors.zendesk_http import MAX_CURSOR_PAGE, ZendeskHTTP, ZendeskRecord

__all__ = [
    "IncrementalPage",
    "TicketUpdate",
    "ZendeskClient",
    "ZendeskRecord",
]

MAX_EXPORT_PAGE = 1000
SHOW_MANY_BATCH = 100


class IncrementalPage(NamedTuple):
    """One page of the cursor-based ticket export."""

    tickets: list[ZendeskRecord]
    after_cursor: str | None  # keep it: it resumes the export later, even at end_of_stream
    end_of_stream: bool


class TicketUpdate(NamedTuple):
    """The ticket after an update, and the comment the update added (if any)."""

    ticket: ZendeskRecord
    comment: ZendeskRecord | None


class ZendeskClient(ZendeskHTTP):
    """Talks to one Zendesk account. Use it as a context manager, or call ``close()``.

    Construct it with ``subdomain`` or ``base_url``, and ``email`` + ``api_token`` or
    ``oauth_token`` (see ``ZendeskHTTP``).
    """

    # -- users, organisations, groups ---------------------------------------------------------

    def me(self) -> ZendeskRecord:
        """The user the credentials act as.

        Raises:
            AuthError: the credentials were refused.
        """
        return self._get("users/me.json").get("user") or {}

    def get_users(self, ids: Iterable[int]) -> list[ZendeskRecord]:
        """Users by id (``show_many``, 100 ids per request); unknown ids are left out.

        Raises:
            RemoteError: any failure, as described in the module docstring.
        """
        unique = list(dict.fromkeys(int(i) for i in ids))
        users: list[ZendeskRecord] = []
        for start in range(0, len(unique), SHOW_MANY_BATCH):
            batch = ",".join(str(i) for i in unique[start : start + SHOW_MANY_BATCH])
            users += self._get("users/show_many.json", {"ids": batch}).get("users") or []
        return users

    # -- tickets and comments -----------------------------------------------------------------

    def get_ticket(self, ticket_id: int) -> ZendeskRecord:
        """One ticket.

        Raises:
            PermanentError: the ticket does not exist (404).
        """
        return self._get(f"tickets/{int(ticket_id)}.json").get("ticket") or {}

    def iter_comments(
        self, ticket_id: int, *, page_size: int = MAX_CURSOR_PAGE
    ) -> Iterator[ZendeskRecord]:
        """The ticket's comments, oldest first, public ones and internal notes alike
        (``public`` tells them apart), fetched page by page with cursor pagination.

        Raises:
            PermanentError: the ticket does not exist, or ``page_size`` is over 100.
        """
        return self._iter_cursor(
            f"tickets/{int(ticket_id)}/comments.json", "comments", None, page_size
        )

    def _put_ticket(
        self, ticket_id: int, fields: dict[str, Any], updated_stamp: str | None
    ) -> dict[str, Any]:
        ticket = dict(fields)
        if updated_stamp is not None:
            ticket |= {"safe_update": True, "updated_stamp": updated_stamp}
        data = self._request("PUT", f"tickets/{int(ticket_id)}.json", json={"ticket": ticket})
        return data if isinstance(data, dict) else {}

    def update_ticket(
        self, ticket_id: int, changes: dict[str, Any], *, updated_stamp: str | None = None
    ) -> ZendeskRecord:
        """Change a ticket (status, priority, assignee_id, group_id, tags, custom_fields,
        comment…).

        Args:
            changes: the ticket fields to send, as Zendesk names them.
            updated_stamp: the ``updated_at`` the change was based on; when given, Zendesk
                refuses the update if the ticket changed since (safe update).

        Returns:
            The ticket after the update.

        Raises:
            Conflict: the ticket changed since ``updated_stamp``.
            PermanentError: an invalid value, or a closed ticket (422), or no such ticket.
        """
        return self._put_ticket(ticket_id, changes, updated_stamp).get("ticket") or {}

    def add_comment(
        self,
        ticket_id: int,
        body: str,
        *,
        public: bool = True,
        author_id: int | None = None,
        html: bool = False,
        updated_stamp: str | None = None,
    ) -> TicketUpdate:
        """Add a public reply or, with ``public=False``, an internal note (via a ticket update).

        Args:
            body: the text (or HTML when ``html`` is true).
            author_id: who writes it; the credentials' user when None.
            updated_stamp: as in ``update_ticket``.

        Returns:
            The ticket after the update and the new comment, read from the update's audit.

        Raises:
            Conflict, PermanentError: as ``update_ticket``.
        """
        comment: dict[str, Any] = {"html_body" if html else "body": body, "public": public}
        if author_id is not None:
            comment["author_id"] = author_id
        data = self._put_ticket(ticket_id, {"comment": comment}, updated_stamp)
        events = (data.get("audit") or {}).get("events") or []
        added = next((e for e in events if e.get("type") == "Comment"), None)
        return TicketUpdate(data.get("ticket") or {}, added)

    # -- incremental export -------------------------------------------------------------------

    def incremental_tickets(
        self,
        *,
        start_time: int | None = None,
        cursor: str | None = None,
        per_page: int = MAX_EXPORT_PAGE,
    ) -> IncrementalPage:
        """One page of tickets changed since ``start_time`` (epoch seconds, at least a minute
        old) or since ``cursor`` (a previous page's ``after_cursor``), oldest change first.
        Zendesk leaves out the last minute and allows about 10 export requests a minute.

        Raises:
            ValueError: neither or both of ``start_time`` and ``cursor``.
            RateLimited: too many export requests.
            PermanentError: a refused start_time or cursor.
        """
        if (start_time is None) == (cursor is None):
            raise ValueError("give exactly one of start_time and cursor")
        params: dict[str, Any] = {"per_page": max(1, min(per_page, MAX_EXPORT_PAGE))}
        if cursor is not None:
            params["cursor"] = cursor
        else:
            params["start_time"] = int(start_time or 0)
        data = self._get("incremental/tickets/cursor.json", params)
        return IncrementalPage(
            tickets=data.get("tickets") or [],
            after_cursor=data.get("after_cursor"),
            end_of_stream=bool(data.get("end_of_stream")),
        )

    # -- search export (what agents may call) ------------------------------------------------

    def search_export(
        self, query: str, *, result_type: str = "ticket", page_size: int = MAX_CURSOR_PAGE
    ) -> Iterator[ZendeskRecord]:
        """Every record matching ``query`` (Zendesk's search syntax, e.g. ``updated>…``), page
        by page with cursor pagination: unlike ``/search``, no limit of 1000 results, and open
        to agents. Newly changed tickets take a few minutes to become searchable.

        Raises:
            PermanentError: a refused query.
        """
        return self._iter_cursor(
            "search/export.json",
            "results",
            {"query": query, "filter[type]": result_type},
            page_size,
        )

    def deleted_tickets(self) -> Iterator[ZendeskRecord]:
        """The tickets deleted (and not yet scrubbed) in the last 30 days, the most recently
        deleted first, each ``{id, subject, actor, deleted_at, previous_state}``; open to
        agents, about 10 requests a minute. Offset pages, the order Zendesk sorts them in.

        Raises:
            RateLimited: too many requests.
        """
        params: dict[str, Any] = {"sort_by": "deleted_at", "sort_order": "desc", "per_page": 100}
        page = 1
        while True:
            data = self._get("deleted_tickets.json", params | {"page": page})
            yield from data.get("deleted_tickets") or []
            if not data.get("next_page"):
                return
            page += 1

    # -- macros ----------------------------------------------------------------------------

    def iter_macros(self) -> Iterator[ZendeskRecord]:
        """Every active macro of the account, each with its ``actions``: ``macros.json`` with
        ``active=true`` and cursor pages (``macros/active`` pages only by offset)."""
        return self._iter_cursor("macros.json", "macros", {"active": "true"})

    def create_macro(self, macro: ZendeskRecord) -> ZendeskRecord:
        """Create a macro (``{title, actions, restriction…}``; ``restriction`` None: shared
        with every agent); returns it as created, with its ``id`` (201).

        Raises:
            PermanentError: 403 when the user may not manage shared macros, 422 an invalid
                macro (no title, no actions).
        """
        data = self._request("POST", "macros.json", json={"macro": macro})
        return (data.get("macro") if isinstance(data, dict) else None) or {}

    def update_macro(self, macro_id: int, changes: ZendeskRecord) -> ZendeskRecord:
        """Change a macro (the fields given; ``actions`` replaces them all); returns it.

        Raises:
            PermanentError: 404 no such macro, 403 when the user may not manage it.
        """
        data = self._request("PUT", f"macros/{int(macro_id)}.json", json={"macro": changes})
        return (data.get("macro") if isinstance(data, dict) else None) or {}
