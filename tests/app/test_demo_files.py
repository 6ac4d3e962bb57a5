"""``o`` in the demo: the customer's photo is a real picture, saved and opened; a local
store's file known only by its name says so in one line and saves nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskterm.app import create_app
from deskterm.backend.demo import generate_demo
from deskterm.backend.demo.files import photo
from deskterm.backend.store import Store
from deskterm.domain.models import AuthorKind
from deskterm.screens.workstation import files as files_part
from tests.app.conftest import SIZE, quiet_settings, settle, until
from tests.conftest import T0, Clock


@pytest.fixture
def demo_store(tmp_path: Path):
    path = tmp_path / "demo.db"
    generate_demo(path, conversations=150, seed=7, now=T0)
    store = Store(path, clock=Clock(T0))
    yield store
    store.close()


@pytest.fixture
def downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "downloads"
    monkeypatch.setenv("DESKTERM_DOWNLOADS_DIR", str(folder))
    return folder


def _said(app) -> list[str]:
    return [n.message for n in app._notifications]


def _with_photo(store: Store) -> int:
    row = store.conn.execute(
        "SELECT conversation_id FROM messages WHERE attachments LIKE '%demo:photo.png%' "
        "ORDER BY id LIMIT 1"
    ).fetchone()
    assert row is not None, "the demo has no customer photo"
    return int(row[0])


async def test_o_saves_the_demo_customers_photo_as_a_real_picture(
    demo_store: Store, downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(files_part, "open_with_system", lambda p: opened.append(p) or True)
    conversation = _with_photo(demo_store)
    app = create_app(demo_store, quiet_settings(), demo=True, clock=demo_store.clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the first row's conversation opens first
        screen = app.screen
        screen.open_conversation_by_id(conversation)
        await until(
            pilot,
            lambda: screen.bundle is not None and screen.bundle.conversation.id == conversation,
        )
        await pilot.press("o")
        await until(pilot, lambda: any(m.startswith("Saved") for m in _said(app)))
    saved = downloads / "photo.png"
    assert saved.read_bytes() == photo() and saved.read_bytes().startswith(b"\x89PNG\r\n")
    assert opened == [saved]


async def test_a_file_known_only_by_name_is_said_so_and_nothing_saved(
    demo_store: Store, downloads: Path
) -> None:
    conversation = _with_photo(demo_store)
    demo_store.add_message(
        conversation,
        author_kind=AuthorKind.CUSTOMER,
        author_name="Ana",
        body="and the receipt",
        attachments=[{"filename": "receipt.pdf", "size": 1200}],
    )
    app = create_app(demo_store, quiet_settings(), demo=True, clock=demo_store.clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the first row's conversation opens first
        screen = app.screen
        screen.open_conversation_by_id(conversation)
        await until(
            pilot,
            lambda: screen.bundle is not None and screen.bundle.conversation.id == conversation,
        )
        await pilot.press("o")
        await until(pilot, lambda: len(app.screen_stack) > 1)
        await pilot.press("enter")  # the newest message's file first: the receipt
        await until(pilot, lambda: any("only its name" in m for m in _said(app)))
    assert not downloads.exists() or not any(downloads.iterdir())
