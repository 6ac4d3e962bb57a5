"""The team side of the workstation: the leads' desk (``g l``), asking a lead about the
conversation on screen (``L``), and proposing one's own macro to the team (``P``)."""

from __future__ import annotations

from functools import partial
from typing import Protocol

from deskterm.backend.db import StoreError
from deskterm.backend.leads.flags import flag_for_lead
from deskterm.backend.leads.proposals import propose_macro
from deskterm.domain.models import Conversation
from deskterm.screens.picker import Choice, PickerScreen
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.screens.workstation.host import Host, ReloadConversation


class TeamHost(Host, Protocol):
    @property
    def shown(self) -> Conversation | None:
        """The conversation whose thread is on screen, as last read."""

    def open_conversation_by_id(self, conversation_id: int) -> None: ...


class TeamDesk:
    def __init__(self, host: TeamHost) -> None:
        self.host = host

    # -- the leads' desk ---------------------------------------------------------------

    def open_leads(self) -> None:
        from deskterm.screens.leads import LeadsScreen

        if not self.host.desk.is_lead:
            self.host.notify(
                "The leads' desk is for the team's leads (the settings' leads = [...]).",
                severity="warning",
            )
            return
        self.host.ask(LeadsScreen(), self._left_leads)

    def _left_leads(self, conversation_id: int | None) -> None:
        if conversation_id is not None:
            self.host.open_conversation_by_id(conversation_id)

    # -- asking a lead -----------------------------------------------------------------

    def ask_lead(self) -> None:
        conv = self.host.shown
        if conv is None:
            self.host.notify("Open a conversation first.")
            return
        self.host.ask(
            TextPromptScreen(
                "Your question for a lead (an internal note; the conversation is flagged):"
            ),
            partial(self._asked, conv.id),
        )

    def _asked(self, conversation_id: int, question: str | None) -> None:
        if question:
            self.host.in_thread(
                partial(self._flag, conversation_id, question), group="store", name="_flag"
            )

    def _flag(self, conversation_id: int, question: str) -> None:
        desk = self.host.desk
        flag_for_lead(desk.store, conversation_id, agent=desk.agent, question=question)
        self.host.from_thread(self.host.notify, "Flagged for a lead.")
        self.host.from_thread(self.host.post_message, ReloadConversation(conversation_id))

    # -- proposing a macro -------------------------------------------------------------

    def propose(self) -> None:
        desk = self.host.desk
        mine = [m for m in desk.macros if m.owner_agent_id == desk.agent.id]
        if not mine:
            self.host.notify("You have no macro of your own to propose (ctrl+t saves a reply).")
            return
        shared = {m.title.lower() for m in desk.macros if m.shared}
        choices = [
            Choice(
                str(m.id),
                m.title,
                "changes the shared one" if m.title.lower() in shared else "new for the team",
            )
            for m in mine
        ]
        self.host.ask(
            PickerScreen("Propose which of your macros to the team?", choices),
            self._chosen,
        )

    def _chosen(self, value: str | None) -> None:
        if value is None:
            return
        self.host.ask(
            TextPromptScreen("A word for the lead (why it helps):"),
            partial(self._noted, int(value)),
        )

    def _noted(self, macro_id: int, note: str | None) -> None:
        if note is None:
            return
        self.host.in_thread(partial(self._propose, macro_id, note), group="store", name="_propose")

    def _propose(self, macro_id: int, note: str) -> None:
        desk = self.host.desk
        macro = desk.store.macro(macro_id)
        try:
            if macro is None:
                raise StoreError("This macro is gone")
            propose_macro(desk.store, macro, agent=desk.agent, note=note)
        except StoreError as exc:
            self.host.from_thread(self.host.notify, str(exc), severity="warning", markup=False)
            return
        self.host.from_thread(
            self.host.notify, f"Proposed to the team: {macro.title}", markup=False
        )
