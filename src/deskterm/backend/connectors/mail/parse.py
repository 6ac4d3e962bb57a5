"""One raw mail, as the mailbox holds it, read into what deskterm shows.

Mail comes from strangers and from every mail program ever written: headers may be broken,
charsets wrong or unknown, parts truncated. Nothing here raises on bad input: whatever cannot
be read becomes a sentence in the message saying so, and the mail still lands.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from deskterm.backend.connectors.mail.quotes import fold_quotes
from deskterm.domain.safety import html_to_text

#: Bigger mails are not downloaded whole: their headers are, and the message says so.
MAX_MAIL_BYTES = 20 * 1024 * 1024
#: Most characters of text kept from one mail (the store's sanitizer cuts again for display).
MAX_TEXT_CHARS = 200_000

_MSGID = re.compile(r"<[^<>\s]+>")
_PRECEDENCE_AUTOMATIC = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    size: int
    #: The part's IMAP section number ("2", "1.3"): fetched again by it when opened.
    section: str = "1"
    #: Its Content-Transfer-Encoding (lower case), to decode what the server gives back.
    encoding: str = ""


@dataclass(frozen=True)
class ParsedMail:
    """What deskterm keeps of one mail."""

    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_name: str
    from_address: str
    subject: str
    date: datetime
    text: str
    attachments: tuple[MailAttachment, ...] = ()
    #: Why the mail was sent by a machine ("an automatic reply", "a bounce"…), else None.
    automatic: str | None = None
    #: What could not be read, in words, else None.
    problem: str | None = None
    html: str | None = field(default=None, repr=False)
    #: The mail's UID in the folder it was read from (0 when not read from a folder).
    uid: int = 0

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The ids this mail answers, nearest first (In-Reply-To, then References backwards)."""
        return tuple(dict.fromkeys((*self.in_reply_to, *reversed(self.references))))


def parse_mail(raw: bytes, *, size: int | None = None, now: datetime | None = None) -> ParsedMail:
    """Read one mail. ``raw`` may be only the headers of a mail too big to download, with
    ``size`` its whole size. Never raises."""
    size = len(raw) if size is None else size
    now = now or datetime.now(UTC)
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception:  # the parser is lenient; this is a last resort
        msg = email.message_from_bytes(b"", policy=email.policy.default)
    subject = header_text(msg, "Subject")
    name, address = _sender(msg)
    message_id = _ids(msg, "Message-ID")
    text, html = "", None
    attachments: list[MailAttachment] = []
    problems: list[str] = []
    if size > MAX_MAIL_BYTES or len(raw) < size:
        problems.append(
            f"This mail is {_megabytes(size)}, too large to import (the limit is "
            f"{_megabytes(MAX_MAIL_BYTES)}): read it in the mailbox."
        )
    else:
        try:
            text, html, attachments = _body(msg)
        except Exception as exc:  # a part so broken the library gives up on it
            problems.append(f"Part of this mail could not be read ({type(exc).__name__}).")
        if msg.defects and not text.strip():
            problems.append("This mail is malformed; what could be read is shown.")
    if problems:
        text = "\n".join([*problems, *([text] if text.strip() else [])])
    return ParsedMail(
        message_id=message_id[0] if message_id else synthetic_id(raw),
        in_reply_to=_ids(msg, "In-Reply-To"),
        references=_ids(msg, "References"),
        from_name=name,
        from_address=address,
        subject=subject,
        date=_date(msg, now),
        text=text[:MAX_TEXT_CHARS],
        html=html,
        attachments=tuple(attachments),
        automatic=automatic_reason(msg, address),
        problem=" ".join(problems) or None,
    )


def synthetic_id(raw: bytes) -> str:
    """A stable Message-ID for a mail without one: the same bytes give the same id, so a
    resync finds it again."""
    return f"<{hashlib.sha256(raw[:65536]).hexdigest()[:32]}@no-message-id.invalid>"


def header_text(msg: Message, name: str) -> str:
    """A header's text, RFC 2047 words decoded; a header too broken to decode as it is
    becomes its raw characters. Never raises."""
    try:
        value = msg.get(name)
    except Exception:
        value = None
    if value is None:
        raw = _raw_header(msg, name)
        if raw is None:
            return ""
        try:
            value = str(make_header(decode_header(raw)))
        except Exception:
            value = raw
    return " ".join(str(value).split())


def _raw_header(msg: Message, name: str) -> str | None:
    for key, value in getattr(msg, "_headers", []):
        if str(key).lower() == name.lower():
            return str(value)
    return None


def _ids(msg: Message, name: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in _MSGID.finditer(header_text(msg, name)))


def _sender(msg: Message) -> tuple[str, str]:
    for header in ("From", "Reply-To", "Sender"):
        text = header_text(msg, header)
        if not text:
            continue
        pairs = [p for p in getaddresses([text]) if "@" in p[1]] or [parseaddr(text)]
        name, address = pairs[0]
        if "@" in address:
            return " ".join(name.split()), address.strip().lower()
    return "", ""


def _date(msg: Message, now: datetime) -> datetime:
    text = header_text(msg, "Date")
    try:
        when = parsedate_to_datetime(text)
    except Exception:
        return now
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    # A date years off (a broken clock, a forged header) would bury or pin the mail.
    if abs((when - now).days) > 3650:
        return now
    return when.astimezone(UTC)


def automatic_reason(msg: Message, address: str) -> str | None:
    """Why a mail was sent by a machine, in words, or None for a person's mail.

    RFC 3834's Auto-Submitted, the older Precedence and X-Autoreply headers, mailing lists
    (List-Id), and bounces: an empty Return-Path, a delivery report (RFC 3464), or the mailer
    daemon as sender."""
    auto = header_text(msg, "Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return "an automatic reply" if "replied" in auto else "an automatic mail"
    if header_text(msg, "X-Autoreply") or header_text(msg, "X-Autorespond"):
        return "an automatic reply"
    if header_text(msg, "Precedence").lower() in _PRECEDENCE_AUTOMATIC:
        return "a bulk or list mail"
    if header_text(msg, "List-Id") or header_text(msg, "List-Unsubscribe"):
        return "a mailing-list mail"
    try:
        content_type = msg.get_content_type()
        report = str(msg.get_param("report-type", "") or "").lower()
    except Exception:  # a Content-Type too broken to read: not a report
        content_type = report = ""
    if content_type == "multipart/report" and report in ("delivery-status", "disposition"):
        return "a bounce" if report == "delivery-status" else "a read receipt"
    if header_text(msg, "Return-Path").replace(" ", "") == "<>":
        return "a bounce"
    if _BOUNCE_SENDERS.match(address):
        return "a bounce"
    return None


def _body(msg: Message) -> tuple[str, str | None, list[MailAttachment]]:
    """The text to show (plain preferred, else the HTML made readable), the HTML if that
    is all there was, and the attachments."""
    plain: list[str] = []
    html: list[str] = []
    attachments: list[MailAttachment] = []
    for section, part in _leaves(msg):
        kind = part.get_content_type()
        filename = _filename(part)
        disposition = str(part.get("Content-Disposition", "") or "").split(";")[0].lower()
        if filename or disposition == "attachment" or not kind.startswith("text/"):
            if kind.startswith("multipart/"):
                continue
            payload = _payload_bytes(part)
            encoding = str(part.get("Content-Transfer-Encoding", "") or "").strip().lower()
            attachments.append(
                MailAttachment(
                    filename or _unnamed(kind),
                    kind,
                    len(payload) if payload else 0,
                    section,
                    "" if kind == "message/rfc822" else encoding,
                )
            )
        elif kind == "text/html":
            html.append(_decoded(part))
        else:
            plain.append(_decoded(part))
    if any(p.strip() for p in plain):
        return fold_quotes("\n\n".join(p for p in plain if p.strip())), None, attachments
    if html:
        joined = "\n".join(html)
        return fold_quotes(html_to_text(joined, max_chars=MAX_TEXT_CHARS)), joined, attachments
    return "", None, attachments


def _leaves(msg: Message, section: str = "") -> list[tuple[str, Message]]:
    """The parts that hold content, in order, with their IMAP section numbers (RFC 3501:
    a part's number within its multipart, dotted below; a mail of one part is part 1); an
    attached mail counts as one attachment."""
    if msg.get_content_maintype() == "multipart":
        payload = msg.get_payload()
        if not isinstance(payload, list):
            return []
        out: list[tuple[str, Message]] = []
        for n, part in enumerate(payload, 1):
            if isinstance(part, Message):
                number = f"{section}.{n}" if section else str(n)
                if part.get_content_type() == "message/rfc822":
                    out.append((number, part))
                else:
                    out.extend(_leaves(part, number))
        return out
    return [(section or "1", msg)]


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        try:
            name = part.get_param("name")  # type: ignore[assignment]
        except Exception:
            name = None
    if isinstance(name, tuple):  # an RFC 2231 value the library left undecoded
        name = email.utils.collapse_rfc2231_value(name)
    return " ".join(str(name).split())[:255] if name else ""


def _unnamed(kind: str) -> str:
    return "forwarded mail.eml" if kind == "message/rfc822" else f"unnamed ({kind})"


def _payload_bytes(part: Message) -> bytes:
    try:
        if part.get_content_type() == "message/rfc822":
            return part.as_bytes()
        payload = part.get_payload(decode=True)
    except Exception:
        return b""
    return payload if isinstance(payload, bytes) else b""


def _decoded(part: Message) -> str:
    """A text part's characters, whatever its charset claims.

    ISO-8859-1 is read as Windows-1252, its superset (as browsers do): mail programs label
    Windows text that way, and curly quotes and € would otherwise turn into control codes.
    An unknown charset is tried as UTF-8, then Windows-1252."""
    data = _payload_bytes(part)
    charset = str(part.get_content_charset() or "").strip().lower()
    if charset in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", ""):
        charset = "utf-8" if not charset or "ascii" in charset else "cp1252"
    for candidate in (charset, "utf-8", "cp1252"):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def as_message(raw: bytes) -> EmailMessage:
    """The raw mail as the standard library's message (for the tests and the sender)."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed
