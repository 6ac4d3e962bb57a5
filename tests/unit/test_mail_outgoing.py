"""The reply mail deskterm builds, and how new mail finds its conversation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from deskterm.backend.connectors.mail.outgoing import build_reply, reply_message_id
from deskterm.backend.connectors.mail.settings import MailSettings
from deskterm.backend.connectors.mail.threads import Threader, new_conversation_id, token_of
from deskterm.backend.sync import ConnectorOptions, PushAction
from deskterm.backend.sync.protocol import ReplyContext

SETTINGS = MailSettings.from_options(
    ConnectorOptions(
        user="support@shop.fr",
        password="pw",
        extra={
            "imap_host": "imap.shop.fr",
            "from_name": "Support Shop",
            "signature": "L'équipe Shop\nshop.fr",
        },
    )
)
CONV = new_conversation_id("<first@example.com>")


def _action(
    key: str = "k-1", body: str = "Bonjour Léa,\n.ligne qui commence par un point"
) -> PushAction:
    return PushAction(
        entry_id=1, conversation_external_id=CONV, kind="reply", idempotency_key=key,
        created_at=datetime(2025, 11, 3, 10, 0, tzinfo=UTC), attempts=1, body=body,
    )  # fmt: skip


def _context(count: int = 2) -> ReplyContext:
    messages = [
        (f"<m{i}@example.com>", "customer" if i % 2 == 0 else "agent") for i in range(count)
    ]
    return ReplyContext("RE: Il manque le pain", "Léa Martin", "lea@example.com", messages)


def test_the_reply_answers_the_customers_latest_mail_with_from_and_signature() -> None:
    mail = build_reply(_action(), _context(4), SETTINGS)
    assert mail["From"] == "Support Shop <support@shop.fr>"
    assert mail["To"] == "Léa Martin <lea@example.com>"
    assert mail["In-Reply-To"] == "<m2@example.com>"
    assert mail["References"].split() == [f"<m{i}@example.com>" for i in range(4)]
    assert mail["Subject"] == f"Re: Il manque le pain [#{token_of(CONV)}]"
    assert mail.get_content().endswith("\n-- \nL'équipe Shop\nshop.fr\n")


def test_every_try_builds_the_same_mail_and_message_id() -> None:
    first = build_reply(_action(), _context(), SETTINGS).as_bytes()
    again = build_reply(_action(), _context(), SETTINGS).as_bytes()
    assert first == again
    assert reply_message_id(_action(), SETTINGS) == "<k-1.deskterm@shop.fr>"
    assert reply_message_id(_action("other"), SETTINGS) != reply_message_id(_action(), SETTINGS)


def test_long_threads_keep_the_first_and_latest_references() -> None:
    mail = build_reply(_action(), _context(60), SETTINGS)
    ids = mail["References"].split()
    assert len(ids) == 20
    assert ids[0] == "<m0@example.com>" and ids[-1] == "<m59@example.com>"


class FakeLookup:
    """What the mirror holds: message ids and the customers' conversations."""

    def __init__(self) -> None:
        self.messages: dict[str, str] = {}
        self.customers: dict[str, list[tuple[str, str]]] = {}

    def conversation_of_messages(self, message_ids: Sequence[str]) -> str | None:
        return next((self.messages[i] for i in message_ids if i in self.messages), None)

    def conversation_exists(self, external_id: str) -> bool:
        return external_id in self.messages.values()

    def conversations_of_customer(self, customer_external_id: str) -> list[tuple[str, str]]:
        return self.customers.get(customer_external_id, [])

    def reply_context(self, conversation_external_id: str) -> ReplyContext | None:
        return None


def test_threading_order_ids_then_token_then_sender_and_subject() -> None:
    lookup = FakeLookup()
    lookup.messages = {"<a@x>": "mail:AAAAAAAAAA", "<b@x>": "mail:BBBBBBBBBB"}
    lookup.customers = {"mailto:lea@x": [("mail:CCCCCCCCCC", "Remboursement")]}
    threader = Threader(lookup)
    # A reference wins over a token and a subject.
    assert threader.find(["<z@x>", "<b@x>"], "mailto:lea@x", "Re: Remboursement [#AAAAAAAAAA]") == (
        "mail:BBBBBBBBBB"
    )
    assert threader.find([], "mailto:lea@x", "Re: Remboursement [#AAAAAAAAAA]") == "mail:AAAAAAAAAA"
    assert threader.find([], "mailto:lea@x", "RE : remboursement") == "mail:CCCCCCCCCC"
    assert threader.find([], "mailto:paul@x", "Remboursement") is None
    assert threader.find([], "mailto:lea@x", "Re:") is None  # an empty subject threads nothing


def test_mails_of_one_pull_thread_onto_each_other_before_they_land() -> None:
    threader = Threader(None)
    threader.remember("mail:DDDDDDDDDD", ["<new@x>"], "mailto:lea@x", "Colis")
    assert threader.find(["<new@x>"], "mailto:paul@x", "") == "mail:DDDDDDDDDD"
    assert threader.find([], "mailto:lea@x", "Fwd: Colis") == "mail:DDDDDDDDDD"
