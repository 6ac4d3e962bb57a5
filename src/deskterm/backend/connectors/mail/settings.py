"""How to reach one support mailbox: hosts, ports, security, folders, who replies are from.

Built from :class:`ConnectorOptions` (``user`` and ``password`` or ``oauth_token`` are the
mailbox's credentials; everything else is in ``extra``), so the command line, the settings
file's ``[remote]`` and the tests all go through one place. Secrets never appear in a repr.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from email.utils import parseaddr

from deskterm.backend.sync.protocol import ConnectorOptions

SECURITY = ("tls", "starttls", "plain")
HANDLED = ("leave", "seen", "move")
_DEFAULT_PORTS = {
    ("imap", "tls"): 993,
    ("imap", "starttls"): 143,
    ("imap", "plain"): 143,
    ("smtp", "tls"): 465,
    ("smtp", "starttls"): 587,
    ("smtp", "plain"): 25,
}


@dataclass(frozen=True)
class MailSettings:
    imap_host: str
    smtp_host: str
    user: str
    from_address: str
    password: str | None = field(default=None, repr=False)
    oauth_token: str | None = field(default=None, repr=False)
    imap_port: int = 993
    smtp_port: int = 587
    imap_security: str = "tls"
    smtp_security: str = "starttls"
    folder: str = "INBOX"
    sent_folder: str = "Sent"
    #: What happens to a mail once it is in deskterm: left as it is, marked seen, or moved.
    handled: str = "leave"
    handled_folder: str = "Handled"
    from_name: str = ""
    signature: str = ""
    #: A certificate authority file to trust (a self-hosted server's own certificate).
    ca_file: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_options(cls, options: ConnectorOptions) -> MailSettings:
        """Raises ValueError, in one line, for anything missing or wrong."""
        extra = dict(options.extra)
        imap_host = extra.get("imap_host") or ""
        if not imap_host:
            raise ValueError("the mailbox needs --imap-host (or imap_host in [remote])")
        smtp_host = extra.get("smtp_host") or imap_host
        user = options.user or ""
        if not user:
            raise ValueError("the mailbox needs a user: --user or DESKTERM_MAIL_USER")
        if not (options.password or options.oauth_token):
            raise ValueError(
                "the mailbox needs a password: DESKTERM_MAIL_PASSWORD (or "
                "DESKTERM_MAIL_OAUTH_TOKEN), or the keyring"
            )
        imap_security = _choice(extra, "imap_security", "tls", SECURITY)
        smtp_security = _choice(extra, "smtp_security", "starttls", SECURITY)
        handled = _choice(extra, "handled", "leave", HANDLED)
        given = (extra.get("from_address") or user).strip()
        # "Support <support@shop.fr>" as well as "support@shop.fr": the name is the From's.
        name_in_from, from_address = parseaddr(given)
        if "@" not in from_address:
            raise ValueError(f"replies need a From address, and {given!r} is not one")
        return cls(
            imap_host=imap_host,
            smtp_host=smtp_host,
            user=user,
            password=options.password,
            oauth_token=options.oauth_token,
            imap_port=_port(extra, "imap", imap_security),
            smtp_port=_port(extra, "smtp", smtp_security),
            imap_security=imap_security,
            smtp_security=smtp_security,
            folder=extra.get("folder") or "INBOX",
            sent_folder=extra.get("sent_folder") or "Sent",
            handled=handled,
            handled_folder=extra.get("handled_folder") or "Handled",
            from_address=from_address,
            from_name=extra.get("from_name") or name_in_from,
            signature=extra.get("signature") or "",
            ca_file=extra.get("ca_file") or None,
            timeout=max(options.timeout, 30.0),
        )

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    @property
    def from_domain(self) -> str:
        return self.from_address.rsplit("@", 1)[1]


def _choice(extra: dict[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = (extra.get(name) or default).lower()
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _port(extra: dict[str, str], protocol: str, security: str) -> int:
    text = extra.get(f"{protocol}_port")
    if not text:
        return _DEFAULT_PORTS[(protocol, security)]
    if not str(text).isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{protocol}_port must be a port number, not {text!r}")
    return int(text)
