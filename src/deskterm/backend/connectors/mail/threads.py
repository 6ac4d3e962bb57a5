"""Which conversation a mail belongs to, in the order mail programs can be trusted:

1. Message-ID: the mail answers (In-Reply-To, References) a message deskterm already has;
2. the conversation's token in the subject (``[#K7Q2MX8A3B]``, put there by deskterm's
   replies), for mail programs that drop the references;
3. the same sender writing again under the same subject once its prefixes are gone
   (``Re:``, ``Fwd:``, ``TR:``, ``RE :``, ``Réf.``… in French and English).

Else the mail opens a new conversation, whose id is made from its Message-ID (so a resync
finds the same one).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from deskterm.backend.sync.protocol import MirrorLookup

#: Conversation ids of the mailbox: this prefix and the token.
PREFIX = "mail:"
_TOKEN = re.compile(r"\[#([A-Z2-7]{10})\]")
# One or more reply/forward prefixes, any case, with French spacing before the colon and
# mail programs' counters ("Re[2]:", "RE (3):").
_PREFIXES = re.compile(
    r"^\s*(?:(?:re|fwd?|tr|aw|wg|sv|vs|réf|ref|rép|rep|fw)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def token_of(conversation_external_id: str) -> str | None:
    """The token of a mailbox conversation (its id without the prefix), else None."""
    if not conversation_external_id.startswith(PREFIX):
        return None
    token = conversation_external_id[len(PREFIX) :]
    return token if _TOKEN.fullmatch(f"[#{token}]") else None


def new_conversation_id(message_id: str) -> str:
    digest = hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).digest()
    return PREFIX + base64.b32encode(digest).decode()[:10]


def subject_token(subject: str) -> str | None:
    found = _TOKEN.search(subject)
    return PREFIX + found.group(1) if found else None


def normalised_subject(subject: str) -> str:
    """The subject without reply/forward prefixes, token and spacing, case folded."""
    text = _TOKEN.sub(" ", subject)
    previous = None
    while previous != text:
        previous = text
        text = _PREFIXES.sub("", text)
    return " ".join(text.split()).casefold()


def reply_subject(subject: str, conversation_external_id: str) -> str:
    """``Re: <subject> [#TOKEN]``, one prefix and one token whatever the subject held."""
    base = _TOKEN.sub(" ", subject)
    base = " ".join(_PREFIXES.sub("", base).split()) or "(no subject)"
    token = token_of(conversation_external_id)
    return f"Re: {base}" + (f" [#{token}]" if token else "")


@dataclass
class Threader:
    """Threads the mails of one pull: the mirror for what landed before, a memory for the
    mails of this pull that have not landed yet."""

    lookup: MirrorLookup | None
    _by_message: dict[str, str] = field(default_factory=dict)
    _by_subject: dict[tuple[str, str], str] = field(default_factory=dict)
    _known: set[str] = field(default_factory=set)

    def by_messages(self, ids: Sequence[str]) -> str | None:
        for message_id in ids:
            if message_id in self._by_message:
                return self._by_message[message_id]
        return self.lookup.conversation_of_messages(ids) if self.lookup and ids else None

    def by_token(self, subject: str) -> str | None:
        candidate = subject_token(subject)
        if candidate is None:
            return None
        if candidate in self._known:
            return candidate
        return candidate if self.lookup and self.lookup.conversation_exists(candidate) else None

    def by_subject(self, customer_external_id: str, subject: str) -> str | None:
        wanted = normalised_subject(subject)
        if not wanted:
            return None  # an empty subject says nothing about which conversation
        found = self._by_subject.get((customer_external_id, wanted))
        if found is not None:
            return found
        if self.lookup is None:
            return None
        for external_id, known in self.lookup.conversations_of_customer(customer_external_id):
            if normalised_subject(known) == wanted:
                return external_id
        return None

    def find(self, ids: Sequence[str], customer_external_id: str, subject: str) -> str | None:
        return (
            self.by_messages(ids)
            or self.by_token(subject)
            or self.by_subject(customer_external_id, subject)
        )

    def remember(
        self, conversation: str, message_ids: Iterable[str], customer: str, subject: str
    ) -> None:
        self._known.add(conversation)
        for message_id in message_ids:
            self._by_message.setdefault(message_id, conversation)
        wanted = normalised_subject(subject)
        if wanted:
            self._by_subject.setdefault((customer, wanted), conversation)
