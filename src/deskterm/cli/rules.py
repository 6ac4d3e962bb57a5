"""``deskterm rules test``: which routing rule fires for a message, and why."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deskterm import locations
from deskterm.config import Settings, routing_rules
from deskterm.domain.routing import Facts, describe, first_match

#: The command's name (the parser discovers commands by ``COMMAND``, ``add_command``, ``run``).
COMMAND = "rules"


def add_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rules = sub.add_parser(
        "rules",
        help="check the routing rules",
        description="Check the routing rules of the settings against a message.",
    )
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    test = rules_sub.add_parser("test", help="which rule fires for a message, and why")
    test.add_argument("text", help="the customer's first message")
    test.add_argument("--subject", default="", help="the conversation's subject")
    test.add_argument("--channel", default="email", help="email, chat, whatsapp, …")
    test.add_argument("--language", default="", help="the customer's language (fr, en, …)")
    test.add_argument("--vip", action="store_true", help="the customer is a VIP")
    test.add_argument("--orders", type=int, default=0, help="how many orders they placed")
    test.add_argument("--reason", help="the reason tag (default: the store's suggester's)")
    test.add_argument("--again", action="store_true", help="the customer writes again")
    test.add_argument(
        "--db", dest="rules_db", type=Path, help="the store whose macros suggest the reason"
    )


def _suggested_reason(path: Path, text: str) -> str | None:
    """The reason the store's suggester is confident about (None without a store)."""
    if not path.exists():
        return None
    from deskterm.backend.reasons import reason_finder
    from deskterm.backend.store import Store

    store = Store(path, create=False)
    try:
        return reason_finder(store)(text)
    finally:
        store.close()


def run(args: argparse.Namespace, settings: Settings) -> int:
    rules = routing_rules(settings)
    if not rules:
        from deskterm.backend.demo.shipped import demo_rules

        print("No routing rules in the settings ([[rules]] or rules_file): the demo's rules.")
        rules = demo_rules()
    channel = "whatsapp" if args.channel.lower() == "wa" else args.channel.lower()
    reason = args.reason
    if reason is None:
        path = args.rules_db or args.db or locations.demo_store()
        reason = _suggested_reason(path, f"{args.subject}\n{args.text}")
    facts = Facts(
        channel=channel,
        language=args.language,
        subject=args.subject,
        first_message=args.text,
        vip=args.vip,
        orders=args.orders,
        reason=reason,
        event="again" if args.again else "arrival",
    )
    verdict = first_match(rules, facts)
    for line in verdict.trail:
        print(line)
    if verdict.rule is None:
        print("No rule fires: the conversation stays as it arrived.")
        return 1
    push = " (pushed to the remote helpdesk)" if verdict.rule.push else ""
    print(f"→ {verdict.rule.name}: {describe(verdict.rule.actions)}{push}")
    sys.stdout.flush()
    return 0


add_rules_command = add_command
run_rules = run
