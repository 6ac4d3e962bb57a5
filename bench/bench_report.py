"""``deskterm report`` for one month of the 10k and the 1M demo stores, in one run.

Each run is a fresh ``deskterm report`` process (as a lead would type it), reading the store
read-only, for the 30 days that end on the store's last day; stdout goes to a pipe and is
thrown away. The first run of a size is reported apart (the file may not be in the page
cache yet), then the median of the next runs. The stores are the ones the other benchmarks
write into ``bench/out/`` (``--stores`` reads them from another folder).

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
    return path


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
    for size in sorted(int(s) for s in args.sizes.split(",")):
        path = ensure_store(args.stores, size)
        since, until, conversations, messages = last_month(path)
        first = run(path, since, until, "table")
        warm = [run(path, since, until, "table") for _ in range(args.runs)]
        as_json = [run(path, since, until, "json") for _ in range(args.runs)]
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        report[f"{size:,}"] = row = {
            "period": f"{since}..{until}",
            "conversations_in_period": conversations,
            "messages_in_period": messages,
            "first_run_s": round(first, 2),
            "table_median_s": round(statistics.median(warm), 2),
            "json_median_s": round(statistics.median(as_json), 2),
            # Children's ru_maxrss is the largest child so far: meaningful as sizes grow.
            "peak_rss_mb": round(peak, 1),
        }
        print(f"{size:>10,} conversations: {json.dumps(row)}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
