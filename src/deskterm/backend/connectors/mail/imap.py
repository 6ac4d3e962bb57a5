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
def imap_errors() -> Iterator[None]:
    """Turn what imapclient, the socket and TLS raise into the connector's errors.

    Raises:
        AuthError: the credentials were refused.
        TransientError: the server cannot be reached, or the connection dropped.
        PermanentError: the server refused a command (a missing folder…).
    """
    try:
        yield
    except LoginError as exc:
        raise AuthError(f"the mail server refused the login: {_said(exc)}") from None
    except (TimeoutError, IMAPClientAbortError, OSError, ssl.SSLError, EOFError) as exc:
        raise TransientError(f"the mail server cannot be reached: {_said(exc)}") from exc
    except IMAPClientError as exc:
        if "AUTHENTICATIONFAILED" in str(exc).upper():
            raise AuthError(f"the mail server refused the login: {_said(exc)}") from None
        raise PermanentError(f"the mail server refused: {_said(exc)}") from exc


def open_imap(settings: MailSettings) -> IMAPClient:
    """A logged-in connection (call inside :func:`imap_errors`)."""
    client = IMAPClient(
        settings.imap_host,
        port=settings.imap_port,
        ssl=settings.imap_security == "tls",
        ssl_context=settings.tls_context() if settings.imap_security == "tls" else None,
        timeout=settings.timeout,
    )
    try:
        if settings.imap_security == "starttls":
            client.starttls(settings.tls_context())
        if settings.oauth_token:
            client.oauth2_login(settings.user, settings.oauth_token)
        else:
            client.login(settings.user, settings.password or "")
    except BaseException:
        close_quietly(client)
        raise
    return client


def close_quietly(client: IMAPClient) -> None:
    """Log out, or just close when the connection is already gone."""
    try:
        client.logout()
    except Exception:  # a dropped connection has nothing left to log out of
        try:
            client.shutdown()
        except Exception:
            pass


@contextmanager
def imap_session(settings: MailSettings) -> Iterator[IMAPClient]:
    """A logged-in IMAP connection, logged out after; errors as :func:`imap_errors`."""
    with imap_errors():
        client = open_imap(settings)
        try:
            yield client
        finally:
            close_quietly(client)


def _said(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
