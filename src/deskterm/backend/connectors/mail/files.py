"""A mail's attached files, fetched again from the mailbox when the agent opens one.

The store keeps each file's name, type and size, and where it is: the mail's Message-ID, the
folder's UIDVALIDITY and the mail's UID when it was read, and the part's IMAP section number
and transfer encoding (:class:`PartLocator`). Opening a file fetches only that part, with the
folder opened read-only and ``BODY.PEEK``: the mail is never marked seen by it. A mail moved
since (to the handled folder) or renumbered (a new UIDVALIDITY) is found again by its
Message-ID.
"""

from __future__ import annotations

import binascii
import json
import quopri
from dataclasses import asdict, dataclass

from imapclient import IMAPClient

from deskterm.backend.connectors.errors import PermanentError
from deskterm.backend.connectors.mail.imap import imap_session
from deskterm.backend.connectors.mail.settings import MailSettings

_MESSAGE_ID_FIELD = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"


@dataclass(frozen=True)
class PartLocator:
    """Where one attached file is in the mailbox."""

    message_id: str
    validity: int
    uid: int
    section: str
    encoding: str = ""

    def dump(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def load(cls, text: str) -> PartLocator:
        """Raises PermanentError for anything that is not a locator this module wrote."""
        try:
            data = json.loads(text)
            locator = cls(
                str(data["message_id"]),
                int(data["validity"]),
                int(data["uid"]),
                str(data["section"]),
                str(data.get("encoding") or ""),
            )
        except (ValueError, TypeError, KeyError):
            raise PermanentError("this file's place in the mailbox is not known") from None
        if not all(p.isdigit() for p in locator.section.split(".")):
            raise PermanentError("this file's place in the mailbox is not known")
        return locator


def decode_part(raw: bytes, encoding: str) -> bytes:
    """A part's bytes as sent, from its transfer encoding (leniently, as mail programs do)."""
    if encoding == "base64":
        try:
            return binascii.a2b_base64(raw)
        except binascii.Error:  # padding lost: add it back
            squeezed = b"".join(raw.split())
            return binascii.a2b_base64(squeezed + b"=" * (-len(squeezed) % 4))
    if encoding == "quoted-printable":
        return quopri.decodestring(raw)
    return raw


def fetch_part(settings: MailSettings, locator: PartLocator) -> bytes:
    """The bytes of one attached file, looked for in the mailbox's folder, then in the folder
    handled mail is moved to.

    Raises:
        PermanentError: the mail is no longer in either folder.
        TransientError, AuthError: as every mailbox call.
    """
    folders = [settings.folder]
    if settings.handled == "move":
        folders.append(settings.handled_folder)
    with imap_session(settings) as imap:
        for folder in folders:
            info = imap.select_folder(folder, readonly=True)
            same_numbers = int(info[b"UIDVALIDITY"]) == locator.validity
            uid: int | None = locator.uid if folder == settings.folder and same_numbers else None
            if uid is None or not _is_the_mail(imap, uid, locator.message_id):
                uid = _find(imap, locator.message_id)
            if uid is not None:
                key = f"BODY[{locator.section}]".encode()
                data = imap.fetch([uid], [f"BODY.PEEK[{locator.section}]"]).get(uid) or {}
                if key in data and data[key] is not None:
                    return decode_part(bytes(data[key]), locator.encoding)
    raise PermanentError("the mail holding this file is no longer in the mailbox")


def _is_the_mail(imap: IMAPClient, uid: int, message_id: str) -> bool:
    if message_id.endswith("@no-message-id.invalid>"):
        return True  # made up by deskterm: the UID is all there is to go by
    found = imap.fetch([uid], ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]).get(uid) or {}
    header = bytes(found.get(_MESSAGE_ID_FIELD) or b"").decode("ascii", "replace")
    return message_id in header


def _find(imap: IMAPClient, message_id: str) -> int | None:
    if message_id.endswith("@no-message-id.invalid>"):
        return None
    uids = imap.search(["HEADER", "Message-ID", message_id])
    return min(uids) if uids else None
