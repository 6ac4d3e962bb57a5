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
- undo the last action: ``u``.

Usage: python bench/bench_keystrokes.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from deskterm.app import create_app  # noqa: E402
from deskterm.backend.demo import generate_demo  # noqa: E402
from deskterm.backend.store import Store  # noqa: E402
from deskterm.config import Settings  # noqa: E402
from deskterm.domain.models import Status  # noqa: E402

SIZE = (160, 45)


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
        self.store = Store(folder / "demo.db")
        generate_demo(self.store, conversations=conversations, seed=7)
        self.app = create_app(self.store, Settings(undo_send_seconds=0), demo=True)
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
    async with s.app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = s.store.count(s.app.screen.view)
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
            if len(s.store.messages(cid)) > before:
                sent += 1
            else:
                # A placeholder had no value: the agent fills it in; skip it here.
                screen.composer.clear()
                await pilot.press("escape", "j")
                await settle(pilot)
    return {"keys": 2, "conversations": tried, "sent_as_suggested": sent}


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


async def main() -> None:
    report = {
        "reply_and_done": await reply_and_done(),
        "first_suggestion_then_send_and_done": await first_suggestion(),
        "snooze_until_tomorrow": await snooze_tomorrow(),
        "take_and_tag": await take_and_tag(),
    }
    for name, row in report.items():
        print(f"{name:38s} {json.dumps(row)}")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "keystrokes.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
