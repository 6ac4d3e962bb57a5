"""The command palette (ctrl+p): every action by name, views, conversations by customer.

One provider that knows where the agent is: actions run on the workstation, views switch
it, and typing a customer's name finds their conversations (read in a thread, never on the
event loop).
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.widget import Widget

from deskterm import keymap
from deskterm.backend.views import GOTO, SCREEN_PREFIX, View
from deskterm.domain import fuzzy
from deskterm.domain.safety import NAME_CELLS, one_line

if TYPE_CHECKING:
    from deskterm.app import DeskApp
    from deskterm.screens.workstation import WorkstationScreen


class DeskCommands(Provider):
    """Actions, views and conversations."""

    @property
    def desk(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    def _workstation(self) -> WorkstationScreen | None:
        from deskterm.screens.workstation import WorkstationScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, WorkstationScreen):
                return screen
        return None

    def _entries(self) -> list[tuple[str, str, object]]:
        entries: list[tuple[str, str, object]] = []
        desk = self._workstation()
        if desk is None:
            return entries
        from deskterm.widgets.customer_panel import CustomerPanel

        panel = desk.query_one(CustomerPanel)
        listed: set[str] = set()
        for k in keymap.KEYS:
            scope = k.id.split(".", 1)[0]
            if scope not in ("desk", "app", "customer") or k.id in ("app.palette", "desk.back"):
                continue
            if k.action in listed:  # q and ctrl+q both quit: one "Quit"
                continue
            if k.id == "app.live_demo" and self.desk.live_demo is None:
                continue  # only where customers write live
            listed.add(k.action)
            keys = keymap.keys_for(k.id, self.desk.keymap_overrides).split(",")[0]
            target: App[object] | Widget = self.app if k.action.startswith("app.") else desk
            if scope == "customer":
                target = panel
            action = k.action.removeprefix("app.")
            entries.append((k.description, f"key: {keys}", partial(target.run_action, action)))
        for _letter, (key, title) in GOTO.items():
            from deskterm.screens.workstation import view_for

            if key.startswith(SCREEN_PREFIX):  # a screen: problems has its key above
                if key == f"{SCREEN_PREFIX}leads":
                    entries.append((title, "the leads' desk", desk.open_leads))
                continue
            entries.append((f"View: {title}", "go to view", partial(desk.set_view, view_for(key))))
        for group in self.desk.groups:
            view = View(f"group:{group.id}", f"Group: {group.name}")
            entries.append(
                (f"View: Group {group.name}", "the group's inbox", partial(desk.set_view, view))
            )
        for vid, name, text in self.desk.saved_views:
            entries.append(
                (f"View: {name}", f"saved search: {text}", partial(desk.open_saved_view, vid))
            )
        for macro in self.desk.macros:
            entries.append(
                (
                    f"Macro: {macro.title}",
                    "insert into the reply",
                    partial(desk.macros.use, macro.id),
                )
            )
        for theme in sorted(self.app.available_themes):
            if theme.startswith("deskterm"):
                entries.append(
                    (f"Theme: {theme}", "colours", partial(setattr, self.app, "theme", theme))
                )
        return entries

    async def discover(self) -> Hits:
        for name, help_text, callback in self._entries():
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        # deskterm's own matcher (not the palette's): accents folded, like every picker's.
        for name, help_text, callback in self._entries():
            matched = fuzzy.match(query, name)
            if matched is not None and matched.score > 0:
                shown = Content(name)
                for i in matched.positions:
                    if not name[i].isspace():
                        shown = shown.stylize(self.match_style or "bold", i, i + 1)
                yield Hit(
                    matched.score / (fuzzy.WHOLE + fuzzy.WORD_START),
                    shown,
                    callback,  # type: ignore[arg-type]
                    help=help_text,
                )
        desk = self._workstation()
        if desk is None or len(query.strip()) < 2:
            return
        found = await asyncio.to_thread(self._conversations_of, query.strip())
        for cid, label in found:
            yield Hit(  # a Text: a str prompt would be read as markup
                0.5,
                Text(label),
                partial(desk.open_conversation_by_id, cid),
                help="open conversation",
            )

    def _conversations_of(self, text: str) -> list[tuple[int, str]]:
        store = self.desk.store
        result = []
        for customer_id, name in store.find_customers(text, limit=5):
            for conv in store.customer_conversations(customer_id, limit=3):
                who, what = one_line(name, NAME_CELLS), one_line(conv.subject, 50)
                result.append((conv.id, f"{who} — #{conv.id} {what}"))
        return result
