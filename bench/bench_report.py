"""``deskterm report`` for one month of the 10k and the 1M demo stores, in one run.

Each run is a fresh ``deskterm report`` process (as a lead would type it), reading the store
read-only, for the 30 days that end on the store's last day; stdout goes to a pipe and is
thrown away. The stores are the ones the other benchmarks write into ``bench/out/``
(``--stores`` reads them from another folder), brought to the current schema first.

Per size, in this order: the month with no digest kept (every wait folded, the digests
written), then warm runs (the median is the table's figure) and JSON runs, then one run
after a reply written today (today's digest folded again). Then, in one process, the report
computed both ways back to back, CPU seconds: folding every wait, and from the digests; and
the interpreter's own start with deskterm's command line imported (the floor of any run).

Usage: python bench/bench_report.py [--sizes 10000,1000000] [--runs 3] [--stores DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def ensure_store(folder: Path, size: int) -> Path:
    path = folder / f"store-{size}.db"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "deskterm", "seed", str(path), "--conversations", str(size)],
            check=True,
        )
    # A store of an older schema is brought up to date once (the report reads read-only).
    subprocess.run(
        [sys.executable, "-c", "import sys; from deskterm.backend.db import connect; "
         "connect(sys.argv[1], create=False).close()", str(path)],
        check=True,
    )  # fmt: skip
    return path


def forget_digests(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM report_digests")
    conn.close()


def reply_today(path: Path) -> None:
    """A customer's message today, as the app would write it: today's waits change."""
    from deskterm.backend.store import Store
    from deskterm.domain.models import AuthorKind

    store = Store(path)
    try:
        cid = store.conn.execute(
            "SELECT conversation_id FROM waits ORDER BY started DESC LIMIT 1"
        ).fetchone()[0]
        store.add_message(cid, author_kind=AuthorKind.CUSTOMER, body="Any news?")
    finally:
        store.close()


def in_process(path: Path, since: str, until: str) -> dict[str, float]:
    """CPU seconds of the month's report in this process: folded, then from the digests."""
    from zoneinfo import ZoneInfo

    from deskterm.backend.metrics import build_report

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    args = dict(
        since=datetime.fromisoformat(since).date(),
        until=datetime.fromisoformat(until).date(),
        tz=ZoneInfo("UTC"),
        now=datetime.now(UTC),
    )
    found = {}
    try:
        for label, extra in (("folded", {}), ("digests", {"digests": str(path)})):
            start = time.process_time()
            build_report(conn, **args, **extra)  # type: ignore[arg-type]
            found[f"{label}_cpu_s"] = round(time.process_time() - start, 3)
    finally:
        conn.close()
    found["ratio"] = round(found["folded_cpu_s"] / found["digests_cpu_s"], 1)
    return found


def interpreter_floor() -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import deskterm.cli.report, deskterm.backend.metrics"],
        check=True,
    )
    return time.perf_counter() - start


def last_month(path: Path) -> tuple[str, str, int, int]:
    """The 30 days ending on the store's last message day (UTC), and what they hold."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        last = conn.execute("SELECT max(created_at) FROM messages").fetchone()[0]
        until = datetime.fromtimestamp(last, UTC).date()
        since = until - timedelta(days=29)
        start = int(datetime.combine(since, datetime.min.time(), UTC).timestamp())
        conversations = conn.execute(
            "SELECT count(*) FROM conversations WHERE created_at >= ?", (start,)
        ).fetchone()[0]
        messages = conn.execute(
            "SELECT count(*) FROM messages WHERE created_at >= ?", (start,)
        ).fetchone()[0]
    finally:
        conn.close()
    return since.isoformat(), until.isoformat(), conversations, messages


def run(path: Path, since: str, until: str, fmt: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "deskterm",
            "report",
            "--db",
            str(path),
            "--since",
            since,
            "--until",
            until,
            "--format",
            fmt,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        # Days in UTC and no personal settings: the same figures on any machine.
        env=os.environ | {"TZ": "UTC", "DESKTERM_CONFIG": str(OUT / "no-config.toml")},
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--runs", type=int, default=3, help="warm runs after the first")
    parser.add_argument("--stores", type=Path, default=OUT)
    args = parser.parse_args()
    report = {}
    # No personal settings: an empty configuration file (a missing one is refused).
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "no-config.toml").write_text("")
    for size in sorted(int(s) for s in args.sizes.split(",")):
        path = ensure_store(args.stores, size)
        since, until, conversations, messages = last_month(path)
        forget_digests(path)
        first = run(path, since, until, "table")
        warm = [run(path, since, until, "table") for _ in range(args.runs)]
        as_json = [run(path, since, until, "json") for _ in range(args.runs)]
        reply_today(path)
        after_reply = run(path, since, until, "table")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        report[f"{size:,}"] = row = {
            "period": f"{since}..{until}",
            "conversations_in_period": conversations,
            "messages_in_period": messages,
            "no_digest_s": round(first, 2),
            "table_median_s": round(statistics.median(warm), 2),
            "json_median_s": round(statistics.median(as_json), 2),
            "after_a_reply_today_s": round(after_reply, 2),
            "interpreter_and_imports_s": round(interpreter_floor(), 2),
            **in_process(path, since, until),
            # Children's ru_maxrss is the largest child so far: meaningful as sizes grow.
            "peak_rss_mb": round(peak, 1),
        }
        print(f"{size:>10,} conversations: {json.dumps(row)}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
