"""A reply, sent once: built the same on every try, recorded in the Sent folder first.

1. The mail's Message-ID is made from the outbox entry's idempotency key, and its Date from
   the entry's time: every try builds the same mail.
2. Before sending, its copy is appended to the Sent folder flagged ``$DesktermUnsent`` (a
   try that finds that copy reuses it).
3. Just before the end of the SMTP data, the flag is removed: from then on the mail counts
   as sent. A later try that finds the copy without the flag says "already sent".
4. A refusal after that (a 4xx or 5xx answer to the end of the data) puts the flag back.

So a lost answer to the end of the data never causes a second copy; the price is the rare
case where the connection drops in the instant between removing the flag and the server
receiving the end of the data, where the reply waits in Sent, flagged as sent, and the
customer does not get it (never twice, rather than maybe twice).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from imapclient import SEEN, IMAPClient

from deskterm.backend.connectors.errors import PermanentError
from deskterm.backend.connectors.mail.imap import imap_session
from deskterm.backend.connectors.mail.settings import MailSettings
from deskterm.backend.connectors.mail.smtp import send_mail
from deskterm.backend.connectors.mail.threads import reply_subject
from deskterm.backend.sync.protocol import PushAction, PushResult, ReplyContext

UNSENT = b"$DesktermUnsent"
#: The most message ids a reply's References carries (the first and the latest ones).
MAX_REFERENCES = 20


def reply_message_id(action: PushAction, settings: MailSettings) -> str:
    key = "".join(ch for ch in action.idempotency_key if ch.isalnum() or ch in "-_.")
    return f"<{key}.deskterm@{settings.from_domain}>"


def build_reply(action: PushAction, context: ReplyContext, settings: MailSettings) -> EmailMessage:
    """The reply mail: same bytes on every try."""
    msg = EmailMessage()
    msg["From"] = formataddr((settings.from_name, settings.from_address))
    msg["To"] = formataddr((context.customer_name, context.customer_email or ""))
    msg["Subject"] = reply_subject(context.subject, action.conversation_external_id)
    msg["Date"] = format_datetime(action.created_at)
    msg["Message-ID"] = reply_message_id(action, settings)
    theirs = [mid for mid, kind in context.messages if kind == "customer"]
    if theirs:
        msg["In-Reply-To"] = theirs[-1]
    ids = [mid for mid, _kind in context.messages if mid.startswith("<")]
    if len(ids) > MAX_REFERENCES:
        ids = ids[:1] + ids[-(MAX_REFERENCES - 1) :]
    if ids:
        msg["References"] = " ".join(ids)
    msg["Auto-Submitted"] = "no"
    body = (action.body or "").rstrip()
    if settings.signature.strip():
        body += "\n\n-- \n" + settings.signature.strip()
    msg.set_content(body + "\n")
    return msg


def send_reply(settings: MailSettings, action: PushAction, context: ReplyContext) -> PushResult:
    """Send the reply unless a copy in Sent says an earlier try already did.

    Raises:
        TransientError: try again later (never after the mail may have gone).
        PermanentError, AuthError: refused.
    """
    message = build_reply(action, context, settings)
    message_id = str(message["Message-ID"])
    payload = message.as_bytes(policy=SMTP)
    with imap_session(settings) as imap:
        imap.select_folder(settings.sent_folder)
        uid = _sent_copy(imap, message_id)
        if uid is True:
            return PushResult(message_external_id=message_id, already_there=True)
        if uid is None:
            imap.append(settings.sent_folder, payload, flags=(SEEN, UNSENT))
            found = _sent_copy(imap, message_id)
            if not isinstance(found, int):
                raise PermanentError("the Sent folder does not keep the reply's copy")
            uid = found

        def mark_sent() -> None:
            imap.remove_flags([uid], [UNSENT])

        def mark_unsent() -> None:
            imap.add_flags([uid], [UNSENT])

        send_mail(
            settings,
            payload,
            settings.from_address,
            [context.customer_email or ""],
            mark_sent,
            mark_unsent,
        )
    return PushResult(message_external_id=message_id)


def _sent_copy(imap: IMAPClient, message_id: str) -> int | bool | None:
    """True when a copy of the mail in Sent counts as sent; the UID of a copy still marked
    unsent; None when there is none."""
    imap.noop()  # see mail appended meanwhile (by us, or by the server on submission)
    uids = imap.search(["HEADER", "Message-ID", message_id])
    if not uids:
        return None
    flags = imap.get_flags(uids)
    if any(UNSENT not in flags.get(u, ()) for u in uids):
        return True
    return int(min(uids))
