"""``deskterm report``: read a store (never write to it) and print a period's figures."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from deskterm import locations
from deskterm.backend.db import StoreError, connect
from deskterm.config import Settings, is_lead
from deskterm.domain.zones import local_timezone

COMMAND = "report"
DEFAULT_DAYS = 30
#: Kept in step with deskterm.backend.metrics and its report module, which are imported only
#: when a report is asked for (checked by the tests).
BREAKDOWNS = ("channel", "group", "agent", "tag", "hour")
FORMATS = ("table", "csv", "json")


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


def add_command(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser(
        COMMAND,
        help="print response times, SLA attainment, volume and reasons for a period",
        description="The metrics screen's figures on stdout: median and 90th-percentile "
        "first-response and response times, SLA attainment per policy, volume per day and "
        "the top reason tags. Days are in your time zone (the config's, else the system's); "
        "--until is included.",
    )
    report.add_argument(
        "--db", dest="report_db", type=Path, help="the store to read (default: your store)"
    )
    report.add_argument(
        "--since", metavar="DATE", help="first day, YYYY-MM-DD (default: 29 days before --until)"
    )
    report.add_argument("--until", metavar="DATE", help="last day, YYYY-MM-DD (default: today)")
    report.add_argument(
        "--by", default="channel", metavar="|".join(BREAKDOWNS), help="breakdown (default channel)"
    )
    report.add_argument(
        "--format", default="table", metavar="|".join(FORMATS), help="output (default table)"
    )
    report.add_argument(
        "--me",
        action="store_true",
        help="what you did: conversations answered, replies, closed, median response time "
        "and what customers wrote about most (you: deskterm --agent EMAIL, else the "
        "config's agent_email, else the store's first agent)",
    )
    report.add_argument("--today", action="store_true", help="the period is today")


def run(args: argparse.Namespace, settings: Settings) -> int:
    path = args.report_db or args.db or locations.default_store()
    if args.today:
        if args.since or args.until:
            print("deskterm report: --today goes without --since and --until", file=sys.stderr)
            return 2
        args.since = args.until = datetime.now(local_timezone(settings.timezone)).date().isoformat()
    if args.me:
        return run_mine(args, settings, path)
    return run_report(args, settings, path)


def run_mine(args: argparse.Namespace, settings: Settings, path: Path) -> int:
    """``--me``: one agent's day (or period), as the end-of-shift screen shows it."""
    from deskterm.backend.shift import describe, shift_summary

    tz = local_timezone(settings.timezone)
    try:
        since, until = period(args.since, args.until, datetime.now(tz).date())
    except ReportError as exc:
        print(f"deskterm report: {exc}", file=sys.stderr)
        return 2
    email = args.agent or settings.agent_email
    conn = connect(path, create=False, readonly=True)
    try:
        if email:
            row = conn.execute(
                "SELECT id, name FROM agents WHERE lower(email) = lower(?)", (email,)
            ).fetchone()
        else:  # as the workstation does: the store's first agent
            row = conn.execute("SELECT id, name FROM agents ORDER BY id LIMIT 1").fetchone()
        if row is None:
            print(f"deskterm report: no agent {email or ''} in {path}", file=sys.stderr)
            return 2
        start = datetime.combine(since, datetime.min.time(), tzinfo=tz)
        end = datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        summary = shift_summary(conn, int(row[0]), start, end)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"Cannot read {path}: {exc}") from None
    finally:
        conn.close()
    days = f"{since}" if since == until else f"{since} to {until}"
    print(f"{row[1]}, {days}")
    print("\n".join(describe(summary)))
    return 0


def run_report(args: argparse.Namespace, settings: Settings, path: Path) -> int:
    from deskterm.backend.metrics import build_report, read_policies
    from deskterm.backend.metrics.agents import team_view
    from deskterm.backend.metrics.report import render
    from deskterm.backend.sla_settings import policies_in_force

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
        policies = policies_in_force(conn, read_policies(conn), settings.sla)
        # Each day's figures are kept in the store as they are folded (a cache, written on a
        # connection of its own): the next report reads them instead of folding every wait.
        report = build_report(
            conn,
            since=since,
            until=until,
            tz=tz,
            now=now,
            by=args.by,
            policies=policies,
            digests=str(path),
        )
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
