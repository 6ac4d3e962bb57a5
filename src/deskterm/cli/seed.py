"""``deskterm seed PATH``: write a demo store to a file and exit (scripts and benchmarks)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from deskterm.backend import db
from deskterm.backend.db import StoreError
from deskterm.cli.demo import DEFAULT_SEED, DEFAULT_SIZE
from deskterm.cli.workstation import positive
from deskterm.config import Settings

COMMAND = "seed"


def add_command(sub: argparse._SubParsersAction) -> None:
    seed = sub.add_parser(
        COMMAND,
        help="write a demo store to a file and exit",
        description="Write a demo store to PATH (for scripts and benchmarks).",
    )
    seed.add_argument("path", type=Path, help="the store file to write")
    seed.add_argument(
        "--conversations",
        type=positive,
        default=DEFAULT_SIZE,
        help=f"how many conversations to generate (default {DEFAULT_SIZE})",
    )
    seed.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    seed.add_argument(
        "--now",
        type=_instant,
        metavar="ISO-TIME",
        help="the moment the demo is built around (default: now), e.g. 2026-12-04T12:30:00Z; "
        "the same --seed and --now give the same file, byte for byte",
    )
    seed.add_argument("--force", action="store_true", help="overwrite an existing store")


def _instant(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO time (e.g. 2026-12-04T12:30:00Z)"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def run(args: argparse.Namespace, settings: Settings) -> int:
    from deskterm.backend.demo import generate_demo

    path: Path = args.path
    if path.exists() and not args.force:
        print(f"deskterm: {path} exists; use --force to overwrite it", file=sys.stderr)
        return 2
    if not path.parent.exists():
        raise StoreError(f"Cannot write {path}: the folder {path.parent} does not exist")
    db.remove(path)
    summary = generate_demo(
        path,
        conversations=args.conversations,
        seed=args.seed,
        now=args.now,
        progress=_progress if sys.stderr.isatty() else None,
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(summary.describe(path))
    return 0


def _progress(done: int, total: int) -> None:
    print(f"\rseeding… {done:,}/{total:,} conversations", end="", file=sys.stderr, flush=True)
