"""``o`` on a mirrored conversation: its file saved under the downloads folder and handed to
the system's opener (a picker first when there are several; a clear line without opener)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskterm.app import create_app
from deskterm.app.sync_runner import SyncRunner
from deskterm.backend.store import Store
from deskterm.backend.sync import SyncEngine
from deskterm.domain.models import AuthorKind
from deskterm.screens.picker import PickerScreen
from deskterm.screens.workstation import files as files_part
from deskterm.widgets.status_bar import StatusBar
from tests.app.conftest import SIZE, quiet_settings, until
from tests.conftest import T0
from tests.fakes.memory_connector import MemoryConnector, MemoryHelpdesk

FILES = {"f1": b"%PDF-1.4 receipt", "f2": b"\x89PNG photo"}


class FilesConnector(MemoryConnector):
    """The in-memory helpdesk, with the bytes of two attached files."""

    def fetch_file(self, external_id: str) -> bytes:
        return FILES[external_id]


def _messages(app) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "downloads"
    monkeypatch.setenv("DESKTERM_DOWNLOADS_DIR", str(folder))
    return folder


@pytest.mark.parametrize("opener", [True, False])
async def test_o_saves_the_chosen_file_and_opens_it(
    tmp_path: Path, downloads: Path, monkeypatch: pytest.MonkeyPatch, opener: bool
) -> None:
    opened: list[Path] = []

    def fake_open(path: Path) -> bool:
        opened.append(path)
        return opener

    monkeypatch.setattr(files_part, "open_with_system", fake_open)
    desk = MemoryHelpdesk(T0)
    desk.add_ticket("1", "Receipt", "see attached", customer="ana")
    connector = FilesConnector(desk)
    store = Store(tmp_path / "mirror.db")
    engine = SyncEngine(store, connector)
    engine.identify()
    engine.pull()
    conv = store.conversation_by_external("1")
    assert conv is not None
    store.add_message(
        conv.id,
        author_kind=AuthorKind.CUSTOMER,
        author_name="ana",
        body="two files",
        attachments=[
            {"filename": "../receipt.pdf", "size": 16, "external_id": "f1"},
            {"filename": "photo.png", "size": 10, "external_id": "f2"},
        ],
    )
    me = store.agent(engine.local_agent_id() or 0)
    assert me is not None
    runner = SyncRunner(engine, interval=30, drain_every=0.1)
    app = create_app(store, quiet_settings(), agent_email=me.email, sync_runner=runner)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.query_one(StatusBar).sync_state == "synced")
        await until(pilot, lambda: app.screen.bundle is not None)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("enter")  # the first listed: the newest message's first file
        await until(pilot, lambda: any(m.startswith("Saved") for m in _messages(app)))
        saved = downloads / "receipt.pdf"  # the sender's folders dropped
        assert saved.read_bytes() == FILES["f1"]
        assert opened == [saved]
        said = next(m for m in _messages(app) if m.startswith("Saved"))
        assert ("opening it" in said) is opener
        assert ("no program here opens files" in said) is not opener
        # Again: a second copy, never over the first.
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("enter")
        await until(pilot, lambda: (downloads / "receipt (2).pdf").exists())
        assert saved.read_bytes() == FILES["f1"]
        app.sync_runner.shutdown()
    store.close()
