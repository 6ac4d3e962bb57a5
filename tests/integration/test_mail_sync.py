"""The email connector against a real Dovecot and SMTP server: mail in, replies out."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest

from deskterm.backend.connectors.mail.outgoing import UNSENT
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

    desk.reply(conv["id"], "Bonjour Léa, nous vous renvoyons le pain.")
    desk.drain_until_empty()

    (answer,) = wait_for_mails(mail_server, lea, 1)
    parsed = message_from_bytes(answer[0], policy=default_policy)
    assert parsed["In-Reply-To"] == message_from_bytes(first)["Message-ID"]
    assert parsed["Subject"].startswith("Re: Il manque le pain [#")
    assert "nous vous renvoyons le pain" in parsed.get_content()
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
