"""Keystrokes for the common paths of inbox zero, counted on the real app and checked.

Each path is played with Pilot on a fresh demo store (50 conversations; 300 for the
suggestion path, to have some fifty in the inbox), from the workstation
as it opens (cursor on the most urgent conversation), and counts only when the store shows
the expected result afterwards. Typed text is counted apart ("+ text"): it is the agent's
words, not navigation.

Paths:
- reply and done: ``r``, the text, ``ctrl+o``;
- a known situation with the first suggested macro: ``1``, ``ctrl+o`` (counted over every
  conversation of the inbox: how often the first suggestion could be sent as it was);
- snooze until tomorrow morning: ``z``, ``3``;
- take and tag: ``i``, ``t``, the tag, ``enter``;
- undo the last action: ``u``;
- the lunch rush's order paths — a missing item sent again, a delivery slot moved, an order
  cancelled, a voucher for a late delivery: the conversation open, its first suggested macro
  (which carries the order action), ``ctrl+o``, then ``enter`` on each question the action
  asks (the item, the slot, the amount, the one confirmation) as its default answer.
  Counted only when the reply is stored, the conversation done and the shop changed (a new
  order for the resend, the slot, the status, a gesture), and the macro used was the one for
  that situation. The snooze path above is the fifth.

Usage: python bench/bench_keystrokes.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from deskterm.app import create_app  # noqa: E402
from deskterm.backend.demo import generate_demo  # noqa: E402
from deskterm.backend.store import Store  # noqa: E402
from deskterm.config import Settings  # noqa: E402
from deskterm.domain.models import AuthorKind, Status  # noqa: E402

SIZE = (160, 45)
#: Every run plays the same helpdesk: the demo built at a Thursday's lunch in the shop's
#: time (the demo is anchored to its "now"), the app's clock running on from there.
NOW = datetime(2026, 12, 3, 12, 30, tzinfo=ZoneInfo("Europe/Paris"))


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(50):
            if getattr(pilot.app.screen, "settled", True):
                break
            await pilot.pause(0.02)


class Session:
    """A fresh demo store and the app on it; presses keys and counts them."""

    def __init__(self, conversations: int = 50) -> None:
        folder = Path(tempfile.mkdtemp())
        started = time.monotonic()

        def clock() -> datetime:
            return NOW + timedelta(seconds=time.monotonic() - started)

        self.store = Store(folder / "demo.db", clock=clock)
        generate_demo(self.store, conversations=conversations, seed=7, now=NOW)
        self.app = create_app(self.store, Settings(undo_send_seconds=0), demo=True, clock=clock)
        self.keys = 0
        self.typed = 0

    async def press(self, pilot, *keys: str) -> None:
        self.keys += len(keys)
        await pilot.press(*keys)
        await settle(pilot)

    async def type(self, pilot, text: str) -> None:
        self.typed += len(text)
        await pilot.press(*("space" if c == " " else c for c in text))
        await settle(pilot)

    def shown(self) -> int:
        return self.app.screen.bundle.conversation.id


async def reply_and_done() -> dict[str, object]:
    s = Session()
    async with s.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        cid = s.shown()
        await s.press(pilot, "r")
        await s.type(pilot, "Merci, c'est fait.")
        await s.press(pilot, "ctrl+o")
        ok = s.store.conversation(cid).status is Status.DONE
    return {"keys": s.keys, "typed": s.typed, "ok": ok}


async def first_suggestion() -> dict[str, object]:
    s = Session(conversations=300)  # the default demo: about fifty waiting in the inbox
    sent = tried = 0
    by_keys: dict[int, int] = {}  # keys it took -> conversations sent that way
    async with s.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        workstation = s.app.screen
        inbox = s.store.count(workstation.view)
        for _ in range(inbox):
            screen = s.app.screen
            if screen.bundle is None:
                break
            cid = s.shown()
            before = len(s.store.messages(cid))
            tried += 1
            if not screen.suggestions:
                await pilot.press("j")
                await settle(pilot)
                continue
            await pilot.press("1", "ctrl+o")
            await settle(pilot)
            keys = 2
            # A macro with an order action asks its one confirmation (enter); one that leaves
            # an amount to the agent is not sent as suggested.
            while s.app.screen is not workstation and keys < 8:
                if s.app.screen.query("#prompt-input"):
                    break
                await pilot.press("enter")
                await settle(pilot)
                keys += 1
            while s.app.screen is not workstation:
                await pilot.press("escape")
                await settle(pilot)
            if len(s.store.messages(cid)) > before:
                sent += 1
                by_keys[keys] = by_keys.get(keys, 0) + 1
            else:
                # A placeholder had no value, or an amount is the agent's: skip it here.
                screen.composer.clear()
                await pilot.press("escape", "j")
                await settle(pilot)
    return {"conversations": tried, "sent_as_suggested": sent, "by_keys": by_keys}


async def snooze_tomorrow() -> dict[str, object]:
    s = Session()
    async with s.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        cid = s.shown()
        await s.press(pilot, "z", "3", "enter")
        ok = s.store.conversation(cid).snoozed_until is not None
    return {"keys": s.keys, "typed": s.typed, "ok": ok}


async def take_and_tag() -> dict[str, object]:
    s = Session()
    async with s.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        cid = s.shown()
        await s.press(pilot, "i", "t")
        await s.type(pilot, "vip")
        await s.press(pilot, "enter")
        conv = s.store.conversation(cid)
        ok = conv.assignee_id == s.app.agent.id and "vip" in conv.tags
        before = s.keys
        await s.press(pilot, "u")
        undone = "vip" not in s.store.conversation(cid).tags
    return {"keys": before, "typed": s.typed, "ok": ok, "undo_keys": 1, "undo_ok": undone}


#: The lunch rush's order paths: words of the conversation's subject (the demo's situations),
#: words of the macro the agent expects first, and how the shop must have changed.
ORDER_PATHS = {
    "missing_item": (("missing", "incomplète", "manque"), ("missing", "manquant")),
    "slot": (
        ("move my delivery", "change delivery slot", "créneau", "décaler"),
        ("slot — changed", "livraison — changé"),
    ),
    "cancel": (("annul", "cancel"), ("cancel", "annul")),
    "voucher": (
        ("late delivery", "livraison en retard", "toujours pas arrivée", "not here yet"),
        ("voucher", "bon d'achat"),
    ),
}


def _shop(store: Store, customer_id: int) -> dict[str, object]:
    """What the shop holds for a customer: orders (status, slot) and gestures given."""
    orders = store.conn.execute(
        "SELECT id, status, delivery_slot_start FROM orders WHERE customer_id = ? ORDER BY id",
        (customer_id,),
    ).fetchall()
    gestures = store.conn.execute(
        "SELECT count(*) FROM gestures WHERE customer_id = ?", (customer_id,)
    ).fetchone()[0]
    return {"orders": [tuple(r) for r in orders], "gestures": gestures}


def _changed(path: str, before: dict[str, object], after: dict[str, object]) -> bool:
    old, new = before["orders"], after["orders"]
    if path == "missing_item":
        return len(new) == len(old) + 1
    if path == "voucher":
        return after["gestures"] == before["gestures"] + 1
    index = 2 if path == "slot" else 1
    return any(a[index] != b[index] for a, b in zip(old, new, strict=False))


async def order_path(path: str) -> dict[str, object]:
    subject_words, macro_words = ORDER_PATHS[path]
    s = Session(conversations=300)
    tried: list[dict[str, object]] = []
    # The situation's latest conversations, open ones first; one already done is reopened
    # before the path starts, as the customer writing again would.
    candidates = [
        r["id"]
        for r in s.store.conn.execute(
            "SELECT id, subject FROM conversations ORDER BY status != 'open', id DESC"
        )
        if any(w in r["subject"].lower() for w in subject_words)
    ]
    async with s.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for cid in candidates[:12]:
            screen = s.app.screen
            if s.store.conversation(cid).status is not Status.OPEN:
                s.store.set_status(cid, Status.OPEN, agent_id=s.app.agent.id)
            screen.open_conversation_by_id(cid)
            await settle(pilot)
            if not screen.suggestions:
                continue
            title = screen.suggestions[0][1]
            if not any(w in title.lower() for w in macro_words):
                tried.append({"conversation": cid, "first_suggestion": title, "counted": False})
                continue
            customer = s.store.conversation(cid).customer_id
            before = _shop(s.store, customer)
            s.keys = s.typed = 0
            await s.press(pilot, "1", "ctrl+o")
            asked: list[str] = []
            while s.app.screen is not screen and len(asked) < 8:
                modal = s.app.screen
                asked.append(type(modal).__name__)
                prompt = (
                    modal.query("#prompt-input").first() if modal.query("#prompt-input") else None
                )
                if prompt is not None and not prompt.value.strip():
                    await s.type(pilot, "5")  # an amount the macro left to the agent
                await s.press(pilot, "enter")
            while s.app.screen is not screen:  # a question that would not end: leave it
                await pilot.press("escape")
                await settle(pilot)
            conv = s.store.conversation(cid)
            replied = any(
                m.author_kind is AuthorKind.AGENT and m.public for m in s.store.messages(cid)
            )
            ok = (
                conv.status is Status.DONE
                and replied
                and _changed(path, before, _shop(s.store, customer))
            )
            row = {
                "conversation": cid,
                "macro": title,
                "keys": s.keys,
                "typed": s.typed,
                "asked": asked,
            }
            if ok:
                return row | {"ok": True, "passed_over": tried}
            tried.append(row | {"ok": False})
    return {"ok": False, "passed_over": tried}


async def main() -> None:
    report = {
        "reply_and_done": await reply_and_done(),
        "first_suggestion_then_send_and_done": await first_suggestion(),
        "snooze_until_tomorrow": await snooze_tomorrow(),
        "take_and_tag": await take_and_tag(),
    }
    for path in ORDER_PATHS:
        report[f"order_{path}"] = await order_path(path)
    for name, row in report.items():
        print(f"{name:38s} {json.dumps(row)}")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "keystrokes.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
