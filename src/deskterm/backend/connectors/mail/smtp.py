"""Sending one mail by SMTP, with a hook just before the end of its data.

The hook is where the sender marks the mail as sent (in the Sent folder) *before* the server
can accept it: if the answer to the end of the data is lost, a retry finds the mark and does
not send a second copy. A failure before the hook means the server never saw the end of the
data, and so never accepted the mail (RFC 5321 §4.1.1.4): a retry sends it. A connection
found closed (or a server that spoke) after the data and after the mark takes the mark
back: the data was cut on its way, and the mail must go again.
"""

from __future__ import annotations

import re
import select
import smtplib
import ssl
from collections.abc import Callable, Sequence

from deskterm.backend.connectors.errors import AuthError, PermanentError, TransientError
from deskterm.backend.connectors.mail.settings import MailSettings

_LEADING_DOT = re.compile(rb"(?m)^\.")


class Unconfirmed(TransientError):
    """The end of the data went out but no answer came back: the mail may have been sent."""


def send_mail(
    settings: MailSettings,
    payload: bytes,
    sender: str,
    recipients: Sequence[str],
    mark_sent: Callable[[], None],
    mark_unsent: Callable[[], None],
) -> None:
    """Send ``payload`` (a whole mail, CRLF line ends) to ``recipients``.

    Raises:
        AuthError: the login was refused.
        PermanentError: the server refused the sender, every recipient or the mail (5xx).
        Unconfirmed: the data was ended but the answer was lost.
        TransientError: anything else worth retrying (4xx, a dropped connection).
    """
    ended = False
    smtp: smtplib.SMTP | None = None
    try:
        smtp = _connect(settings)
        if settings.oauth_token:
            smtp.auth("XOAUTH2", lambda _c=None: _xoauth2(settings), initial_response_ok=True)
        elif settings.password:
            smtp.login(settings.user, settings.password)
        code, said = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, said, sender)
        accepted = [r for r in recipients if smtp.rcpt(r)[0] in (250, 251)]
        if not accepted:
            raise PermanentError(
                f"the mail server refused every recipient: {', '.join(recipients)}"
            )
        code, said = smtp.docmd("DATA")
        if code != 354:
            raise smtplib.SMTPDataError(code, said)
        data = _LEADING_DOT.sub(b"..", payload)
        smtp.send(data if data.endswith(b"\r\n") else data + b"\r\n")
        if _spoke_or_closed(smtp):
            raise TransientError("the mail server closed the connection during the data")
        mark_sent()
        if _spoke_or_closed(smtp):  # the data may have been cut while the mark was written
            mark_unsent()
            raise TransientError("the mail server closed the connection during the data")
        ended = True
        smtp.send(b".\r\n")
        code, said = smtp.getreply()
        if code != 250:
            mark_unsent()  # refused, now or for a while: the mail was not taken
            raise smtplib.SMTPDataError(code, said)
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass  # the mail was accepted; a lost goodbye changes nothing
    except smtplib.SMTPAuthenticationError as exc:
        raise AuthError(f"the mail server refused the login: {_said(exc)}") from None
    except smtplib.SMTPResponseException as exc:
        error = PermanentError if 500 <= exc.smtp_code < 600 else TransientError
        raise error(
            f"the mail server answered {exc.smtp_code}: {_said(exc)}", status=exc.smtp_code
        ) from None
    except (TimeoutError, smtplib.SMTPServerDisconnected, OSError, ssl.SSLError) as exc:
        kind = Unconfirmed if ended else TransientError
        raise kind(f"the mail server cannot be reached: {_said(exc)}") from None
    except smtplib.SMTPException as exc:
        raise TransientError(f"sending failed: {_said(exc)}") from None
    finally:
        if smtp is not None:
            smtp.close()  # without QUIT mid-data: the server drops an unended mail


def _spoke_or_closed(smtp: smtplib.SMTP) -> bool:
    """Whether the server said something or hung up while we were sending the data: it
    should stay silent until the end, so anything readable means the data did not all
    arrive."""
    sock = smtp.sock
    if sock is None:
        return True
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    return bool(select.select([sock], [], [], 0)[0])


def _connect(settings: MailSettings) -> smtplib.SMTP:
    if settings.smtp_security == "tls":
        return smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=settings.timeout,
            context=settings.tls_context(),
        )  # fmt: skip
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
    try:
        smtp.ehlo()
        if settings.smtp_security == "starttls":
            smtp.starttls(context=settings.tls_context())
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _xoauth2(settings: MailSettings) -> str:
    return f"user={settings.user}\x01auth=Bearer {settings.oauth_token}\x01\x01"


def _said(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())[:200]
