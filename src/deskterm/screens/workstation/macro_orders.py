"""A reply's macro order actions, run as the reply is sent: what the macro leaves open is
asked with the customer pane's questions, the goodwill policy is read, the agent confirms
everything once, then the actions run and the reply goes.

Each is first checked against the order as it is at send: one that no longer applies (the
order is already cancelled, or refunded in full) is left out, and the confirmation says
why. Of an item the macro names and the order holds more than one of, the agent is asked
how many, 1 offered, as the pane asks.

Over the policy, a gesture goes to a lead for approval (nothing is given) when the agent
confirms; one a lead cannot approve (a refund above the order's total) stops the send with
one line. Either all the reply's order actions are done or none: when one is refused while
they run, those already done are taken back and the reply stays in the composer. Done,
they are undone with the reply (``u``), through the same undo as the pane's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from deskterm.backend.commerce import ledger
from deskterm.backend.commerce.base import ActionFailed, ActionRefused
from deskterm.backend.commerce.catalogue import BY_KIND
from deskterm.backend.commerce.jobs import (
    OrderJob,
    goodwill_job,
    items_job,
    items_left,
    request_approval,
    run_job,
    undo_job,
)
from deskterm.backend.commerce.macro_orders import MacroOrder, resolve, still_applies
from deskterm.backend.commerce.policy import Verdict, check_gesture
from deskterm.domain.models import OrderItem
from deskterm.domain.safety import one_line
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.workstation.host import ReloadConversation
from deskterm.screens.workstation.order_actions import OrderActions, OrderHost
from deskterm.screens.workstation.undo import OrderActionDone

Go = Callable[[list[OrderActionDone]], None]


class MacroOrders:
    """Runs the order actions a reply's macros carry, before the reply is held."""

    def __init__(self, host: OrderHost, pane: OrderActions, fill: Callable[[str], str]) -> None:
        self.host = host
        self.pane = pane
        self.fill = fill

    def _tell(self, text: str, *, severity: Any = "warning") -> None:
        self.host.notify(one_line(text, 300), severity=severity, markup=False, timeout=8)

    def before_send(self, actions: list[dict[str, Any]], go: Go) -> None:
        """Ask, check, confirm and run ``actions``; ``go`` sends the reply with what was done.
        Nothing is sent when the agent says no or an action cannot be done."""
        b = self.host.bundle
        if b is None or b.customer is None:
            self._tell("Not sent: open the conversation first, its macro acts on its order.")
            return
        try:
            found = [resolve(a, b.order, self.fill) for a in actions]
        except ActionRefused as exc:
            self._tell(f"Not sent: {exc.reason}")
            return
        work = partial(self._still_applies, found, go)
        self.host.in_thread(work, group="commerce", name="_still_applies")

    def _still_applies(self, found: list[MacroOrder], go: Go) -> None:
        """The order as it is now (store worker): what no longer applies is left out."""
        b = self.host.bundle
        order = b.order if b is not None else None
        store = self.host.desk.store
        now = store.order(order.id) if order is not None else None
        if order is not None and now is not None:
            paid = ledger.paid_left(store.conn, now.id, now.total_cents)
            left = items_left(store, BY_KIND["refund"], now)
            found, why = still_applies(found, now, paid_left_cents=paid, items_left=left)
        else:
            why = []
        self.host.from_thread(self._next, found, [], go, why)

    def _next(
        self, pending: list[MacroOrder], jobs: list[OrderJob], go: Go, why: list[str]
    ) -> None:
        """One order action after the other: built from the macro's answers, or asked.
        ``why``: the lines of those left out."""
        if not pending:
            work = partial(self._check, jobs, go, why)
            self.host.in_thread(work, group="commerce", name="_check")
            return
        m, rest = pending[0], pending[1:]
        b = self.host.bundle
        if b is None or b.customer is None:
            return
        cid, customer, order = b.conversation.id, b.customer, b.order

        def then(job: OrderJob) -> None:
            self._next(rest, [*jobs, job], go, why)

        if m.spec.asks == "items" and m.items is not None and order is not None:
            chosen = list(m.items)
            if m.how_many and any(q > 1 for _, q in chosen):

                def counted(answer: list[tuple[OrderItem, int]]) -> None:
                    then(items_job(m.spec, cid, customer, order, answer))

                most = {i.id: q for i, q in chosen}
                items = [i for i, _ in chosen]
                self.pane.items.how_many(m.spec, items, most, counted, one_by_default=True)
            else:
                then(items_job(m.spec, cid, customer, order, chosen))
        elif m.spec.asks == "amount" and None not in (m.amount_cents, m.goodwill_kind):
            kind = m.goodwill_kind or "credit"  # a refund without an order is a credit
            then(goodwill_job(m.spec, cid, customer, order, m.amount_cents or 0, kind))
        else:
            self.pane.ask(m.spec, cid, customer, order, then, cents=m.amount_cents,
                          kind=m.goodwill_kind)  # fmt: skip

    def _check(self, jobs: list[OrderJob], go: Go, why: list[str]) -> None:
        """The policy, on the gestures given so far and those of this reply (store worker)."""
        desk = self.host.desk
        limits = desk.settings.gestures
        verdicts: list[Verdict | None] = []
        given: dict[int, int] = {}
        for job in jobs:
            if job.amount_cents <= 0:
                verdicts.append(None)
                continue
            who = job.customer.id
            if who not in given:
                since = desk.store.now() - timedelta(days=limits.window_days)
                given[who] = desk.store.gestures_since(who, since)
            verdict = check_gesture(
                job.amount_cents,
                given_cents=given[who],
                limits=limits,
                kind=job.goodwill_kind,
                order_total_cents=job.order.total_cents if job.order else None,
                items_refunded_cents=(
                    ledger.refunded(desk.store.conn, job.order.id)[1] if job.order else 0
                ),
            )
            if verdict.allowed:
                given[who] += job.amount_cents
            verdicts.append(verdict)
        self.host.from_thread(self._confirm, jobs, verdicts, go, why)

    def _confirm(
        self, jobs: list[OrderJob], verdicts: list[Verdict | None], go: Go, why: list[str]
    ) -> None:
        for verdict in verdicts:
            if verdict is not None and not verdict.allowed and not verdict.approvable:
                self._tell(f"Not sent: {verdict.reason}.")
                return
        lines = []
        for job, verdict in zip(jobs, verdicts, strict=True):
            line = f"• {job.summary}"
            if verdict is not None and not verdict.allowed:
                line += f" — {verdict.reason}: a lead is asked to approve it, nothing given yet"
            lines.append(line)
        lines += [f"• Left out: {line}" for line in why]
        detail = "\n".join(lines)
        if jobs:
            detail += "\n\nEach writes an internal note; u takes back those that can be undone."

        def answered(yes: bool | None) -> None:
            if yes:
                work = partial(self._run, jobs, verdicts, go)
                self.host.in_thread(work, group="commerce", name="_run_macro_orders")

        question = "Send this reply and do this?" if jobs else "Send this reply? Nothing to do."
        self.host.ask(ConfirmScreen(question, detail), answered)

    def _run(self, jobs: list[OrderJob], verdicts: list[Verdict | None], go: Go) -> None:
        """All or none: a refusal takes back what this reply already did."""
        desk = self.host.desk
        done: list[OrderActionDone] = []
        for job, verdict in zip(jobs, verdicts, strict=True):
            try:
                if verdict is not None and not verdict.allowed:
                    request_approval(desk.store, job, agent=desk.agent, reason=verdict.reason)
                    continue
                result = run_job(
                    desk.store, self.pane.commerce, job, agent=desk.agent,
                    limits=desk.settings.gestures, refunds=desk.settings.refunds,
                )  # fmt: skip
            except (ActionRefused, ActionFailed) as exc:
                kept = self._take_back(done)
                after = f"; could not take back: {kept}" if kept else ", nothing was done"
                self.host.from_thread(self._tell, f"Not sent: {exc.reason}{after}.")
                self.host.post_message(ReloadConversation(job.conversation_id))
                return
            done.append(OrderActionDone(result, job.conversation_id, job.summary))
        if jobs:
            self.host.post_message(ReloadConversation(jobs[0].conversation_id))
        self.host.from_thread(go, done)

    def _take_back(self, done: list[OrderActionDone]) -> str:
        """Undo what is done (store worker); names what could not be undone."""
        kept = []
        for item in reversed(done):
            try:
                self.undo_now(item)
            except (ActionRefused, ActionFailed):
                kept.append(item.description)
        return ", ".join(kept)

    def undo_now(self, item: OrderActionDone) -> None:
        """Take one order action back, here in the worker (raises what the shop raises)."""
        desk = self.host.desk
        undo_job(
            desk.store,
            self.pane.commerce,
            item.result,
            conversation_id=item.conversation_id,
            description=item.description,
            agent=desk.agent,
        )
