"""A workstation in a process of its own, driven line by line over stdin, for the tests of
several processes sharing one store (tests/unit/test_store_processes.py).

``python -m tests.unit.workstation_process STORE [--app]``

It opens the store as the app does: a Store whose connections are made on several threads
(the workers), plus the connection that watches for changes. With ``--app`` it runs the real
app headless (``App.run_test``) on that store and writes from the app's thread workers.

Commands, one per line; each answer is one line:
- ``note TEXT``: add an internal note TEXT to conversation 1 from a worker thread: ``ok``
- ``has TEXT``: whether a message TEXT is visible: ``yes`` or ``no``
- ``count``: how many messages are visible
- ``quit``: close the store and exit: ``bye``
A failure answers ``error TYPE: MESSAGE`` and the process goes on.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from deskterm.backend.store import Store
from deskterm.domain.models import AuthorKind

WORKERS = 4


def answer(text: str) -> None:
    # The real stdout: a running Textual app captures sys.stdout.
    out = sys.__stdout__
    assert out is not None
    out.write(text + "\n")
    out.flush()


def command(store: Store, line: str) -> str:
    """Run one command on the calling thread's connection."""
    verb, _, text = line.partition(" ")
    if verb == "note":
        store.add_message(1, author_kind=AuthorKind.AGENT, author_id=1, body=text, public=False)
        return "ok"
    if verb == "has":
        row = store.conn.execute("SELECT count(*) FROM messages WHERE body = ?", (text,))
        return "yes" if row.fetchone()[0] else "no"
    if verb == "count":
        return str(store.conn.execute("SELECT count(*) FROM messages").fetchone()[0])
    return f"error unknown command {verb!r}"


def guarded(run: Callable[[], str]) -> str:
    try:
        return run()
    except Exception as exc:  # reported to the test, which decides
        return f"error {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def run_store(path: Path) -> None:
    store = Store(path)
    store.data_version()  # the live-update watch has a connection of its own
    # Each worker thread opens its connection now, as the app's workers do at start.
    started = threading.Barrier(WORKERS)

    def open_connection() -> None:
        store.conn.execute("SELECT count(*) FROM conversations").fetchone()
        started.wait()

    with ThreadPoolExecutor(WORKERS) as pool:
        for _ in range(WORKERS):
            pool.submit(open_connection)
        answer("ready")
        for line in sys.stdin:
            line = line.rstrip("\n")
            if line == "quit":
                break
            future = pool.submit(guarded, lambda line=line: command(store, line))
            answer(future.result())
    store.close()
    answer("bye")


async def run_app(path: Path) -> None:
    from deskterm.app import create_app
    from deskterm.config import Settings

    store = Store(path)
    app = create_app(store, Settings(undo_send_seconds=0), agent_email="camille@popote.example")
    loop = asyncio.get_running_loop()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        answer("ready")
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).rstrip("\n")
            if line in ("quit", ""):
                break
            worker = app.run_worker(
                lambda line=line: guarded(lambda: command(store, line)), thread=True
            )
            answer(await worker.wait())
        await app.action_quit()
    store.close()
    answer("bye")


def main(argv: list[str]) -> None:
    path = Path(argv[0])
    if "--app" in argv:
        asyncio.run(run_app(path))
    else:
        run_store(path)


if __name__ == "__main__":
    main(sys.argv[1:])
