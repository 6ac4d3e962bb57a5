"""Linking conversations to problems: ``b`` on a conversation (or the selection) opens a
picker of open problems, the ones its words suggest first, or a new problem prefilled from
its subject and first message. One undo group: ``u`` takes back the link (and the problem
it created)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Protocol

from deskterm.backend.writes import new_key
from deskterm.domain.models import AuthorKind
from deskterm.domain.problems import (
    Problem,
    ProblemStatus,
    ProblemSuggester,
    new_problem_text,
)
from deskterm.domain.safety import one_line
from deskterm.screens.picker import Choice
from deskterm.screens.problem_picker import ProblemPickerScreen
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.screens.workstation.host import Host
from deskterm.screens.workstation.undo import DoneAction

if TYPE_CHECKING:
    from deskterm.domain.models import Conversation
    from deskterm.widgets.inbox_list import InboxList

NEW = "new"
PROBLEM = "problem:"


class ProblemHost(Host, Protocol):
    """What linking needs of the workstation."""

    @property
    def inbox(self) -> InboxList: ...

    @property
    def shown(self) -> Conversation | None: ...

    def load_conversation(self, conversation_id: int) -> object: ...


@dataclass
class LinkChoices:
    """What the picker offers for some conversations, read in a worker."""

    ids: list[int]
    problems: list[Problem]
    suggested: list[int]
    title: str
    description: str


class ProblemLinks:
    """``b``: link the conversations ``targets`` gives to a problem, new or known."""

    def __init__(
        self,
        host: ProblemHost,
        targets: Callable[[], list[int]],
        remember: Callable[[DoneAction], None],
    ) -> None:
        self.host = host
        self.targets = targets
        self.remember = remember
        self._learnt: tuple[tuple[int, int, int], ProblemSuggester] | None = None

    def _suggester(self, problems: list[Problem]) -> ProblemSuggester:
        """From the worker: the suggester, learnt again only when problems or links changed
        (learning reads and tokenizes every example: 0.7 s at 10,000 links)."""
        store = self.host.desk.store
        key = store.problems_key()
        if self._learnt is None or self._learnt[0] != key:
            suggester = ProblemSuggester(
                [(p.id, p.title, p.description) for p in problems], store.problem_examples()
            )
            self._learnt = (key, suggester)
        return self._learnt[1]

    def warm(self) -> None:
        """Learn the suggestions in the background (after the first paint), so that the
        first ``b`` does not wait for it."""
        self.host.in_thread(self._learn, group="problems", name="_learn_problems")

    def _learn(self) -> None:
        self._suggester(self.host.desk.store.problems())

    def link(self) -> None:
        ids = self.targets()
        if not ids:
            self.host.notify("No conversation here.")
            return
        self.host.in_thread(partial(self._read, ids), group="store", name="_problem_choices")

    def _read(self, ids: list[int]) -> None:
        store = self.host.desk.store
        problems = store.problems()
        first = store.conversation(ids[0])
        messages = store.messages(ids[0], limit=20)
        said = [m.body for m in messages if m.author_kind is AuthorKind.CUSTOMER]
        subject = first.subject if first is not None else ""
        title, description = new_problem_text(subject, said[0] if said else "")
        suggested = self._suggester(problems).suggest("\n".join([subject, *said[-3:]]))
        known = {p.id for p in problems}
        choices = LinkChoices(
            ids, problems, [p for p in suggested if p in known], title, description
        )
        self.host.from_thread(self._ask, choices)

    def _ask(self, found: LinkChoices) -> None:
        by_id = {p.id: p for p in found.problems}
        new = Choice(NEW, "+ New problem", f"“{one_line(found.title, 40)}”")
        choices = [_choice(by_id[pid], "suggested · ") for pid in found.suggested]
        choices += [_choice(p) for p in found.problems if p.id not in found.suggested]
        n = len(found.ids)
        what = "this conversation" if n == 1 else f"{n} conversations"
        self.host.ask(
            ProblemPickerScreen(
                f"Link {what} to a problem",
                new,
                choices,
                hint="type to search · enter link · a new title starts one · esc cancel",
            ),
            partial(self._chosen, found),
        )

    def _chosen(self, found: LinkChoices, value: str | None) -> None:
        if value is None:
            return
        if value.startswith(PROBLEM):
            pid = int(value.removeprefix(PROBLEM))
            title = next((p.title for p in found.problems if p.id == pid), f"#{pid}")
            self._run(found.ids, pid, title, "")
        elif value == NEW:
            self.host.ask(
                TextPromptScreen("New problem — its title:", found.title, detail=found.description),
                lambda title: (
                    self._run(found.ids, None, title, found.description) if title else None
                ),
            )
        else:  # a title typed in the picker
            self._run(found.ids, None, value, found.description)

    def _run(self, ids: list[int], pid: int | None, title: str, description: str) -> None:
        group = new_key()
        n = len(ids)
        self.remember(DoneAction(group, f"Linked to {title}" + (f" ({n})" if n > 1 else "")))
        work = partial(self._write, ids, pid, title, description, group)
        self.host.in_thread(work, group="store", name="_link_problem")

    def _write(
        self, ids: list[int], pid: int | None, title: str, description: str, group: str
    ) -> None:
        desk = self.host.desk
        store, me = desk.store, desk.agent.id
        created = pid is None
        if pid is None:
            pid = store.add_problem(title, description=description, agent_id=me, undo_group=group)
        linked = store.link_problem(pid, ids, agent_id=me, undo_group=group)
        self.host.from_thread(self._done, ids, title, created, len(linked))
        self._learn()  # these words now suggest it, from the next b on

    def _done(self, ids: list[int], title: str, created: bool, linked: int) -> None:
        host = self.host
        host.inbox.clear_selection()
        host.inbox.refresh_rows()
        shown = host.shown
        if shown is not None and shown.id in ids:
            host.load_conversation(shown.id)
        what = "New problem" if created else "Linked to"
        count = f" — {linked} conversations" if len(ids) > 1 else ""
        if not linked:
            host.notify(f"Already linked to “{one_line(title, 60)}”.", markup=False)
            return
        host.notify(f"{what} “{one_line(title, 60)}”{count} · u to undo", markup=False)


def _choice(p: Problem, prefix: str = "") -> Choice:
    """A problem in the picker: its title, and in a few cells how many it touched."""
    detail = f"{prefix}{p.customers} cust."
    if p.status is not ProblemStatus.OPEN:
        detail += f" · {p.status.label}"
    return Choice(f"{PROBLEM}{p.id}", one_line(p.title, 40), detail)
