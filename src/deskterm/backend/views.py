"""Views of the inbox as SQL: what each view selects, how it is ordered, and keyset paging.

Every built-in view is one range of an index, so its first page, its next page and its count
cost the same at a hundred conversations and at a million. Searches add the FTS index, which
is read newest first with a cap so that a common word never ranks a million rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from deskterm.backend.db import ts

if TYPE_CHECKING:
    from deskterm.domain.query import Query

#: How many of the newest matching messages a text search looks at.
SEARCH_CAP = 2000

#: A search lists at most this many conversations (newest first); its count stops there too.
RESULTS_CAP = 10_000

#: "Start here", for someone on their monthly shift: conversations whose reason suits a
#: newcomer, from customers who are not VIPs, at normal or low priority. The reasons are the
#: store's ``simple_reasons`` (the demo says which: a macro answers them with no order
#: action, see backend/shift.py), else those a shared macro tags (a macro exists for them);
#: nobody's yet or the agent's own, never a colleague's (``START_HERE_MINE``, with ``me``).
SIMPLE_REASONS = (
    "SELECT value FROM json_each(coalesce((SELECT value FROM meta WHERE key = 'simple_reasons'), "
    "(SELECT json_group_array(DISTINCT tag.value) FROM macros m, json_each(m.actions) a, "
    "json_each(json_extract(a.value, '$.value')) tag WHERE m.owner_agent_id IS NULL "
    "AND json_extract(a.value, '$.field') = 'add_tags')))"
)
START_HERE = (
    "cu.vip = 0",
    "c.priority IN ('low', 'normal')",
    "EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = c.id "
    f"AND t.tag IN ({SIMPLE_REASONS}))",
)
START_HERE_MINE = "(c.assignee_id IS NULL OR c.assignee_id = ?)"

#: The order a view sorts by: the SQL expression, and whether it descends.
ORDERS = {
    "urgency": ("c.urgency", False),
    "snoozed": ("c.snoozed_until", False),
    "recent": ("c.updated_at", True),
}


@dataclass(frozen=True)
class View:
    """A list of conversations the agent can go to: built in, per channel, per group, per tag,
    or a search."""

    key: str
    title: str
    query: Query | None = field(default=None, compare=False)

    @property
    def order(self) -> str:
        if self.key == "snoozed":
            return "snoozed"
        if self.key in ("done", "pending") or self.key.startswith(("search", "saved:")):
            return "recent"
        return "urgency"


BUILTIN_VIEWS = (
    View("inbox", "Inbox"),
    View("mine", "Mine"),
    View("unassigned", "Unassigned"),
    View("snoozed", "Snoozed"),
    View("pending", "Waiting on customer"),
    View("done", "Done"),
    View("start", "Start here"),
)


#: The views ``g`` goes to: the letter typed after it → (view key, title). The picker, the
#: ``?`` screen and the palette list these. A new view is this file alone: its letter here,
#: its rows in ``view_sql`` and its count in ``count_sql`` below.
GOTO: dict[str, tuple[str, str]] = {
    "i": ("inbox", "Inbox"),
    "m": ("mine", "Mine"),
    "u": ("unassigned", "Unassigned"),
    "s": ("snoozed", "Snoozed"),
    "w": ("pending", "Waiting on customer"),
    "d": ("done", "Done"),
    "h": ("start", "Start here"),
    "e": ("channel:email", "Email"),
    "c": ("channel:chat", "Chat"),
    "a": ("channel:whatsapp", "WhatsApp"),
    "o": ("channel:social", "Social"),
    "f": ("channel:form", "Form"),
    "p": ("channel:phone", "Phone"),
    # Not lists of conversations: screens of their own (see SCREEN_PREFIX).
    "b": ("screen:problems", "Problems (bugs, suggestions)"),
    "l": ("screen:leads", "Leads' desk"),
}

#: A ``GOTO`` target that opens a screen rather than a view of the inbox.
SCREEN_PREFIX = "screen:"


@dataclass(frozen=True)
class ViewSQL:
    """The FROM/WHERE part of a view's query, with its parameters and sort."""

    source: str
    where: list[str]
    params: list[object]
    sort_expr: str
    descending: bool
    from_text: bool = False
    """Driven from text matches: a few thousand candidates to sort, not an index range."""

    def where_sql(self) -> str:
        return " AND ".join(self.where) if self.where else "1"

    def narrow_source(self) -> str:
        """The source without the customers join when no condition needs it: sorting a few
        thousand text matches then reads only the conversations."""
        if any("cu." in condition for condition in self.where):
            return self.source
        return self.source.replace(" JOIN customers cu ON cu.id = c.customer_id", "")


def view_sql(
    view: View,
    *,
    me: int | None,
    now: datetime,
    words_from: Callable[[str], Sequence[str] | None] | None = None,
) -> ViewSQL:
    """Translate a view into SQL over ``conversations c`` joined to ``customers cu``;
    ``words_from`` spells out search prefixes (see :meth:`Query.fts_expression`)."""
    source = "conversations c JOIN customers cu ON cu.id = c.customer_id"
    where: list[str] = []
    params: list[object] = []
    sort_expr, descending = ORDERS[view.order]
    key = view.key
    if key == "inbox":
        where.append("c.bucket = 'inbox'")
    elif key == "mine":
        where += ["c.assignee_id = ?", "c.bucket = 'inbox'"]
        params.append(me if me is not None else -1)
    elif key == "unassigned":
        where += ["c.assignee_id IS NULL", "c.bucket = 'inbox'"]
    elif key in ("snoozed", "pending", "done"):
        where.append(f"c.bucket = '{key}'")
    elif key == "start":
        where += ["c.bucket = 'inbox'", *START_HERE, START_HERE_MINE]
        params.append(me if me is not None else -1)
    elif key.startswith("channel:"):
        where += ["c.channel = ?", "c.bucket = 'inbox'"]
        params.append(key.split(":", 1)[1])
    elif key.startswith("group:"):
        # A team's inbox: a range of the (group_id, bucket, urgency, id) index.
        where += ["c.group_id = ?", "c.bucket = 'inbox'"]
        params.append(int(key.split(":", 1)[1]))
    elif key.startswith("tag:"):
        # The tag table carries the sort key, so this is an index range too.
        source = (
            "conversation_tags t JOIN conversations c ON c.id = t.conversation_id "
            "JOIN customers cu ON cu.id = c.customer_id"
        )
        where += ["t.tag = ?", "t.bucket = 'inbox'"]
        params.append(key.split(":", 1)[1])
        sort_expr = "t.urgency"
    elif view.query is not None:
        fts = view.query.fts_expression(words_from)
        if fts is not None:
            # Drive from the (capped) text matches: a few thousand candidates sorted by
            # recency, rather than a walk over every conversation testing membership.
            source = (
                f"({TEXT_HITS}) hits JOIN conversations c ON c.id = hits.cid "
                "JOIN customers cu ON cu.id = c.customer_id"
            )
            params += [fts, fts]
        if not view.query.numbers:  # tickets that left the remote: found by number only
            where.append("c.bucket != 'gone'")
        _query_where(view.query, where, params, me=me, now=now)
        return ViewSQL(source, where, params, sort_expr, descending, from_text=fts is not None)
    else:
        raise ValueError(f"Unknown view {key!r}")
    return ViewSQL(source, where, params, sort_expr, descending)


#: A search prefix is spelled out as the words it starts when there are at most this many
#: (an OR of 64 words is read newest first in under 10 ms at a million conversations);
#: beyond, it stays a prefix query.
SPELLED_MAX = 64


def index_spelling(word: str) -> str | None:
    """``word`` as the full-text index writes it (lowercase, accents dropped), or None when
    that is not certain: only letters and digits that come down to ASCII are spelled here;
    anything else is left to FTS5's own prefix search."""
    if not word.isalnum():
        return None
    bare = "".join(
        ch for ch in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(ch)
    )
    if not (bare.isascii() and bare.isalnum()):
        return None
    return bare


#: Conversations whose newest messages or whose subject match an FTS expression (twice).
TEXT_HITS = (
    "SELECT m.conversation_id AS cid FROM messages m WHERE m.id IN "
    "(SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? "
    f"ORDER BY rowid DESC LIMIT {SEARCH_CAP}) "
    "UNION SELECT cid FROM (SELECT rowid AS cid FROM subjects_fts WHERE subjects_fts MATCH ? "
    f"ORDER BY rowid DESC LIMIT {SEARCH_CAP})"
)


def count_sql(view: View, *, me: int | None) -> tuple[str, list[object]] | None:
    """The count of a built-in or channel view from ``view_counts``, or None for the others."""
    key = view.key
    where: list[str] = ["bucket = 'inbox'"]
    params: list[object] = []
    if key == "inbox":
        pass
    elif key == "mine":
        where.append("assignee_id = ?")
        params.append(me if me is not None else -1)
    elif key == "unassigned":
        where.append("assignee_id = 0")
    elif key in ("snoozed", "pending", "done"):
        where, params = ["bucket = ?"], [key]  # the bucket alone
    elif key.startswith("channel:"):
        where.append("channel = ?")
        params.append(key.split(":", 1)[1])
    else:
        return None
    return f"SELECT coalesce(sum(n), 0) FROM view_counts WHERE {' AND '.join(where)}", params


def _query_where(
    q: Query, where: list[str], params: list[object], *, me: int | None, now: datetime
) -> None:
    if q.numbers:
        # The number an agent sees: the remote's ticket number for a mirrored conversation.
        marks = ",".join("?" * len(q.numbers))
        where.append(
            f"(c.external_id IN ({marks}) OR (c.external_id IS NULL AND c.id IN ({marks})))"
        )
        params += [str(n) for n in q.numbers] + list(q.numbers)
    if q.statuses:
        # "+" keeps SQLite walking the recency index (a search's order) rather than an
        # index on a column that half the conversations share.
        where.append(f"+c.status IN ({','.join('?' * len(q.statuses))})")
        params.extend(sorted(str(s) for s in q.statuses))
    if q.channels:
        where.append(f"+c.channel IN ({','.join('?' * len(q.channels))})")
        params.extend(sorted(str(c) for c in q.channels))
    for tag in q.tags:
        where.append(
            "EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = c.id "
            "AND t.tag = ?)"
        )
        params.append(tag)
    if q.assignee is not None:
        if q.assignee.lower() == "me":
            where.append("c.assignee_id = ?")
            params.append(me if me is not None else -1)
        elif q.assignee.lower() == "none":
            where.append("c.assignee_id IS NULL")
        else:
            where.append(
                "c.assignee_id IN (SELECT id FROM agents WHERE name LIKE ? OR email LIKE ?)"
            )
            params += [f"%{q.assignee}%", f"{q.assignee}%"]
    if q.group is not None:
        if q.group == "none":
            where.append("c.group_id IS NULL")
        else:
            where.append("c.group_id IN (SELECT id FROM groups WHERE name LIKE ?)")
            params.append(f"{q.group}%")
    if q.from_ is not None:
        where.append(
            "(cu.name LIKE ? OR c.customer_id IN "
            "(SELECT customer_id FROM customer_handles WHERE value LIKE ?))"
        )
        params += [f"%{q.from_}%", f"%{q.from_}%"]
    if q.before is not None:
        where.append("c.created_at < ?")
        params.append(ts(q.before))
    if q.after is not None:
        where.append("c.created_at >= ?")
        params.append(ts(q.after))
    flags = q.flags
    if "snoozed" in flags:
        where.append("c.snoozed_until IS NOT NULL")
    if "unread" in flags:
        where.append("c.unread = 1")
    if "breached" in flags:
        where.append("c.sla_due_at IS NOT NULL AND c.sla_due_at < ? AND c.bucket != 'done'")
        params.append(ts(now))
    if "vip" in flags:
        where.append("cu.vip = 1")
    if "woken" in flags:
        where.append("c.woken_at IS NOT NULL")
    if q.fts_expression() is not None:
        pass  # the text matches are the view's source (see view_sql)
    elif q.has_text:
        # Only exclusions: FTS5 cannot start with NOT, so filter the candidates instead.
        for word in q.excluded:
            where.append(
                "c.id NOT IN (SELECT m.conversation_id FROM messages m WHERE m.id IN "
                "(SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?))"
            )
            params.append('"' + word.replace('"', '""') + '"')


def keyset_clause(
    spec: ViewSQL, after: tuple[int, int] | None, *, backwards: bool
) -> tuple[str, list[object], str]:
    """The extra WHERE for a page after (or before) a row, and the ORDER BY to read it in."""
    expr = spec.sort_expr
    ident = "c.id"
    desc = spec.descending != backwards
    direction = "DESC" if desc else "ASC"
    order = f"{expr} {direction}, {ident} {direction}"
    if after is None:
        return "", [], order
    op = "<" if desc else ">"
    return f" AND ({expr}, {ident}) {op} (?, ?)", [after[0], after[1]], order
