"""Filling a timed plan with words: the order it is about, the customer's and agents' texts,
macros rendered with the conversation's details, and what using them gave the customer."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence
from random import Random
from typing import Any

from deskterm.backend.demo import catalog as cat
from deskterm.backend.demo.accounts import Heard
from deskterm.backend.demo.library import LIBRARY
from deskterm.backend.demo.macrospec import MacroSpec, compile_body, render
from deskterm.backend.demo.orders import OrderBook, OrderInfo, meal_slot_before, slot_after
from deskterm.backend.demo.playback import PHOTO, Batch, Playback
from deskterm.backend.demo.replies import (
    ANSWERS,
    CLOSINGS,
    SNOOZE_NOTES,
    SNOOZE_REASONS,
    agent_text,
    customer_text,
    short_agent_text,
)
from deskterm.backend.demo.threads import DONE, MACROS, Plan
from deskterm.backend.demo.timing import snooze_until, utc_offset
from deskterm.backend.demo.wording import fill, fit_to_hour
from deskterm.backend.rows import UNTIL_REPLY_TS
from deskterm.domain.models import SLAPolicy

FR, VIP, WHATSAPP, SOCIAL = 1, 2, 4, 8
AGENT_NAMES = tuple(a[0] for a in cat.AGENTS)
AGENT_FIRST = tuple(a[0].split()[0] for a in cat.AGENTS)
ESCALATIONS_GROUP_ID = 3


class Customers:
    """What the generator remembers of each customer: a few bytes, even for a million."""

    def __init__(self) -> None:
        self.first = array("H")
        self.last = array("H")
        self.flags = bytearray()

    def add(self, first: int, last: int, flags: int) -> None:
        self.first.append(first)
        self.last.append(last)
        self.flags.append(flags)

    def __len__(self) -> int:
        return len(self.flags)

    def names(self, customer_id: int) -> tuple[str, str]:
        """(first name, full name) of a customer (ids start at 1)."""
        first = cat.FIRST_NAMES[self.first[customer_id - 1]]
        return first, f"{first} {cat.LAST_NAMES[self.last[customer_id - 1]]}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Renderer:
    """Writes planned conversations into a batch of rows."""

    def __init__(self, rng: Random, now: int, customers: Customers, book: OrderBook,
                 policies: Sequence[SLAPolicy]) -> None:  # fmt: skip
        self.rng = rng
        self.now = now
        self.customers = customers
        self.book = book
        self.policies = list(policies)
        self.macro_ids = {m.key: i + 1 for i, m in enumerate(LIBRARY)}
        self.compiled = {
            m.key: {"en": compile_body(m.en), "fr": compile_body(m.fr)} for m in LIBRARY
        }
        self.usage: Counter[str] = Counter()
        self.next_gesture = 1
        self._offsets: dict[int, int] = {}
        #: What the conversations say of the customers' accounts (written after them).
        self.heard = Heard()

    def offset(self, t: int) -> int:
        hour = t // 3600
        found = self._offsets.get(hour)
        if found is None:
            found = self._offsets[hour] = utc_offset(t)
        return found

    def render(self, plan: Plan, conversation_id: int, batch: Batch) -> None:
        rng, lang, topic = self.rng, plan.language, plan.topic
        first, full = self.customers.names(plan.customer)
        order = self.order_for(plan, batch) if topic.phase else None
        slots = self.slots_for(plan, order, first, full)
        order_id = order[0].id if order is not None else None
        self.heard.note(plan.customer, topic.key, plan.fate, slots, plan.created, order_id)
        group_id = plan.group + 1
        pb = Playback(batch, conversation_id, plan.channel, group_id, plan.created)
        subject = fill(rng.choice(plan.situation.subjects[lang]), slots)
        for step in plan.steps:
            at, op = step.at, step.op
            hour = ((at + self.offset(at)) % 86400) / 3600
            if op == "C":
                text = customer_text(rng, fill(step.text, slots), plan.channel, lang, slots,
                                     step.wrap == "first")  # fmt: skip
                pb.customer(at, full, fit_to_hour(text, hour), PHOTO if step.attach else "[]")
                continue
            if op == "U":
                pb.mark_read()
                continue
            agent = step.agent if step.agent is not None else 0
            aid = agent + 1
            slots["agent"] = AGENT_FIRST[agent]
            if op == "R":
                if step.macro is not None:
                    body = self._macro(
                        step.macro, plan, slots, conversation_id, aid, at, order, batch
                    )
                elif step.wrap == "free":
                    body = agent_text(fill(step.text, slots), plan.channel, lang, slots)
                elif step.wrap == "closing":
                    body = short_agent_text(fill(rng.choice(CLOSINGS[lang]), slots), slots)
                else:
                    body = short_agent_text(rng.choice(ANSWERS[lang]), slots)
                if step.macro is None:  # a macro's words are the macro's, as the agent sent it
                    body = fit_to_hour(body, hour)
                pb.reply(at, aid, AGENT_NAMES[agent], body, step.status_after)
            elif op == "N":
                note_lang = cat.AGENTS[agent][2]
                notes = SNOOZE_NOTES if step.text == "snooze" else topic.notes
                body = fill(rng.choice(notes.get(note_lang) or notes["en"]), slots)
                pb.note(at, aid, AGENT_NAMES[agent], body)
            elif step.kind == "assign":
                pb.change(at, aid, "assign", {"assignee_id": aid})
            elif step.kind == "escalate":
                pb.change(at, aid, "assign", {"assignee_id": aid, "group_id": ESCALATIONS_GROUP_ID})
            elif step.kind == "status":
                pb.change(at, aid, f"status:{step.value}", {"status": step.value})
            elif step.kind == "tags":
                pb.add_tags(at, aid, step.value)
            elif step.kind == "priority":
                pb.change(at, aid, "priority", {"priority": step.value})
            elif step.value == "until reply":
                pb.snooze(at, aid, UNTIL_REPLY_TS, "until reply")
            else:
                pb.snooze(at, aid, snooze_until(rng, self.now), rng.choice(SNOOZE_REASONS))
        if pb.cur["assignee_id"] is None and not pb.cur["tags"]:
            # Nobody has taken it yet: the reason the customer picked in the contact form,
            # so that shift mode's "Start here" has conversations no colleague holds.
            pb.add_tags(plan.created, None, [topic.key])
        pb.finish(subject, plan.customer, self.policies)

    # -- the order and the words ---------------------------------------------------------

    def order_for(self, plan: Plan, batch: Batch) -> tuple[OrderInfo, int]:
        """The order the conversation is about, placed and delivered around its first
        message; returns it with the slot the customer first had (a slot change moves it)."""
        rng, now, topic, keys = self.rng, self.now, plan.topic, plan.macro_keys
        created = plan.created
        basket = self.book.basket(extra=topic.key == "missing-item")
        if topic.phase == "after":
            start = meal_slot_before(created, low=900, rng=rng, offset=self.offset(created))
            refunded = any(MACROS[k].gesture == "order" for k in keys)
            status = "refunded" if refunded else "delivered"
            first_slot = start
        elif topic.phase == "during":
            start = meal_slot_before(created, low=600, rng=rng, offset=self.offset(created))
            # Out for delivery only while the slot has just ended and the case is live.
            fresh = created - (start + 3600) < 2 * 3600
            live = plan.fate != DONE and created > now - 3 * 3600 and fresh
            status = "out_for_delivery" if live else "delivered"
            first_slot = start
        else:
            first_slot = start = slot_after(
                created, low=3600, high=6 * 3600, rng=rng, offset=self.offset(created)
            )
            if topic.key == "slot-change" and "slot_too_late" not in keys:
                start = first_slot + rng.choice((-3600, 3600, 5400, 7200))
            # An agent's reply that cancelled it (its macro carries the cancel) cancelled it,
            # whatever the customer wrote after.
            cancelled = any(a.get("do") == "cancel" for k in keys for a in MACROS[k].order)
            if cancelled:
                status = "cancelled"
            elif start > now + 3600:
                status = "placed"
            elif start > now:
                status = "preparing"
            elif start + 3600 > now:
                status = "out_for_delivery"
            else:
                status = "delivered"
        placed = int(min(start, created) - rng.uniform(1800, 30 * 3600))
        info = self.book.make(plan.customer, placed_at=placed, slot_start=start, status=status,
                              basket=basket)  # fmt: skip
        batch.orders.append(info.row)
        batch.items.extend(info.items)
        return info, first_slot

    def slots_for(self, plan: Plan, found: tuple[OrderInfo, int] | None, first: str, full: str
               ) -> dict[str, Any]:  # fmt: skip
        rng, lang = self.rng, plan.language
        fr = lang == "fr"
        created = plan.created
        offset = self.offset(created)
        if found is not None:
            order, first_slot = found
            dishes = order.dishes
            mains = [d for d in dishes if d.kind == "main"] or dishes
            extras = [d for d in dishes if d.kind != "main"] or dishes
            dish, item = mains[0], rng.choice(extras)
            number, names, slot = order.number, ", ".join(d.name for d in dishes), order.slot_start
            amount = order.total_cents
            late = max(10, (created - first_slot - 3600) // 60)
        else:
            dish, item = rng.choice(cat.MAINS), rng.choice(cat.EXTRAS)
            number, names, first_slot, amount, late = "", "", 0, 0, rng.randint(20, 90)
            slot = first_slot = int(created // 1800 + 4) * 1800
        if plan.topic.key in ("missing-item",):
            amount = item.price_cents
        elif plan.topic.key in ("wrong-item", "damaged-packaging"):
            amount = dish.price_cents
        wrong = rng.choice(cat.MAINS)
        while wrong is dish:
            wrong = rng.choice(cat.MAINS)
        new_slot = slot if slot != first_slot else first_slot + 3600
        allergen = rng.choice(cat.ALLERGENS)
        city = rng.choice(cat.CITIES)
        item_ref, dish_ref = (item.fr, dish.fr) if fr else (item.en, dish.en)
        return {
            "first_name": first, "full_name": full, "agent": "", "order": number,
            "order_known": "1" if number else "", "item_ref": item_ref, "Item_ref": _cap(item_ref),
            "item_name": item.name, "dish_ref": dish_ref, "Dish_ref": _cap(dish_ref),
            "dish_name": dish.name, "wrong_ref": wrong.fr if fr else wrong.en,
            "wrong_name": wrong.name, "slot": cat.slot_text((first_slot + offset) % 86400, lang),
            "new_slot": cat.slot_text((new_slot + offset) % 86400, lang),
            "order_slot": cat.slot_text((slot + offset) % 86400, lang),
            "time": cat.clock_text((created + offset) % 86400, lang), "minutes": str(late),
            "amount": cat.money(amount, lang), "code": rng.choice(cat.PROMO_CODES),
            "number": str(rng.randint(1, 140)), "street": rng.choice(cat.STREETS[city]),
            "city": city, "device": rng.choice(cat.DEVICES),
            "version": rng.choice(cat.APP_VERSIONS),
            "day": cat.WEEKDAYS[lang][rng.randrange(7)],
            "allergen": allergen[0], "allergen_des": allergen[1], "allergen_aux": allergen[2],
            "ticket": str(rng.randint(1200, 4800)), "item_names": names, "cursor": "",
            "problem_part": "",
            "_item": item, "_dish": dish,
        }  # fmt: skip

    def _macro(self, macro: MacroSpec, plan: Plan, slots: dict[str, Any], conversation_id: int,
               agent_id: int, at: int, found: tuple[OrderInfo, int] | None, batch: Batch) -> str:  # fmt: skip  # noqa: E501
        """A macro rendered for this conversation; records its use and the gesture it made."""
        rng, lang = self.rng, plan.language
        fills = macro.fill.get(lang)
        slots["cursor"] = fill(rng.choice(fills), slots) if fills and rng.random() < 0.5 else ""
        body = render(self.compiled[macro.key][lang], slots)
        slots["cursor"] = ""
        batch.usage.append((self.macro_ids[macro.key], agent_id, conversation_id, at))
        self.usage[macro.key] += 1
        if macro.gesture is not None:
            order = found[0] if found else None
            item, dish = slots["_item"], slots["_dish"]
            amount = {"item": item.price_cents, "dish": dish.price_cents, "voucher": 500,
                      "resend": item.price_cents}.get(macro.gesture, order.total_cents if order else 0)  # noqa: E501  # fmt: skip
            kind = macro.gesture if macro.gesture in ("voucher", "resend") else "refund"
            batch.gestures.append((self.next_gesture, plan.customer, conversation_id,
                                   order.id if order else None, agent_id, amount, kind,
                                   "applied", macro.title, at))  # fmt: skip
            self.next_gesture += 1
            if macro.gesture == "resend" and order is not None:
                start = slot_after(
                    at, low=2 * 3600, high=30 * 3600, rng=rng, offset=self.offset(at)
                )
                status = "delivered" if start + 3600 < self.now else "placed"
                resent = self.book.make(plan.customer, placed_at=at, slot_start=start,
                                        status=status, basket=[(item, 1)], parent=order.id,
                                        free=True)  # fmt: skip
                batch.orders.append(resent.row)
                batch.items.extend(resent.items)
        return body
