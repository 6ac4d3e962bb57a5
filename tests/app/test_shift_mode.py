"""Shift mode (``deskterm --shift``), for an engineer on their monthly support shift:
"Start here" first, the next step in words, a confirmation before a reply leaves, the day's
summary, and nothing stored by the mode itself."""

from __future__ import annotations

import sqlite3

import pytest

from deskterm.app import create_app
from deskterm.backend.demo import generate_demo
from deskterm.backend.store import Store
from deskterm.domain.models import AuthorKind
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.shift_summary import ShiftSummaryScreen
from deskterm.widgets.next_step import NextStep
from tests.app.conftest import SIZE, quiet_settings, settle, until
from tests.app.test_workstation import _export
from tests.conftest import T0, Clock


@pytest.fixture
def demo_store(tmp_path):
    path = tmp_path / "demo.db"
    generate_demo(path, conversations=150, seed=7, now=T0)
    store = Store(path, clock=Clock(T0))
    yield store
    store.close()


def _app(store, **settings):
    return create_app(store, quiet_settings(shift=True, **settings), demo=True, clock=store.clock)


def _stored(path) -> list[str]:
    """Everything the store keeps but presence (who is looking at what, right now)."""
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if "presence" not in line]
    finally:
        conn.close()


async def test_starts_here_with_the_next_step_in_words(demo_store) -> None:
    app = _app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.view.key == "start"
        row = demo_store.conn.execute(
            "SELECT c.priority, cu.vip, c.tags FROM conversations c JOIN customers cu "
            "ON cu.id = c.customer_id WHERE c.id = ?",
            (screen.inbox.cursor_id,),
        ).fetchone()
        assert row[0] in ("low", "normal") and row[1] == 0
        simple = {"allergens", "spicy", "promo-code", "login", "subscription-info",
                  "compliment", "invoice"}  # fmt: skip
        assert simple & set(row[2].split())
        await until(pilot, lambda: screen.bundle is not None)
        await until(pilot, lambda: "After reading" in screen.query_one(NextStep).said)
        assert "r to reply" in screen.query_one(NextStep).said
        # The day's summary and how to leave, always at the end of the line, never cut.
        always = "S my day's summary · ctrl+q quit"
        assert screen.query_one(NextStep).always == always
        on_screen = _export(app)
        assert "S my day" in on_screen and "summary · ctrl+q quit" in on_screen
        await pilot.press("r")
        await settle(pilot)
        await until(pilot, lambda: "Write your reply" in screen.query_one(NextStep).said)
        assert screen.query_one(NextStep).always == "ctrl+q quit"  # S is a letter of the reply
        await pilot.press(*"Bonjour")
        await until(pilot, lambda: "sends it" in screen.query_one(NextStep).said)


async def test_a_thank_you_after_an_answer_is_closed_not_answered(demo_store) -> None:
    """The customer only says thanks after the agent's answer: the next step says e closes
    it, rather than offering a macro to send back."""
    app = _app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await until(pilot, lambda: screen.bundle is not None)
        cid = screen.bundle.conversation.id
        demo_store.add_message(cid, author_kind=AuthorKind.AGENT, body="Avec plaisir !")
        demo_store.add_message(cid, author_kind=AuthorKind.CUSTOMER, body="Parfait, merci 🙏")
        screen.open_conversation_by_id(cid)
        hint = screen.query_one(NextStep)
        await until(pilot, lambda: "only says thanks" in hint.said)
        assert "e closes it" in hint.said
        demo_store.add_message(
            cid, author_kind=AuthorKind.CUSTOMER, body="Merci, mais toujours rien reçu…"
        )
        screen.open_conversation_by_id(cid)
        await until(pilot, lambda: "After reading" in hint.said)


async def test_a_reply_is_confirmed_before_it_leaves(demo_store) -> None:
    app = _app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await until(pilot, lambda: screen.bundle is not None)
        cid = screen.bundle.conversation.id
        before = len(demo_store.messages(cid))
        await pilot.press("r", *"Merci !", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert screen.composer.text == "Merci !"
        assert len(demo_store.messages(cid)) == before
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await until(pilot, lambda: len(demo_store.messages(cid)) == before + 1)
        last = demo_store.messages(cid)[-1]
        assert last.author_kind == AuthorKind.AGENT and last.body == "Merci !"


async def test_notes_go_without_a_question(demo_store) -> None:
    app = _app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        await until(pilot, lambda: screen.bundle is not None)
        cid = screen.bundle.conversation.id
        before = len(demo_store.messages(cid))
        await pilot.press("n", *"to check", "ctrl+s")
        await until(pilot, lambda: len(demo_store.messages(cid)) == before + 1)
        assert not isinstance(app.screen, ConfirmScreen)


async def test_the_days_summary(demo_store) -> None:
    app = _app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, ShiftSummaryScreen))
        summary = app.screen.summary
        assert summary.replies >= 0 and summary.answered <= summary.replies
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ShiftSummaryScreen)


async def test_shift_mode_stores_nothing(demo_store) -> None:
    # Showing a conversation marks it read, in any mode: start from a store all read.
    with demo_store.transaction() as c:
        c.execute("UPDATE conversations SET unread = 0")
    before = _stored(demo_store.path)
    app = _app(demo_store, auto_advance=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("escape", "g", "h")
        await settle(pilot)
    assert _stored(demo_store.path) == before


def test_shift_mode_on_screen(snap_compare, demo_store) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await until(pilot, lambda: "After reading" in pilot.app.screen.query_one(NextStep).said)
        await settle(pilot)

    assert snap_compare(_app(demo_store), terminal_size=SIZE, run_before=run_before)
