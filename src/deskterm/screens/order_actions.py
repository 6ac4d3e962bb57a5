"""One-key order actions from the customer pane: resend items, move the delivery slot, give
goodwill, cancel the order, and take them back with ``u``.

Each action asks what (a picker or a prompt), shows what it will do in a one-key
confirmation, then runs it in a store worker (:mod:`deskterm.backend.commerce.jobs`: the
provider, the internal note, the event). On success the matching sentence goes into the
reply, as a paragraph of its own before the signature; a refusal (the policy, the order's
status) is a warning and changes nothing. Undoing the action takes its sentence back out of
the reply, or asks first when the agent has edited that sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.notifications import SeverityLevel

from deskterm.backend.commerce import sentences
from deskterm.backend.commerce.base import (
    ActionFailed,
    ActionRefused,
    ActionResult,
    CommerceProvider,
    GoodwillKind,
    NeedsApproval,
    Slot,
)
from deskterm.backend.commerce.jobs import (
    OrderJob,
    make_provider,
    request_approval,
    run_job,
    sentence_for,
    undo_job,
)
from deskterm.backend.commerce.policy import AmountError, format_money, parse_amount
from deskterm.backend.commerce.policy import remaining as goodwill_left
from deskterm.domain.models import Customer, Order
from deskterm.domain.reply_text import Edit, edited_paragraph, removal_of, remove_paragraph
from deskterm.domain.safety import one_line
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.picker import Choice, PickerScreen
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.widgets.customer_panel import CustomerPanel

if TYPE_CHECKING:
    from deskterm.screens.workstation import WorkstationScreen

ALL_ITEMS = "all"


@dataclass
class OrderActionDone:
    """An applied order action that ``u`` can take back through its provider."""

    result: ActionResult
    conversation_id: int
    description: str
    sentence: str = ""  # as put in the reply ("" when it was not)
    draft_before: str = ""  # the reply just before, and just after, the sentence went in
    draft_after: str = ""


def _item_label(name: str, quantity: int) -> str:
    return (f"{quantity} × " if quantity > 1 else "") + one_line(name, 40)


class OrderActionsMixin:
    """Mixed into the workstation screen; ``self`` is a WorkstationScreen.

    Handlers use ``on_customer_panel_<message>`` names: Textual ignores ``@on`` in a mixin.
    """

    @property
    def commerce(self: WorkstationScreen) -> CommerceProvider:
        """Where order actions go, as the config says (built once, on first use)."""
        if getattr(self, "_commerce", None) is None:
            desk = self.desk
            self._commerce = make_provider(
                desk.settings.commerce, desk.store, tz=desk.tz, limits=desk.settings.gestures
            )
        return self._commerce

    def _tell(
        self: WorkstationScreen,
        text: str,
        *,
        severity: SeverityLevel = "information",
        title: str = "",
        timeout: float | None = None,
    ) -> None:
        """A notification; it may quote customer data (names, items), so never markup."""
        self.notify(text, title=title, severity=severity, timeout=timeout, markup=False)

    def on_customer_panel_order_action_requested(
        self: WorkstationScreen, event: CustomerPanel.OrderActionRequested
    ) -> None:
        b = self.bundle
        if b is None or b.customer is None:
            self._tell("Open a conversation first (enter).")
            return
        order = event.order
        if order is None and event.kind != "goodwill":
            self._tell(f"{one_line(b.customer.name, 40)} has no order.", severity="warning")
            return
        cid, customer = b.conversation.id, b.customer
        if event.kind == "resend":
            self._ask_resend(cid, customer, order)
        elif event.kind == "slot":
            self._load_slots(cid, customer, order)
        elif event.kind == "goodwill":
            self._ask_goodwill(cid, customer, order)
        elif event.kind == "cancel":
            total = format_money(order.total_cents, order.currency)
            summary = f"Cancel order {one_line(order.number, 30)} ({total})"
            self._confirm_job(OrderJob("cancel", cid, customer, order, summary))

    # -- asking what -----------------------------------------------------------------------

    def _ask_resend(self: WorkstationScreen, cid: int, customer: Customer, order: Order) -> None:
        items = {str(i.id): i for i in order.items}
        if not items:
            self._tell(f"Order {one_line(order.number, 30)} has no items.", severity="warning")
            return
        choices = [
            Choice(key, one_line(i.name, 50), f"×{i.quantity} ordered") for key, i in items.items()
        ]
        if len(items) > 1:
            choices.append(Choice(ALL_ITEMS, "All items of the order", f"{len(items)} items"))

        def picked(value: str | None) -> None:
            if value is None:
                return
            if value == ALL_ITEMS:
                self._confirm_resend(
                    cid, customer, order, [(i, i.quantity) for i in items.values()]
                )
                return
            item = items[value]
            if item.quantity == 1:
                self._confirm_resend(cid, customer, order, [(item, 1)])
                return

            def counted(text: str | None) -> None:
                if text is None:
                    return
                try:
                    quantity = int(text.strip())
                except ValueError:
                    self._tell(f"Type a number from 1 to {item.quantity}.", severity="warning")
                    return
                self._confirm_resend(cid, customer, order, [(item, quantity)])

            self.app.push_screen(
                TextPromptScreen(
                    f"How many {one_line(item.name, 40)} to send again? (1–{item.quantity})",
                    str(item.quantity),
                ),
                counted,
            )

        self.app.push_screen(
            PickerScreen(f"Resend from order {one_line(order.number, 30)}", choices), picked
        )

    def _confirm_resend(self: WorkstationScreen, cid, customer, order, chosen) -> None:
        listed = ", ".join(_item_label(i.name, q) for i, q in chosen)
        summary = f"Send again, free, from order {one_line(order.number, 30)}: {listed}"
        items = tuple((i.id, q) for i, q in chosen)
        self._confirm_job(OrderJob("resend", cid, customer, order, summary, items=items))

    @work(thread=True, group="commerce", exit_on_error=False)
    def _load_slots(self: WorkstationScreen, cid: int, customer: Customer, order: Order) -> None:
        try:
            slots = self.commerce.available_slots(order)
        except ActionRefused as exc:
            self.app.call_from_thread(self._tell, exc.reason, severity="warning")
        except ActionFailed as exc:
            self.app.call_from_thread(self._tell, exc.reason, severity="error")
        else:
            self.app.call_from_thread(self._ask_slot, cid, customer, order, slots)

    def _slot_label(self: WorkstationScreen, slot: Slot) -> str:
        start, end = slot.start.astimezone(self.desk.tz), slot.end.astimezone(self.desk.tz)
        return f"{start:%a %d %b %H:%M}–{end:%H:%M}"

    def _ask_slot(self: WorkstationScreen, cid, customer, order, slots: list[Slot]) -> None:
        if not slots:
            self._tell("No delivery slot is available.", severity="warning")
            return
        by_value = {str(i): s for i, s in enumerate(slots)}
        choices = [Choice(v, self._slot_label(s)) for v, s in by_value.items()]

        def picked(value: str | None) -> None:
            if value is not None:
                slot = by_value[value]
                summary = (
                    f"Move the delivery of order {one_line(order.number, 30)} "
                    f"to {self._slot_label(slot)}"
                )
                self._confirm_job(OrderJob("slot", cid, customer, order, summary, slot=slot))

        self.app.push_screen(
            PickerScreen(f"New delivery slot for {one_line(order.number, 30)}", choices), picked
        )

    def _ask_goodwill(self: WorkstationScreen, cid, customer, order: Order | None) -> None:
        limits = self.desk.settings.gestures
        given = self.bundle.goodwill_cents if self.bundle else 0
        left = format_money(goodwill_left(given, limits), limits.currency)

        def typed(text: str | None) -> None:
            if text is None:
                return
            try:
                cents = parse_amount(text)
            except AmountError as exc:
                self._tell(str(exc), severity="warning")
                return
            self._ask_goodwill_kind(cid, customer, order, cents)

        self.app.push_screen(
            TextPromptScreen(
                f"Goodwill for {one_line(customer.name, 40)}: amount (e.g. 5 or 4,50)",
                detail=f"Up to {left} without a lead's approval.",
            ),
            typed,
        )

    def _ask_goodwill_kind(self: WorkstationScreen, cid, customer, order, cents: int) -> None:
        currency = order.currency if order else self.desk.settings.gestures.currency
        amount = format_money(cents, currency)
        choices = [Choice("credit", f"Credit {amount} to the account", "store credit")]
        if order is not None:
            choices.append(
                Choice("refund", f"Refund {amount}", f"on order {one_line(order.number, 30)}")
            )

        def picked(value: str | None) -> None:
            if value is None:
                return
            summary = f"Credit {amount} to {one_line(customer.name, 40)}"
            kind: GoodwillKind = "credit"
            if value == "refund" and order is not None:
                kind = "refund"
                summary = f"Refund {amount} to {one_line(customer.name, 40)}"
                summary += f" on order {one_line(order.number, 30)}"
            job = OrderJob(
                "goodwill", cid, customer, order, summary, amount_cents=cents, goodwill_kind=kind
            )
            self._confirm_job(job)

        self.app.push_screen(PickerScreen("Credit or refund?", choices), picked)

    def _confirm_job(self: WorkstationScreen, job: OrderJob) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._run_job(job)

        detail = "Writes an internal note and puts a sentence for the customer in your reply."
        self.app.push_screen(ConfirmScreen(job.summary + "?", detail), answered)

    # -- doing it --------------------------------------------------------------------------

    @work(thread=True, group="commerce", exit_on_error=False)
    def _run_job(self: WorkstationScreen, job: OrderJob) -> None:
        desk = self.desk
        limits = desk.settings.gestures
        try:
            result = run_job(desk.store, self.commerce, job, agent=desk.agent, limits=limits)
        except NeedsApproval as exc:
            self.app.call_from_thread(self._offer_approval, job, exc.reason)
            return
        except ActionRefused as exc:
            self.app.call_from_thread(self._tell, exc.reason, title="Not done", severity="warning")
            return
        except ActionFailed as exc:
            self.app.call_from_thread(self._job_failed, job, exc)
            return
        language = sentences.language_of(job.customer.language)
        sentence = sentence_for(result, language=language, tz=desk.tz, now=desk.clock())
        self.app.call_from_thread(self._job_done, job, result, sentence)

    def _offer_approval(self: WorkstationScreen, job: OrderJob, reason: str) -> None:
        """Over the policy: nothing is given; the agent may ask a lead to approve it."""
        self._tell(f"{reason}: nothing was given.", title="Needs a lead", severity="warning")

        def answered(yes: bool | None) -> None:
            if yes:
                self._request_approval(job, reason)

        detail = "Recorded for a lead, with an internal note; nothing is given until approved."
        self.app.push_screen(
            ConfirmScreen(f"Ask a lead to approve: {job.summary}?", detail), answered
        )

    @work(thread=True, group="commerce", exit_on_error=False)
    def _request_approval(self: WorkstationScreen, job: OrderJob, reason: str) -> None:
        request_approval(self.desk.store, job, agent=self.desk.agent, reason=reason)
        self.app.call_from_thread(self.load_conversation, job.conversation_id)
        self.app.call_from_thread(self._tell, "Approval requested from a lead.", timeout=4)

    def _job_done(self: WorkstationScreen, job: OrderJob, result: ActionResult, sentence: str):
        done = OrderActionDone(result, job.conversation_id, job.summary)
        self.load_conversation(job.conversation_id)
        inserted = self.composer.conversation_id == job.conversation_id
        if inserted:
            done.draft_before = self.composer.text
            done.sentence = self.composer.insert(sentence, names=self.signature_names)
            done.draft_after = self.composer.text
        if result.undoable:
            self._undo_push(done)
        after = "u to undo" if result.undoable else "it cannot be undone"
        told = "sentence added to your reply" if inserted else one_line(sentence, 80)
        self._tell(f"Done: {job.summary} · {told} · {after}", timeout=6)

    def _job_failed(self: WorkstationScreen, job: OrderJob, exc: ActionFailed) -> None:
        self._tell(exc.reason, title="Order action failed", severity="error")
        if exc.retryable:
            # Same key: whatever the shop already did is not done twice.
            def answered(yes: bool | None) -> None:
                if yes:
                    self._run_job(job)

            question = f"{job.summary} failed: {exc.reason}. Try again?"
            detail = "Retrying never applies it twice."
            self.app.push_screen(ConfirmScreen(question, detail), answered)

    # -- undo ------------------------------------------------------------------------------

    @work(thread=True, group="commerce", exit_on_error=False)
    def undo_order_action(self: WorkstationScreen, done: OrderActionDone) -> None:
        """Called by ``u`` for an order action: the provider takes it back."""
        try:
            undo_job(
                self.desk.store,
                self.commerce,
                done.result,
                conversation_id=done.conversation_id,
                description=done.description,
                agent=self.desk.agent,
            )
        except ActionRefused as exc:
            self.app.call_from_thread(self._tell, exc.reason, severity="warning")
            return
        except ActionFailed as exc:
            self.app.call_from_thread(self._tell, exc.reason, severity="error")
            return
        self.app.call_from_thread(self.load_conversation, done.conversation_id)
        self.app.call_from_thread(self._take_back_sentence, done)

    def _take_back_sentence(self: WorkstationScreen, done: OrderActionDone) -> None:
        """The action is undone: its sentence leaves the reply, unless the agent edited it,
        then the agent says whether the edited sentence goes too."""
        undone = f"Undone: {done.description}"
        composer = self.composer
        if not done.sentence or composer.conversation_id != done.conversation_id:
            self._tell(undone)
            return
        draft = composer.text
        if draft == done.draft_after:
            edit: Edit | None = Edit(0, len(draft), done.draft_before)
        else:
            edit = remove_paragraph(draft, done.sentence)
        if edit is not None:
            composer.apply_edit(edit)
            self._tell(f"{undone} · its sentence is out of your reply")
            return
        span = edited_paragraph(draft, done.sentence)
        if span is None:
            self._tell(undone)  # the agent already took the sentence out
            return
        edited = draft[span[0] : span[1]]

        def answered(remove: bool | None) -> None:
            now = composer.text
            if remove and composer.conversation_id == done.conversation_id:
                start = now.find(edited)
                if start >= 0:
                    composer.apply_edit(removal_of(now, (start, start + len(edited))))
                    self._tell(f"{undone} · your edited sentence is out of your reply")
                    return
            self._tell(f"{undone} · your edited sentence stays in your reply")

        self.app.push_screen(
            ConfirmScreen(
                "Remove the sentence about it from your reply too? You edited it.",
                f"“{one_line(edited, 200)}”\n\ny removes it · n keeps it as you wrote it",
            ),
            answered,
        )
