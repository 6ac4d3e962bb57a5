"""The guided lesson (``deskterm demo --learn``) played start to finish with the keys a
person would press; each step is checked in the store before the next one shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskterm import keymap
from deskterm.app import create_app
from deskterm.backend import lesson
from deskterm.backend.store import Store
from deskterm.domain.models import UNTIL_REPLY, AuthorKind, Status
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.widgets.customer_panel import CustomerPanel
from deskterm.widgets.lesson_panel import LessonPanel
from tests.app.conftest import SIZE, quiet_settings, settle, until


@pytest.fixture
def lesson_store(tmp_path: Path, monkeypatch) -> tuple[Path, lesson.Progress]:
    monkeypatch.setenv("DESKTERM_STATE_DIR", str(tmp_path / "state"))
    path = tmp_path / "lesson.db"
    return path, lesson.start(path)


def _step(app) -> int:
    return app.desk.lesson.step if hasattr(app, "desk") else app.lesson.step


def _key(binding_id: str) -> str:
    return keymap.BY_ID[binding_id].keys.split(",")[0]


async def _press_until(pilot, key: str, test, tries: int = 6) -> None:
    for _ in range(tries):
        if test():
            return
        await pilot.press(key)
        await settle(pilot, rounds=1)
    assert test(), f"pressing {key} never got there"


async def test_the_lesson_played_start_to_finish(lesson_store) -> None:
    path, progress = lesson_store
    targets = progress.targets
    store = Store(path)
    app = create_app(store, quiet_settings(), demo=True, lesson=progress)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        panel = screen.query_one(LessonPanel)
        assert "step 1 of 8" in str(panel.render())
        assert targets.names["promo"] in panel.said

        # 1. open the most urgent conversation: the first row
        assert screen.inbox.cursor_id == targets.promo
        await pilot.press("enter")
        await until(pilot, lambda: progress.step == 1)
        # 2. the customer pane
        await _press_until(
            pilot,
            "tab",
            lambda: any(isinstance(w, CustomerPanel) for w in screen.focused.ancestors_with_self),
        )
        await until(pilot, lambda: progress.step == 2)
        # 3. the first suggestion, sent
        await pilot.press(_key("desk.suggestion_1"))
        await settle(pilot)
        assert screen.composer.text.strip()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: progress.step == 3)
        used = store.conn.execute(
            "SELECT count(*) FROM macro_usage WHERE conversation_id = ?", (targets.promo,)
        ).fetchone()[0]
        assert used == 1
        # The next step's words are longer than a line: the panel grows to show them all.
        await settle(pilot)
        lines = len(panel.render().wrap(app.console, panel.content_region.width))
        assert lines >= 3
        assert panel.content_region.height >= lines
        # 4. resend the missing item from the customer pane
        await settle(pilot)
        await _press_until(pilot, "down", lambda: screen.bundle.conversation.id == targets.missing)
        await pilot.press("enter")
        await settle(pilot)
        await _press_until(
            pilot,
            "tab",
            lambda: any(isinstance(w, CustomerPanel) for w in screen.focused.ancestors_with_self),
        )
        await pilot.press(_key("customer.resend"))
        await settle(pilot)
        for character in targets.item[:6]:
            await pilot.press(character if character != " " else "space")
        await pilot.press("enter")
        await settle(pilot)
        if isinstance(app.screen, TextPromptScreen):  # several of it ordered: how many
            await pilot.press("enter")
            await settle(pilot)
        await pilot.press("y")
        await until(pilot, lambda: progress.step == 4)
        assert [e.kind for e in store.events(targets.missing)].count("order.resend") == 1
        # 5. the reply the resend prepared is sent before the lesson moves on
        await settle(pilot)
        assert "send it" in panel.said

        def replies_to_missing() -> list:
            messages = store.messages(targets.missing)
            return [m for m in messages if m.author_kind == AuthorKind.AGENT and m.public]

        assert not replies_to_missing()  # the note of the resend is not a reply
        draft = screen.composer.text.strip()
        assert draft
        await pilot.press(_key("desk.reply"))
        await settle(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: progress.step == 5)
        sent = replies_to_missing()
        assert len(sent) == 1 and draft in sent[0].body
        assert store.conversation(targets.missing).status == Status.DONE
        # 6. snooze until the customer replies
        await settle(pilot)
        await _press_until(pilot, "down", lambda: screen.bundle.conversation.id == targets.photo)
        await pilot.press(_key("desk.snooze"))
        await settle(pilot)
        await pilot.press("5", "enter")
        await until(pilot, lambda: progress.step == 6)
        assert store.conversation(targets.photo).snoozed_until == UNTIL_REPLY
        # 7. reply, send and done
        await settle(pilot)
        await _press_until(pilot, "down", lambda: screen.bundle.conversation.id == targets.thanks)
        await pilot.press(_key("desk.reply"))
        await pilot.press(*"Merci Jonas")
        await pilot.press("ctrl+o")
        await until(pilot, lambda: progress.step == 7)
        assert store.conversation(targets.thanks).status == Status.DONE
        # 8. undo
        await settle(pilot)
        await pilot.press(_key("desk.undo"))
        await until(pilot, lambda: progress.finished)
        assert store.conversation(targets.thanks).status != Status.DONE
        replies = [m for m in store.messages(targets.thanks) if m.author_kind == AuthorKind.AGENT]
        assert len(replies) == 1  # the reply stays sent
        assert "Lesson finished" in str(panel.render())
    store.close()
    await_saved = lesson.load(path)
    assert await_saved is not None and await_saved.finished


async def test_left_and_resumed_where_it_was(lesson_store) -> None:
    path, progress = lesson_store
    progress.step = 5
    lesson.save(progress)
    resumed = lesson.load(path)
    assert resumed is not None and resumed.step == 5 and resumed.targets == progress.targets
    assert lesson.load(path.with_name("another.db")) is None
    store = Store(path)
    app = create_app(store, quiet_settings(), demo=True, lesson=resumed)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(LessonPanel)
        assert "step 6 of 8" in str(panel.render())
        assert progress.targets.names["photo"] in panel.said
    store.close()


def test_the_lesson_inbox_is_four_conversations_most_urgent_first(lesson_store) -> None:
    path, progress = lesson_store
    store = Store(path)
    try:
        rows = store.conn.execute(
            "SELECT id FROM conversations WHERE bucket = 'inbox' ORDER BY urgency, id"
        ).fetchall()
        t = progress.targets
        assert [r[0] for r in rows] == [t.promo, t.missing, t.photo, t.thanks]
        assert t.item and t.item in store.messages(t.missing)[0].body
    finally:
        store.close()


def test_a_remapped_key_is_the_one_taught(lesson_store) -> None:
    _, progress = lesson_store
    step = next(s for s in lesson.STEPS if s.id == "snooze")
    said = step.say(progress.targets, lambda binding: "h" if binding == "desk.snooze" else "?")
    assert "press h" in said


def test_the_lesson_on_screen(snap_compare, tmp_path, monkeypatch) -> None:
    """Step one as a newcomer sees it: the lesson's line above the panes."""
    from tests.conftest import T0, Clock

    monkeypatch.setenv("DESKTERM_STATE_DIR", str(tmp_path / "state"))
    path = tmp_path / "lesson.db"
    progress = lesson.start(path, now=T0)
    store = Store(path)
    app = create_app(store, quiet_settings(), demo=True, lesson=progress, clock=Clock(T0))

    async def run_before(pilot) -> None:
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_notices_leave_the_lesson_readable(lesson_store) -> None:
    """A notice shows below the lesson's words, never over the end of what a step asks."""
    from textual.widgets._toast import Toast

    _, progress = lesson_store
    progress.step = 3  # the resend step: its words take the panel's lines
    store = Store(progress.store)
    app = create_app(store, quiet_settings(), demo=True, lesson=progress)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(LessonPanel)
        app.notify("Reply sending in 5s — u to undo")
        await settle(pilot)
        toasts = list(app.screen.query(Toast))
        assert toasts and panel.region.height >= 3
        for toast in toasts:
            assert not toast.region.overlaps(panel.region)
            assert toast.region.y >= panel.region.bottom
    store.close()
