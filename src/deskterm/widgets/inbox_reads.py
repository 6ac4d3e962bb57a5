"""What the inbox list reads from the store, in its thread workers: a view's first page and
count, one page by keyset from a neighbouring page (or by OFFSET for a jump into the
middle), and the pages in view again after a change. Raise what the store raises."""

from __future__ import annotations

from deskterm.backend.rows import InboxRow
from deskterm.backend.store import Store
from deskterm.backend.views import View

PAGE = 100

#: How a page is read: ("after", key), ("before", key), ("last", rows) or ("offset",).
HowToRead = tuple


def how_to_read(pages: dict[int, list[InboxRow]], page: int, total: int) -> HowToRead:
    """The cheapest way to read ``page``: from the end of the page before or the start of
    the page after when one is loaded, backwards for the last page, else by offset."""
    before, after = pages.get(page - 1), pages.get(page + 1)
    if before is not None and len(before) == PAGE:
        last = before[-1]
        return ("after", (last.sort_value, last.id))
    if after:
        first = after[0]
        return ("before", (first.sort_value, first.id))
    if (page + 1) * PAGE >= total:
        return ("last", total - page * PAGE)
    return ("offset",)


def read_page(
    store: Store, view: View, page: int, how: HowToRead, me: int | None
) -> list[InboxRow]:
    kind = how[0]
    if kind == "after":
        return store.page(view, after=how[1], limit=PAGE, me=me)
    if kind == "before":
        return store.page(view, after=how[1], limit=PAGE, backwards=True, me=me)
    if kind == "last":
        return store.page(view, limit=how[1], backwards=True, me=me)
    return store.page_at(view, page * PAGE, limit=PAGE, me=me)


def read_count(
    store: Store, view: View, rows: list[InboxRow], count: int | None, me: int | None
) -> tuple[int, bool]:
    """The view's count (known from its first page when it is short), and whether it is
    only a lower bound."""
    if count is None:
        count = len(rows) if len(rows) < PAGE else store.count(view, me=me)
    return count, store.count_is_partial(view, count)


def read_window(
    store: Store,
    view: View,
    pages: list[int],
    count: int,
    me: int | None,
    into: dict[int, list[InboxRow]],
) -> None:
    """The ``pages`` in view of a view of ``count`` rows, read again ``into`` a dict (those
    read before a failure stay in it)."""
    for page in pages:
        if page * PAGE >= count:
            break
        into[page] = store.page_at(view, page * PAGE, limit=PAGE, me=me)
