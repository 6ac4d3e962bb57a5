"""``deskterm macros import|export|check``: the macro library as a TOML file a team keeps in
git, and a check that every macro does what its text says."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from deskterm import locations
from deskterm.config import Settings

COMMAND = "macros"


def add_command(sub: argparse._SubParsersAction) -> None:
    macros = sub.add_parser(
        COMMAND,
        help="import, export or check the macro library (TOML)",
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
    check = macros_sub.add_parser(
        "check",
        help="flag macros whose text claims an action (a refund…) they do not carry",
        description="One line per macro whose text claims an order action it does not carry, "
        "or whose order action does not exist; exit code 1 when there is any.",
    )
    check.add_argument(
        "file", type=Path, nargs="?", help="a TOML library to check (default: the store's)"
    )


def _check(macros: list, where: str) -> int:
    from deskterm.backend.commerce.macro_orders import check_order_action
    from deskterm.domain.macros import claim_warning, order_actions

    findings = 0
    for macro in macros:
        problems = [claim_warning(macro)]
        problems += [check_order_action(a) for a in order_actions(macro.actions)]
        for problem in filter(None, problems):
            print(f"{macro.title!r}: {problem}")
            findings += 1
    if findings:
        print(f"{findings} finding(s) in {len(macros)} macros of {where}", file=sys.stderr)
    return 1 if findings else 0


def _check_file(path: Path) -> int:
    from deskterm.domain.macros import MacroError, import_toml
    from deskterm.domain.models import Macro

    try:
        specs = import_toml(path.read_text(encoding="utf-8"), source=str(path))
    except OSError as exc:
        print(f"deskterm: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    except MacroError as exc:
        print(f"deskterm: {exc}", file=sys.stderr)
        return 2
    when = datetime.now(UTC)
    macros = [
        Macro(
            id=i,
            title=s.title,
            body=s.body,
            variants=s.variants,
            actions=s.actions,
            titles=s.titles,
            language=s.language,
            created_at=when,
            updated_at=when,
        )
        for i, s in enumerate(specs, 1)
    ]
    return _check(macros, str(path))


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.macros_command == "check" and args.file is not None:
        return _check_file(args.file)

    from deskterm.backend.store import Store
    from deskterm.domain.macros import MacroError, export_toml, import_toml

    store = Store(args.db or locations.default_store())
    try:
        if args.macros_command == "check":
            return _check(store.all_macros(), "the library")
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
        from deskterm.backend.commerce.macro_orders import check_order_action
        from deskterm.domain.macros import order_actions

        for spec in specs:
            for problem in map(check_order_action, order_actions(spec.actions)):
                if problem is not None:
                    where = f"{args.file}: macro {spec.title!r}"
                    print(f"deskterm: {where}: {problem}", file=sys.stderr)
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
                titles=spec.titles,
                language=spec.language,
            )
            created += new
            updated += not new
        print(f"Imported {len(specs)} macros from {args.file}: {created} new, {updated} updated")
        return 0
    finally:
        store.close()
