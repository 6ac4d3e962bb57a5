"""Urgency weighed with what is at stake, at 1M conversations: what it costs.

On a copy of a version 3 store (urgency = the due time alone), times:
- the header's breaching count, with version 3's query (a range of (bucket, urgency), when
  urgency was the due time) and with version 4's (a range of the open conversations' due
  times, a partial index);
- the inbox's first page (50 rows, the same keyset query before and after);
- the version 4 migration that weighs every open conversation's urgency once.

The copy is changed (migrated); the store given is never opened for writing.

Usage: python bench/bench_urgency.py STORE_V3.db WORK_COPY.db [--rounds 30]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from deskterm.backend.rows import INBOX_COLUMNS  # noqa: E402
from deskterm.backend.schema import MIGRATIONS, _split  # noqa: E402

OLD_COUNT = (
    "SELECT count(*) FROM conversations c WHERE c.bucket IN ('inbox', 'snoozed') "
    "AND c.urgency < ? AND c.sla_due_at IS NOT NULL"
)
NEW_COUNT = (
    "SELECT count(*) FROM conversations c INDEXED BY conv_open_due "
    "WHERE c.bucket IN ('inbox', 'snoozed') AND c.sla_due_at < ?"
)
TRUE_COUNT = (
    "SELECT count(*) FROM conversations WHERE bucket IN ('inbox', 'snoozed') AND sla_due_at < ?"
)
FIRST_PAGE = (
    f"SELECT {INBOX_COLUMNS}, c.urgency FROM conversations c "
    "JOIN customers cu ON cu.id = c.customer_id WHERE c.bucket = 'inbox' "
    "ORDER BY c.urgency, c.id LIMIT 50"
)


def timed(conn: sqlite3.Connection, sql: str, params: tuple, rounds: int) -> tuple[float, float]:
    """(p50, max) in milliseconds."""
    runs = []
    for _ in range(rounds):
        start = time.perf_counter()
        conn.execute(sql, params).fetchall()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), max(runs)


def show(what: str, times: tuple[float, float]) -> None:
    print(f"{what}: p50 {times[0]:.2f} ms, max {times[1]:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("copy", type=Path)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    if not args.copy.exists():
        shutil.copyfile(args.store, args.copy)
    conn = sqlite3.connect(args.copy, isolation_level=None)
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    if version != "3":
        sys.exit(f"{args.copy}: schema version {version}, expected 3")
    now = conn.execute("SELECT max(last_message_at) FROM conversations").fetchone()[0]
    counts = conn.execute(
        "SELECT bucket, count(*) FROM conversations GROUP BY bucket ORDER BY bucket"
    ).fetchall()
    print("conversations by bucket:", dict(counts))
    show("v3 breaching count", timed(conn, OLD_COUNT, (now,), args.rounds))
    show("v3 first page", timed(conn, FIRST_PAGE, (), args.rounds))
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for statement in _split(MIGRATIONS[3]):
        conn.execute(statement)
    conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    conn.execute("COMMIT")
    print(f"v4 migration: {time.perf_counter() - start:.1f} s")
    new = (now,)
    show("v4 breaching count", timed(conn, NEW_COUNT, new, args.rounds))
    show("v4 first page", timed(conn, FIRST_PAGE, (), args.rounds))
    counted, truth = (
        conn.execute(q, p).fetchone()[0] for q, p in ((NEW_COUNT, new), (TRUE_COUNT, (now,)))
    )
    print(f"v4 breaching count {counted:,}, by a full scan {truth:,}")
    conn.close()


if __name__ == "__main__":
    main()
