"""Where a mail's files are (IMAP section numbers), and their bytes from the transfer encoding."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.connectors.errors import PermanentError
from deskterm.backend.connectors.mail.files import PartLocator, decode_part
from deskterm.backend.connectors.mail.parse import as_message, parse_mail


def test_section_numbers_follow_the_parts_as_imap_counts_them() -> None:
    msg = EmailMessage()
    msg["From"] = "ana@example.com"
    msg["Subject"] = "photos"
    msg.set_content("plain")
    msg.add_alternative("<p>html</p>", subtype="html")  # multipart/alternative: part 1
    msg.make_mixed()
    msg.add_attachment(b"\x89PNG", maintype="image", subtype="png", filename="a.png")  # 2
    inner = EmailMessage()
    inner["Subject"] = "forwarded"
    inner.set_content("old mail")
    msg.add_attachment(inner)  # message/rfc822: part 3, one file
    mail = parse_mail(msg.as_bytes(policy=SMTP))
    assert [(a.filename, a.section, a.encoding) for a in mail.attachments] == [
        ("a.png", "2", "base64"),
        ("forwarded mail.eml", "3", ""),
    ]


def test_a_mail_of_one_part_is_part_1() -> None:
    msg = EmailMessage()
    msg["From"] = "ana@example.com"
    msg.set_content(b"%PDF", maintype="application", subtype="pdf", filename="f.pdf")
    [file] = parse_mail(msg.as_bytes(policy=SMTP)).attachments
    assert (file.filename, file.section) == ("f.pdf", "1")


@given(st.binary(max_size=2000), st.sampled_from(["base64", "quoted-printable", "8bit"]))
def test_a_part_decodes_to_the_bytes_sent(data: bytes, encoding: str) -> None:
    msg = EmailMessage()
    msg.set_content(data, maintype="application", subtype="octet-stream", cte=encoding)
    raw = msg.as_bytes(policy=SMTP).split(b"\r\n\r\n", 1)[1]
    if encoding == "8bit":
        data = as_message(msg.as_bytes(policy=SMTP)).get_payload(decode=True)
    assert decode_part(raw, encoding) == data


def test_a_lost_padding_is_forgiven() -> None:
    assert decode_part(b"QUJDRA", "base64") == b"ABCD"


@pytest.mark.parametrize("text", ["", "{}", "[1]", '{"message_id":"<a>","validity":1,'
                                  '"uid":2,"section":"1;DROP"}', "12345"])  # fmt: skip
def test_only_a_locator_deskterm_wrote_is_read(text: str) -> None:
    with pytest.raises(PermanentError):
        PartLocator.load(text)


def test_a_locator_reads_back() -> None:
    place = PartLocator("<a@b>", 7, 42, "2.1", "base64")
    assert PartLocator.load(place.dump()) == place
