"""``deskterm macros import|export``: the macro library as a TOML file a team keeps in git."""

from __future__ import annotations

import argparse
import sys

from deskterm import locations
from deskterm.backend.store import Store
from deskterm.config import Settings
from deskterm.domain.macros import MacroError, export_toml, import_toml


def run_macros(args: argparse.Namespace, settings: Settings) -> int:
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
