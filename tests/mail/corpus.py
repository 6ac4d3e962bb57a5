"""Real-world-shaped mails, made with the standard library's email package.

Each function returns the raw bytes of one mail as a mail program or a mail server would
send it: the shapes support mailboxes receive (plain, HTML only, alternative, attachments,
old charsets, quoted replies in French and English, auto-replies, bounces, list mail) and
hostile ones (broken headers, wrong charsets, escape sequences, huge parts).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

DOMAIN = "example.com"


def msgid() -> str:
    return make_msgid(idstring=uuid.uuid4().hex[:8], domain=DOMAIN)


def plain(
    sender: str = "Léa Martin <lea@example.com>",
    to: str = "support@deskterm.test",
    subject: str = "Il manque le pain",
    body: str = "Bonjour,\nil manque le pain dans ma commande 88213.\nLéa",
    *,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    date: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime.now(UTC))
    msg["Message-ID"] = message_id or msgid()
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes(policy=SMTP)


def alternative(text: str, html: str, subject: str = "Commande 88213") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Paul Durand <paul@example.com>"
    msg["To"] = "support@deskterm.test"
    msg["Subject"] = subject
    msg["Message-ID"] = msgid()
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg.as_bytes(policy=SMTP)


def html_only(html: str, subject: str = "Facture") -> bytes:
    msg = EmailMessage()
    msg["From"] = "ana@example.com"
    msg["To"] = "support@deskterm.test"
    msg["Subject"] = subject
    msg["Message-ID"] = msgid()
    msg.set_content(html, subtype="html")
    return msg.as_bytes(policy=SMTP)


def with_attachments(
    files: list[tuple[str, bytes, str]], body: str = "Voir pièces jointes."
) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Léa Martin <lea@example.com>"
    msg["To"] = "support@deskterm.test"
    msg["Subject"] = "Photos du colis"
    msg["Message-ID"] = msgid()
    msg.set_content(body)
    for name, data, kind in files:
        maintype, subtype = kind.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=SMTP)


def legacy_charset(body: str, charset: str, encoding: str, subject_header: str) -> bytes:
    """A mail as older mail programs write it: a MIMEText in an 8-bit charset, the subject
    an RFC 2047 encoded word given as is."""
    part = MIMEText(body, "plain", charset)
    if encoding == "quoted-printable":
        from email import encoders

        del part["Content-Transfer-Encoding"]
        part.set_payload(body.encode(charset))
        encoders.encode_quopri(part)
    outer = MIMEMultipart("mixed")
    outer["From"] = "=?iso-8859-1?q?J=E9r=F4me_Gu=E9rin?= <jerome@example.com>"
    outer["To"] = "support@deskterm.test"
    outer["Subject"] = subject_header
    outer["Message-ID"] = msgid()
    outer.attach(part)
    return outer.as_bytes()


def raw(headers: str, body: bytes) -> bytes:
    """Bytes exactly as given: for broken mails no library would write."""
    return headers.replace("\n", "\r\n").encode("latin-1") + b"\r\n" + body


def bounce(original_id: str) -> bytes:
    outer = MIMEMultipart("report", report_type="delivery-status")
    outer["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
    outer["To"] = "support@deskterm.test"
    outer["Subject"] = "Undelivered Mail Returned to Sender"
    outer["Message-ID"] = msgid()
    outer["Return-Path"] = "<>"
    outer.attach(
        MIMEText(
            "This is the mail system at host mx.example.com.\n\n"
            "I'm sorry to have to inform you that your message could not be delivered."
        )
    )
    outer.attach(
        MIMEText(
            "Reporting-MTA: dns; mx.example.com\n\n"
            "Final-Recipient: rfc822; lea@example.com\nAction: failed\nStatus: 5.1.1\n",
            "delivery-status",
        )
    )
    headers = MIMEText(
        f"Message-ID: {original_id}\nSubject: Re: Il manque le pain\n", "rfc822-headers"
    )
    outer.attach(headers)
    outer["In-Reply-To"] = original_id
    return outer.as_bytes()


def as_id(raw_mail: bytes) -> str:
    """The Message-ID of a mail made here."""
    from email import message_from_bytes

    return str(message_from_bytes(raw_mail)["Message-ID"])
