"""Helpers of the mail tests: a fresh mailbox on the test server, a connector on it, a
mirror store with its engine, and the server side read back through IMAP."""

from __future__ import annotations

import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

from deskterm.backend.connectors.mail import EmailConnector
from deskterm.backend.store import Store
from deskterm.backend.sync import ConnectorOptions, SyncEngine
from deskterm.backend.sync.outbox import waiting
from deskterm.domain.models import AuthorKind, Status
from tests.integration.conftest import MailServer


def new_address(who: str = "support") -> str:
    return f"{who}-{uuid.uuid4().hex[:10]}@deskterm.test"


def options(
    server: MailServer,
    user: str,
    *,
    imap_port: int | None = None,
    smtp_port: int | None = None,
    **extra: str,
) -> ConnectorOptions:
    return ConnectorOptions(
        user=user,
        password=server.password,
        extra={
            "imap_host": server.host,
            "imap_port": str(imap_port or server.imap_port),
            "imap_security": "starttls",
            "smtp_host": server.host,
            "smtp_port": str(smtp_port or server.smtp_port),
            "smtp_security": "starttls",
            "ca_file": server.ca_file,
            "from_address": user,
            "from_name": "Support",
            **extra,
        },
    )


def imap(server: MailServer, user: str) -> IMAPClient:
    client = IMAPClient(server.host, port=server.imap_port, ssl=False, timeout=30)
    client.starttls(ssl.create_default_context(cafile=server.ca_file))
    client.login(user, server.password)
    return client


def append(server: MailServer, user: str, raw: bytes, folder: str = "INBOX") -> None:
    """Put a mail straight into a mailbox, as delivered."""
    client = imap(server, user)
    try:
        client.append(folder, raw)
    finally:
        client.logout()


def submit(server: MailServer, sender: str, to: str, raw: bytes) -> None:
    """Send a mail through the test server's SMTP side, as a customer's mail program does."""
    with smtplib.SMTP(server.host, server.smtp_port, timeout=30) as smtp:
        smtp.starttls(context=ssl.create_default_context(cafile=server.ca_file))
        smtp.login(sender, server.password)
        smtp.sendmail(sender, [to], raw)


def mails(
    server: MailServer, user: str, folder: str = "INBOX"
) -> list[tuple[bytes, tuple[bytes, ...]]]:
    """Every mail of a folder: (raw bytes, flags), in UID order."""
    client = imap(server, user)
    try:
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        data = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"]) if uids else {}
        return [(data[u][b"BODY[]"], data[u][b"FLAGS"]) for u in sorted(data)]
    finally:
        client.logout()


def wait_for_mails(
    server: MailServer, user: str, count: int, seconds: float = 20
) -> list[tuple[bytes, tuple[bytes, ...]]]:
    deadline = time.monotonic() + seconds
    found = mails(server, user)
    while len(found) < count and time.monotonic() < deadline:
        time.sleep(0.1)
        found = mails(server, user)
    return found


@dataclass
class Desk:
    """A mirror store on one mailbox, with its engine."""

    store: Store
    engine: SyncEngine
    connector: EmailConnector
    address: str

    @classmethod
    def open(cls, server: MailServer, path: Path, address: str | None = None, **extra: str) -> Desk:
        address = address or new_address()
        connector = EmailConnector.from_options(options(server, address, **extra))
        store = Store(path)
        engine = SyncEngine(store, connector)
        engine.identify()
        return cls(store, engine, connector, address)

    def conversations(self) -> list[dict]:
        return [dict(r) for r in self.store.conn.execute("SELECT * FROM conversations ORDER BY id")]

    def messages(self, conversation_id: int | None = None) -> list[dict]:
        sql = "SELECT * FROM messages"
        args: tuple = ()
        if conversation_id is not None:
            sql += " WHERE conversation_id = ?"
            args = (conversation_id,)
        return [dict(r) for r in self.store.conn.execute(sql + " ORDER BY id", args)]

    def reply(self, conversation_id: int, body: str, *, note: bool = False) -> int:
        return self.store.add_message(
            conversation_id,
            author_kind=AuthorKind.AGENT,
            author_id=self.engine.local_agent_id(),
            author_name="Support",
            body=body,
            public=not note,
            status_after=None if note else Status.PENDING,
            outbox={"kind": "note" if note else "reply", "payload": {"body": body}},
        )

    def drain_until_empty(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while waiting(self.store) and time.monotonic() < deadline:
            self.engine.drain()
            time.sleep(0.05)
        assert waiting(self.store) == 0, "the outbox did not drain"


def oauth_token(server: MailServer, user: str) -> str:
    """An OAuth2 access token the test server's identity stand-in accepts for ``user``."""
    import importlib.util

    from tests.integration.conftest import PROJECT_ROOT

    spec = importlib.util.spec_from_file_location(
        "mail_relay", PROJECT_ROOT / "scripts" / "mail_relay.py"
    )
    assert spec is not None and spec.loader is not None
    relay = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(relay)
    return str(relay.test_token(user, server.password))
