"""The inbox: a Line-API list over a window of store rows, as fast at a million as at ten.

Nothing holds every row: the list builds on :class:`~deskterm.widgets.inbox_window.InboxWindow`,
which keeps pages of ``PAGE`` rows around what is on screen and reads them in thread workers.
Here are the cursor, the selection, the mouse and the painting. Each row is two lines of
fixed height, painted from a strip cache.

When the store changes, ``refresh_rows`` re-reads the pages in view and swaps them in at once
(no flicker); the cursor stays on the same conversation, or, when that one left the view
(done, snoozed, answered), on the row that took its place. That row is only *landed* on:
the screen opens it when the agent put the conversation away, and otherwise keeps the thread
on screen, and actions keep to it (``chosen_id`` is ``None`` until the agent moves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.worker import Worker

from deskterm import keymap
from deskterm.backend.store import Store
from deskterm.backend.views import View
from deskterm.patches.barrier import forward_failure
from deskterm.widgets import inbox_looks
from deskterm.widgets.inbox_reads import PAGE
from deskterm.widgets.inbox_row import row_lines
from deskterm.widgets.inbox_window import ROW_HEIGHT, InboxWindow

__all__ = ["PAGE", "ROW_HEIGHT", "InboxList"]

MAX_STRIPS = 4000


class InboxList(InboxWindow, can_focus=True):
    """The conversations of one view, most urgent first."""

    BINDINGS = keymap.bindings("inbox")

    COMPONENT_CLASSES = inbox_looks.COMPONENT_CLASSES
    DEFAULT_CSS = inbox_looks.DEFAULT_CSS

    class Highlighted(Message):
        """The cursor is on another conversation (``None``: the view is empty). ``left``:
        the conversation that was under the cursor and left the view, when that is why."""

        def __init__(self, conversation_id: int | None, left: int | None = None) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.left = left

    class Opened(Message):
        """The agent opened the conversation under the cursor (enter, double click)."""

        def __init__(self, conversation_id: int) -> None:
            super().__init__()
            self.conversation_id = conversation_id

    class Counted(Message):
        """The view holds ``count`` conversations (at least, when ``partial``); ``None``:
        its first rows are shown and it is still being counted."""

        def __init__(self, view: View, count: int | None, partial: bool = False) -> None:
            super().__init__()
            self.view = view
            self.count = count
            self.partial = partial

    class LoadFailed(Message):
        """Reading the store failed; ``message`` is one line for the agent."""

        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(
        self,
        *,
        store: Store,
        me: int | None,
        clock: Callable[[], datetime],
        agents: dict[int, str],
        tz: ZoneInfo | None = None,
        first_run: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(store=store, me=me, id=id)
        self.first_run = first_run
        """The store had no conversation when deskterm started: an empty inbox says how to
        start, until a first conversation shows."""
        self.clock = clock
        self.agents = agents
        self.tz = tz or ZoneInfo("UTC")
        self._announced: int | None = -1
        self._strips: dict[tuple, Strip] = {}
        self._looks: inbox_looks.Looks | None = None

    # -- what the screen asks ------------------------------------------------------------

    @property
    def cursor_id(self) -> int | None:
        """The conversation under the cursor, if its row is loaded."""
        row = self.row_at(self.cursor)
        return row.id if row is not None else None

    @property
    def chosen_id(self) -> int | None:
        """The conversation under the cursor if the agent put the cursor there or it is being
        opened; ``None`` while the cursor rests, unopened, where a row that left put it."""
        return None if self.landed else self.cursor_id

    @property
    def awaiting_rows(self) -> bool:
        """A new view's first rows are being read (the previous view's are still shown)."""
        return self._replacing

    def clear_selection(self) -> None:
        if self.selected_ids:
            self.selected_ids.clear()
            self._repaint()

    def select_ids(self, ids: Iterable[int]) -> None:
        """Add conversations to the selection (those an action skipped, to act on again)."""
        self.selected_ids.update(ids)
        self._repaint()

    def select_visible(self) -> None:
        """Select every conversation on screen."""
        first, last = self._visible_rows()
        for index in range(first, last + 1):
            row = self.row_at(index)
            if row is not None:
                self.selected_ids.add(row.id)
        self._repaint()

    def step_past(self, conversation_id: int) -> None:
        """If the cursor is on ``conversation_id``, move it to the view's most urgent other
        conversation (its first row, or the second when the first is this one): where the
        agent goes once that conversation is answered and closed."""
        if self.cursor_id != conversation_id or not self.total:
            return
        first = self.row_at(0)
        index = 1 if first is not None and first.id == conversation_id else 0
        if index < self.total:
            self.cursor = index

    def _failed(self, exc: Exception) -> None:
        """A read failed (the window calls this from its thread workers): say so in a line."""
        text = " ".join(str(exc).split()) or type(exc).__name__
        self.post_message(self.LoadFailed(text))

    # -- the cursor ----------------------------------------------------------------------

    def _announce(self, left: int | None = None) -> None:
        cid = self.cursor_id
        if self.total == 0:
            cid = None
        elif cid is None:
            self._ensure(self.cursor)
            return
        if cid != self._announced:
            self._announced = cid
            self.post_message(self.Highlighted(cid, left))

    def watch_cursor(self, old: int, new: int) -> None:
        self.landed = False
        # Strips are cached per (row, cursor?) so only the two rows that changed repaint.
        self._scroll_to_cursor()
        for index in (old, new):
            self.refresh_lines(index * ROW_HEIGHT, ROW_HEIGHT)
        self._announce()

    def _move(self, step: int) -> None:
        if not self.total:
            return
        if self.landed and step > 0:
            # The unopened row under the cursor took the place of the one that left: it is
            # the next one, so one step down opens it rather than passing over it.
            step -= 1
            if step == 0:
                self.landed = False
                self._announced = -1
                self._announce()
                return
        self.cursor = max(0, min(self.total - 1, self.cursor + step))

    def _scroll_to_cursor(self) -> None:
        if not self.total:
            return
        width = self.scrollable_content_region.width
        self.scroll_to_region(
            Region(0, self.cursor * ROW_HEIGHT, width, ROW_HEIGHT), animate=False, immediate=True
        )

    def _visible_rows(self) -> tuple[int, int]:
        top = int(self.scroll_offset.y) // ROW_HEIGHT
        height = max(1, self.scrollable_content_region.height)
        last = top + (height + ROW_HEIGHT - 1) // ROW_HEIGHT
        if self.total is not None:
            last = min(last, max(0, self.total - 1))
        return top, max(top, last)

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height // ROW_HEIGHT - 1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_page_down(self) -> None:
        self._move(self._page_rows())

    def action_page_up(self) -> None:
        self._move(-self._page_rows())

    def action_first(self) -> None:
        self._move(-self.cursor)

    def action_last(self) -> None:
        if self.total:
            self._move(self.total - 1 - self.cursor)

    def action_open(self) -> None:
        cid = self.cursor_id
        if cid is not None:
            self.post_message(self.Opened(cid))

    def action_toggle_select(self) -> None:
        cid = self.cursor_id
        if cid is None:
            return
        self.selected_ids.symmetric_difference_update({cid})
        self._repaint()

    def action_extend_down(self) -> None:
        self._extend(1)

    def action_extend_up(self) -> None:
        self._extend(-1)

    def _extend(self, step: int) -> None:
        """Select the row under the cursor and the one it moves to: the cursor always rests
        on the last row selected (x J J: three rows, the cursor on the third)."""
        cid = self.cursor_id
        if cid is not None:
            self.selected_ids.add(cid)
        self._move(step)
        cid = self.cursor_id
        if cid is not None:
            self.selected_ids.add(cid)
        self._repaint()

    # -- the mouse -----------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self.total:
            return
        index = (int(self.scroll_offset.y) + offset.y) // ROW_HEIGHT
        if 0 <= index < self.total:
            self.cursor = index
            if event.chain >= 2:
                self.action_open()

    # -- painting ------------------------------------------------------------------------

    def on_mount(self) -> None:
        # Ages and SLA countdowns move with the clock even when no data changes.
        self.set_interval(30, self._repaint)

    def on_resize(self, event: events.Resize) -> None:
        self._strips.clear()
        if self.total is not None:
            self._set_total(self.total)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        first, last = self._visible_rows()
        self._ensure(first)
        self._ensure(last)

    def _repaint(self) -> None:
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._looks = None
        self._strips.clear()

    def _styles(self) -> inbox_looks.Looks:
        """The list's styles, read once per theme, focus or style change: reading a widget's
        style walks its ancestors, too slow to do for every line of every frame."""
        if self._looks is None:
            self._looks = inbox_looks.looks_of(self.get_component_rich_style, self.rich_style)
        return self._looks

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        looks = self._styles()
        base = looks.plain.base
        if self.total == 0:
            return self._empty_line(y, width)
        self.first_run = False  # a conversation came: the usual empty text from now on
        index, part = divmod(int(self.scroll_offset.y) + y, ROW_HEIGHT)
        if self.total is not None and index >= self.total:
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            self._ensure(index)
            return self._strip(Text("   …" if part == 0 else "", style=looks.dim), width, base)
        now = self.clock()
        selected = row.id in self.selected_ids
        is_cursor = index == self.cursor
        key = (
            row.id,
            row.version,
            part,
            width,
            is_cursor,
            selected,
            int(now.timestamp()) // 30,
            row.unsent,
        )
        strip = self._strips.get(key)
        if strip is None:
            styles = looks.cursor if is_cursor else looks.selected if selected else looks.plain
            background = styles.base
            lines = row_lines(
                row,
                width=width,
                now=now,
                tz=self.tz,
                initials=self.agents.get(row.assignee_id, "") if row.assignee_id else "",
                selected=selected,
                styles=styles,
            )
            if len(self._strips) > MAX_STRIPS:
                self._strips.clear()
            # Both lines of the row are made together: keep both.
            for other, text in enumerate(lines):
                self._strips[(*key[:2], other, *key[3:])] = self._strip(text, width, background)
            strip = self._strips[key]
        return strip

    def _strip(self, text: Text, width: int, background: Style) -> Strip:
        return Strip(list(text.render(self.app.console))).adjust_cell_length(width, background)

    def _empty_line(self, y: int, width: int) -> Strip:
        looks = self._styles()
        view = self._rows_view or self.view
        if view is not None and self.first_run and view.key == "inbox":
            lines = inbox_looks.FIRST_RUN_LINES
            if not 1 <= y <= len(lines):
                return Strip.blank(width, looks.plain.base)
            text = Text(" " + lines[y - 1], style=looks.empty if y > 1 else looks.plain.base)
            text.truncate(width)
            return self._strip(text, width, looks.plain.base)
        if y != 1 or view is None:
            return Strip.blank(width, looks.plain.base)
        key = view.key.split(":", 1)[0]
        message = inbox_looks.EMPTY_TEXT.get(key, "Nothing here.")
        text = Text(message.center(width), style=looks.empty)
        text.truncate(width)
        return self._strip(text, width, looks.plain.base)
