"""The ``deskterm`` command: open a store, the demo, seed a store, and more.

Every failure a user can cause (a bad path, a broken config, a damaged store) ends in one
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path

from deskterm import __version__, locations, logs
from deskterm.backend import db
from deskterm.backend.db import StoreError
from deskterm.cli.rules import add_rules_command
from deskterm.cli.sync import add_arguments as add_remote_arguments
from deskterm.cli.sync import add_sync_command, open_remote, run_sync, wants_remote
from deskterm.config import ConfigError, Settings, load
from deskterm.keymap import KeymapError

#: Kept in step with deskterm.backend.metrics and its report module (not imported: start-up).
BREAKDOWNS = ("channel", "group", "agent", "tag", "hour")
FORMATS = ("table", "csv", "json")

DEFAULT_DEMO_SIZE = 300


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deskterm",
        description="A keyboard-first terminal workstation for customer-support agents.",
    )
    parser.add_argument("--version", action="version", version=f"deskterm {__version__}")
    parser.add_argument("--db", type=Path, help="open this store file instead of the default")
    parser.add_argument("--agent", metavar="EMAIL", help="work as this agent (default: config)")
    parser.add_argument("--config", type=Path, help="read settings from this TOML file")
    parser.add_argument(
        "--log-level",
        type=str.lower,
        choices=logs.LEVELS,
        default=logs.DEFAULT_LEVEL,
        metavar="LEVEL",
        help=f"what the log file records: {', '.join(logs.LEVELS)} (default "
        f"{logs.DEFAULT_LEVEL}); it is {locations.APP}.log in the XDG state folder",
    )
    add_remote_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="open a generated demo helpdesk (no account, no network)",
        description="Open the workstation on a realistic demo helpdesk. It is "
        "built on first use and kept: what you do in it is still there next "
        "time.",
    )
    demo.add_argument(
        "--conversations",
        type=_positive,
        default=DEFAULT_DEMO_SIZE,
        help=f"how many conversations to generate (default {DEFAULT_DEMO_SIZE})",
    )
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument("--fresh", action="store_true", help="throw the demo away and rebuild it")

    seed = sub.add_parser(
        "seed",
        help="write a demo store to a file and exit",
        description="Write a demo store to PATH (for scripts and benchmarks).",
    )
    seed.add_argument("path", type=Path)
    seed.add_argument("--conversations", type=_positive, default=DEFAULT_DEMO_SIZE)
    seed.add_argument("--seed", type=int, default=7)
    seed.add_argument("--force", action="store_true", help="overwrite an existing store")

    macros = sub.add_parser(
        "macros",
        help="import or export the macro library as TOML",
        description="Keep the team's macros in a TOML file (e.g. in git).",
    )
    macros_sub = macros.add_subparsers(dest="macros_command", metavar="ACTION", required=True)
    export = macros_sub.add_parser("export", help="write macros to a TOML file ('-' for stdout)")
    export.add_argument("file")
    export.add_argument(
        "--personal",
        action="store_true",
        help="also export your personal macros (default: shared only)",
    )
    imp = macros_sub.add_parser("import", help="add or update macros from a TOML file")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--personal",
        action="store_true",
        help="import them as your personal macros instead of shared ones",
    )

    report = sub.add_parser(
        "report",
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
    add_sync_command(sub)
    add_rules_command(sub)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command; the exit status."""
    args = build_parser().parse_args(argv)
    if args.command not in (None, "demo"):
        gc.enable()  # only the workstation's start-up is worth pausing the collector for
    _start_log(args.log_level)
    try:
        settings = load(args.config)
        if args.command == "seed":
            return _seed(args)
        if args.command == "demo":
            return _demo(args, settings)
        if args.command == "report":
            from deskterm.cli.report import run_report

            return run_report(
                args, settings, args.report_db or args.db or locations.default_store()
            )
        if args.command == "rules":
            from deskterm.cli.rules import run_rules

            return run_rules(args, settings)
        if args.command == "macros":
            from deskterm.cli.macros import run_macros

            return run_macros(args, settings)
        if args.command == "sync":
            return run_sync(args, settings)
        if wants_remote(args, settings) and args.command is None:
            return open_remote(args, settings)
        return _open(args.db or locations.default_store(), args, settings)
    except (StoreError, ConfigError, KeymapError) as exc:
        print(f"deskterm: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _start_log(level: str) -> None:
    try:
        logs.setup(locations.log_file(), level)
    except OSError as exc:  # a read-only home: work without a log rather than not at all
        print(f"deskterm: no log file ({exc})", file=sys.stderr)


def _seed(args: argparse.Namespace) -> int:
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
        progress=_progress if sys.stderr.isatty() else None,
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(summary.describe(path))
    return 0


def _progress(done: int, total: int) -> None:
    print(f"\rseeding… {done:,}/{total:,} conversations", end="", file=sys.stderr, flush=True)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from deskterm.backend.demo import generate_demo

    path = args.db or locations.demo_store()
    if args.fresh:
        db.remove(path)
    if not path.exists():
        print(
            f"Building the demo helpdesk ({args.conversations:,} conversations)…", file=sys.stderr
        )
        generate_demo(path, conversations=args.conversations, seed=args.seed)
    return _open(path, args, settings, demo=True)


def _open(path: Path, args: argparse.Namespace, settings: Settings, *, demo: bool = False) -> int:
    from deskterm.app import create_app
    from deskterm.backend.store import Store

    store = Store(path)
    try:
        app = create_app(store, settings, agent_email=args.agent, demo=demo)
        app.run()
    finally:
        store.close()
    return app.return_code or 0
