"""``deskterm report``: read a store (never write to it) and print a period's figures."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from deskterm.backend.db import StoreError, connect
from deskterm.backend.metrics import BREAKDOWNS, build_report
from deskterm.backend.metrics.agents import team_view
from deskterm.backend.metrics.report import FORMATS, render
from deskterm.config import Settings, is_lead
from deskterm.domain.zones import local_timezone

DEFAULT_DAYS = 30


class ReportError(ValueError):
    """Bad input on the command line; the message is one line for the user."""


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def period(since_text: str | None, until_text: str | None, today: date) -> tuple[date, date]:
    """The days asked for: --until defaults to today, --since to 29 days before it."""
    until = _day("--until", until_text) or today
    since = _day("--since", since_text) or until - timedelta(days=DEFAULT_DAYS - 1)
    if until < since:
        raise ReportError(f"--until {until} is before --since {since}")
    return since, until


def run_report(args: argparse.Namespace, settings: Settings, path: Path) -> int:
    try:
        if args.by not in BREAKDOWNS:
            raise ReportError(f"--by {args.by!r}: use one of {', '.join(BREAKDOWNS)}")
        if args.format not in FORMATS:
            raise ReportError(f"--format {args.format!r}: use one of {', '.join(FORMATS)}")
        tz = local_timezone(settings.timezone)
        now = datetime.now(UTC)
        since, until = period(args.since, args.until, now.astimezone(tz).date())
    except ReportError as exc:
        print(f"deskterm report: {exc}", file=sys.stderr)
        return 2
    conn = connect(path, create=False, readonly=True)
    try:
        report = build_report(conn, since=since, until=until, tz=tz, now=now, by=args.by)
        viewer = _viewer(conn, settings.agent_email)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"Cannot read {path}: {exc}") from None
    finally:
        conn.close()
    # Whoever the settings name sees their own line and the team's medians, unless a lead;
    # a report with no agent named is the team's (every agent).
    team = team_view(
        report.agents,
        report.overall,
        viewer=viewer,
        lead=viewer is None or is_lead(settings, viewer, settings.agent_email),
    )
    width = None if sys.stdout.isatty() else 120
    sys.stdout.write(render(report, args.format, width=width, team=team))
    return 0


def _viewer(conn: sqlite3.Connection, email: str | None) -> int | None:
    """The id of the agent the settings name, if they are in the store."""
    if not email:
        return None
    row = conn.execute(
        "SELECT id FROM agents WHERE email = ? COLLATE NOCASE", (email.strip(),)
    ).fetchone()
    return int(row[0]) if row else None
