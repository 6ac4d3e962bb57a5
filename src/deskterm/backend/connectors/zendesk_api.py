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
    "CommentEvents",
    "IncrementalPage",
    "MacroPreview",
    "TicketUpdate",
    "ZendeskClient",
    "ZendeskRecord",
]

MAX_EXPORT_PAGE = 1000
SEARCH_RESULT_LIMIT = 1000
SHOW_MANY_BATCH = 100


class IncrementalPage(NamedTuple):
    """One page of the cursor-based ticket export."""

    tickets: list[ZendeskRecord]
    after_cursor: str | None  # keep it: it resumes the export later, even at end_of_stream
    end_of_stream: bool


class CommentEvents(NamedTuple):
    """One page of comment events: each a comment record with its ``ticket_id``."""

    events: list[ZendeskRecord]
    end_time: int  # the ``start_time`` of the next page
    end_of_stream: bool


class TicketUpdate(NamedTuple):
    """The ticket after an update, and the comment the update added (if any)."""

    ticket: ZendeskRecord
    comment: ZendeskRecord | None


class MacroPreview(NamedTuple):
    """What a macro would make of a ticket: its fields, and the comment it would add."""

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

    def get_organization(self, organization_id: int) -> ZendeskRecord:
        """One organisation.

        Raises:
            PermanentError: it does not exist (404).
        """
        return self._get(f"organizations/{int(organization_id)}.json").get("organization") or {}

    def list_groups(self) -> list[ZendeskRecord]:
        """Every agent group of the account."""
        return list(self._iter_cursor("groups.json", "groups"))

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

    def create_ticket(
        self,
        *,
        subject: str,
        body: str,
        requester_id: int | None = None,
        requester_email: str | None = None,
        requester_name: str | None = None,
        public: bool = True,
        status: str | None = None,
        priority: str | None = None,
        tags: Iterable[str] = (),
        assignee_id: int | None = None,
        group_id: int | None = None,
        custom_fields: dict[int, Any] | None = None,
        external_id: str | None = None,
    ) -> ZendeskRecord:
        """Create a ticket whose first comment is ``body``.

        The requester is ``requester_id``, else the user with ``requester_email`` (Zendesk
        creates it if needed), else the credentials' user.

        Returns:
            The new ticket.

        Raises:
            PermanentError: a refused value (422), e.g. an empty body.
        """
        ticket: dict[str, Any] = {"subject": subject, "comment": {"body": body, "public": public}}
        if requester_id is not None:
            ticket["requester_id"] = requester_id
        elif requester_email:
            ticket["requester"] = {
                "email": requester_email,
                "name": requester_name or requester_email,
            }
        optional = {
            "status": status,
            "priority": priority,
            "assignee_id": assignee_id,
            "group_id": group_id,
            "external_id": external_id,
        }
        ticket |= {k: v for k, v in optional.items() if v is not None}
        if tags:
            ticket["tags"] = list(tags)
        if custom_fields:
            ticket["custom_fields"] = [{"id": k, "value": v} for k, v in custom_fields.items()]
        data = self._request("POST", "tickets.json", json={"ticket": ticket})
        return (data.get("ticket") if isinstance(data, dict) else None) or {}

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

    def incremental_comment_events(self, start_time: int) -> CommentEvents:
        """One page of comments added since ``start_time`` (epoch seconds), from the ticket
        events export. Time-based: pass ``end_time`` as the next ``start_time``; a page may
        repeat comments of that second, so dedupe by comment id.

        Returns:
            Comment records (id, author_id, body, html_body, public, created_at…) each with
            its ``ticket_id``; ``via`` is the export's channel name, a string.

        Raises:
            RateLimited, PermanentError: as ``incremental_tickets``.
        """
        params = {"start_time": int(start_time), "include": "comment_events"}
        data = self._get("incremental/ticket_events.json", params)
        comments: list[ZendeskRecord] = []
        for event in data.get("ticket_events") or []:
            for child in event.get("child_events") or []:
                if "Comment" in (child.get("event_type"), child.get("type")):
                    record = dict(child) | {"ticket_id": event.get("ticket_id"), "type": "Comment"}
                    record.setdefault("created_at", event.get("created_at"))
                    comments.append(record)
        end_time = data.get("end_time")
        return CommentEvents(
            events=comments,
            end_time=int(end_time) if end_time is not None else int(start_time),
            end_of_stream=bool(data.get("end_of_stream")),
        )

    # -- macros, views, search ----------------------------------------------------------------

    def iter_macros(self, active_only: bool = True) -> Iterator[ZendeskRecord]:
        """The account's macros (only the active ones by default), each with its ``actions``."""
        path = "macros/active.json" if active_only else "macros.json"
        return self._iter_cursor(path, "macros")

    def apply_macro(self, ticket_id: int, macro_id: int) -> MacroPreview:
        """What the macro would make of the ticket, without changing it; send the result with
        ``update_ticket`` (or ``add_comment``) once the agent has edited it.

        Raises:
            PermanentError: no such ticket or macro.
        """
        path = f"tickets/{int(ticket_id)}/macros/{int(macro_id)}/apply.json"
        result = self._get(path).get("result") or {}
        ticket = dict(result.get("ticket") or {})
        comment = ticket.pop("comment", None) or result.get("comment")
        return MacroPreview(ticket, comment)

    def list_views(self, *, active_only: bool = False) -> list[ZendeskRecord]:
        """The account's views, with their conditions."""
        return list(
            self._iter_cursor("views/active.json" if active_only else "views.json", "views")
        )

    def view_tickets(self, view_id: int) -> Iterator[ZendeskRecord]:
        """The tickets a view shows, in the view's order.

        Raises:
            PermanentError: no such view.
        """
        return self._iter_cursor(f"views/{int(view_id)}/tickets.json", "tickets")

    def view_count(self, view_id: int) -> int:
        """How many tickets a view shows (Zendesk may serve a cached count)."""
        count = self._get(f"views/{int(view_id)}/count.json").get("view_count") or {}
        return int(count.get("value") or 0)

    def search(
        self,
        query: str,
        *,
        sort_by: str | None = None,
        sort_order: str | None = None,
        per_page: int = 100,
    ) -> Iterator[ZendeskRecord]:
        """Search results (each with ``result_type``), page after page, up to Zendesk's limit of
        1000 results; asking past it is an error, so the iterator stops there. New tickets
        take a few minutes to become searchable.

        Raises:
            PermanentError: a refused query.
        """
        per_page = max(1, min(per_page, 100))
        params: dict[str, Any] = {"query": query, "per_page": per_page}
        params |= {k: v for k, v in (("sort_by", sort_by), ("sort_order", sort_order)) if v}
        page, seen = 1, 0
        while True:
            data = self._get("search.json", params | {"page": page})
            results = data.get("results") or []
            yield from results[: SEARCH_RESULT_LIMIT - seen]
            seen += len(results)
            if not results or not data.get("next_page") or seen >= SEARCH_RESULT_LIMIT:
                return
            if (page + 1) * per_page > SEARCH_RESULT_LIMIT:
                return
            page += 1
