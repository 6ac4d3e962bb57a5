"""One-key order actions from the customer pane: resend items, move the delivery slot, give
goodwill, cancel the order, refund items, pause or resume the subscription, send the order
to another address, and take them back with ``u``.

Each action asks what (a picker or a prompt), shows what it will do in a one-key
confirmation, then runs it in a store worker (:mod:`deskterm.backend.commerce.jobs`: the
provider, the internal note, the event). On success the matching sentence goes into the
reply, as a paragraph of its own before the signature; a refusal (the policy, the order's
status) is a warning and changes nothing. Undoing the action takes its sentence back out of
the reply, or asks first when the agent has edited that sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Protocol

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
from deskterm.backend.commerce.catalogue import OrderActionSpec, spec_for
from deskterm.backend.commerce.jobs import (
    OrderJob,
    goodwill_job,
    make_provider,
    request_approval,
    run_job,
    sentence_for,
    undo_job,
)
from deskterm.backend.commerce.policy import AmountError, format_money, parse_amount
from deskterm.backend.commerce.policy import remaining as goodwill_left
from deskterm.backend.commerce.slots import typed_time
from deskterm.domain.models import Customer, Order
from deskterm.domain.reply_text import Edit, edited_paragraph, removal_of, remove_paragraph
from deskterm.domain.safety import one_line
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.picker import Choice, PickerScreen, filter_choices
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.screens.workstation.account_questions import AccountQuestions
from deskterm.screens.workstation.host import Host, ReloadConversation
from deskterm.screens.workstation.macros import signature_names
from deskterm.screens.workstation.order_items import ItemQuestions
from deskterm.screens.workstation.undo import OrderActionDone

if TYPE_CHECKING:
    from deskterm.backend.context import ConversationBundle
    from deskterm.widgets.composer import Composer


class OrderHost(Host, Protocol):
    """What order actions need of the workstation."""

    @property
    def bundle(self) -> ConversationBundle | None:
        """The conversation on screen, with its customer and order."""

    @property
    def composer(self) -> Composer: ...


class OrderActions:
    """The customer pane's order actions. ``remember`` puts an undoable one on the screen's
    undo stack; a conversation they changed is reopened by a :class:`ReloadConversation`."""

    def __init__(self, host: OrderHost, remember: Callable[[OrderActionDone], None]) -> None:
        self.host = host
        self.remember = remember
        self._commerce: CommerceProvider | None = None
        self.items = ItemQuestions(host, self._tell)
        #: The questions of the subscription and address actions.
        self.account = AccountQuestions(host, lambda: self.commerce, self._tell)

    @property
    def commerce(self) -> CommerceProvider:
        """Where order actions go, as the config says (built once, on first use)."""
        if self._commerce is None:
            desk = self.host.desk
            self._commerce = make_provider(
                desk.settings.commerce, desk.store, tz=desk.shop_tz, limits=desk.settings.gestures
            )
        return self._commerce

    def _tell(
        self,
        text: str,
        *,
        severity: SeverityLevel = "information",
        title: str = "",
        timeout: float | None = None,
    ) -> None:
        """A notification; it may quote customer data (names, items), so never markup."""
        self.host.notify(text, title=title, severity=severity, timeout=timeout, markup=False)

    def _in_thread(self, work: Callable[[], None], name: str) -> None:
        self.host.in_thread(work, group="commerce", name=name)

    def request(self, kind: str, order: Order | None) -> None:
        """The agent asked for ``kind`` (an entry of the commerce catalogue) on ``order``."""
        b = self.host.bundle
        if b is None or b.customer is None:
            self._tell("Open a conversation first (enter).")
            return
        spec = spec_for(kind)
        if spec.needs_order and order is None:
            self._tell(f"{one_line(b.customer.name, 40)} has no order.", severity="warning")
            return
        self.ask(spec, b.conversation.id, b.customer, order, self._confirm_job)

    def ask(
        self,
        spec: OrderActionSpec,
        cid: int,
        customer: Customer,
        order: Order | None,
        then: Callable[[OrderJob], None],
        *,
        cents: int | None = None,
        kind: GoodwillKind | None = None,
    ) -> None:
        """Ask the agent what ``spec`` needs (items, a slot, an amount), then hand the job
        to ``then`` (the pane confirms and runs it; a macro runs it with its reply).
        ``cents`` or ``kind`` known (a macro's): only the rest is asked."""
        if spec.asks == "subscription":
            self.account.ask_subscription(spec, cid, customer, order, then)
        elif spec.asks == "amount":
            if cents is None:
                self._ask_goodwill(spec, cid, customer, order, then, kind)
            else:
                self._ask_goodwill_kind(spec, cid, customer, order, cents, then)
        elif order is None:
            return
        elif spec.asks == "items":
            self.items.ask(spec, cid, customer, order, then)
        elif spec.asks == "slot":
            work = partial(self._load_slots, spec, cid, customer, order, then)
            self._in_thread(work, "_load_slots")
        elif spec.asks == "address":
            self.account.ask_address(spec, cid, customer, order, then)
        else:
            then(OrderJob(spec.kind, cid, customer, order, spec.summary(order, "")))

    # -- asking what -----------------------------------------------------------------------

    def _load_slots(self, spec: OrderActionSpec, cid, customer, order: Order, then) -> None:
        try:
            slots = self.commerce.available_slots(order)
        except ActionRefused as exc:
            self.host.from_thread(self._tell, exc.reason, severity="warning")
        except ActionFailed as exc:
            self.host.from_thread(self._tell, exc.reason, severity="error")
        else:
            self.host.from_thread(self._ask_slot, spec, cid, customer, order, slots, then)

    def _slot_label(self, slot: Slot) -> str:
        start, end = (
            slot.start.astimezone(self.host.desk.shop_tz),
            slot.end.astimezone(self.host.desk.shop_tz),
        )
        return f"{start:%a %d %b %H:%M}–{end:%H:%M}"

    def _ask_slot(self, spec, cid, customer, order, slots: list[Slot], then) -> None:
        if not slots:
            self._tell("No delivery slot is available.", severity="warning")
            return
        by_value = {str(i): s for i, s in enumerate(slots)}
        choices = [Choice(v, self._slot_label(s)) for v, s in by_value.items()]
        tz = self.host.desk.shop_tz

        def narrow(typed: str, offered: Sequence[Choice]) -> list[Choice]:
            """A time ("18:30", "18h30") keeps the slots starting then; else fuzzy."""
            at = typed_time(typed)
            if at is None:
                return filter_choices(typed, offered)
            return [c for c in offered if by_value[c.value].start.astimezone(tz).time() == at]

        def picked(value: str | None) -> None:
            if value is not None:
                slot = by_value[value]
                summary = spec.summary(order, self._slot_label(slot))
                then(OrderJob(spec.kind, cid, customer, order, summary, slot=slot))

        title = f"New delivery slot for {one_line(order.number, 30)}"
        hint = "type a time (18:30) or a day · enter choose · esc cancel"
        self.host.ask(PickerScreen(title, choices, hint=hint, narrow=narrow), picked)

    def _ask_goodwill(self, spec, cid, customer, order, then, kind=None) -> None:
        limits = self.host.desk.settings.gestures
        given = self.host.bundle.goodwill_cents if self.host.bundle else 0
        left = format_money(goodwill_left(given, limits), limits.currency)

        def typed(text: str | None) -> None:
            if text is None:
                return
            try:
                cents = parse_amount(text)
            except AmountError as exc:
                self._tell(str(exc), severity="warning")
                return
            if kind is not None:
                then(goodwill_job(spec, cid, customer, order, cents, kind))
            else:
                self._ask_goodwill_kind(spec, cid, customer, order, cents, then)

        self.host.ask(
            TextPromptScreen(
                f"Goodwill for {one_line(customer.name, 40)}: amount (e.g. 5 or 4,50)",
                detail=f"Up to {left} without a lead's approval.",
            ),
            typed,
        )

    def _ask_goodwill_kind(self, spec, cid, customer, order, cents: int, then) -> None:
        currency = order.currency if order else self.host.desk.settings.gestures.currency
        amount = format_money(cents, currency)
        choices = [Choice("credit", f"Credit {amount} to the account", "store credit")]
        if order is not None:
            choices.append(
                Choice("refund", f"Refund {amount}", f"on order {one_line(order.number, 30)}")
            )

        def picked(value: str | None) -> None:
            if value is not None:
                kind: GoodwillKind = "refund" if value == "refund" else "credit"
                then(goodwill_job(spec, cid, customer, order, cents, kind))

        self.host.ask(PickerScreen("Credit or refund?", choices), picked)

    def _confirm_job(self, job: OrderJob) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._in_thread(partial(self._run_job, job), "_run_job")

        detail = "Writes an internal note and puts a sentence for the customer in your reply."
        self.host.ask(ConfirmScreen(job.summary + "?", detail), answered)

    # -- doing it --------------------------------------------------------------------------

    def _run_job(self, job: OrderJob) -> None:
        desk = self.host.desk
        limits = desk.settings.gestures
        try:
            result = run_job(
                desk.store,
                self.commerce,
                job,
                agent=desk.agent,
                limits=limits,
                refunds=desk.settings.refunds,
            )
        except NeedsApproval as exc:
            self.host.from_thread(self._offer_approval, job, exc.reason)
            return
        except ActionRefused as exc:
            self.host.from_thread(self._tell, exc.reason, title="Not done", severity="warning")
            return
        except ActionFailed as exc:
            self.host.from_thread(self._job_failed, job, exc)
            return
        language = sentences.language_of(job.customer.language)
        sentence = sentence_for(result, language=language, tz=desk.shop_tz, now=desk.clock())
        self.host.from_thread(self._job_done, job, result, sentence)

    def _offer_approval(self, job: OrderJob, reason: str) -> None:
        """Over the policy: nothing is given; the agent may ask a lead to approve it."""
        self._tell(f"{reason}: nothing was given.", title="Needs a lead", severity="warning")

        def answered(yes: bool | None) -> None:
            if yes:
                self._in_thread(partial(self._request_approval, job, reason), "_request_approval")

        detail = "Recorded for a lead, with an internal note; nothing is given until approved."
        self.host.ask(ConfirmScreen(f"Ask a lead to approve: {job.summary}?", detail), answered)

    def _request_approval(self, job: OrderJob, reason: str) -> None:
        request_approval(self.host.desk.store, job, agent=self.host.desk.agent, reason=reason)
        self.host.post_message(ReloadConversation(job.conversation_id))
        self.host.from_thread(self._tell, "Approval requested from a lead.", timeout=4)

    def _job_done(self, job: OrderJob, result: ActionResult, sentence: str) -> None:
        done = OrderActionDone(result, job.conversation_id, job.summary)
        self.host.post_message(ReloadConversation(job.conversation_id))
        composer = self.host.composer
        inserted = composer.conversation_id == job.conversation_id
        if inserted:
            done.draft_before = composer.text
            names = signature_names(self.host.desk.agent.name)
            done.sentence = composer.insert(sentence, names=names)
            done.draft_after = composer.text
        if result.undoable:
            self.remember(done)
        after = "u to undo" if result.undoable else "it cannot be undone"
        told = "sentence added to your reply" if inserted else one_line(sentence, 80)
        self._tell(f"Done: {job.summary} · {told} · {after}", timeout=6)

    def _job_failed(self, job: OrderJob, exc: ActionFailed) -> None:
        self._tell(exc.reason, title="Order action failed", severity="error")
        if exc.retryable:
            # Same key: whatever the shop already did is not done twice.
            def answered(yes: bool | None) -> None:
                if yes:
                    self._in_thread(partial(self._run_job, job), "_run_job")

            question = f"{job.summary} failed: {exc.reason}. Try again?"
            detail = "Retrying never applies it twice."
            self.host.ask(ConfirmScreen(question, detail), answered)

    # -- undo ------------------------------------------------------------------------------

    def undo(self, done: OrderActionDone) -> None:
        """Called by ``u`` for an order action: the provider takes it back."""
        self._in_thread(partial(self._undo, done), "undo_order_action")

    def _undo(self, done: OrderActionDone) -> None:
        try:
            undo_job(
                self.host.desk.store,
                self.commerce,
                done.result,
                conversation_id=done.conversation_id,
                description=done.description,
                agent=self.host.desk.agent,
            )
        except ActionRefused as exc:
            self.host.from_thread(self._tell, exc.reason, severity="warning")
            return
        except ActionFailed as exc:
            self.host.from_thread(self._tell, exc.reason, severity="error")
            return
        self.host.post_message(ReloadConversation(done.conversation_id))
        self.host.from_thread(self._take_back_sentence, done)

    def _take_back_sentence(self, done: OrderActionDone) -> None:
        """The action is undone: its sentence leaves the reply, unless the agent edited it,
        then the agent says whether the edited sentence goes too."""
        undone = f"Undone: {done.description}"
        composer = self.host.composer
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

        self.host.ask(
            ConfirmScreen(
                "Remove the sentence about it from your reply too? You edited it.",
                f"“{one_line(edited, 200)}”\n\ny removes it · n keeps it as you wrote it",
            ),
            answered,
        )
