"""The inbox's paging window: which rows of a view are held, and how they are read.

Nothing holds every row. The window knows the view's count (for the scrollbar) and keeps
pages of ``PAGE`` rows around what is on screen; a page is read in a thread worker by keyset
from a neighbouring page when there is one (so scrolling never walks an OFFSET), from the
end backwards for the last page, and by OFFSET only for a jump into the middle. A new view
bumps the generation, and a read answered for an older one is dropped.

:class:`~deskterm.widgets.inbox_list.InboxList` builds on it with the cursor, the selection
and the painting.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from deskterm.backend.db import StoreError
from deskterm.backend.rows import InboxRow
from deskterm.backend.store import Store
from deskterm.backend.views import View
from deskterm.widgets.inbox_reads import (
    PAGE,
    HowToRead,
    how_to_read,
    read_count,
    read_page,
    read_window,
)

ROW_HEIGHT = 2
#: Pages kept beyond those in view; further ones are dropped to bound memory.
KEEP_PAGES = 6


class InboxWindow(ScrollView):
    """A view's rows, held a few pages at a time around what is on screen."""

    cursor: reactive[int] = reactive(0, repaint=False, init=False)
    """Position of the cursor in the view (0 is the most urgent)."""

    def __init__(self, *, store: Store, me: int | None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.me = me
        self.view: View | None = None
        self.total: int | None = None
        self.selected_ids: set[int] = set()
        self._pages: dict[int, list[InboxRow]] = {}
        self._pending: set[int] = set()
        self._generation = 0
        self._refreshing = False
        self._refresh_again = False
        self._replacing = False
        self._rows_view: View | None = None
        """The view whose rows are on screen (the previous one while a new one loads)."""
        self.landed = False
        """The cursor rests on the row that took the place of one that left the view, and the
        screen did not open it (see ``InboxList.chosen_id``)."""

    if TYPE_CHECKING:
        # What InboxList adds: the cursor's conversation, the line cache and the messages.
        _announced: int | None
        _strips: dict[tuple, Strip]
        Counted: Callable[..., Message]

        @property
        def cursor_id(self) -> int | None: ...
        def _announce(self, left: int | None = None) -> None: ...
        def _failed(self, exc: Exception) -> None: ...
        def _repaint(self) -> None: ...
        def _scroll_to_cursor(self) -> None: ...
        def _visible_rows(self) -> tuple[int, int]: ...

    def row_at(self, index: int) -> InboxRow | None:
        if index < 0:
            return None
        page = self._pages.get(index // PAGE)
        if page is None or index % PAGE >= len(page):
            return None
        return page[index % PAGE]

    def set_view(self, view: View, *, at_once: bool = False) -> None:
        """Show ``view`` from its most urgent conversation.

        With ``at_once`` its first page is read here rather than in a worker: the workstation
        asks for that once, at start-up, so that the very first frame shows the inbox (one
        range of an index, 1–2 ms at a million conversations) instead of an empty list
        and a second frame. Anything going wrong falls back to the worker.
        """
        self.view = view
        self._generation += 1
        self._pending = set()
        self.selected_ids.clear()
        self.set_reactive(InboxWindow.cursor, 0)
        self.landed = False
        self._announced = -1
        # The old view's rows stay on screen until the new view's first page comes (a few
        # ms): a frame drawn in between (a closing modal lays the whole screen out again)
        # would otherwise show a list of placeholders, and clearing them first would cost
        # a frame of its own.
        self._replacing = True
        generation = self._generation
        if at_once:
            try:
                rows, count = self.store.first_page(view, limit=PAGE, me=self.me)
            except (sqlite3.Error, StoreError):
                pass  # the worker reads it again and says what is wrong
            else:
                self._got_page(generation, 0, rows)
                self.run_worker(
                    lambda: self._count_first(view, generation, rows, count),
                    thread=True,
                    group="inbox-view",
                    exit_on_error=False,
                    exclusive=True,
                )
                return
        self.run_worker(
            lambda: self._load_first(view, generation),
            thread=True,
            group="inbox-view",
            exit_on_error=False,
            exclusive=True,
        )

    def refresh_rows(self) -> None:
        """Re-read what is on screen (the store changed); keeps the cursor's conversation."""
        if self.view is None:
            return
        if self._replacing:
            # The new view's first read may have begun before the change: read again once
            # its rows are in (the rows on screen now are the previous view's).
            self._refresh_again = True
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        view, generation = self.view, self._generation
        pages = sorted(self._wanted_pages())
        self.run_worker(
            lambda: self._reload(view, generation, pages),
            thread=True,
            group="inbox-refresh",
            exit_on_error=False,
        )

    def row_for(self, conversation_id: int) -> InboxRow | None:
        """The loaded row of a conversation, if it is loaded."""
        for rows in self._pages.values():
            for row in rows:
                if row.id == conversation_id:
                    return row
        return None

    def move_to(self, conversation_id: int) -> bool:
        """Put the cursor on ``conversation_id`` if its row is loaded; say whether it was."""
        for page, rows in self._pages.items():
            for offset, row in enumerate(rows):
                if row.id == conversation_id:
                    self.cursor = page * PAGE + offset
                    return True
        return False

    def mark_read(self, conversation_id: int) -> None:
        """Drop the unread dot of a loaded row at once, without reading the store again."""
        for page, rows in self._pages.items():
            for offset, row in enumerate(rows):
                if row.id == conversation_id and row.unread:
                    rows[offset] = replace(row, unread=False)
                    # Its cached lines still show the dot (the version has not changed).
                    for key in [k for k in self._strips if k[0] == conversation_id]:
                        del self._strips[key]
                    self.refresh_lines((page * PAGE + offset) * ROW_HEIGHT, ROW_HEIGHT)
                    return

    # -- loading -------------------------------------------------------------------------

    def _load_first(self, view: View, generation: int) -> None:
        try:
            rows, count = self.store.first_page(view, limit=PAGE, me=self.me)
        except (sqlite3.Error, StoreError) as exc:
            self._failed(exc)
            return
        self.app.call_from_thread(self._got_page, generation, 0, rows)
        self._count_first(view, generation, rows, count)

    def _count_first(
        self, view: View, generation: int, rows: list[InboxRow], count: int | None
    ) -> None:
        try:
            count, partial = read_count(self.store, view, rows, count, self.me)
        except (sqlite3.Error, StoreError) as exc:
            self._failed(exc)
            return
        self.app.call_from_thread(self._got_count, view, generation, count, partial)

    def _load_page(self, view: View, generation: int, page: int, how: HowToRead) -> None:
        rows: list[InboxRow] | None
        try:
            rows = read_page(self.store, view, page, how, self.me)
        except (sqlite3.Error, StoreError) as exc:
            self._failed(exc)
            rows = None
        self.app.call_from_thread(self._got_page, generation, page, rows)

    def _reload(self, view: View, generation: int, pages: list[int]) -> None:
        fresh: dict[int, list[InboxRow]] = {}
        count: int | None = None
        partial = False
        try:
            count = self.store.count(view, me=self.me)
            partial = self.store.count_is_partial(view, count)
            read_window(self.store, view, pages, count, self.me, into=fresh)
        except (sqlite3.Error, StoreError) as exc:
            self._failed(exc)
        self.app.call_from_thread(self._reloaded, view, generation, count, partial, fresh)

    def _got_page(self, generation: int, page: int, rows: list[InboxRow] | None) -> None:
        self._pending.discard(page)
        if generation != self._generation:
            return
        if self._replacing:
            # The new view's first page: the previous view's rows go now, in this frame.
            self._replacing = False
            if self._refresh_again and not self._refreshing:
                self._refresh_again = False
                self.call_after_refresh(self.refresh_rows)
            self._rows_view = self.view
            self._pages = {}
            self._strips.clear()
            self.total = None
            if rows is None:
                self.refresh()
        if rows is None:
            return
        self._pages[page] = rows
        if self.total is None:  # the first page of a new view
            self.scroll_to(y=0, animate=False, immediate=True)
            self._set_total(max(len(rows) + page * PAGE, self._known_rows()))
            if self.view is not None:
                self.post_message(self.Counted(self.view, None))
        self._drop_far_pages()
        self._repaint()
        self._announce()

    def _got_count(self, view: View, generation: int, count: int, partial: bool) -> None:
        if generation != self._generation:
            return
        self._set_total(count)  # the rows on screen stand: a count changes none of them
        self.post_message(self.Counted(view, count, partial))
        self._announce()

    def _reloaded(
        self,
        view: View,
        generation: int,
        count: int | None,
        partial: bool,
        fresh: dict[int, list[InboxRow]],
    ) -> None:
        self._refreshing = False
        if generation == self._generation and count is not None:
            self._rows_view = view
            before = self.cursor_id
            left: int | None = None
            # Lines drawn for a row stay good while the row is the same: only the rows that
            # changed (unread and the like move without a new version) are drawn again.
            old = {r.id: r for rows in self._pages.values() for r in rows}
            changed = {r.id for rows in fresh.values() for r in rows if old.get(r.id, r) != r}
            if changed:
                for key in [k for k in self._strips if k[0] in changed]:
                    del self._strips[key]
            self._pages = fresh
            self._pending.clear()
            self._set_total(count)
            self.post_message(self.Counted(view, count, partial))
            if before is not None:
                left = before
                for page, rows in fresh.items():
                    for offset, row in enumerate(rows):
                        if row.id == before:
                            self.set_reactive(InboxWindow.cursor, page * PAGE + offset)
                            left = None
            self.set_reactive(InboxWindow.cursor, max(0, min(self.cursor, count - 1)))
            live = {r.id for rows in fresh.values() for r in rows}
            # Selected rows that left the loaded window stay selected; those gone from the
            # view are dropped only when we know (the whole view is loaded).
            if count <= PAGE * len(fresh):
                self.selected_ids &= live
            self._scroll_to_cursor()
            self.refresh()
            if left is not None and self.cursor_id not in (None, before):
                self.landed = True
            self._announce(left)
        if self._refresh_again:
            self._refresh_again = False
            self.refresh_rows()

    def _set_total(self, total: int) -> None:
        before, self.total = self.total, total
        # Width 0: rows are cut to the pane, never scrolled sideways (a width taken before the
        # scrollbar appeared would overflow by its two cells).
        size = Size(0, total * ROW_HEIGHT)
        if size == self.virtual_size:
            return
        # Only the scrollbar and the lines past the shorter end depend on the list's length.
        # Assigning ``virtual_size`` would lay the whole screen out again, a third of the
        # frame that shows a new view or search; the scrollbar is updated here instead (one
        # that appears or goes asks for a layout itself: its width comes out of the rows').
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)
        if before is None:
            self.refresh()
        else:
            start = min(before, total) * ROW_HEIGHT
            lines = self.size.height + int(self.scroll_y) - start
            if lines > 0:
                self.refresh_lines(start, lines)

    def _known_rows(self) -> int:
        return max((p * PAGE + len(rows) for p, rows in self._pages.items()), default=0)

    def _wanted_pages(self) -> set[int]:
        first, last = self._visible_rows()
        pages = set(range(first // PAGE, last // PAGE + 1))
        pages.add(self.cursor // PAGE)
        return pages

    def _drop_far_pages(self) -> None:
        wanted = self._wanted_pages()
        low, high = min(wanted) - KEEP_PAGES // 2, max(wanted) + KEEP_PAGES // 2
        for page in [p for p in self._pages if not low <= p <= high]:
            del self._pages[page]

    def _ensure(self, index: int) -> None:
        """Start reading the page holding row ``index`` unless it is loaded or on its way."""
        if self.view is None or self.total is None or not 0 <= index < self.total:
            return
        if self._replacing:
            return  # the rows on screen are the previous view's: no keys to page from
        page = index // PAGE
        if page in self._pages or page in self._pending:
            return
        self._pending.add(page)
        how = how_to_read(self._pages, page, self.total)
        view, generation = self.view, self._generation
        self.run_worker(
            lambda: self._load_page(view, generation, page, how),
            thread=True,
            group="inbox-page",
            exit_on_error=False,
        )
