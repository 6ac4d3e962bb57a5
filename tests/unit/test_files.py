"""Saving a sender's file: a plain name in one folder, never over another file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.files import MAX_NAME_BYTES, free_path, safe_name, system_opener
from deskterm.domain.models import Attachment, AuthorKind, Message
from deskterm.widgets.conversation_view import message_text


def test_a_senders_name_loses_its_folders_and_controls() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\x\\invoice.pdf") == "invoice.pdf"
    assert safe_name(".bashrc") == "bashrc"
    assert safe_name("a\x1b[31mb\n.txt") == "a[31mb.txt"
    assert safe_name("") == "file" and safe_name("..") == "file"


@given(st.text())
def test_any_name_is_one_plain_file_name(name: str) -> None:
    safe = safe_name(name)
    assert safe and "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert len(safe.encode()) <= MAX_NAME_BYTES


def test_a_taken_name_gets_a_number(tmp_path: Path) -> None:
    (tmp_path / "receipt.pdf").write_bytes(b"1")
    (tmp_path / "receipt (2).pdf").write_bytes(b"2")
    assert free_path(tmp_path, "receipt.pdf") == tmp_path / "receipt (3).pdf"


def test_no_opener_is_none_not_an_error(monkeypatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert system_opener() is None


def test_the_thread_lists_each_file_with_its_size() -> None:
    when = datetime(2026, 12, 4, 10, tzinfo=UTC)
    message = Message(
        id=1,
        conversation_id=1,
        author_kind=AuthorKind.CUSTOMER,
        author_name="Ana",
        body="see attached",
        attachments=[
            Attachment(filename="receipt.pdf", size=12_400),
            Attachment(filename="photo.png", size=230),
        ],
        created_at=when,
    )
    text = message_text(message, now=when, tz=ZoneInfo("UTC")).plain
    assert "📎 receipt.pdf (12.4 kB), photo.png (230 bytes)" in text


def test_the_demo_photo_is_a_picture_made_the_same_every_time() -> None:
    from deskterm.backend.demo.files import demo_file, photo

    data = photo()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    assert demo_file("demo:photo.png") == data
    assert demo_file("demo:../etc/passwd") is None and demo_file("photo.png") is None
