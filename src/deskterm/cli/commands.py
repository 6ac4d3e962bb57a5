"""The ``deskterm`` command: the parser, and the dispatch to one module per command.

Every module of this package that defines ``add_command`` is a command: it adds its
sub-parser with ``add_command(sub)`` and runs with ``run(args, settings)``, returning the
exit status. A new command is one new module; nothing here lists them. Modules keep their
heavy imports inside ``run``: every command's parser is built on every start.

Every failure a user can cause (a bad path, a broken config, a damaged store) ends in one
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from deskterm import __version__, locations, logs
from deskterm.backend.db import StoreError
from deskterm.cli.sync import add_arguments as add_remote_arguments
from deskterm.cli.sync import open_remote, wants_remote
from deskterm.cli.workstation import open_workstation
from deskterm.config import ConfigError, load
from deskterm.keymap import KeymapError, check_keymap


def command_modules() -> dict[str, ModuleType]:
    """The commands, by name, in the order ``--help`` lists them."""
    import deskterm.cli as package

    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name == "commands":
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if hasattr(module, "add_command"):
            found[module.COMMAND] = module
    return found


def build_parser(commands: dict[str, ModuleType] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deskterm",
        description="A keyboard-first terminal workstation for customer-support agents.",
    )
    parser.add_argument("--version", action="version", version=f"deskterm {__version__}")
    parser.add_argument("--db", type=Path, help="open this store file instead of the default")
    parser.add_argument("--agent", metavar="EMAIL", help="work as this agent (default: config)")
    parser.add_argument("--config", type=Path, help="read settings from this TOML file")
    parser.add_argument(
        "--shift",
        action="store_true",
        help="shift mode, for a monthly support shift: start where a newcomer can answer, "
        "the next step in words, a confirmation before a reply goes (stores nothing)",
    )
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
    for module in (command_modules() if commands is None else commands).values():
        module.add_command(sub)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command; the exit status."""
    commands = command_modules()
    args = build_parser(commands).parse_args(argv)
    if args.command not in (None, "demo"):
        gc.enable()  # only the workstation's start-up is worth pausing the collector for
    _start_log(args.log_level)
    try:
        settings = load(args.config)
        if args.shift:
            settings = settings.model_copy(update={"shift": True})
        check_keymap(settings.keymap)  # a clash stops here, before any store is opened
        if args.command is not None:
            status: int = commands[args.command].run(args, settings)
            return status
        if wants_remote(args, settings):
            return open_remote(args, settings)
        return open_workstation(args.db or locations.default_store(), args, settings)
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
