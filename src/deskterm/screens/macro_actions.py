"""Macros on the workstation: the picker, ``::word`` quick insert, the three suggestions,
"save reply as macro", and turning a macro's actions into changes applied with the send."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from deskterm.backend.context import ConversationBundle
from deskterm.domain.macros import (
    Rendered,
    build_context,
    merge_actions,
    pick_body,
    render,
    templatize,
)
from deskterm.domain.models import Macro, MacroAction, Priority, Status
from deskterm.domain.reply_text import split_signature
from deskterm.domain.safety import NAME_CELLS, one_line
from deskterm.domain.snooze import SnoozeError, parse_snooze
from deskterm.screens.macro_picker import MacroChoice, MacroPickerScreen, rank_macros
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.widgets.composer import Composer

if TYPE_CHECKING:
    from deskterm.screens.workstation import WorkstationScreen


def customer_text(bundle: ConversationBundle, limit: int = 3) -> str:
    """What the customer said last: what suggestions are matched against."""
    said = [m.body for m in bundle.messages if m.author_kind.value == "customer"]
    return "\n".join(said[-limit:]) or bundle.conversation.subject


class MacrosMixin:
    """Mixed into the workstation screen.

    Message handlers here use the ``on_<widget>_<message>`` names: Textual collects ``@on``
    handlers only from message-pump classes, never from a plain mixin.
    """

    def _macro_context(self: WorkstationScreen) -> dict[str, Any]:
        b = self.bundle
        return build_context(
            customer=b.customer if b else None,
            agent=self.desk.agent,
            conversation=b.conversation if b else None,
            order=b.order if b else None,
            orders_count=b.orders_count if b else 0,
            tz=str(self.desk.tz),
        )

    @property
    def signature_names(self: WorkstationScreen) -> tuple[str, ...]:
        """How the agent signs a reply: where the signature starts (see domain/reply_text.py)."""
        name = self.desk.agent.name.strip()
        return (name, name.split()[0]) if name else ()

    def render_macro(self: WorkstationScreen, macro: Macro) -> Rendered:
        language = self.bundle.customer.language if self.bundle and self.bundle.customer else "en"
        return render(pick_body(macro, language), self._macro_context())

    def action_macro(self: WorkstationScreen) -> None:
        if self.bundle is None:
            self.notify("Open a conversation first (enter).")
            return
        title = f"Macros for {one_line(self.bundle.conversation.customer_name, NAME_CELLS)}"
        self.app.push_screen(
            MacroPickerScreen(
                self.desk.macros, self.render_macro, me=self.desk.agent.id, title=title
            ),
            self._macro_chosen,
        )

    def _macro_chosen(self: WorkstationScreen, choice: MacroChoice | None) -> None:
        if choice is not None:
            self.use_macro(choice.macro_id, replace=choice.replace)

    def use_macro(
        self: WorkstationScreen, macro_id: int, *, replace: bool = False, token: str | None = None
    ) -> None:
        """Insert a macro rendered for this conversation; its actions wait for the send."""
        macro = next((m for m in self.desk.macros if m.id == macro_id), None)
        if macro is None or self.bundle is None:
            return
        cursor = self.inbox.cursor_id
        if self.focused is self.inbox and cursor not in (None, self.bundle.conversation.id):
            # The cursor moved on and its thread is not shown yet: a macro rendered now would
            # carry the previous customer's name into this conversation.
            self.notify("Still opening this conversation; press it again.", timeout=2)
            return
        rendered = self.render_macro(macro)
        if rendered.error:
            self.notify(rendered.error, severity="error")
            return
        self._open_composer(note=False)
        composer = self.composer
        names = self.signature_names
        if token is not None:
            placed = composer.replace_token(token, rendered.text, rendered.cursor, names=names)
        else:
            placed = composer.insert(
                rendered.text, replace=replace, cursor=rendered.cursor, names=names
            )
        # Its actions follow its words, not the sign-off every macro shares.
        words = split_signature(placed, names)[0].strip() or placed
        composer.add_macro(
            macro.id, list(macro.actions), rendered.missing, text=words, title=macro.title
        )

    def action_suggestion(self: WorkstationScreen, index: int) -> None:
        found = self.suggestions
        if index < len(found):
            self.use_macro(found[index][0])

    def on_composer_quick_insert(self: WorkstationScreen, event: Composer.QuickInsert) -> None:
        found = rank_macros(event.token[2:], self.desk.macros, limit=1)
        if not found:
            self.notify(f"No macro matches {event.token[2:]!r}.", severity="warning")
            return
        self.use_macro(found[0].id, token=event.token)

    def on_composer_save_as_macro(self: WorkstationScreen, event: Composer.SaveAsMacro) -> None:
        body = templatize(event.body, self._macro_context())
        first = " ".join(event.body.split())[:40]

        def titled(title: str | None) -> None:
            if title:
                self._store_macro(title, body)

        self.app.push_screen(
            TextPromptScreen(
                "Save this reply as your personal macro — its title:", first, detail=body
            ),
            titled,
        )

    @work(thread=True, group="store", exit_on_error=False)
    def _store_macro(self: WorkstationScreen, title: str, body: str) -> None:
        self.desk.store.add_macro(title, body, owner_agent_id=self.desk.agent.id)
        self.desk.load_macros()
        self.app.call_from_thread(self.notify, f"Saved as your macro “{title}” (m to use it).")

    # -- suggestions -------------------------------------------------------------------

    @property
    def suggestions(self: WorkstationScreen) -> list[tuple[int, str]]:
        return getattr(self, "_suggestions", [])

    def suggest_for(self: WorkstationScreen, bundle: ConversationBundle) -> None:
        suggester = self.desk.suggester
        if suggester is None:
            self._suggestions = []
        else:
            titles = {m.id: m.title for m in self.desk.macros}
            ranked = suggester.suggest(customer_text(bundle), k=3)
            self._suggestions = [(mid, titles[mid]) for mid, _ in ranked if mid in titles]
        self.composer.show_suggestions(self._suggestions)

    # -- actions applied with the send ---------------------------------------------------

    def macro_changes(
        self: WorkstationScreen, actions: tuple[MacroAction, ...]
    ) -> list[tuple[str, Any]]:
        """The macros' actions as the changes ``DeskApp.apply_change`` knows.

        Several macros may set the same field: they are merged as the composer's On send
        line shows them (the last one wins), never refused at send.
        """
        changes: list[tuple[str, Any]] = []
        for action in merge_actions(actions).actions:
            field, value = action.field, action.value
            if field == "status":
                changes.append(("status", Status(value)))
            elif field in ("add_tags", "remove_tags"):
                changes.append((field, list(value)))
            elif field == "priority":
                changes.append(("priority", Priority(value)))
            elif field == "snooze":
                try:
                    target = parse_snooze(str(value), self.desk.clock(), self.desk.tz)
                except SnoozeError as exc:
                    self.notify(f"Macro snooze ignored: {exc}", severity="warning")
                    continue
                changes.append(("snooze", target))
            elif field == "assign":
                changes.append(("assign", self._agent_for(value)))
        return changes

    def _agent_for(self: WorkstationScreen, value: object) -> int | None:
        text = str(value).strip().lower()
        if text == "me":
            return self.desk.agent.id
        if text in ("none", "nobody", ""):
            return None
        for a in self.desk.agents:
            if str(a.id) == text or a.email.lower() == text or a.name.lower() == text:
                return a.id
        return self.desk.agent.id
