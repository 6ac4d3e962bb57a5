"""``deskterm serve``: the workstation in a browser, for those who will not use a terminal.

Same keys, same screens, same store: each browser tab runs its own ``deskterm`` on it.
Loopback only unless ``--public``; then there is no authentication unless a token is set.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import sys

from deskterm import locations
from deskterm.config import Settings

COMMAND = "serve"
TOKEN_ENV = "DESKTERM_SERVE_TOKEN"


def add_command(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser(
        COMMAND,
        help="serve the workstation to a web browser (same keys, same store)",
        description="Serve deskterm to a browser: each tab runs the workstation on the same "
        "store (or the demo with --demo, or the remote mirror with --remote). Only this "
        f"machine can connect unless --public is given. A token (--token or {TOKEN_ENV}) "
        "makes the page ask for /?token=… before any app starts.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.add_argument("--demo", action="store_true", help="serve the demo helpdesk")
    serve.add_argument(
        "--public", action="store_true", help="allow an address other machines can reach"
    )
    serve.add_argument("--token", help=f"a secret the page needs (default: ${TOKEN_ENV})")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def served_command(args: argparse.Namespace) -> str:
    """The ``deskterm`` each tab runs: this interpreter, the options given to ``serve``."""
    argv = [sys.executable, "-m", "deskterm", "--log-level", args.log_level]
    for option in ("db", "agent", "config", "remote", "url", "subdomain", "user", "queue"):
        value = getattr(args, option, None)
        if value is not None:
            argv += [f"--{option}", str(value)]
    if args.shift:
        argv.append("--shift")
    if args.demo:
        argv.append("demo")
    return shlex.join(argv)


def run(args: argparse.Namespace, settings: Settings) -> int:
    token = args.token or os.environ.get(TOKEN_ENV) or None
    if not is_loopback(args.host):
        if not args.public:
            print(
                f"deskterm serve: {args.host} can be reached from other machines; add "
                "--public to mean it (and --token to ask for a secret)",
                file=sys.stderr,
            )
            return 2
        if token is None:
            print(
                "deskterm serve: warning: anyone who reaches this address gets the "
                "workstation; there is no authentication without --token",
                file=sys.stderr,
            )
    if not 0 < args.port < 65536:
        print(f"deskterm serve: --port {args.port} is not a port number", file=sys.stderr)
        return 2
    if args.demo:
        _build_demo(args)
    from deskterm.app.web import DeskServer

    title = "deskterm demo" if args.demo else "deskterm"
    server = DeskServer(
        served_command(args), host=args.host, port=args.port, token=token, title=title
    )
    try:
        server.serve()
    except OSError as exc:
        print(f"deskterm serve: cannot listen on {args.host}:{args.port}: {exc.strerror}",
              file=sys.stderr)  # fmt: skip
        return 2
    return 0


def _build_demo(args: argparse.Namespace) -> None:
    """Build the demo once here, not in the first tab that connects."""
    path = args.db or locations.demo_store()
    if not path.exists():
        from deskterm.backend.demo import generate_demo

        print("Building the demo helpdesk…", file=sys.stderr)
        generate_demo(path, conversations=300, seed=7)
    args.db = path
