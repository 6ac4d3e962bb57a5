"""The test mail server's SMTP side: accept mail on loopback and deliver it to Dovecot by LMTP.

Started by ``scripts/mail-server``; STARTTLS with the state folder's certificate, and AUTH
PLAIN/LOGIN with any user name and the state folder's password. A mail Dovecot refuses is
refused to the sender with Dovecot's own answer, so nothing accepted here is lost silently.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import smtplib
import ssl
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class LmtpDelivery:
    """aiosmtpd handler: hand each accepted mail to Dovecot's LMTP listener."""

    def __init__(self, lmtp_port: int) -> None:
        self.lmtp_port = lmtp_port

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return await asyncio.get_running_loop().run_in_executor(None, self._deliver, envelope)

    def _deliver(self, envelope: Any) -> str:
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
    args = parser.parse_args()
    folder = args.state
    password = (folder / "password").read_text().strip().removeprefix("{plain}")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    controller = Controller(
        LmtpDelivery(args.lmtp_port),
        hostname="127.0.0.1",
        port=args.port,
        tls_context=context,
        authenticator=PasswordCheck(password),
        auth_require_tls=False,
        data_size_limit=40 * 1024 * 1024,
    )
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
