"""``deskterm demo``: the workstation on a generated helpdesk, built on first use and kept."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deskterm import keymap, locations
from deskterm.backend import db
from deskterm.cli.workstation import open_workstation, positive
from deskterm.config import Settings

COMMAND = "demo"
DEFAULT_SIZE = 300
DEFAULT_SEED = 7
LIVE_KEY = keymap.keys_for("app.live_demo")
#: The live demo's default rate: a lunch rush for one agent, two new conversations a minute.
DEFAULT_RATE = 120


def rate_per_hour(text: str) -> float:
    """An argparse type: a rate such as "600", "600/h" or "600/hour" (more than 0)."""
    number = text.strip().lower()
    for unit in ("/hour", "/h"):
        number = number.removesuffix(unit)
    try:
        value = float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate (say 120 or 120/h)") from None
    if not value > 0 or value > 100_000:
        raise argparse.ArgumentTypeError("a rate is between 1 and 100000 per hour")
    return value


def add_command(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser(
        COMMAND,
        help="open a generated demo helpdesk (no account, no network)",
        description="Open the workstation on a realistic demo helpdesk. It is "
        "built on first use and kept: what you do in it is still there next "
        "time.",
    )
    demo.add_argument(
        "--conversations",
        type=positive,
        help=f"how many conversations to generate (default {DEFAULT_SIZE}); a kept demo "
        "of another size is rebuilt",
    )
    demo.add_argument(
        "--seed",
        type=int,
        help=f"random seed (default {DEFAULT_SEED}); a kept demo of another seed is rebuilt",
    )
    demo.add_argument("--fresh", action="store_true", help="throw the demo away and rebuild it")
    demo.add_argument(
        "--db", dest="demo_db", type=Path, help="keep the demo in this file (default: data folder)"
    )
    demo.add_argument(
        "--live",
        action="store_true",
        help="customers write while you work: new conversations, answers to your replies "
        f"(pause and resume with {LIVE_KEY})",
    )
    demo.add_argument(
        "--rate",
        type=rate_per_hour,
        metavar="N/h",
        help=f"with --live: new conversations per hour (default {DEFAULT_RATE}, a lunch rush)",
    )
    demo.add_argument(
        "--learn",
        action="store_true",
        help="a five-minute guided lesson on a small helpdesk of its own (resumes where you "
        "left it; with --fresh, starts again)",
    )
    # The same switch as ``deskterm --shift demo``, where the lesson's last screen points.
    # SUPPRESS keeps a ``--shift`` given before ``demo`` from being reset by this default.
    demo.add_argument(
        "--shift",
        action="store_true",
        default=argparse.SUPPRESS,
        help="shift mode on the demo (the same as deskterm --shift demo)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.learn:
        return _learn(args, settings)
    from deskterm.backend.demo import demo_shape, generate_demo

    path = args.demo_db or args.db or locations.demo_store()
    first_time = not path.exists()
    size = args.conversations or DEFAULT_SIZE
    seed = DEFAULT_SEED if args.seed is None else args.seed
    fresh = args.fresh
    kept = demo_shape(path)
    if kept is not None and not fresh:
        asked = {"conversations": args.conversations, "seed": args.seed}
        differs = [k for k, v in asked.items() if v is not None and kept.get(k) != v]
        if differs:
            was = ", ".join(f"{k} {kept.get(k)}" for k in differs)
            print(f"The kept demo was built with {was}: rebuilding it.", file=sys.stderr)
            fresh = True
    if fresh:
        db.remove(path)
    if not path.exists():
        print(f"Building the demo helpdesk ({size:,} conversations)…", file=sys.stderr)
        generate_demo(path, conversations=size, seed=seed)
    if first_time:
        print("New here? `deskterm demo --learn` teaches the keys in five minutes.",
              file=sys.stderr)  # fmt: skip
    if args.rate is not None and not args.live:
        print("--rate is for --live: the demo opens without live customers.", file=sys.stderr)
    if args.live:
        rate = args.rate or DEFAULT_RATE
        return open_workstation(path, args, settings, demo=True, live_rate=rate, live_seed=seed)
    return open_workstation(path, args, settings, demo=True)


def _learn(args: argparse.Namespace, settings: Settings) -> int:
    """The lesson: resumed where it was left, or started (again) on its own helpdesk."""
    from deskterm.backend import lesson

    path = args.demo_db or args.db or locations.data_dir() / "lesson.db"
    progress = None if args.fresh or not path.exists() else lesson.load(path)
    if progress is None or progress.finished:
        print("Preparing the lesson…", file=sys.stderr)
        progress = lesson.start(path)
    return open_workstation(path, args, settings, demo=True, lesson=progress)
