"""IMAP sessions (imapclient) with every failure turned into the connector's domain errors."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from deskterm.backend.connectors.errors import AuthError, PermanentError, TransientError
from deskterm.backend.connectors.mail.settings import MailSettings


@contextmanager
def imap_session(settings: MailSettings) -> Iterator[IMAPClient]:
    """A logged-in IMAP connection, logged out after.

    Raises:
        AuthError: the credentials were refused.
        TransientError: the server cannot be reached, or the connection dropped.
        PermanentError: the server refused a command (a missing folder…).
    """
    client: IMAPClient | None = None
    try:
        client = IMAPClient(
            settings.imap_host,
            port=settings.imap_port,
            ssl=settings.imap_security == "tls",
            ssl_context=settings.tls_context() if settings.imap_security == "tls" else None,
            timeout=settings.timeout,
        )
        if settings.imap_security == "starttls":
            client.starttls(settings.tls_context())
        if settings.oauth_token:
            client.oauth2_login(settings.user, settings.oauth_token)
        else:
            client.login(settings.user, settings.password or "")
        yield client
    except LoginError as exc:
        raise AuthError(f"the mail server refused the login: {_said(exc)}") from None
    except (TimeoutError, IMAPClientAbortError, OSError, ssl.SSLError, EOFError) as exc:
        raise TransientError(f"the mail server cannot be reached: {_said(exc)}") from exc
    except IMAPClientError as exc:
        if "AUTHENTICATIONFAILED" in str(exc).upper():
            raise AuthError(f"the mail server refused the login: {_said(exc)}") from None
        raise PermanentError(f"the mail server refused: {_said(exc)}") from exc
    finally:
        if client is not None:
            try:
                client.logout()
            except Exception:  # a dropped connection has nothing left to log out of
                try:
                    client.shutdown()
                except Exception:
                    pass


def _said(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
