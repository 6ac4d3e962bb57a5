"""``o``: save a file attached to the open conversation under the downloads folder, and
open it with the system's opener where there is one (a picker first when there are several).
"""

from __future__ import annotations

from typing import Protocol

from deskterm import locations
from deskterm.backend.connectors.errors import RemoteError
from deskterm.backend.context import ConversationBundle
from deskterm.backend.files import FileUnavailable, open_with_system, save_file
from deskterm.backend.sync.protocol import Connector
from deskterm.domain.models import Attachment
from deskterm.domain.safety import human_size, one_line
from deskterm.screens.picker import Choice, PickerScreen
from deskterm.screens.workstation.host import Host


class FilesHost(Host, Protocol):
    @property
    def bundle(self) -> ConversationBundle | None: ...


class Files:
    """Saving and opening the open conversation's files."""

    def __init__(self, host: FilesHost) -> None:
        self.host = host

    def open(self) -> None:
        """Save and open the conversation's file, or pick one of its files first."""
        bundle = self.host.bundle
        files = [a for m in reversed(bundle.messages) for a in m.attachments] if bundle else []
        if not files:
            self.host.notify("No files in this conversation.")
            return
        if len(files) == 1:
            self._fetch(files[0])
            return
        choices = [
            Choice(str(i), one_line(a.filename, 60), human_size(a.size) if a.size else "")
            for i, a in enumerate(files)
        ]

        def chosen(value: str | None) -> None:
            if value is not None and value.isdigit() and int(value) < len(files):
                self._fetch(files[int(value)])

        self.host.ask(PickerScreen("Save and open which file?", choices), chosen)

    def _connector(self) -> Connector | None:
        runner = self.host.desk.sync_runner
        return runner.engine.connector if runner is not None else None

    def _fetch(self, attachment: Attachment) -> None:
        connector = self._connector()
        name = one_line(attachment.filename, 60)

        def work() -> None:
            try:
                path = save_file(connector, attachment, locations.downloads_dir())
            except FileUnavailable as exc:
                self.host.from_thread(self.host.notify, str(exc), severity="warning")
                return
            except (RemoteError, OSError) as exc:
                line = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
                self.host.from_thread(
                    self.host.notify, f"{name} was not saved: {line}", severity="warning"
                )
                return
            opened = open_with_system(path)
            said = "opening it" if opened else "no program here opens files"
            self.host.from_thread(self.host.notify, f"Saved {path} ({said}).", markup=False)

        self.host.notify(f"Fetching {name}…", markup=False)
        self.host.in_thread(work, group="files", name="save-file")
