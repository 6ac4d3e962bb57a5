"""sqlite-utils against deskterm's hand-written SQL, where one could replace the other.

Each comparison runs the two ways in the same process, alternating, on a demo store written
in a temporary directory (nothing is kept):

- **seed**: ``generate_demo`` as it is, and with its bulk inserts done by
  ``Table.insert_all`` on a ``Database`` wrapping the seeder's connection (same rows, same
  transaction);
- **insert**: the store's messages (and conversations) copied into an empty table, without
  indexes or triggers: ``executemany`` versus ``insert_all`` — the write alone;
- **rebuild**: both full-text indexes rebuilt under the seeder's pragmas: the ``'rebuild'``
  statements versus ``Table.rebuild_fts()`` (the import is timed apart);
- **upsert**: one ``sync_state`` write in a transaction, as the mirror writes its cursor:
  ``INSERT ... ON CONFLICT DO UPDATE`` versus ``Table.upsert(..., pk=...)`` on a new
  ``Database`` (as a function given a connection would make one), and the schema changes
  each makes (``PRAGMA schema_version``);
- **status change**: 5,000 status changes in one transaction, with the store's full-text
  triggers and with the ones ``Table.enable_fts(create_triggers=True)`` makes instead;
- **import**: ``import sqlite_utils`` in a fresh interpreter that has deskterm's command line
  and seeder loaded already.

Usage: python bench/bench_sqlite_utils.py [--conversations 10000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sqlite_utils import Database  # noqa: E402

from deskterm.backend.demo import generate  # noqa: E402
from deskterm.backend.sync import mirror  # noqa: E402

#: The seeder's statements, read back as (table, columns, whether duplicates are skipped).
PARSED = {
    sql: (m[2], tuple(c.strip() for c in m[3].split(",")), bool(m[1]))
    for sql in generate.INSERTS.values()
    if (m := re.match(r"INSERT (OR IGNORE )?INTO (\w+)\(([^)]*)\)", sql))
}


def database(conn: sqlite3.Connection) -> Database:
    """sqlite-utils on an existing connection, changing nothing about it."""
    return Database(conn, recursive_triggers=False, execute_plugins=False)


class InsertAllWriter(generate.BulkWriter):
    """The seeder's writer with each ``executemany`` done by ``Table.insert_all``."""

    def write(self, batch: Any) -> None:
        conn = self.conn
        db = database(conn)

        def insert_all(sql: str, rows: list[Any]) -> None:
            table, names, ignore = PARSED[sql]
            db.table(table).insert_all(chain([names], rows), batch_size=len(rows), ignore=ignore)

        self.conn = _Conn(conn, insert_all)  # type: ignore[assignment]
        try:
            super().write(batch)
        finally:
            self.conn = conn


class _Conn:
    """A connection whose ``executemany`` goes elsewhere."""

    def __init__(self, conn: sqlite3.Connection, executemany: Callable[..., None]) -> None:
        self._conn = conn
        self.executemany = executemany

    def execute(self, *args: Any) -> sqlite3.Cursor:
        return self._conn.execute(*args)


def seed(tmp: Path, size: int, rounds: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {"executemany": [], "insert_all": []}
    original = generate.BulkWriter
    for _ in range(rounds):
        for how in times:
            path = tmp / f"seed-{how}.db"
            generate.BulkWriter = original if how == "executemany" else InsertAllWriter
            try:
                summary = generate.generate_demo(path, conversations=size)
            finally:
                generate.BulkWriter = original
            times[how].append(summary.seconds)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    return _compare(times, "executemany", "insert_all")


def insert(store: Path, rounds: int) -> dict[str, Any]:
    src = sqlite3.connect(store)
    report = {}
    for table in ("messages", "conversations"):
        names = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
        rows = src.execute(f"SELECT * FROM {table}").fetchall()
        ddl = src.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        sql = f"INSERT INTO {table}({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        times: dict[str, list[float]] = {"executemany": [], "insert_all": []}
        for _ in range(rounds):
            for how in times:
                conn = sqlite3.connect(":memory:", isolation_level=None)
                conn.execute("PRAGMA foreign_keys = OFF")
                conn.execute(ddl)
                conn.execute("BEGIN")
                start = time.perf_counter()
                if how == "executemany":
                    conn.executemany(sql, rows)
                else:
                    database(conn).table(table).insert_all(
                        chain([names], rows), batch_size=len(rows)
                    )
                times[how].append(time.perf_counter() - start)
                conn.execute("COMMIT")
                conn.close()
        report[f"{table} ({len(rows):,} rows)"] = _compare(times, "executemany", "insert_all")
    src.close()
    return report


def rebuild(store: Path, tmp: Path, rounds: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {"sql": [], "rebuild_fts": []}
    for _ in range(rounds):
        for how in times:
            copy = tmp / "rebuild.db"
            shutil.copy(store, copy)
            conn = sqlite3.connect(copy, isolation_level=None)
            for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = MEMORY",
                           "cache_size = -65536"):  # fmt: skip
                conn.execute(f"PRAGMA {pragma}")
            conn.execute("BEGIN")
            start = time.perf_counter()
            if how == "sql":
                conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
                conn.execute("INSERT INTO subjects_fts(subjects_fts) VALUES ('rebuild')")
            else:
                db = database(conn)
                db.table("messages_fts").rebuild_fts()
                db.table("subjects_fts").rebuild_fts()
            times[how].append(time.perf_counter() - start)
            conn.execute("COMMIT")
            conn.close()
            copy.unlink()
    return _compare(times, "sql", "rebuild_fts")


def _sqlite_utils_set_state(c: sqlite3.Connection, connector: str, key: str, value: str) -> None:
    database(c).table("sync_state").upsert(
        {"connector": connector, "key": key, "value": value}, pk=("connector", "key")
    )


def upsert(store: Path, tmp: Path) -> dict[str, Any]:
    copy = tmp / "upsert.db"
    shutil.copy(store, copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    report: dict[str, Any] = {}
    for _ in range(2):
        for how, fn in (("sql", mirror.set_state), ("upsert", _sqlite_utils_set_state)):
            calls = []
            before = conn.execute("PRAGMA schema_version").fetchone()[0]
            for i in range(300):
                conn.execute("BEGIN")
                start = time.perf_counter()
                fn(conn, "bench", "cursor", str(i))
                calls.append(time.perf_counter() - start)
                conn.execute("COMMIT")
            after = conn.execute("PRAGMA schema_version").fetchone()[0]
            median_us = round(statistics.median(calls) * 1e6)
            report.setdefault(how, []).append(
                {"us_per_call": median_us, "schema_changes": after - before}
            )
    conn.close()
    copy.unlink()
    return report


def status_changes(store: Path, tmp: Path, rounds: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {"store_triggers": [], "enable_fts_triggers": []}
    for _ in range(rounds):
        for how in times:
            copy = tmp / "status.db"
            shutil.copy(store, copy)
            conn = sqlite3.connect(copy, isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            if how == "enable_fts_triggers":
                for trigger in ("insert", "delete", "update"):
                    conn.execute(f"DROP TRIGGER subjects_fts_{trigger}")
                conn.execute("DROP TABLE subjects_fts")
                database(conn).table("conversations").enable_fts(
                    ["subject"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
                )
            ids = [r[0] for r in conn.execute("SELECT id FROM conversations LIMIT 5000")]
            conn.execute("BEGIN")
            start = time.perf_counter()
            for cid in ids:
                conn.execute(
                    "UPDATE conversations SET status = 'pending', version = version + 1 "
                    "WHERE id = ?",
                    (cid,),
                )
            times[how].append((time.perf_counter() - start) / len(ids))
            conn.execute("COMMIT")
            conn.close()
            copy.unlink()
    report = _compare(times, "store_triggers", "enable_fts_triggers")
    report["unit"] = "seconds per status change"
    return report


def import_cost(rounds: int) -> list[float]:
    probe = (
        "import time, deskterm.cli, deskterm.backend.demo.generate\n"
        "t = time.perf_counter(); import sqlite_utils\n"
        "print(time.perf_counter() - t)"
    )
    env_path = str(ROOT / "src")
    found = []
    for _ in range(rounds * 2):
        out = subprocess.run(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {env_path!r})\n{probe}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        found.append(round(float(out.stdout) * 1000, 1))
    return found


def _compare(times: dict[str, list[float]], a: str, b: str) -> dict[str, Any]:
    return {
        a: [round(t, 6) for t in times[a]],
        b: [round(t, 6) for t in times[b]],
        "ratio_of_medians": round(statistics.median(times[b]) / statistics.median(times[a]), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        store = tmp / "store.db"
        generate.generate_demo(store, conversations=args.conversations)
        report = {
            "conversations": args.conversations,
            "seed": seed(tmp, args.conversations, args.rounds),
            "insert": insert(store, args.rounds),
            "rebuild": rebuild(store, tmp, args.rounds),
            "upsert": upsert(store, tmp),
            "status_change": status_changes(store, tmp, args.rounds),
            "import_ms": import_cost(args.rounds),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
