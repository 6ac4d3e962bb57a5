"""The workstation on a local store: what ``deskterm`` and ``deskterm demo`` open."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from deskterm.config import Settings

if TYPE_CHECKING:
    from deskterm.backend.lesson import Progress


def open_workstation(
    path: Path,
    args: argparse.Namespace,
    settings: Settings,
    *,
    demo: bool = False,
    lesson: Progress | None = None,
) -> int:
    """Run the app on the store at ``path`` (with the guided lesson); the exit status."""
    from deskterm.app import create_app
    from deskterm.backend.store import Store

    store = Store(path)
    try:
        app = create_app(store, settings, agent_email=args.agent, demo=demo, lesson=lesson)
        app.run()
    finally:
        store.close()
    return app.return_code or 0


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
