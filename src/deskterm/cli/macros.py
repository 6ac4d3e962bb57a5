"""``deskterm macros import|export``: the macro library as a TOML file a team keeps in git."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deskterm import locations
from deskterm.config import Settings

COMMAND = "macros"


def add_command(sub: argparse._SubParsersAction) -> None:
    macros = sub.add_parser(
        COMMAND,
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


def run(args: argparse.Namespace, settings: Settings) -> int:
    from deskterm.backend.store import Store
    from deskterm.domain.macros import MacroError, export_toml, import_toml

    store = Store(args.db or locations.default_store())
    try:
        email = args.agent or settings.agent_email
        agent = store.agent_by_email(email) if email else None
        if args.macros_command == "export":
            macros = [
                m for m in store.macros(agent.id if agent else None) if m.shared or args.personal
            ]
            text = export_toml(macros)
            if args.file == "-":
                sys.stdout.write(text)
            else:
                with open(args.file, "w", encoding="utf-8") as f:
                    f.write(text)
                print(f"Wrote {len(macros)} macros to {args.file}")
            return 0
        try:
            text = args.file.read_text(encoding="utf-8")
        except OSError as exc:
            print(f"deskterm: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
            return 2
        try:
            specs = import_toml(text, source=str(args.file))
        except MacroError as exc:
            print(f"deskterm: {exc}", file=sys.stderr)
            return 2
        if args.personal and agent is None:
            print(
                "deskterm: --personal needs --agent EMAIL (or agent_email in the config)",
                file=sys.stderr,
            )
            return 2
        created = updated = 0
        for spec in specs:
            owner = agent.id if (args.personal or not spec.shared) and agent else None
            _, new = store.upsert_macro_by_title(
                spec.title,
                spec.body,
                variants=spec.variants,
                actions=[a.model_dump() for a in spec.actions],
                owner_agent_id=owner,
                external_id=spec.external_id,
            )
            created += new
            updated += not new
        print(f"Imported {len(specs)} macros from {args.file}: {created} new, {updated} updated")
        return 0
    finally:
        store.close()
