"""Several processes on one store file, as on an agent's machine: nothing written is lost.

A workstation (a process holding a Store with connections on several threads, or the real
app headless) shares its store with another program that opens and closes it: a second
workstation, the deskterm command, the sqlite3 shell, a raw connection, a backup. After
each, the workstation still holds its -wal and -shm (none deleted under it), each side
sees the other's writes, and after ``kill -9`` the store is sound with every committed
write in it.

The trap these guard against: closing any descriptor of the store file drops all of a
process's SQLite (POSIX) locks on it, and the next client to close then believes it is the
last one and deletes the WAL the workstation is still writing into.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskterm.backend.store import Store
from deskterm.domain.models import Channel, Handle

ROOT = Path(__file__).resolve().parents[2]
SQLITE3 = shutil.which("sqlite3")
ANSWER_TIMEOUT = 60.0

needs_shell = pytest.mark.skipif(
    SQLITE3 is None, reason="the sqlite3 shell is not installed (scripts/test installs it)"
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    return env


class Workstation:
    """A workstation process on ``path``, driven by the commands of workstation_process."""

    def __init__(self, path: Path, *, app: bool = False) -> None:
        self.path = path
        self.errors = path.parent / f"workstation-{id(self)}.err"
        argv = [sys.executable, "-m", "tests.unit.workstation_process", str(path)]
        self.proc = subprocess.Popen(
            [*argv, "--app"] if app else argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors.open("w"),
            text=True,
            cwd=ROOT,
            env=_env(),
        )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self._answer() == "ready"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))

    def _answer(self) -> str:
        try:
            return self._lines.get(timeout=ANSWER_TIMEOUT)
        except queue.Empty:
            raise AssertionError(
                f"the workstation did not answer: {self.errors.read_text()[-2000:]}"
            ) from None

    def ask(self, line: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def note(self, text: str) -> None:
        assert self.ask(f"note {text}") == "ok"

    def sees(self, text: str) -> bool:
        return self.ask(f"has {text}") == "yes"

    def deleted_journals(self) -> list[str]:
        """The store's -wal and -shm files this process still has open although deleted."""
        found = []
        for fd in Path(f"/proc/{self.proc.pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith(str(self.path)) and target.endswith(" (deleted)"):
                found.append(target)
        return found

    def kill(self) -> None:
        """``kill -9``: no close, no checkpoint."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=ANSWER_TIMEOUT)

    def quit(self) -> None:
        assert self.ask("quit") == "bye"
        self.proc.wait(timeout=ANSWER_TIMEOUT)


@pytest.fixture
def shared_store(tmp_path: Path) -> Path:
    """A store with one agent, one customer and conversation #1, closed."""
    from deskterm.domain.sla import DEFAULT_POLICIES

    path = tmp_path / "shared.db"
    store = Store(path)
    store.set_sla_policies(DEFAULT_POLICIES)
    store.add_agent("Camille Moreau", "camille@popote.example")
    customer = store.add_customer(
        "Léa Martin", handles=[Handle(channel=Channel.EMAIL, value="lea@example.com")]
    )
    assert store.open_conversation(customer, Channel.EMAIL, "Help", "hello") == 1
    store.close()
    return path


@pytest.fixture
def workstations() -> Iterator[list[Workstation]]:
    """Every workstation a test starts, killed at the end whatever happened."""
    started: list[Workstation] = []
    yield started
    for ws in started:
        if ws.proc.poll() is None:
            ws.kill()


def run(argv: list[str]) -> str:
    done = subprocess.run(
        argv, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=ANSWER_TIMEOUT
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def deskterm(*args: str) -> str:
    return run([sys.executable, "-m", "deskterm", *args])


def shell(path: Path, *sql: str) -> str:
    assert SQLITE3 is not None
    return run([SQLITE3, str(path), *sql])


def one_shot_note(path: Path, text: str) -> None:
    """Another workstation that opens the store, writes a note and exits."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.unit.workstation_process", str(path)],
        input=f"note {text}\nquit\n",
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=ANSWER_TIMEOUT,
    )
    assert done.stdout.split() == ["ready", "ok", "bye"], done.stderr


def seen_by_another_process(path: Path, text: str) -> bool:
    out = run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "print(c.execute('SELECT count(*) FROM messages WHERE body = ?', "
            "(sys.argv[2],)).fetchone()[0]); c.close()",
            str(path),
            text,
        ]
    )
    return out.strip() != "0"


def assert_sound_with(path: Path, notes: list[str]) -> None:
    """The store passes integrity_check and holds every note."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        bodies = {r[0] for r in conn.execute("SELECT body FROM messages")}
    finally:
        conn.close()
    assert [n for n in notes if n not in bodies] == []


def raw_connect(path: Path) -> None:
    run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('SELECT count(*) FROM messages').fetchone(); c.close()",
            str(path),
        ]
    )


def backup(path: Path) -> None:
    copy = path.with_name("backup.db")
    shell(path, f".backup {copy}")
    assert_sound_with(copy, ["before"])


def copy_checkpointed(path: Path) -> None:
    shell(path, "PRAGMA wal_checkpoint(TRUNCATE)")
    copy = path.with_name("copy.db")
    run(["cp", str(path), str(copy)])
    assert_sound_with(copy, ["before"])


#: Other programs that open the store and close it while the workstation runs.
OTHERS = {
    "sqlite3 shell": lambda path: shell(path, "SELECT count(*) FROM messages"),
    "raw sqlite3.connect": raw_connect,
    "deskterm report": lambda path: deskterm("report", "--db", str(path)),
    "deskterm macros export": lambda path: deskterm("--db", str(path), "macros", "export", "-"),
    "sqlite3 .backup": backup,
    "copy of a checkpointed store": copy_checkpointed,
}
SHELL_NEEDED = {"sqlite3 shell", "sqlite3 .backup", "copy of a checkpointed store"}


def share_with_another_program(path: Path, ws: Workstation, other) -> list[str]:
    """The workstation writes around another program's visit; returns what was written."""
    ws.note("before")
    other(path)
    assert ws.deleted_journals() == []
    ws.note("after")
    assert seen_by_another_process(path, "after")
    one_shot_note(path, "from elsewhere")
    assert ws.sees("from elsewhere")
    other(path)
    assert ws.deleted_journals() == []
    ws.note("last")
    return ["hello", "before", "after", "from elsewhere", "last"]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(OTHERS))
def test_a_workstation_keeps_its_writes_when_another_program_opens_and_closes_the_store(
    shared_store: Path, workstations: list[Workstation], name: str
):
    if name in SHELL_NEEDED and SQLITE3 is None:
        pytest.skip("the sqlite3 shell is not installed (scripts/test installs it)")
    ws = Workstation(shared_store)
    workstations.append(ws)
    notes = share_with_another_program(shared_store, ws, OTHERS[name])
    ws.kill()
    assert_sound_with(shared_store, notes)


@pytest.mark.slow
def test_two_workstations_see_each_other_and_survive_each_others_end(
    shared_store: Path, workstations: list[Workstation]
):
    first = Workstation(shared_store)
    workstations.append(first)
    second = Workstation(shared_store)
    workstations.append(second)
    first.note("one")
    assert second.sees("one")
    second.note("two")
    assert first.sees("two")
    second.quit()  # a clean close: the last one standing must not be fooled
    assert first.deleted_journals() == []
    first.note("three")
    assert seen_by_another_process(shared_store, "three")

    third = Workstation(shared_store)
    workstations.append(third)
    third.note("four")
    third.kill()  # kill -9 of one: the other goes on, nothing committed is gone
    assert first.sees("four")
    first.note("five")
    assert first.deleted_journals() == []
    assert seen_by_another_process(shared_store, "five")
    first.kill()
    assert_sound_with(shared_store, ["hello", "one", "two", "three", "four", "five"])


@pytest.mark.slow
@needs_shell
def test_the_app_keeps_its_journals_when_the_sqlite3_shell_reads_its_store(
    shared_store: Path, workstations: list[Workstation]
):
    app = Workstation(shared_store, app=True)
    workstations.append(app)
    app.note("typed in the app")
    shell(shared_store, "SELECT count(*) FROM messages")
    assert app.deleted_journals() == []
    app.note("typed after the shell")
    assert seen_by_another_process(shared_store, "typed after the shell")
    app.kill()
    assert_sound_with(shared_store, ["hello", "typed in the app", "typed after the shell"])


@pytest.mark.slow
@needs_shell
def test_a_note_written_after_the_sqlite3_shell_counted_messages_survives_kill_9(
    shared_store: Path, workstations: list[Workstation]
):
    """The incident as reported: a note, then another shell's ``select count(*)``, then the
    note that vanished. Checked by its outcome only: present after the workstation dies."""
    ws = Workstation(shared_store)
    workstations.append(ws)
    ws.note("before the shell")
    assert shell(shared_store, "SELECT count(*) FROM messages").strip() == "2"
    ws.note("after the shell")
    ws.kill()
    assert_sound_with(shared_store, ["hello", "before the shell", "after the shell"])


@pytest.mark.slow
def test_seed_force_refuses_a_store_a_workstation_has_open(
    shared_store: Path, workstations: list[Workstation]
):
    ws = Workstation(shared_store)
    workstations.append(ws)
    ws.note("typed while seed --force ran")
    done = subprocess.run(
        [sys.executable, "-m", "deskterm", "seed", str(shared_store), "--force"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=ANSWER_TIMEOUT,
    )
    assert done.returncode != 0
    assert "open in another program" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert ws.deleted_journals() == []
    ws.kill()
    assert_sound_with(shared_store, ["hello", "typed while seed --force ran"])


def test_seed_force_replaces_a_store_nobody_has_open(shared_store: Path):
    deskterm("seed", str(shared_store), "--force", "--conversations", "5")
    with sqlite3.connect(shared_store) as conn:
        assert conn.execute("SELECT count(*) FROM conversations").fetchone()[0] == 5
