"""``deskterm --remote …`` (the workstation on a mirrored helpdesk) and ``deskterm sync``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

# Only the parser's part is imported at start-up (the CLI builds its parser on every run);
# the sync machinery is imported when remote mode is asked for.
if TYPE_CHECKING:
    from deskterm.backend.store import Store
    from deskterm.backend.sync import Connector, SyncEngine
    from deskterm.config import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The remote-mode options, shared by the workstation and ``deskterm sync``."""
    group = parser.add_argument_group("remote helpdesk (credentials from the environment)")
    group.add_argument(
        "--remote", metavar="KIND", help="mirror a remote helpdesk: rt, zendesk, or email"
    )
    group.add_argument("--url", help="Request Tracker's address, e.g. https://rt.example.com")
    group.add_argument("--subdomain", help="the Zendesk account's subdomain")
    group.add_argument("--user", help="RT user name, or the Zendesk agent's email")
    group.add_argument(
        "--queue",
        action="append",
        help="an RT queue to mirror (default General); repeat it or separate by commas "
        "for several in one mirror",
    )
    mail = parser.add_argument_group(
        "a support mailbox (--remote email; password in DESKTERM_MAIL_PASSWORD)"
    )
    mail.add_argument("--imap-host", help="the IMAP server, e.g. imap.example.com")
    mail.add_argument("--imap-port", help="default 993 (tls) or 143")
    mail.add_argument("--imap-security", choices=["tls", "starttls", "plain"], help="default tls")
    mail.add_argument("--smtp-host", help="the SMTP submission server (default: the IMAP host)")
    mail.add_argument("--smtp-port", help="default 587 (starttls) or 465 (tls)")
    mail.add_argument(
        "--smtp-security", choices=["tls", "starttls", "plain"], help="default starttls"
    )
    mail.add_argument("--folder", help="the folder new mail arrives in (default INBOX)")
    mail.add_argument("--mail-from", help="the From of replies (default: the user)")
    mail.add_argument("--ca-file", help="a certificate authority file to trust")


COMMAND = "sync"


def add_command(sub: argparse._SubParsersAction) -> None:
    sub.add_parser(
        COMMAND,
        help="mirror the remote helpdesk once (with a progress bar) and push the outbox",
        description="One sync pass: pull what changed on the remote helpdesk into the local "
        "mirror, then push the actions waiting in the outbox. Uses --remote and its options, "
        "or the [remote] section of the settings.",
    )


def wants_remote(args: argparse.Namespace, settings: Settings) -> bool:
    return bool(getattr(args, "remote", None) or settings.remote.kind)


def _prepare(args: argparse.Namespace, settings: Settings) -> tuple[Connector, Store, SyncEngine]:
    from deskterm.backend.sync import SyncEngine
    from deskterm.backend.sync.remote import (
        MAIL_SETTINGS,
        RemoteSetupError,
        choice_from,
        connector_for,
        mirror_path,
        open_mirror,
    )

    mail = {name: getattr(args, name, None) for name in MAIL_SETTINGS}
    choice = choice_from(
        settings, args.remote, url=args.url, subdomain=args.subdomain, user=args.user,
        queue=",".join(args.queue) if args.queue else None, **mail,
    )  # fmt: skip
    if choice is None:
        raise RemoteSetupError("no remote helpdesk: give --remote rt|zendesk|email or set [remote]")
    connector = connector_for(choice)
    path = mirror_path(connector, args.db)
    try:
        if not path.exists():
            # No mirror yet: check the address and credentials before creating one.
            _remote_call(connector, connector.whoami)
        store = open_mirror(path)
    except BaseException:
        connector.close()
        raise
    return connector, store, SyncEngine(store, connector)


def _remote_call(connector: Connector, call, *, offline_ok: bool = False) -> None:
    from deskterm.backend.connectors.errors import AuthError, RemoteError, TransientError
    from deskterm.backend.sync.remote import RemoteSetupError

    label = connector.label
    try:
        call()
    except AuthError as exc:
        raise RemoteSetupError(f"{label} refused the credentials: {_line(exc)}") from None
    except TransientError as exc:
        if offline_ok:
            return
        raise RemoteSetupError(f"cannot reach {label}: {_line(exc)}") from None
    except RemoteError as exc:
        raise RemoteSetupError(f"{label}: {_line(exc)}") from None


def _identify(engine: SyncEngine, *, offline_ok: bool) -> None:
    # Offline with a mirror that knows who we are: work on it; the outbox waits.
    can_wait = offline_ok and engine.remembered_me() is not None
    _remote_call(engine.connector, engine.identify, offline_ok=can_wait)


def _line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]


def open_remote(args: argparse.Namespace, settings: Settings) -> int:
    """The workstation on the mirror, with the sync engine running behind it."""
    from deskterm.app import create_app
    from deskterm.app.sync_runner import SyncRunner
    from deskterm.backend.sync.outbox import waiting

    connector, store, engine = _prepare(args, settings)
    try:
        _identify(engine, offline_ok=True)
        agent = store.agent(engine.local_agent_id() or 0)
        runner = SyncRunner(engine, interval=settings.remote.sync_seconds)
        app = create_app(
            store, settings, agent_email=agent.email if agent else None, sync_runner=runner
        )
        app.run()
        left = waiting(store)
        if left:
            print(
                f"deskterm: {left} action{'s' if left != 1 else ''} not yet sent to "
                f"{connector.label}; kept in {store.path}, they go out next time.",
                file=sys.stderr,
            )
        return app.return_code or 0
    finally:
        connector.close()
        store.close()


def run(args: argparse.Namespace, settings: Settings) -> int:
    """One pull and one push, with a progress bar; one line and a non-zero exit on failure."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from deskterm.backend.connectors.errors import RemoteError
    from deskterm.backend.sync.outbox import waiting
    from deskterm.backend.sync.remote import RemoteSetupError

    connector, store, engine = _prepare(args, settings)
    try:
        _identify(engine, offline_ok=False)
        with Progress(
            TextColumn(f"syncing {connector.label}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(connector.unit),
            transient=True,
            disable=not sys.stderr.isatty(),
        ) as progress:
            task = progress.add_task("pull", total=None)

            def advance(done: int, total: int | None) -> None:
                progress.update(task, completed=done, total=total)

            try:
                report = engine.pull(advance)
                drained = engine.drain()
            except RemoteError as exc:
                raise RemoteSetupError(
                    f"sync with {connector.label} stopped: {_line(exc)} "
                    "(what landed is kept; run it again to resume)"
                ) from None
        left = waiting(store)
        print(
            f"{report.conversations:,} conversations synced ({report.created:,} new, "
            f"{report.messages:,} messages) into {store.path}; {drained.pushed} actions pushed"
            + (f", {report.removed:,} deleted on the remote" if report.removed else "")
            + (f", {report.skipped:,} unreadable (see the log)" if report.skipped else "")
            + (f", {left} waiting" if left else "")
            + (f", {drained.failed} refused" if drained.failed else "")
            + (f"; {report.gone} left the remote" if report.gone else "")
        )
        return 0
    finally:
        connector.close()
        store.close()
