"""Files attached to messages: saved from the remote helpdesk into a folder, then handed to
the system's opener where there is one.

A file's name comes from the sender: it is cut down to a plain name (no folders, no control
characters, no leading dot) and never overwrites a file already there (``name (2).pdf``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

from deskterm.backend.demo.files import demo_file, is_demo_file
from deskterm.backend.sync.protocol import Connector
from deskterm.domain.models import Attachment

#: The longest file name written (most file systems stop at 255 bytes).
MAX_NAME_BYTES = 200


class FileUnavailable(Exception):
    """The file cannot be fetched; the message is one line for the agent."""


def safe_name(filename: str) -> str:
    """A sender's file name as a plain name in one folder."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    name = name.lstrip(".").strip() or "file"
    while len(name.encode()) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:-1]}{dot}{ext}" if dot and stem else name[:-1]
    return name


def free_path(folder: Path, name: str) -> Path:
    """``folder / name``, or ``name (2)``, ``name (3)``… where that is taken."""
    path = folder / name
    stem, suffix = path.stem, path.suffix
    n = 2
    while path.exists():
        path = folder / f"{stem} ({n}){suffix}"
        n += 1
    return path


def save_file(connector: Connector | None, attachment: Attachment, folder: Path) -> Path:
    """Fetch ``attachment`` from the remote and write it in ``folder``; returns where.

    Raises:
        FileUnavailable: the store knows only the file's name (local mode), not its bytes.
            The demo's files are made by ``demo.files`` and saved like any other.
        RemoteError: as the connector's ``fetch_file``.
    """
    external_id = attachment.external_id
    if connector is None and external_id is not None and is_demo_file(external_id):
        data = demo_file(external_id)
    elif connector is not None and external_id is not None:
        data = connector.fetch_file(external_id)
    else:
        data = None
    if data is None:
        raise FileUnavailable(f"{attachment.filename}: only its name is kept here, not the file")
    path = free_path(folder, safe_name(attachment.filename))
    with open(path, "xb") as out:
        out.write(data)
    return path


def system_opener() -> str | None:
    """The program that opens a file with the user's chosen application, if there is one."""
    if sys.platform == "darwin":
        return shutil.which("open")
    if os.name == "nt":
        return None  # os.startfile, below
    return shutil.which("xdg-open")


def open_with_system(path: Path) -> bool:
    """Hand ``path`` to the system's opener, detached; False when there is none (or it
    could not start). Never raises."""
    try:
        if os.name == "nt":
            os.startfile(path)  # type: ignore[attr-defined,unused-ignore]
            return True
        opener = system_opener()
        if opener is None:
            return False
        subprocess.Popen(
            [opener, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return True
    except OSError:
        return False
