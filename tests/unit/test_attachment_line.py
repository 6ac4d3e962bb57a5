"""The thread lists a message's attachments with their sizes (a mailbox's mail has them)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from deskterm.domain.models import Attachment, AuthorKind, Message
from deskterm.domain.safety import human_size
from deskterm.widgets.conversation_view import message_text

T0 = datetime(2025, 11, 3, 10, 0, tzinfo=UTC)


def test_attachments_show_their_names_and_sizes() -> None:
    message = Message(
        id=1, conversation_id=1, author_kind=AuthorKind.CUSTOMER, author_name="Léa", body="Voir",
        attachments=[Attachment(filename="colis.jpg", size=48_002),
                     Attachment(filename="facture.pdf", size=2_500_000),
                     Attachment(filename="sans taille")],
        created_at=T0,
    )  # fmt: skip
    text = message_text(message, now=T0, tz=ZoneInfo("Europe/Paris")).plain
    assert "📎 colis.jpg (48.0 kB), facture.pdf (2.5 MB), sans taille" in text


def test_sizes_read_in_the_usual_units() -> None:
    assert [human_size(n) for n in (0, 999, 1000, 48_002, 1_000_000, 25_300_000)] == [
        "0 bytes", "999 bytes", "1.0 kB", "48.0 kB", "1.0 MB", "25.3 MB",
    ]  # fmt: skip
