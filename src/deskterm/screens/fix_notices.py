"""Telling customers a problem is fixed: one reply per customer (their latest linked
conversation), drafted from the "fixed" macro in their language, reviewed, then sent in one
action through the normal send path: held for the undo-send delay (``u`` takes them all
back), each written with its outbox entry in remote mode, a done conversation left done
after the reply; the customers told are counted on the problem."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from textual.timer import Timer

from deskterm.backend.writes import new_key
from deskterm.domain.macros import build_context, pick_body, render
from deskterm.domain.models import AuthorKind, Macro, Status
from deskterm.domain.problems import (
    FIXED_BODY,
    FIXED_VARIANTS,
    Problem,
    Reporter,
    is_fixed_macro,
    one_per_customer,
)
from deskterm.domain.safety import one_line
from deskterm.screens.notice_review import Notice, NoticeReviewScreen
from deskterm.screens.notifier import Notifier


class NoticeHost(Notifier, Protocol):
    """What the notice round needs of the screen it runs from."""

    def set_timer(self, delay: float, callback: Callable[[], object]) -> Timer: ...

    def load(self) -> object:
        """Read the problems again (the count of customers told changed)."""


@dataclass
class HeldNotices:
    """Notices waiting out the undo-send delay."""

    problem: Problem
    notices: list[Notice]
    undo_group: str
    timer: Timer | None = None


def fixed_macro(macros: list[Macro], now: datetime) -> Macro:
    """The team's "fixed" macro (shared first), or the built-in wording."""
    found = sorted(
        (m for m in macros if is_fixed_macro(m.title)), key=lambda m: (not m.shared, m.id)
    )
    if found:
        return found[0]
    return Macro(
        id=0,
        title="Fixed",
        body=FIXED_BODY,
        variants=dict(FIXED_VARIANTS),
        created_at=now,
        updated_at=now,
    )


class FixNotices:
    """Drafts, holds and sends the notices of one fixed problem at a time."""

    def __init__(self, host: NoticeHost) -> None:
        self.host = host
        self.held: HeldNotices | None = None

    # -- drafting --------------------------------------------------------------------

    def prepare(self, problem: Problem) -> None:
        """Draft the notices in a worker, then show them for review."""
        self._run(partial(self._draft, problem), "_draft_notices")

    def _run(self, work: Callable[[], None], name: str) -> None:
        app = self.host.desk
        app.run_worker(work, name=name, group="store", thread=True, exit_on_error=False)

    def _draft(self, problem: Problem) -> None:
        desk = self.host.desk
        store = desk.store
        reports = store.problem_reports(problem.id)
        by_id = {r.conversation.id: r for r in reports}
        chosen = one_per_customer(
            [
                Reporter(
                    r.conversation.id,
                    r.conversation.customer_id,
                    r.conversation.created_at,
                    r.notified,
                )
                for r in reports
            ]
        )
        macros = desk.macros or store.macros(desk.agent.id)
        macro = fixed_macro(macros, desk.clock())
        notices = []
        for reporter in chosen:
            r = by_id[reporter.conversation_id]
            conversation = r.conversation
            context: dict[str, Any] = build_context(
                customer=store.customer(conversation.customer_id),
                agent=desk.agent,
                conversation=conversation,
                order=None,
                tz=str(desk.tz),
                problem=problem,
            )
            rendered = render(pick_body(macro, r.language), context)
            notices.append(
                Notice(
                    conversation_id=conversation.id,
                    customer_name=conversation.customer_name,
                    language=r.language,
                    body=rendered.text,
                    was_done=conversation.status is Status.DONE,
                    missing=tuple(rendered.missing),
                )
            )
        desk.call_from_thread(self._review, problem, notices, len(reports))

    def _review(self, problem: Problem, notices: list[Notice], linked: int) -> None:
        if not notices:
            self.host.notify("Every customer who reported it was told already.")
            return
        title = (
            f"{one_line(problem.title, 50)}: is fixed. Tell {len(notices)} customers"
            f" ({linked} conversations linked)"
        )
        self.host.desk.push_screen(
            NoticeReviewScreen(title, notices), partial(self._reviewed, problem)
        )

    def _reviewed(self, problem: Problem, notices: list[Notice] | None) -> None:
        if notices:
            self.hold(problem, notices)

    # -- sending ---------------------------------------------------------------------

    def hold(self, problem: Problem, notices: list[Notice]) -> None:
        """Hold the notices for the undo-send delay (the setting), then send them."""
        self.flush()
        held = HeldNotices(problem, notices, new_key())
        self.held = held
        delay = self.host.desk.settings.undo_send_seconds
        if delay > 0:
            held.timer = self.host.set_timer(delay, self.flush)
            self.host.notify(
                f"{len(notices)} notices sending in {delay:g}s — u to undo", timeout=delay
            )
        else:
            self.flush()

    def take_back(self) -> bool:
        """``u``: the held notices are not sent. False when none are held."""
        held = self.held
        if held is None:
            return False
        self.held = None
        if held.timer is not None:
            held.timer.stop()
        self.host.notify(f"Not sent: the {len(held.notices)} notices.")
        return True

    def flush(self) -> None:
        """Send the held notices now (in a store worker)."""
        held = self.held
        if held is None:
            return
        self.held = None
        if held.timer is not None:
            held.timer.stop()
        self._run(partial(self._send_and_tell, held), "_send_notices")

    def commit_now(self) -> None:
        """Leaving or quitting: held notices go at once, never dropped."""
        held = self.held
        if held is None:
            return
        self.held = None
        if held.timer is not None:
            held.timer.stop()
        self.send(held)

    def _send_and_tell(self, held: HeldNotices) -> None:
        sent, failed = self.send(held)
        desk = self.host.desk
        text = f"{one_line(held.problem.title, 50)}: {sent} customers told it is fixed."
        if failed:
            text += " Not sent: " + "; ".join(failed[:3])
        desk.call_from_thread(
            self.host.notify, text, severity="warning" if failed else "information", markup=False
        )
        desk.call_from_thread(self.host.load)

    def send(self, held: HeldNotices) -> tuple[int, list[str]]:
        """Write each notice as the agent's reply; returns (customers told, failures)."""
        desk = self.host.desk
        store = desk.store
        me = desk.agent
        sent: list[int] = []
        failed: list[str] = []
        for n in held.notices:
            try:
                # A done conversation stays done once told: the reply reopens nothing.
                store.add_message(
                    n.conversation_id,
                    author_kind=AuthorKind.AGENT,
                    author_id=me.id,
                    author_name=me.name,
                    body=n.body,
                    status_after=Status.DONE if n.was_done else None,
                    undo_group=held.undo_group,
                    outbox=desk.outbox_for("reply", body=n.body, done=n.was_done),
                )
            except Exception as exc:  # one refused conversation must not stop the others
                failed.append(f"#{n.conversation_id}: {exc}")
                continue
            sent.append(n.conversation_id)
        told = store.record_notified(held.problem.id, sent)
        return told, failed
