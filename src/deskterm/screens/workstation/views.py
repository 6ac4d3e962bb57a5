"""Which conversations the list shows: the built-in views, ``g`` to go to one, saved
searches, and the search box (its query read as typed, its errors shown under it, ctrl+s to
keep it as a view). Leaving a search goes back to the view before it."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Protocol

from rich.text import Text

from deskterm.backend.views import BUILTIN_VIEWS, GOTO, SCREEN_PREFIX, View
from deskterm.domain.query import QueryError, parse_query
from deskterm.domain.safety import one_line
from deskterm.screens.goto import GotoScreen
from deskterm.screens.workstation.host import Host

if TYPE_CHECKING:
    from textual.widget import Widget
    from textual.widgets import Input, Static

    from deskterm.widgets.inbox_list import InboxList

SEARCH_HINT = Text("enter: go to results · ctrl+s: save as a view · esc: close", style="dim")


def view_for(key: str) -> View:
    """The view a ``g`` target or a tag names; KeyError for an unknown one."""
    for v in BUILTIN_VIEWS:
        if v.key == key:
            return v
    for target, title in GOTO.values():
        if target == key:
            return View(key, title)
    if key.startswith("tag:"):
        return View(key, "#" + key.split(":", 1)[1])
    if key.startswith("group:") and key.split(":", 1)[1].isdigit():
        return View(key, "Group")
    raise KeyError(key)


class ViewHost(Host, Protocol):
    """What views and search need of the workstation."""

    @property
    def inbox(self) -> InboxList: ...

    @property
    def search_box(self) -> Input: ...

    def focus_now(self, widget: Widget) -> None:
        """Focus ``widget`` ahead of the keys already queued (see the screen's)."""

    @property
    def search_hint(self) -> Static:
        """The line under the search box."""

    def show_pane(self, pane: str, *, focus: bool = True) -> None:
        """On a narrow terminal, bring ``pane`` on screen (and focus it)."""

    def open_screen(self, name: str) -> None:
        """Open one of the screens ``g`` goes to (``problems``, ``leads``)."""


class Views:
    """The view on screen and the one before it; the search box."""

    def __init__(self, host: ViewHost) -> None:
        self.host = host
        self.view: View = BUILTIN_VIEWS[0]
        self.previous: View = self.view
        """The view a search goes back to."""
        self._hint_shown: Text | str = ""

    def show(self, view: View) -> None:
        if view.key != self.view.key or view.query is not None:
            self.previous = self.view if not self.view.key.startswith("search") else self.previous
        self.view = view
        self.host.inbox.set_view(view)  # the header follows when its rows are on screen

    def goto(self) -> None:
        """``g``: the picker of views, saved ones included."""
        saved = [(f"saved:{vid}", name) for vid, name, _ in self.host.desk.saved_views]
        self.host.ask(GotoScreen(saved), self._chosen)

    def _chosen(self, key: str | None) -> None:
        if key is None:
            return
        if key.startswith("saved:"):
            self.open_saved(int(key.split(":", 1)[1]))
            return
        if key.startswith(SCREEN_PREFIX):
            self.host.open_screen(key.removeprefix(SCREEN_PREFIX))
            return
        self.show(view_for(key))
        self.host.show_pane("inbox")

    def open_saved(self, view_id: int) -> None:
        desk = self.host.desk
        for vid, name, text in desk.saved_views:
            if vid == view_id:
                query = parse_query(text, now=desk.clock(), tz=desk.tz)
                self.show(View(f"saved:{vid}", name, query))
                self.host.show_pane("inbox")

    def counted(self, view: View, count: int | None) -> None:
        """The list read a view's first rows (``count`` None) or counted it."""
        if count is None and view is self.view and view.key == "search":
            self.hint(SEARCH_HINT)  # the query was read: any error shown goes now

    # -- search --------------------------------------------------------------------------

    def open_search(self) -> None:
        search = self.host.search_box
        search.display = True
        self.host.search_hint.display = True
        self.hint(SEARCH_HINT)  # now, while the box opens: not in a results frame
        self.host.show_pane("inbox", focus=False)
        self.host.focus_now(search)  # what was typed with `/` is the search

    def search(self, text: str) -> None:
        """Show the conversations ``text`` finds (the view before, when it is empty)."""
        if not text.strip():
            self.hint(SEARCH_HINT)
            self.show(self.previous)
            return
        desk = self.host.desk
        try:
            query = parse_query(text, now=desk.clock(), tz=desk.tz)
        except QueryError as exc:
            caret = Text(" " * min(exc.position, 200) + "^ ", style="bold red")
            caret.append(str(exc), style="red")
            self.hint(caret)
            return
        # An error shown for the query as it was goes with the results' frame (see counted):
        # a frame of its own now would hold the results' back until Textual's next one.
        self.show(View("search", f"Search: {one_line(text, 30)}", query))

    def hint(self, hint: Text | str) -> None:
        """The line under the search box. Written only when it changes: each write lays
        the whole screen out again, in the frame where the results are being read."""
        if hint != self._hint_shown:
            self._hint_shown = hint
            self.host.search_hint.update(hint)

    def close_search(self, *, restore: bool) -> None:
        search = self.host.search_box
        search.value = ""
        search.display = False
        self.hint("")
        self.host.search_hint.display = False
        if restore and self.view.key == "search":
            self.show(self.previous)
        self.host.inbox.focus()

    def save_search(self, text: str) -> None:
        """Keep ``text`` as a saved view (in a store worker); say which key opens it."""
        self.host.in_thread(partial(self._store, text), group="store", name="_store_saved_view")

    def _store(self, text: str) -> None:
        vid = self.host.desk.store.save_view(text, text)
        self.host.from_thread(self._stored, vid, text)

    def _stored(self, vid: int, text: str) -> None:
        desk = self.host.desk
        desk.reload_saved_views()
        place = [v for v, _, _ in desk.saved_views].index(vid) + 1
        where = f"g then {place}" if place <= 9 else "the palette (ctrl+p)"
        self.host.notify(f"Saved as a view: {where}", title=one_line(text, 60), markup=False)
