"""Writing demo stores: time, size and peak memory for 10k, 100k and 1M conversations.

Each size is written by ``deskterm seed`` in a fresh process (as a user or a script would run
it), into ``bench/out/seed-N.db``, which is removed afterwards. Peak memory is the child's
maximum RSS.

Usage: python bench/bench_seed.py [--sizes 10000,100000,1000000] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

#: Every run writes the same data: the same seed and the same "now" give the same file.
SEED_NOW = "2026-12-01T12:00:00Z"


def seed(size: int, out: Path = OUT) -> dict[str, float]:
    path = out / f"seed-{size}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "deskterm",
            "seed",
            str(path),
            "--conversations",
            str(size),
            "--now",
            SEED_NOW,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    size_mb = (
        sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())
        / 1e6
    )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return {
        "seconds": round(seconds, 1),
        "conversations_per_s": round(size / seconds),
        "store_mb": round(size_mb, 1),
        # ru_maxrss of children is the largest child so far: meaningful when sizes grow.
        "peak_rss_mb": round(max(peak, before) / 1024, 1),
        "summary": result.stdout.strip(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--out", type=Path, default=OUT, help="where the stores and seed.json go")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    report = {}
    for size in sorted(int(s) for s in args.sizes.split(",")):
        report[f"{size:,}"] = row = seed(size, args.out)
        print(f"{size:>10,} conversations: {json.dumps(row)}", flush=True)
    (args.out / "seed.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
