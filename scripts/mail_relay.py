"""The test mail server's SMTP side: accept mail on loopback and deliver it to Dovecot by LMTP.

Started by ``scripts/mail-server``; STARTTLS with the state folder's certificate, and AUTH
PLAIN/LOGIN with any user name and the state folder's password, or XOAUTH2 with a test
token (:func:`test_token`). A mail Dovecot refuses is refused to the sender with Dovecot's
own answer, so nothing accepted here is lost silently.

It also answers Dovecot's OAuth2 user-info requests (``--oauth-port``), standing in for an
identity provider: a test token's user is its ``email``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import signal
import smtplib
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def test_token(user: str, password: str) -> str:
    """The OAuth2 access token the test server accepts for ``user``."""
    digest = hmac.new(password.encode(), user.encode(), hashlib.sha256).hexdigest()[:32]
    return f"deskterm-test.{base64.urlsafe_b64encode(user.encode()).decode()}.{digest}"


def token_user(token: str, password: str) -> str | None:
    """The user a test token was made for, or None for any other token."""
    try:
        _prefix, encoded, _digest = token.split(".")
        user = base64.urlsafe_b64decode(encoded.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return user if hmac.compare_digest(test_token(user, password), token) else None


class UserInfo(BaseHTTPRequestHandler):
    """``GET /userinfo`` with ``Authorization: Bearer <token>``, as Dovecot's oauth2 passdb
    asks in its ``auth`` introspection mode."""

    password = ""

    def do_GET(self) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        user = token_user(token, self.password)
        body = json.dumps({"email": user, "active": "true"} if user else {"error": "bad token"})
        self.send_response(200 if user else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: Any) -> None:
        return None


class OAuthMechanism:
    """AUTH XOAUTH2 for the SMTP side (aiosmtpd calls handlers' ``auth_<MECHANISM>``)."""

    def __init__(self, password: str) -> None:
        self.password = password

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:
        if len(args) < 2:
            return AuthResult(success=False)
        try:
            fields = dict(
                part.split("=", 1)
                for part in base64.b64decode(args[1]).decode().split("\x01")
                if "=" in part
            )
        except (ValueError, UnicodeDecodeError):
            return AuthResult(success=False)
        user = token_user(fields.get("auth", "").removeprefix("Bearer ").strip(), self.password)
        return AuthResult(success=user is not None and user == fields.get("user"))


class LmtpDelivery(OAuthMechanism):
    """aiosmtpd handler: hand each accepted mail to Dovecot's LMTP listener."""

    def __init__(self, lmtp_port: int, password: str) -> None:
        super().__init__(password)
        self.lmtp_port = lmtp_port
        self.refused_once: set[str] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return await asyncio.get_running_loop().run_in_executor(None, self._deliver, envelope)

    def _deliver(self, envelope: Any) -> str:
        for rcpt in envelope.rcpt_tos:
            if rcpt.startswith("refuse-once-") and rcpt not in self.refused_once:
                self.refused_once.add(rcpt)
                return "451 4.3.0 refused once, for the tests: try again"
        try:
            with smtplib.LMTP("127.0.0.1", self.lmtp_port, timeout=30) as lmtp:
                refused = lmtp.sendmail(
                    envelope.mail_from, envelope.rcpt_tos, envelope.original_content
                )
        except smtplib.SMTPResponseException as exc:
            return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
        except (smtplib.SMTPException, OSError) as exc:
            return f"451 delivery failed, try again later: {exc}"
        if refused:
            return f"451 some recipients were refused: {sorted(refused)}"
        return "250 delivered"


class PasswordCheck:
    """Any user name with the one password of the state folder."""

    def __init__(self, password: str) -> None:
        self.password = password.encode()

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == self.password
        return AuthResult(success=ok, handled=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--lmtp-port", type=int, required=True)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--oauth-port", type=int, required=True)
    args = parser.parse_args()
    folder = args.state
    password = (folder / "password").read_text().strip().removeprefix("{plain}")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    controller = Controller(
        LmtpDelivery(args.lmtp_port, password),
        hostname="127.0.0.1",
        port=args.port,
        tls_context=context,
        authenticator=PasswordCheck(password),
        auth_require_tls=False,
        data_size_limit=40 * 1024 * 1024,
    )
    controller.start()
    UserInfo.password = password
    userinfo = ThreadingHTTPServer(("127.0.0.1", args.oauth_port), UserInfo)
    threading.Thread(target=userinfo.serve_forever, daemon=True).start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()
    userinfo.shutdown()


if __name__ == "__main__":
    main()
