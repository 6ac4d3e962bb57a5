"""``deskterm demo --live`` in the open app: customers' new conversations and answers come
in while the agent works, a key pauses them, and an answer wakes a snooze "until reply"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deskterm.app import DeskApp, create_app
from deskterm.app.live_demo import LiveDemoRunner
from deskterm.app.palette import DeskCommands
from deskterm.backend.demo import generate_demo
from deskterm.backend.demo.live import LiveDemo
from deskterm.backend.store import Store
from deskterm.backend.views import BUILTIN_VIEWS
from deskterm.domain.models import UNTIL_REPLY, AuthorKind
from deskterm.widgets.conversation_view import ThreadView
from deskterm.widgets.inbox_list import InboxList
from deskterm.widgets.status_bar import StatusBar
from tests.app.conftest import SIZE, quiet_settings, until
from tests.conftest import T0, Clock

INBOX = next(v for v in BUILTIN_VIEWS if v.key == "inbox")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("live-app") / "demo.db"
    generate_demo(path, conversations=60, seed=7, now=T0)
    return path


@pytest.fixture
def live_store(demo_file: Path, tmp_path: Path, clock: Clock) -> Iterator[Store]:
    path = tmp_path / "demo.db"
    path.write_bytes(demo_file.read_bytes())
    store = Store(path, clock=clock)
    yield store
    store.close()


def live_app(store: Store, clock: Clock, *, rate: float, seed: int = 5) -> DeskApp:
    demo = LiveDemo(store, rate_per_hour=rate, seed=seed, clock=clock)
    return create_app(
        store,
        quiet_settings(auto_advance=False),  # the thread answered stays on screen
        demo=True,
        clock=clock,
        live_update_seconds=0.05,
        live_demo=LiveDemoRunner(demo, tick=0.02),
    )


def conversations(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM conversations").fetchone()[0])


def bar(app: DeskApp) -> StatusBar:
    return app.screen.query_one(StatusBar)


async def test_new_conversations_and_answers_come_into_the_open_app(
    live_store: Store, clock: Clock, monkeypatch
):
    from deskterm.backend.demo import live_words

    # This customer answers what they are asked (the demo's odds are another test's).
    monkeypatch.setattr(live_words, "ANSWER_ASKED", 1.0)
    app = live_app(live_store, clock, rate=600)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bar(app).count is not None)
        assert bar(app).live_demo.startswith("live 600/h")
        before = bar(app).count or 0
        # The agent takes the most urgent conversation and asks the customer for a photo.
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.bundle is not None)  # type: ignore[attr-defined]
        cid = app.screen.bundle.conversation.id  # type: ignore[attr-defined]
        await pilot.press("escape", "i")
        await until(pilot, lambda: live_store.conversation(cid).assignee_id == app.agent.id)
        await pilot.press("r", *"Could you send me a photo of the bag?", "ctrl+s")
        await until(pilot, lambda: live_store.conversation(cid).status == "pending")
        inbox = app.screen.query_one(InboxList)
        await until(pilot, lambda: inbox.row_for(cid) is None)  # answered: out of the inbox
        replies = live_store.conversation(cid).message_count
        clock.advance(seconds=1300)  # twenty minutes of lunch rush
        await until(pilot, lambda: conversations(live_store) > 60 + 150)
        await until(pilot, lambda: (bar(app).count or 0) > before + 100)
        # The customer answered with the photo: the conversation is back, and it was said.
        await until(pilot, lambda: live_store.conversation(cid).message_count > replies)
        assert live_store.conversation(cid).status == "open"
        assert (
            live_store.conn.execute(
                "SELECT bucket FROM conversations WHERE id = ?", (cid,)
            ).fetchone()[0]
            == "inbox"
        )
        await until(pilot, lambda: any(n.title == "New message" for n in app._notifications))
        notices = [n.message for n in app._notifications if n.title == "New message"]
        name = live_store.conversation(cid).customer_name
        assert any(name in message for message in notices), notices
        app.screen.open_conversation_by_id(cid)  # type: ignore[attr-defined]
        thread = app.screen.query_one(ThreadView)
        await until(
            pilot,
            lambda: (
                thread.conversation is not None
                and thread.conversation.id == cid
                and thread.conversation.message_count > replies
            ),
        )
        last = app.screen.bundle.messages[-1]  # type: ignore[attr-defined]
        assert last.author_kind is AuthorKind.CUSTOMER and last.attachments


async def test_the_pause_key_stops_the_customers(live_store: Store, clock: Clock):
    app = live_app(live_store, clock, rate=1200)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bar(app).count is not None)
        clock.advance(seconds=60)
        await until(pilot, lambda: conversations(live_store) > 60)
        await pilot.press("f8")
        assert "paused" in bar(app).live_demo
        assert app.live_demo is not None and app.live_demo.paused
        paused_at = conversations(live_store)
        clock.advance(seconds=600)
        await pilot.pause(0.3)  # a dozen ticks of the generator
        assert conversations(live_store) == paused_at
        # The palette offers it too, by name.
        names = [name for name, _, _ in DeskCommands(app.screen)._entries()]
        assert "Pause or resume the live demo" in names
        await pilot.press("f8")
        assert bar(app).live_demo.startswith("live 1200/h")
        await pilot.pause(0.2)
        # The paused ten minutes are not made up for in a burst: the stream goes on from now.
        assert conversations(live_store) <= paused_at + 3
        clock.advance(seconds=120)
        await until(pilot, lambda: conversations(live_store) > paused_at + 10)


async def test_an_answer_wakes_a_snooze_until_reply(live_store: Store, clock: Clock):
    app = live_app(live_store, clock, rate=60)
    row = live_store.conn.execute(
        "SELECT id FROM conversations WHERE bucket = 'inbox' AND channel = 'chat' "
        "ORDER BY id LIMIT 1"
    ).fetchone()
    cid = int(row[0])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bar(app).count is not None)
        await until(pilot, lambda: app.live_demo is not None and app.live_demo.demo.started)
        live_store.add_message(
            cid,
            author_kind=AuthorKind.AGENT,
            author_id=app.agent.id,
            author_name=app.agent.name,
            body="Pourriez-vous m'envoyer une photo du sac et du ticket ?",
        )
        live_store.snooze(cid, UNTIL_REPLY, agent_id=app.agent.id)
        inbox = app.screen.query_one(InboxList)
        await until(pilot, lambda: inbox.row_for(cid) is None)  # gone from the inbox
        clock.advance(seconds=400)
        await until(pilot, lambda: live_store.conversation(cid).snoozed_until is None)
        woken = live_store.conversation(cid)
        assert woken.status == "open" and woken.woken_at is not None
        assert live_store.messages(cid)[-1].author_kind is AuthorKind.CUSTOMER
        await until(pilot, lambda: inbox.row_for(cid) is not None)  # back, as a reply does
