"""Macros on the workstation: the picker, ``::word`` quick insert, the three suggestions,
"save reply as macro", and turning a macro's actions into changes applied with the send."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from deskterm.backend.context import ConversationBundle
from deskterm.domain.macros import (
    Rendered,
    SendContext,
    build_context,
    language_code,
    offered_to,
    pick_body,
    pick_title,
    render,
    send_changes,
    templatize,
)
from deskterm.domain.models import Macro, MacroAction
from deskterm.domain.reply_text import split_signature
from deskterm.domain.safety import NAME_CELLS, one_line
from deskterm.screens.macro_picker import MacroChoice, MacroPickerScreen, rank_macros
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.screens.workstation.host import Host

if TYPE_CHECKING:
    from deskterm.widgets.composer import Composer
    from deskterm.widgets.customer_panel import CustomerPanel
    from deskterm.widgets.inbox_list import InboxList


def customer_text(bundle: ConversationBundle, limit: int = 3) -> str:
    """What the customer said last: what suggestions are matched against."""
    said = [m.body for m in bundle.messages if m.author_kind.value == "customer"]
    return "\n".join(said[-limit:]) or bundle.conversation.subject


def signature_names(agent_name: str) -> tuple[str, ...]:
    """How the agent signs a reply: where the signature starts (see domain/reply_text.py)."""
    name = agent_name.strip()
    return (name, name.split()[0]) if name else ()


class MacroHost(Host, Protocol):
    """What macros need of the workstation."""

    @property
    def bundle(self) -> ConversationBundle | None:
        """The conversation on screen, with its customer and order."""

    @property
    def composer(self) -> Composer: ...

    @property
    def inbox(self) -> InboxList: ...

    @property
    def inbox_focused(self) -> bool: ...

    @property
    def customer(self) -> CustomerPanel: ...

    def open_composer(self, *, note: bool) -> None: ...


class Macros:
    """Inserting, suggesting and saving macros."""

    def __init__(self, host: MacroHost) -> None:
        self.host = host
        self.suggestions: list[tuple[int, str]] = []
        """The three macros suggested for the conversation on screen: (id, title)."""

    def _context(self) -> dict[str, Any]:
        b = self.host.bundle
        desk = self.host.desk
        account, delivery = self.host.customer.shown_facts()
        return build_context(
            customer=b.customer if b else None,
            agent=desk.agent,
            conversation=b.conversation if b else None,
            order=b.order if b else None,
            orders_count=b.orders_count if b else 0,
            tz=str(desk.shop_tz),  # the times a customer reads: the shop's clock
            problem=b.problems[0] if b and b.problems else None,
            said=customer_text(b) if b else "",
            subscription=account.subscription.state if account and account.known else None,
            eta=delivery.eta if delivery else None,
        )

    @property
    def language(self) -> str:
        """The language of the customer on screen (English when not known)."""
        b = self.host.bundle
        return b.customer.language if b and b.customer and b.customer.language else "en"

    def offered(self, language: str | None = None) -> list[Macro]:
        """The macros for this customer: one written in another language, untranslated, is
        left out (a personal macro saved from a French reply is for French speakers)."""
        language = language or self.language
        return [m for m in self.host.desk.macros if offered_to(m, language)]

    def render(self, macro: Macro) -> Rendered:
        return render(pick_body(macro, self.language), self._context())

    def fill(self, text: str) -> str:
        """Liquid in ``text`` filled for the conversation on screen (a macro's order action
        items or amount); an unknown value shows as a marker."""
        return render(text, self._context()).text

    def pick(self) -> None:
        """The macro picker, for the conversation on screen."""
        host = self.host
        if host.bundle is None:
            host.notify("Open a conversation first (enter).")
            return
        title = f"Macros for {one_line(host.bundle.conversation.customer_name, NAME_CELLS)}"
        host.ask(
            MacroPickerScreen(
                self.offered(),
                self.render,
                me=host.desk.agent.id,
                title=title,
                language=self.language,
            ),
            self._chosen,
        )

    def _chosen(self, choice: MacroChoice | None) -> None:
        if choice is not None:
            self.use(choice.macro_id, replace=choice.replace)

    def use(self, macro_id: int, *, replace: bool = False, token: str | None = None) -> None:
        """Insert a macro rendered for this conversation; its actions wait for the send."""
        host = self.host
        macro = next((m for m in host.desk.macros if m.id == macro_id), None)
        bundle = host.bundle
        if macro is None or bundle is None:
            return
        cursor = host.inbox.chosen_id
        if host.inbox_focused and cursor not in (None, bundle.conversation.id):
            # The cursor moved on and its thread is not shown yet: a macro rendered now would
            # carry the previous customer's name into this conversation.
            host.notify("Still opening this conversation; press it again.", timeout=2)
            return
        rendered = self.render(macro)
        if rendered.error:
            host.notify(rendered.error, severity="error")
            return
        host.open_composer(note=False)
        composer = host.composer
        names = signature_names(host.desk.agent.name)
        if token is not None:
            placed = composer.replace_token(token, rendered.text, rendered.cursor, names=names)
        else:
            placed = composer.insert(
                rendered.text, replace=replace, cursor=rendered.cursor, names=names
            )
        # Its actions follow its words, not the sign-off every macro shares.
        words = split_signature(placed, names)[0].strip() or placed
        composer.add_macro(
            macro.id,
            list(macro.actions),
            rendered.missing,
            text=words,
            title=pick_title(macro, self.language),
        )

    def use_suggestion(self, index: int) -> None:
        found = self.suggestions
        if index < len(found):
            self.use(found[index][0])

    def quick_insert(self, token: str) -> None:
        """``::word`` typed in the reply: the best matching macro takes its place."""
        found = rank_macros(token[2:], self.offered(), limit=1, language=self.language)
        if not found:
            self.host.notify(f"No macro matches {token[2:]!r}.", severity="warning")
            return
        self.use(found[0].id, token=token)

    def save_as_macro(self, text: str) -> None:
        """Ask for a title, then keep ``text`` (its customer data as placeholders), in the
        customer's language: offered to that language's speakers only, until translated."""
        body = templatize(text, self._context())
        language = language_code(self.language)
        first = " ".join(text.split())[:40]

        def titled(title: str | None) -> None:
            if title:
                work = partial(self._store_macro, title, body, language)
                self.host.in_thread(work, group="store", name="_store_macro")

        self.host.ask(
            TextPromptScreen(
                f"Save this reply as your personal macro ({language}) — its title:",
                first,
                detail=body,
            ),
            titled,
        )

    def _store_macro(self, title: str, body: str, language: str) -> None:
        desk = self.host.desk
        desk.store.add_macro(title, body, owner_agent_id=desk.agent.id, language=language)
        desk.load_macros()
        self.host.from_thread(self.host.notify, f"Saved as your macro “{title}” (m to use it).")

    # -- suggestions -------------------------------------------------------------------

    def suggest_for(self, bundle: ConversationBundle) -> None:
        suggester = self.host.desk.suggester
        if suggester is None:
            self.suggestions = []
        else:
            said = bundle.customer.language if bundle.customer else "en"
            titles = {m.id: pick_title(m, said) for m in self.offered(said or "en")}
            # A macro already sent here is no answer to what the customer says next.
            used = bundle.macros_used
            ranked = suggester.suggest(customer_text(bundle), k=3 + len(used))
            fresh = [mid for mid, _ in ranked if mid in titles and mid not in used]
            self.suggestions = [(mid, titles[mid]) for mid in fresh[:3]]
        self.host.composer.show_suggestions(self.suggestions)

    # -- actions applied with the send ---------------------------------------------------

    def changes(self, actions: tuple[MacroAction, ...]) -> list[tuple[str, Any]]:
        """The macros' actions as the changes ``apply_change`` knows (see
        ``domain/macros/actions.py``); one that cannot be applied now is a warning."""
        desk = self.host.desk
        context = SendContext(me=desk.agent.id, agents=desk.agents, now=desk.clock(), tz=desk.tz)
        changes, warnings = send_changes(actions, context)
        for warning in warnings:
            self.host.notify(warning, severity="warning")
        return changes
