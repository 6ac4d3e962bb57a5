"""The workstation on a local store: what ``deskterm`` and ``deskterm demo`` open."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from deskterm.backend.db import StoreError
from deskterm.config import Settings

if TYPE_CHECKING:
    from deskterm.backend.lesson import Progress
    from deskterm.backend.store import Store


def open_workstation(
    path: Path,
    args: argparse.Namespace,
    settings: Settings,
    *,
    demo: bool = False,
    lesson: Progress | None = None,
    live_rate: float | None = None,
    live_seed: int = 7,
) -> int:
    """Run the app on the store at ``path`` (with the guided lesson, or with customers
    writing ``live_rate`` new conversations an hour); the exit status."""
    from deskterm.app import create_app
    from deskterm.backend.store import Store

    store = Store(path)
    try:
        email = args.agent or (None if demo else settings.agent_email)
        if email and sys.stdin.isatty():
            offer_agent(store, email, input)
        live = None
        if live_rate is not None:
            from deskterm.app.live_demo import LiveDemoRunner
            from deskterm.backend.demo.live import LiveDemo

            live = LiveDemoRunner(LiveDemo(store, rate_per_hour=live_rate, seed=live_seed))
        app = create_app(
            store, settings, agent_email=args.agent, demo=demo, lesson=lesson, live_demo=live
        )
        app.run()
    finally:
        store.close()
    return app.return_code or 0


def offer_agent(store: Store, email: str, ask: Callable[[str], str]) -> None:
    """An agent the store does not know (``--agent``, or the config's outside the demo):
    offer to create it, named after the address; StoreError when the answer is no."""
    if store.agent_by_email(email) is not None:
        return
    name = " ".join(w.capitalize() for w in email.split("@", 1)[0].replace("_", ".").split("."))
    try:
        answer = ask(f"No agent {email} in {store.path}. Create {name} <{email}>? [Y/n] ")
    except EOFError:
        answer = "n"
    if answer.strip().lower() not in ("", "y", "yes", "o", "oui"):
        known = ", ".join(a.email for a in store.agents()[:5]) or "none yet"
        raise StoreError(f"No agent {email} in {store.path} (agents: {known})")
    store.add_agent(name or email, email)


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
