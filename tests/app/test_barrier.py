"""No exception ends the workstation: a failing worker of each group, a failing action, message
handler and timer each leave the app running, with a one-line notice and a traceback in the
log file; a damaged store still ends it."""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.message_pump import MessagePump

from deskterm import logs
from deskterm.backend.commerce.store_provider import StoreProvider
from deskterm.backend.db import StoreError
from deskterm.domain.models import OrderStatus
from deskterm.patches import barrier
from deskterm.screens.metrics import MetricsScreen
from deskterm.screens.workstation import WorkstationScreen
from deskterm.screens.workstation.macros import Macros
from deskterm.widgets.composer import DRAFT_DEBOUNCE
from deskterm.widgets.inbox_list import InboxList
from tests.app.conftest import SIZE
from tests.app.conftest import settle as settle_workers
from tests.app.test_order_actions import _open_bread_customer_pane, _set_status
from tests.app.test_workstation import desk, shown_id

SRC = Path(__file__).parents[2] / "src" / "deskterm"
BUSY = "The store is busy: database is locked"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "state" / "deskterm.log"
    path.parent.mkdir()
    logs.setup(path, "warning")
    yield path
    logs.close()


async def settle(pilot) -> None:
    """``settle`` for an app whose workers fail: waiting on a failed worker raises."""
    for _ in range(3):
        workers = list(pilot.app.workers)
        await asyncio.gather(*[w.wait() for w in workers], return_exceptions=True)
        await pilot.pause(0.05)
    await settle_workers(pilot)


def errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


def busy() -> StoreError:
    return StoreError(BUSY)


def boom(*args, **kwargs):
    raise RuntimeError("boom\nsecond line never shown")


async def still_working(pilot, log_file: Path, notice: str) -> None:
    """The app runs, says ``notice`` in one line, logged a traceback, and takes keys."""
    app = pilot.app
    await settle(pilot)
    assert app._exception is None and app.return_code is None
    assert notice in errors(app), errors(app)
    assert all("\n" not in m for m in errors(app))
    assert "Traceback (most recent call last)" in log_file.read_text()
    inbox = app.screen.query_one(InboxList) if isinstance(app.screen, WorkstationScreen) else None
    if inbox is not None and inbox.total > 1:
        inbox.focus()
        before = inbox.cursor_id
        await pilot.press("j")
        await settle(pilot)
        assert inbox.cursor_id != before


# -- one worker of each group ------------------------------------------------------------


async def test_store_group_a_failed_undo_is_a_notice(make_app, desk_store, log_file, monkeypatch):
    store, _ = desk_store
    monkeypatch.setattr(store, "undo", lambda *a, **k: (_ for _ in ()).throw(busy()))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("u")
        await still_working(pilot, log_file, BUSY)


async def test_open_group(make_app, log_file, monkeypatch):
    monkeypatch.setattr("deskterm.screens.workstation.conversation.load_bundle", boom)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await still_working(pilot, log_file, "RuntimeError: boom")


async def test_drafts_group_a_busy_store_keeps_the_draft(
    make_app, desk_store, log_file, monkeypatch
):
    store, _ = desk_store
    monkeypatch.setattr(store, "save_draft", lambda *a, **k: (_ for _ in ()).throw(busy()))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"Bonjour")
        await pilot.pause(DRAFT_DEBOUNCE + 0.2)
        await settle(pilot)
        assert desk(app).composer.text == "Bonjour"
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1 and "Draft not saved" in warnings[0] and BUSY in warnings[0]
        assert "Traceback (most recent call last)" in log_file.read_text()
        assert app._exception is None and app.return_code is None


async def test_drafts_group_an_unexpected_error(make_app, desk_store, log_file, monkeypatch):
    store, _ = desk_store
    monkeypatch.setattr(store, "touch_presence", boom)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"Bonjour", "escape")
        await still_working(pilot, log_file, "RuntimeError: boom")


async def test_poll_group_snooze_wake_on_a_busy_store(make_app, desk_store, log_file, monkeypatch):
    store, _ = desk_store
    monkeypatch.setattr(store, "wake_due", lambda *a, **k: (_ for _ in ()).throw(busy()))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await still_working(pilot, log_file, BUSY)


async def test_median_group(make_app, log_file, monkeypatch):
    monkeypatch.setattr("deskterm.screens.workstation.live.today_first_response", boom)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await still_working(pilot, log_file, "RuntimeError: boom")


async def test_metrics_group(make_app, log_file, monkeypatch):
    monkeypatch.setattr("deskterm.screens.metrics.build_report", boom)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, MetricsScreen)
        await pilot.press("escape")
        await still_working(pilot, log_file, "RuntimeError: boom")


async def test_commerce_group(make_app, desk_store, log_file, monkeypatch):
    store, ids = desk_store
    _set_status(store, "PO-88213", OrderStatus.PREPARING)
    monkeypatch.setattr(StoreProvider, "available_slots", boom)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _open_bread_customer_pane(pilot, ids)
        await pilot.press("s")
        await still_working(pilot, log_file, "RuntimeError: boom")


async def test_tags_group(make_app, desk_store, log_file, monkeypatch):
    store, _ = desk_store
    monkeypatch.setattr(store, "tag_counts", lambda *a, **k: (_ for _ in ()).throw(busy()))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await still_working(pilot, log_file, BUSY)


async def test_sync_group(tmp_path, log_file, monkeypatch):
    from deskterm.backend.sync import SyncEngine
    from tests.app.test_remote_mode import _remote, until

    monkeypatch.setattr(SyncEngine, "run", boom)
    _desk, _connector, store, app = _remote(tmp_path, n=3)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "RuntimeError: boom" in errors(app))
        await still_working(pilot, log_file, "RuntimeError: boom")
    store.close()


async def test_a_draft_the_store_refused_is_kept_and_saved_once_it_accepts(
    make_app, desk_store, log_file, monkeypatch
):
    store, ids = desk_store
    monkeypatch.setattr("deskterm.screens.workstation.drafts.DRAFT_RETRY_SECONDS", 0.2)
    real_save = store.save_draft
    refusing = [True]
    errors_in_turn = [busy(), sqlite3.OperationalError("database or disk is full")]

    def save_draft(*args, **kwargs):
        if refusing[0]:
            errors_in_turn.append(errors_in_turn.pop(0))
            raise errors_in_turn[-1]
        return real_save(*args, **kwargs)

    monkeypatch.setattr(store, "save_draft", save_draft)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        me = app.agent.id
        await pilot.press("r", *"Bonjour")
        await pilot.pause(DRAFT_DEBOUNCE + 0.2)
        await pilot.press(*" Léa")  # each key tries again
        await pilot.pause(DRAFT_DEBOUNCE + 0.6)  # and the timer, a few times
        await settle(pilot)
        # Moving on to another conversation keeps the refused draft too.
        await pilot.press("escape", "j")
        await settle(pilot)
        assert shown_id(app) != ids["bread"]
        assert store.draft(ids["bread"], me) is None
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1 and "Draft not saved" in warnings[0], warnings
        assert errors(app) == []  # one notice, not one per key or per try
        assert log_file.read_text().count("Traceback (most recent call last)") == 1

        refusing[0] = False  # the lock clears: no key pressed, the timer saves it
        await pilot.pause(0.6)
        await settle(pilot)
        assert store.draft(ids["bread"], me).body == "Bonjour Léa"
        assert any("Draft saved" in n.message for n in app._notifications)
        assert not desk(app).unsaved.pending
        assert app._exception is None and app.return_code is None
        await pilot.press("k", "enter")  # back to it: the draft is in the composer
        await settle(pilot)
        assert desk(app).composer.text == "Bonjour Léa"


async def test_quitting_while_the_store_refuses_asks_to_quit_again(
    make_app, desk_store, log_file, monkeypatch
):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"Bonjour")
        real_save, refusing = store.save_draft, [True]

        def save_draft(*args, **kwargs):
            if refusing[0]:
                raise busy()
            return real_save(*args, **kwargs)

        monkeypatch.setattr(store, "save_draft", save_draft)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code is None
        assert any("quit again" in n.message for n in app._notifications)
        refusing[0] = False
        await pilot.press("ctrl+q")  # the store accepts it now: saved, and the app ends
        await pilot.pause()
    assert app.return_code == 0
    assert store.draft(ids["bread"], app.agent.id).body == "Bonjour"


# -- actions, message handlers, timers ---------------------------------------------------


async def test_an_action_that_raises_is_a_notice(make_app, log_file, monkeypatch):
    monkeypatch.setattr(WorkstationScreen, "action_metrics", boom)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("M")  # run from the inbox's message loop, which must go on
        await still_working(pilot, log_file, "RuntimeError: boom")


async def test_a_macro_error_while_sending_is_a_notice(make_app, log_file, monkeypatch):
    from deskterm.domain.macros import MacroError

    def twice(*args, **kwargs):
        raise MacroError("action 4: status is set twice")

    monkeypatch.setattr(Macros, "changes", twice)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"Merci", "ctrl+s")  # Composer.SendRequested: its handler raises
        await settle(pilot)
        assert desk(app).composer.text == "Merci"  # nothing sent, nothing lost
        await pilot.press("escape")
        await still_working(pilot, log_file, "MacroError: action 4: status is set twice")


async def test_a_message_handler_that_raises_is_a_notice(make_app, desk_store, log_file):
    _, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = desk(app)
        original = screen.load_conversation
        calls = []

        def fails_once(cid: int):
            calls.append(cid)
            if len(calls) == 1:
                raise RuntimeError("boom")
            return original(cid)

        screen.load_conversation = fails_once  # type: ignore[method-assign]
        screen.bundle = None
        await pilot.press("enter")  # InboxList.Opened, handled by the screen: raises
        await still_working(pilot, log_file, "RuntimeError: boom")
        # The screen's message loop went on: the conversation under the cursor opens.
        assert shown_id(app) == app.screen.query_one(InboxList).cursor_id != ids["bread"]


async def test_a_timer_callback_that_raises_is_a_notice(make_app, log_file):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.set_timer(0.01, boom)
        await pilot.pause(0.1)
        await still_working(pilot, log_file, "RuntimeError: boom")


async def test_the_same_error_again_is_not_shown_again(make_app, log_file):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(5):
            app.set_timer(0.01, boom)
            await pilot.pause(0.05)
        await still_working(pilot, log_file, "RuntimeError: boom")
        assert errors(app).count("RuntimeError: boom") == 1
        assert log_file.read_text().count("RuntimeError: boom") == 5


async def test_damage_met_while_working_turns_the_store_read_only_and_the_app_stays(
    make_app, desk_store, log_file, monkeypatch
):
    store, _ = desk_store
    damaged = sqlite3.DatabaseError("database disk image is malformed")
    damaged.sqlite_errorcode = sqlite3.SQLITE_CORRUPT  # type: ignore[attr-defined]

    def corrupt(*args, **kwargs):
        raise damaged

    monkeypatch.setattr(store, "wake_due", corrupt)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.is_running
        assert store.read_only_reason is not None
        assert "read-only" in store.read_only_reason
        assert any(n.title == "Store damaged" for n in app._notifications)
        with pytest.raises(StoreError, match="damaged"):
            store.save_view("refunds", "refund")
    assert "damaged store" in log_file.read_text()


async def test_a_widget_that_cannot_mount_ends_the_app_with_the_draft_saved(
    make_app, desk_store, log_file
):
    from textual.widgets import Static

    class Broken(Static):
        def on_mount(self) -> None:
            boom()

    store, ids = desk_store
    app = make_app()
    with pytest.raises(RuntimeError):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("r", *"Bonjour")  # not saved yet: within the debounce
            await app.screen.mount(Broken())  # keys sent to it would go nowhere
            await pilot.pause()
    assert app.return_code == 1
    assert store.draft(ids["bread"], app.agent.id).body == "Bonjour"
    assert "deskterm stops" in log_file.read_text()


# -- kept that way -----------------------------------------------------------------------


def _worker_calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else None
        name = node.func.id if isinstance(node.func, ast.Name) else name
        if name in ("work", "run_worker"):
            yield node


def _in_thread_calls(tree: ast.AST) -> int:
    """The workstation's parts start their workers through ``host.in_thread``, whose one
    ``run_worker`` (in the screen) is checked like the others."""
    return sum(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "in_thread"
        for node in ast.walk(tree)
    )


def test_every_worker_in_src_is_started_with_exit_on_error_false():
    found, wrong = 0, []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += _in_thread_calls(tree)
        for call in _worker_calls(tree):
            found += 1
            flags = {k.arg: k.value for k in call.keywords}
            value = flags.get("exit_on_error")
            if not (isinstance(value, ast.Constant) and value.value is False):
                wrong.append(f"{path.relative_to(SRC)}:{call.lineno}")
        for node in ast.walk(tree):  # a bare @work would escape the loop above
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for deco in node.decorator_list:
                    if isinstance(deco, ast.Name) and deco.id == "work":
                        wrong.append(f"{path.relative_to(SRC)}:{deco.lineno}")
    assert found >= 20
    assert not wrong, f"workers that would end the app on an error: {wrong}"


def test_the_textual_internals_the_barrier_relies_on_are_there():
    """Checked against Textual 8.2.8: if one fails, read patches/barrier.py's docstring again."""
    assert list(inspect.signature(App._handle_exception).parameters) == ["self", "error"]
    assert barrier._dispatch_message.__qualname__ == "MessagePump._dispatch_message"
    assert list(inspect.signature(barrier._dispatch_message).parameters) == ["self", "message"]
    loop = inspect.getsource(MessagePump._process_messages_loop)
    assert "await self._dispatch_message(message)" in loop
    assert "self.app._handle_exception(error)" in loop
    barrier.install()
    assert MessagePump._dispatch_message is barrier._dispatch_contained


async def test_other_apps_keep_textuals_behaviour():
    class Plain(App[None]):
        BINDINGS = [("x", "boom")]

        def action_boom(self) -> None:
            boom()

    barrier.install()
    with pytest.raises(RuntimeError):
        async with Plain().run_test() as pilot:
            await pilot.press("x")
            await pilot.pause()


# -- the log -----------------------------------------------------------------------------


def test_cli_log_level_and_file(tmp_path, monkeypatch):
    from deskterm.cli import commands as cli

    monkeypatch.setenv("DESKTERM_STATE_DIR", str(tmp_path / "state"))
    args = cli.build_parser().parse_args(["--log-level", "DEBUG", "demo"])
    assert args.log_level == "debug"
    assert cli.build_parser().parse_args([]).log_level == "warning"
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--log-level", "loud"])
    cli._start_log("info")
    try:
        logging.getLogger("deskterm.test").info("hello")
        handler = next(
            h for h in logging.getLogger("deskterm").handlers if isinstance(h, logs._LogFile)
        )
        assert (handler.maxBytes, handler.backupCount) == (1_000_000, 3)
        assert "INFO deskterm.test" in (tmp_path / "state" / "deskterm.log").read_text()
    finally:
        logs.close()
