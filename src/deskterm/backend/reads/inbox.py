"""The inbox: a view's rows by keyset pages, its count, the words a search may mean, and
the small lists around it (breaching SLAs, tags in use, saved views).

The hot paths of the workstation: a page is one query, its rows built in one pass.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from deskterm.backend import rows
from deskterm.backend.db import Connections, ts
from deskterm.backend.rows import INBOX_COLUMNS, InboxRow
from deskterm.backend.views import (
    RESULTS_CAP,
    SEARCH_CAP,
    SPELLED_MAX,
    View,
    ViewSQL,
    count_sql,
    index_spelling,
    keyset_clause,
    view_sql,
)


def _page_sql(spec: ViewSQL, rest: str, order: str) -> str:
    """A page of inbox rows: ``rest`` is the WHERE … ORDER BY … LIMIT of the view's query.

    A text search sorts a few thousand candidates: it sorts their ids first and reads the
    wide columns of the page's rows only (half the time at 1M conversations).
    """
    if not spec.from_text:
        return f"SELECT {INBOX_COLUMNS}, {spec.sort_expr} FROM {spec.source} WHERE {rest}"
    ids = f"SELECT c.id AS id FROM {spec.narrow_source()} WHERE {rest}"
    return (
        f"SELECT {INBOX_COLUMNS}, {spec.sort_expr} FROM ({ids}) page "
        "JOIN conversations c ON c.id = page.id JOIN customers cu ON cu.id = c.customer_id "
        f"ORDER BY {order}"
    )


def _sorted_row(r: sqlite3.Row | tuple) -> InboxRow:
    """An inbox row read with INBOX_COLUMNS then the view's sort value."""
    value = r[rows.SORT_VALUE_INDEX]
    return rows.inbox_row(r, value if value is not None else 0)


def with_open_counts(conn: sqlite3.Connection, page: list[InboxRow]) -> list[InboxRow]:
    """``page`` with each row's ``open_of_customer``: one query for the whole page, counting
    the open conversations of its customers by the customer index (a customer has a few
    conversations, so a page of 100 rows reads a few hundred index entries and rows)."""
    customers = sorted({r.customer_id for r in page})
    if not customers:
        return page
    counted = dict(
        conn.execute(
            "SELECT customer_id, count(*) FROM conversations INDEXED BY conv_customer "
            f"WHERE customer_id IN ({','.join('?' * len(customers))}) "
            "AND status != 'done' AND gone_at IS NULL GROUP BY customer_id",
            customers,
        ).fetchall()
    )
    return [
        replace(r, open_of_customer=counted[r.customer_id])
        if counted.get(r.customer_id, 0) > 1
        else r
        for r in page
    ]


class Inbox:
    """Reads of views: pages, counts, search words."""

    def __init__(self, db: Connections) -> None:
        self._db = db

    def search_words(self, prefix: str) -> list[str] | None:
        """The indexed words that start with ``prefix`` (a search word being typed), or None
        when they are too many, none, or cannot be told: then FTS5 searches the prefix."""
        spelled = index_spelling(prefix)
        if spelled is None:
            return None
        try:
            words = [
                r[0]
                for r in self._db.conn.execute(
                    "SELECT term FROM search_terms WHERE term >= ? AND term < ? LIMIT ?",
                    (spelled, spelled + "\U0010ffff", SPELLED_MAX + 1),
                )
            ]
        except sqlite3.OperationalError:
            return None  # a read-only store of an older schema has no list of words
        return words if 0 < len(words) <= SPELLED_MAX else None

    def _view_sql(self, view: View, me: int | None) -> ViewSQL:
        return view_sql(view, me=me, now=self._db.now(), words_from=self.search_words)

    def count(self, view: View, *, me: int | None = None) -> int:
        """How many conversations ``view`` holds; a search stops counting at RESULTS_CAP."""
        counted = count_sql(view, me=me)
        if counted is not None:
            return int(self._db.conn.execute(counted[0], counted[1]).fetchone()[0])
        spec = self._view_sql(view, me)
        rows = f"SELECT 1 FROM {spec.narrow_source()} WHERE {spec.where_sql()}"
        params = list(spec.params)
        if view.query is not None:
            rows += " LIMIT ?"
            params.append(RESULTS_CAP)
        sql = f"SELECT count(*) FROM ({rows})"
        return int(self._db.conn.execute(sql, params).fetchone()[0])

    def count_is_partial(self, view: View, count: int) -> bool:
        """Whether ``count`` (from :meth:`count`) is a lower bound: the search stopped
        counting at RESULTS_CAP, or its words were looked up in only the newest SEARCH_CAP
        matching messages or subjects."""
        if view.query is None:
            return False
        if count >= RESULTS_CAP:
            return True
        fts = view.query.fts_expression(self.search_words)
        if fts is None:
            return False
        for table in ("messages_fts", "subjects_fts"):
            found = self._db.conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)",
                (fts, SEARCH_CAP),
            ).fetchone()[0]
            if found >= SEARCH_CAP:
                return True
        return False

    def page(
        self,
        view: View,
        *,
        after: tuple[int, int] | None = None,
        limit: int = 50,
        backwards: bool = False,
        me: int | None = None,
    ) -> list[InboxRow]:
        """Rows of a view after the row keyed ``after`` = (sort value, id), in view order.

        With ``backwards``, the rows *before* that key, still returned in view order.
        """
        spec = self._view_sql(view, me)
        extra, extra_params, order = keyset_clause(spec, after, backwards=backwards)
        sql = _page_sql(spec, f"{spec.where_sql()}{extra} ORDER BY {order} LIMIT ?", order)
        result = [
            _sorted_row(r) for r in self._db.conn.execute(sql, [*spec.params, *extra_params, limit])
        ]
        if backwards:
            result.reverse()
        return with_open_counts(self._db.conn, result)

    def first_page(
        self, view: View, *, limit: int = 50, me: int | None = None
    ) -> tuple[list[InboxRow], int | None]:
        """The first rows of ``view`` and, for a text search, its :meth:`count` (else None).

        A text search is counted from the same read: its candidates (a few thousand text
        matches) are sorted by id once, the count is how many pass, and only the first
        ``limit`` are read in full. Counting apart would look the matches up again: as long
        as the page itself at a million conversations.
        """
        spec = self._view_sql(view, me)
        if not spec.from_text:
            return self.page(view, limit=limit, me=me), None
        _, _, order = keyset_clause(spec, None, backwards=False)
        ids = [
            r[0]
            for r in self._db.conn.execute(
                f"SELECT c.id FROM {spec.narrow_source()} WHERE {spec.where_sql()} "
                f"ORDER BY {order} LIMIT ?",
                [*spec.params, RESULTS_CAP],
            )
        ]
        first = ids[:limit]
        found = {
            r[0]: _sorted_row(r)
            for r in self._db.conn.execute(
                f"SELECT {INBOX_COLUMNS}, {spec.sort_expr} FROM conversations c "
                f"JOIN customers cu ON cu.id = c.customer_id "
                f"WHERE c.id IN ({','.join('?' * len(first))})",
                first,
            )
        }
        page = [found[i] for i in first if i in found]
        return with_open_counts(self._db.conn, page), len(ids)

    def page_at(
        self,
        view: View,
        offset: int,
        *,
        limit: int = 50,
        me: int | None = None,
        anchor: tuple[int, int, int] | None = None,
    ) -> list[InboxRow]:
        """Rows from position ``offset``; ``anchor`` = (position, sort value, id) of a known row
        at or before it shortens the walk (the inbox list keeps such anchors as it pages)."""
        spec = self._view_sql(view, me)
        start = 0
        after = None
        if anchor is not None and anchor[0] <= offset:
            start = anchor[0] + 1
            after = (anchor[1], anchor[2])
        extra, extra_params, order = keyset_clause(spec, after, backwards=False)
        sql = _page_sql(spec, f"{spec.where_sql()}{extra} ORDER BY {order} LIMIT ? OFFSET ?", order)
        page = [
            _sorted_row(r)
            for r in self._db.conn.execute(
                sql, [*spec.params, *extra_params, limit, max(0, offset - start)]
            )
        ]
        return with_open_counts(self._db.conn, page)

    def breaching_count(self) -> int:
        return int(
            self._db.conn.execute(
                # The open conversations' due times have their own (partial) index: the late
                # ones are a range of it. (urgency, weighed by what is at stake, is not.)
                "SELECT count(*) FROM conversations c INDEXED BY conv_open_due "
                "WHERE c.bucket IN ('inbox', 'snoozed') AND c.sla_due_at < ?",
                (ts(self._db.now()),),
            ).fetchone()[0]
        )

    def tag_counts(self, limit: int = 500) -> list[tuple[str, int]]:
        """Tags in use, most used first (for autocompletion)."""
        return [
            (r[0], r[1])
            for r in self._db.conn.execute(
                "SELECT tag, count(*) AS n FROM conversation_tags GROUP BY tag "
                "ORDER BY n DESC, tag LIMIT ?",
                (limit,),
            )
        ]

    def saved_views(self) -> list[tuple[int, str, str]]:
        return [
            (r[0], r[1], r[2])
            for r in self._db.conn.execute("SELECT id, name, query FROM saved_views ORDER BY name")
        ]
