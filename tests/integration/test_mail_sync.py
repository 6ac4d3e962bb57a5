"""The email connector against a real Dovecot and SMTP server: mail in, replies out."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest

from deskterm.backend.connectors.mail.outgoing import UNSENT
from deskterm.backend.store import Store
from deskterm.backend.sync import outbox as outbox_module
from tests.integration.conftest import MailServer
from tests.integration.mailbox import Desk, append, mails, new_address, submit, wait_for_mails
from tests.mail import corpus

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox_module, "backoff", lambda attempts, rand=None: 0.0)


def test_a_mail_sent_to_the_mailbox_is_answered_once_in_the_senders_mailbox(
    mail_server: MailServer, tmp_path: Path
) -> None:
    desk = Desk.open(mail_server, tmp_path / "desk.db")
    lea = new_address("lea")
    first = corpus.plain(sender=f"Léa Martin <{lea}>", to=desk.address)
    submit(mail_server, lea, desk.address, first)
    wait_for_mails(mail_server, desk.address, 1)

    report = desk.engine.pull()

    assert report.created == 1
    (conv,) = desk.conversations()
    assert conv["subject"] == "Il manque le pain"
    (msg,) = desk.messages(conv["id"])
    assert "il manque le pain" in msg["body"]
    assert msg["author_kind"] == "customer"
    # A mailbox does not say the customer's language: her French words do (macros follow it).
    assert desk.store.customer(conv["customer_id"]).language == "fr"

    desk.reply(conv["id"], "Bonjour Léa, nous vous renvoyons le pain.\n.Un point en tête")
    desk.drain_until_empty()

    (answer,) = wait_for_mails(mail_server, lea, 1)
    parsed = message_from_bytes(answer[0], policy=default_policy)
    assert parsed["In-Reply-To"] == message_from_bytes(first)["Message-ID"]
    assert parsed["Subject"].startswith("Re: Il manque le pain [#")
    content = parsed.get_content().replace("\r\n", "\n")
    assert "nous vous renvoyons le pain.\n.Un point en tête\n" in content
    (sent,) = mails(mail_server, desk.address, "Sent")
    assert UNSENT not in sent[1]
    # The agent's message now carries the mail's Message-ID: the customer's answer threads.
    ours = [m for m in desk.messages(conv["id"]) if m["author_kind"] == "agent"]
    assert ours[0]["external_id"] == parsed["Message-ID"]

    follow = corpus.plain(
        sender=f"Léa Martin <{lea}>",
        to=desk.address,
        subject="Re: Il manque le pain",
        body="Merci beaucoup !",
        in_reply_to=parsed["Message-ID"],
    )
    append(mail_server, desk.address, follow)
    desk.engine.pull()
    assert len(desk.conversations()) == 1
    assert [m["author_kind"] for m in desk.messages(conv["id"])] == [
        "customer",
        "agent",
        "customer",
    ]


def test_a_note_never_leaves(mail_server: MailServer, tmp_path: Path) -> None:
    desk = Desk.open(mail_server, tmp_path / "desk.db")
    lea = new_address("lea")
    append(mail_server, desk.address, corpus.plain(sender=lea, to=desk.address))
    desk.engine.pull()
    (conv,) = desk.conversations()

    desk.reply(conv["id"], "Client fidèle, geste possible.", note=True)
    desk.drain_until_empty()

    assert mails(mail_server, lea) == []
    assert mails(mail_server, desk.address, "Sent") == []


def test_machine_mail_opens_nothing_wakes_nothing_and_gets_no_answer(
    mail_server: MailServer, tmp_path: Path
) -> None:
    from datetime import timedelta

    desk = Desk.open(mail_server, tmp_path / "desk.db")
    lea = new_address("lea")
    first = corpus.plain(sender=lea, to=desk.address, message_id="<first@example.com>")
    append(mail_server, desk.address, first)
    desk.engine.pull()
    (conv,) = desk.conversations()
    until = desk.store.now() + timedelta(days=2)
    desk.store.update_conversation(
        conv["id"], {"snoozed_until": int(until.timestamp())}, agent_id=None, kind="snooze"
    )
    machine = [
        corpus.plain(sender=lea, to=desk.address, subject="Absent",
                     in_reply_to="<first@example.com>", headers={"Auto-Submitted": "auto-replied"}),
        corpus.bounce("<first@example.com>"),
        corpus.plain(sender="news@example.com", to=desk.address, subject="Newsletter",
                     headers={"List-Id": "<news.example.com>", "Precedence": "list"}),
        corpus.plain(sender="robot@example.com", to=desk.address, subject="Vacances",
                     headers={"X-Autoreply": "yes"}),
    ]  # fmt: skip
    for raw in machine:
        append(mail_server, desk.address, raw)

    seen: list[tuple[int, int | None]] = []
    desk.engine.pull(lambda read, total: seen.append((read, total)))

    # The progress counts mails (the bar says so), and ends full though none opened a row.
    assert desk.engine.connector.unit == "mails"
    assert seen[-1] == (4, 4)
    (after,) = desk.conversations()
    assert after["snoozed_until"] is not None, "an automatic reply woke the conversation"
    kinds = [m["author_kind"] for m in desk.messages(conv["id"])]
    assert kinds == ["customer", "system", "system"]
    assert desk.store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


def test_threading_by_token_then_by_sender_and_subject(
    mail_server: MailServer, tmp_path: Path
) -> None:
    desk = Desk.open(mail_server, tmp_path / "desk.db")
    lea = new_address("lea")
    append(
        mail_server,
        desk.address,
        corpus.plain(sender=lea, to=desk.address, subject="Remboursement"),
    )
    desk.engine.pull()
    (conv,) = desk.conversations()
    token = conv["external_id"].removeprefix("mail:")
    paul = new_address("paul")
    append(
        mail_server,
        desk.address,
        corpus.plain(
            sender=paul, to=desk.address, subject=f"TR: Remboursement [#{token}]", body="Pour info"
        ),
    )
    append(
        mail_server,
        desk.address,
        corpus.plain(
            sender=lea, to=desk.address, subject="RE : Remboursement", body="Des nouvelles ?"
        ),
    )
    append(mail_server, desk.address, corpus.plain(
        sender=lea, to=desk.address, subject="Autre chose", body="Nouvelle demande"))  # fmt: skip

    desk.engine.pull()

    conversations = desk.conversations()
    assert len(conversations) == 2
    assert len(desk.messages(conv["id"])) == 3


@pytest.mark.parametrize("handled", ["leave", "seen", "move"])
def test_the_mailbox_changes_only_as_configured(
    mail_server: MailServer, tmp_path: Path, handled: str
) -> None:
    desk = Desk.open(mail_server, tmp_path / "desk.db", handled=handled)
    for i in range(3):
        append(mail_server, desk.address, corpus.plain(sender=new_address("c"), subject=f"S{i}"))

    desk.engine.pull()
    desk.engine.pull()

    assert len(desk.messages()) == 3
    inbox = mails(mail_server, desk.address)
    moved = mails(mail_server, desk.address, "Handled")
    if handled == "move":
        assert (len(inbox), len(moved)) == (0, 3)
    else:
        assert (len(inbox), len(moved)) == (3, 0)
        seen = [b"\\Seen" in flags for _raw, flags in inbox]
        assert seen == [handled == "seen"] * 3


def test_a_25_mb_mail_becomes_a_message_that_says_so(
    mail_server: MailServer, tmp_path: Path
) -> None:
    desk = Desk.open(mail_server, tmp_path / "desk.db")
    big = corpus.with_attachments([("video.mp4", b"\0" * (19 * 1024 * 1024), "video/mp4")])
    append(mail_server, desk.address, big)
    append(mail_server, desk.address, corpus.plain(sender=new_address("c"), subject="après"))

    desk.engine.pull()

    bodies = [m["body"] for m in desk.messages()]
    assert len(bodies) == 2
    assert "too large to import" in bodies[0]
    assert "Il manque le pain" not in bodies[0]


def test_while_running_new_mail_is_pulled_when_the_server_says_so(
    mail_server: MailServer, tmp_path: Path
) -> None:
    import threading
    import time

    desk = Desk.open(mail_server, tmp_path / "desk.db")
    reader = Store(tmp_path / "desk.db")
    stop = threading.Event()
    # Pulls are an hour apart: only the IDLE watch can bring the mail in.
    runner = threading.Thread(target=desk.engine.run, args=(stop,), kwargs={"interval": 3600})
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while desk.engine.status().last_pull_at is None and time.monotonic() < deadline:
            time.sleep(0.05)  # the first pull, at start
        time.sleep(0.5)  # the watch's idle is set up
        append(mail_server, desk.address, corpus.plain(sender=new_address("c"), subject="IDLE"))
        found = 0
        while not found and time.monotonic() < deadline:
            time.sleep(0.05)
            found = reader.conn.execute("SELECT count(*) FROM conversations").fetchone()[0]
        assert found == 1
    finally:
        stop.set()
        runner.join(30)
        reader.close()


def test_xoauth2_logs_in_to_imap_and_smtp_and_a_bad_token_is_refused(
    mail_server: MailServer, tmp_path: Path
) -> None:
    from dataclasses import replace

    from deskterm.backend.connectors.errors import AuthError
    from deskterm.backend.connectors.mail import EmailConnector
    from deskterm.backend.sync import SyncEngine
    from tests.integration.mailbox import oauth_token, options

    address = new_address()
    lea = new_address("lea")
    append(mail_server, address, corpus.plain(sender=lea, to=address))
    token_options = replace(
        options(mail_server, address), password=None, oauth_token=oauth_token(mail_server, address)
    )
    store = Store(tmp_path / "desk.db")
    engine = SyncEngine(store, EmailConnector.from_options(token_options))
    engine.identify()
    engine.pull()
    (conv,) = store.conn.execute("SELECT id FROM conversations").fetchall()
    desk = Desk(store, engine, engine.connector, address)  # type: ignore[arg-type]
    desk.reply(conv[0], "Envoyé avec un jeton OAuth2.")
    desk.drain_until_empty()
    outbox = store.conn.execute("SELECT state, last_error FROM outbox").fetchall()
    assert [tuple(r) for r in outbox] == [("done", None)]
    assert len(wait_for_mails(mail_server, lea, 1)) == 1

    bad = replace(token_options, oauth_token=oauth_token(mail_server, "someone@else.test"))
    with pytest.raises(AuthError):
        EmailConnector.from_options(bad).whoami()
