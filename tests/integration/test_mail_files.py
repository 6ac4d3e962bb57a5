"""A mail's attached files saved from the real mailbox: by UID and section, byte for byte,
never marking the mail seen, and found again after it moved to the handled folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from deskterm.backend.connectors.errors import PermanentError
from deskterm.backend.files import save_file
from deskterm.domain.models import Attachment
from tests.integration.conftest import MailServer
from tests.integration.mailbox import Desk, append, mails
from tests.mail import corpus

pytestmark = pytest.mark.integration

#: Every byte value, and a length that is not a multiple of 3 (base64 padding).
PHOTO = hashlib.sha256(b"jar").digest() * 600 + bytes(range(256)) + b"\r\n\x00end"
NOTE = "Reçu n° 42 — 12,50 €\n".encode() * 30


def _files(desk: Desk) -> list[Attachment]:
    [conv] = desk.conversations()
    return [a for m in desk.store.messages(conv["id"]) for a in m.attachments]


@pytest.mark.parametrize("handled", ["leave", "move"])
def test_each_file_is_saved_byte_for_byte_and_the_mail_stays_unseen(
    mail_server: MailServer, tmp_path: Path, handled: str
) -> None:
    desk = Desk.open(mail_server, tmp_path / "desk.db", handled=handled)
    raw = corpus.with_attachments(
        [("jar.jpg", PHOTO, "image/jpeg"), ("reçu.txt", NOTE, "text/plain")]
    )
    append(mail_server, desk.address, raw)
    desk.engine.pull()

    files = _files(desk)
    assert [(f.filename, f.size) for f in files] == [
        ("jar.jpg", len(PHOTO)),
        ("reçu.txt", len(NOTE)),
    ]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    saved = [save_file(desk.connector, f, downloads) for f in files]
    assert saved[0].read_bytes() == PHOTO
    assert saved[1].read_bytes() == NOTE
    folder = "Handled" if handled == "move" else "INBOX"
    [(_raw, flags)] = mails(mail_server, desk.address, folder)
    assert b"\\Seen" not in flags


def test_a_file_whose_mail_is_gone_says_so(mail_server: MailServer, tmp_path: Path) -> None:
    desk = Desk.open(mail_server, tmp_path / "desk.db")
    append(
        mail_server, desk.address, corpus.with_attachments([("a.pdf", b"%PDF", "application/pdf")])
    )
    desk.engine.pull()
    [file] = _files(desk)
    assert file.external_id is not None
    other = Desk.open(mail_server, tmp_path / "other.db")  # another mailbox: not there
    with pytest.raises(PermanentError, match="no longer in the mailbox"):
        other.connector.fetch_file(file.external_id)
    with pytest.raises(PermanentError):
        desk.connector.fetch_file("not a place")
