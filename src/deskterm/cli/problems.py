"""``deskterm problems``: the problems list a product team reads every Monday, on stdout as a
table, CSV or JSON. Reads the store, never writes to it."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from deskterm.backend.db import StoreError, connect
from deskterm.backend.reads.problems import ACTIVE, Problems
from deskterm.config import Settings
from deskterm.domain.problems import Problem, ProblemStatus, sparkline
from deskterm.domain.safety import one_line

COMMAND = "problems"
FORMATS = ("table", "csv", "json")
CSV_FIELDS = (
    "id",
    "title",
    "kind",
    "status",
    "customers_this_week",
    "customers",
    "conversations",
    "first_report",
    "last_report",
    "reports_per_day",
    "notified",
    "tracker_url",
)


class _ReadOnly:
    """A store connection opened read-only, as the problem reads want it."""

    read_only_reason: str | None = "read-only"

    def __init__(self, conn: sqlite3.Connection, now: datetime) -> None:
        self.conn = conn
        self._now = now

    def now(self) -> datetime:
        return self._now

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        raise StoreError("deskterm problems only reads the store")
        yield self.conn  # pragma: no cover


def as_row(p: Problem) -> dict[str, Any]:
    def day(moment: datetime | None) -> str | None:
        return moment.date().isoformat() if moment is not None else None

    return {
        "id": p.id,
        "title": p.title,
        "kind": p.kind.value,
        "status": p.status.value,
        "customers_this_week": p.customers_week,
        "customers": p.customers,
        "conversations": p.conversations,
        "first_report": day(p.first_report),
        "last_report": day(p.last_report),
        "reports_per_day": p.per_day,
        "notified": p.notified,
        "tracker_url": p.tracker_url,
    }


def render(problems: list[Problem], fmt: str, *, width: int | None = None) -> str:
    """The problems as text in ``fmt`` (``table``, ``csv`` or ``json``)."""
    rows = [as_row(p) for p in problems]
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row | {"reports_per_day": " ".join(map(str, row["reports_per_day"]))})
        return out.getvalue()
    table = Table(
        title="Problems, most customers this week first (reports per day: 14 days)",
        title_justify="left",
        title_style="bold",
    )
    for name, right in (
        ("#", True),
        ("problem", False),
        ("status", False),
        ("this week", True),
        ("customers", True),
        ("reports", False),
        ("last", False),
        ("told", True),
    ):
        table.add_column(name, justify="right" if right else "left")
    for p in problems:
        table.add_row(
            str(p.id),
            one_line(p.title, 50),
            p.status.label,
            f"{p.customers_week:,}",
            f"{p.customers:,}",
            sparkline(p.per_day),
            f"{p.last_report:%Y-%m-%d}" if p.last_report else "—",
            f"{p.notified:,}",
        )
    console = Console(
        file=io.StringIO(), width=width or 110, force_terminal=False, color_system=None
    )
    console.print(table if problems else "No problems.")
    return console.file.getvalue()  # type: ignore[attr-defined]


def add_command(sub: argparse._SubParsersAction) -> None:
    problems = sub.add_parser(
        COMMAND,
        help="print the open problems, most customers this week first",
        description="Open problems (bugs, incidents, suggestions linked to conversations), "
        "the most customers touched in the last 7 days first, with the new reports per day "
        "over 14 days and the customers told of a fix.",
    )
    problems.add_argument(
        "--db", dest="problems_db", type=Path, help="the store to read (default: your store)"
    )
    problems.add_argument("--all", action="store_true", help="fixed and won't-fix problems too")
    problems.add_argument(
        "--format", default="table", metavar="|".join(FORMATS), help="output (default table)"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from deskterm import locations

    return run_problems(args, args.problems_db or args.db or locations.default_store())


def run_problems(args: argparse.Namespace, path: Path) -> int:
    if args.format not in FORMATS:
        print(
            f"deskterm problems: --format {args.format!r}: use one of {', '.join(FORMATS)}",
            file=sys.stderr,
        )
        return 2
    statuses = tuple(ProblemStatus) if args.all else ACTIVE
    conn = connect(path, create=False, readonly=True)
    conn.row_factory = sqlite3.Row
    try:
        problems = Problems(_ReadOnly(conn, datetime.now(UTC))).problems(statuses)
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise StoreError(f"Cannot read {path}: {exc}") from None
        problems = []  # a store from before problems
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"Cannot read {path}: {exc}") from None
    finally:
        conn.close()
    width = None if sys.stdout.isatty() else 120
    sys.stdout.write(render(problems, args.format, width=width))
    return 0
