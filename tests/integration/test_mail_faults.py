"""Faults between deskterm and a real mail server: connections cut mid-FETCH, mid-APPEND and
mid-DATA, a server restart, a renumbered folder. No mail lost, none imported twice, no reply
sent twice. The proxy sees the protocol in clear: these tests speak plain IMAP and SMTP on
loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deskterm.backend.connectors.errors import TransientError
from deskterm.backend.connectors.mail.outgoing import UNSENT
from deskterm.backend.sync import outbox as outbox_module
from tests.integration.conftest import MailServer
from tests.integration.mailbox import Desk, append, mails, new_address, wait_for_mails
from tests.integration.tcpfaults import TcpFaultProxy
from tests.mail import corpus

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox_module, "backoff", lambda attempts, rand=None: 0.0)


@pytest.fixture
def imap_proxy(mail_server: MailServer) -> Iterator[TcpFaultProxy]:
    with TcpFaultProxy(mail_server.host, mail_server.imap_port) as proxy:
        yield proxy


@pytest.fixture
def smtp_proxy(mail_server: MailServer) -> Iterator[TcpFaultProxy]:
    with TcpFaultProxy(mail_server.host, mail_server.smtp_port) as proxy:
        yield proxy


def _desk(
    server: MailServer, path: Path, imap: TcpFaultProxy, smtp: TcpFaultProxy | None = None
) -> Desk:
    return Desk.open(
        server,
        path,
        imap_port=str(imap.port),
        smtp_port=str(smtp.port if smtp else server.smtp_port),
        imap_security="plain",
        smtp_security="plain",
    )


def _pull_until_quiet(desk: Desk, tries: int = 10) -> int:
    failures = 0
    for _ in range(tries):
        try:
            desk.engine.pull()
            return failures
        except TransientError:
            failures += 1
    raise AssertionError("the pull never succeeded")


def _message_ids(desk: Desk) -> list[str]:
    return [m["external_id"] for m in desk.messages()]


def test_a_cut_mid_fetch_loses_nothing_and_imports_nothing_twice(
    mail_server: MailServer,
    tmp_path: Path,
    imap_proxy: TcpFaultProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from deskterm.backend.connectors.mail import connector as connector_module

    monkeypatch.setattr(connector_module, "BATCH", 5)
    desk = _desk(mail_server, tmp_path / "desk.db", imap_proxy)
    sent = [
        corpus.plain(sender=new_address("c"), subject=f"Demande {i}", body=f"texte {i}")
        for i in range(12)
    ]
    for raw in sent:
        append(mail_server, desk.address, raw)
    imap_proxy.cut("down", b"texte 7")  # inside the second batch's FETCH literal

    failures = _pull_until_quiet(desk)

    assert failures == 1 and imap_proxy.cut_count == 1
    ids = _message_ids(desk)
    assert len(ids) == 12 == len(set(ids))
    assert len(desk.conversations()) == 12


def test_a_cut_mid_append_then_a_lost_data_answer_still_sends_one_reply(
    mail_server: MailServer,
    tmp_path: Path,
    imap_proxy: TcpFaultProxy,
    smtp_proxy: TcpFaultProxy,
) -> None:
    desk = _desk(mail_server, tmp_path / "desk.db", imap_proxy, smtp_proxy)
    lea = new_address("lea")
    append(mail_server, desk.address, corpus.plain(sender=lea, to=desk.address))
    desk.engine.pull()
    (conv,) = desk.conversations()
    desk.reply(conv["id"], "Nous renvoyons le pain.")
    imap_proxy.cut("down", b"[APPENDUID")  # the copy lands in Sent, its answer is lost
    smtp_proxy.cut("down", b"250 delivered")  # the mail is accepted, the answer is lost

    desk.drain_until_empty()

    assert imap_proxy.cut_count == 1 and smtp_proxy.cut_count == 1
    received = wait_for_mails(mail_server, lea, 1)
    assert len(received) == 1
    (copy,) = mails(mail_server, desk.address, "Sent")
    assert UNSENT not in copy[1]
    attempts = desk.store.conn.execute("SELECT attempts FROM outbox").fetchone()[0]
    assert attempts == 3


def test_a_cut_before_the_end_of_data_sends_on_the_retry_once(
    mail_server: MailServer, tmp_path: Path, imap_proxy: TcpFaultProxy, smtp_proxy: TcpFaultProxy
) -> None:
    desk = _desk(mail_server, tmp_path / "desk.db", imap_proxy, smtp_proxy)
    lea = new_address("lea")
    append(mail_server, desk.address, corpus.plain(sender=lea, to=desk.address))
    desk.engine.pull()
    (conv,) = desk.conversations()
    desk.reply(conv["id"], "Reponse coupee en route, then more text.")
    smtp_proxy.cut("up", b"coupee en route")  # inside the data: never ended

    desk.drain_until_empty()

    assert smtp_proxy.cut_count == 1
    assert len(wait_for_mails(mail_server, lea, 1)) == 1


def test_a_server_restart_between_and_during_syncs(mail_server: MailServer, tmp_path: Path) -> None:
    desk = Desk.open(mail_server, tmp_path / "desk.db")
    lea = new_address("lea")
    append(mail_server, desk.address, corpus.plain(sender=lea, to=desk.address, subject="Un"))
    desk.engine.pull()
    (conv,) = desk.conversations()
    desk.reply(conv["id"], "Première réponse.")
    mail_server.restart()
    append(mail_server, desk.address, corpus.plain(sender=lea, to=desk.address, subject="Deux"))

    desk.drain_until_empty()
    _pull_until_quiet(desk)

    assert len(desk.conversations()) == 2
    assert len(wait_for_mails(mail_server, lea, 1)) == 1


def test_a_renumbered_folder_is_read_again_and_nothing_is_doubled(
    mail_server: MailServer, tmp_path: Path
) -> None:
    desk = Desk.open(mail_server, tmp_path / "desk.db")
    for i in range(3):
        append(mail_server, desk.address, corpus.plain(sender=new_address("c"), subject=f"S{i}"))
    desk.engine.pull()
    before = sorted(_message_ids(desk))
    old = desk.store.conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()[0]

    mail_server.doveadm("mailbox", "update", "-u", desk.address, "--uid-validity", "12345", "INBOX")
    append(mail_server, desk.address, corpus.plain(sender=new_address("c"), subject="S3"))
    desk.engine.pull()

    ids = _message_ids(desk)
    assert len(ids) == 4 == len(set(ids))
    assert set(before) < set(ids)
    new = desk.store.conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()[0]
    assert new.startswith("12345:") and not old.startswith("12345:")


def test_a_temporary_refusal_after_the_data_is_sent_again_later(
    mail_server: MailServer, tmp_path: Path
) -> None:
    desk = Desk.open(mail_server, tmp_path / "desk.db")
    customer = new_address("refuse-once-lea")
    append(mail_server, desk.address, corpus.plain(sender=customer, to=desk.address))
    desk.engine.pull()
    (conv,) = desk.conversations()
    desk.reply(conv["id"], "Deuxième essai.")

    desk.drain_until_empty()

    assert len(wait_for_mails(mail_server, customer, 1)) == 1
    attempts = desk.store.conn.execute("SELECT attempts FROM outbox").fetchone()[0]
    assert attempts == 2
