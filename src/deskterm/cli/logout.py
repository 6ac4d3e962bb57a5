"""``deskterm --remote zendesk logout``: forget the tokens the sign-in kept."""

from __future__ import annotations

import argparse

from deskterm.config import Settings

COMMAND = "logout"


def add_command(sub: argparse._SubParsersAction) -> None:
    sub.add_parser(
        COMMAND,
        help="forget the Zendesk sign-in's tokens",
        description="Remove the tokens `deskterm --remote zendesk login` kept for the account.",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from deskterm.cli.login import run_logout

    return run_logout(args, settings)
