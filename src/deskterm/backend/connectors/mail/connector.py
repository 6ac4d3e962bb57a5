"""A support mailbox behind the connector protocol.

In: each new mail of the configured folder (by UID, after the cursor) becomes a message,
threaded into a conversation (:mod:`.threads`); the cursor ``UIDVALIDITY:UID`` lands in the
same transaction as the batch's messages. When the folder's UIDVALIDITY changed, every mail
is read again and the mirror keeps one copy of each Message-ID. Mail is read with
``BODY.PEEK``: the mailbox changes only as configured (marked seen, or moved to the handled
folder, after its batch landed), and nothing is ever deleted from it.

Out: a reply is a mail with a Message-ID made from its outbox entry's key, so every try
sends the same mail (:mod:`.outgoing`). Notes and field changes stay in deskterm: the
mailbox has no status, tags or assignee.

Machine mail (auto-replies, bounces, lists) never opens a conversation, never wakes one and
is never answered: it shows as a system line in the conversation it refers to, if any.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar

from imapclient import SEEN, IMAPClient

from deskterm.backend.connectors.errors import PermanentError
from deskterm.backend.connectors.mail.files import PartLocator, fetch_part
from deskterm.backend.connectors.mail.imap import (
    close_quietly,
    imap_errors,
    imap_session,
    open_imap,
)
from deskterm.backend.connectors.mail.outgoing import send_reply
from deskterm.backend.connectors.mail.parse import MAX_MAIL_BYTES, ParsedMail, parse_mail
from deskterm.backend.connectors.mail.settings import MailSettings
from deskterm.backend.connectors.mail.threads import Threader, new_conversation_id
from deskterm.backend.connectors.mail.watch import watch
from deskterm.backend.sync.protocol import (
    BaseConnector,
    ConnectorOptions,
    MirrorLookup,
    PullBatch,
    PushAction,
    PushResult,
    RemoteAgent,
    RemoteConversation,
    RemoteCustomer,
    RemoteFile,
    RemoteMessage,
)
from deskterm.domain.languages import guess_language
from deskterm.domain.models import Channel, Status

#: Mails fetched and mirrored per batch (one transaction each).
BATCH = 100


def parse_cursor(cursor: str | None) -> tuple[int | None, int]:
    """``"UIDVALIDITY:UID"`` → (validity, last uid); anything else starts over."""
    try:
        validity, last = str(cursor).split(":")
        return int(validity), int(last)
    except (ValueError, AttributeError):
        return None, 0


class EmailConnector(BaseConnector):
    """One mailbox: IMAP for what comes in and for the Sent folder, SMTP for replies."""

    name: ClassVar[str] = "email"
    label: ClassVar[str] = "the mailbox"
    unit: ClassVar[str] = "mails"

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.lookup: MirrorLookup | None = None
        #: What the last pull left aside (machine mail with nowhere to go), for reports.
        self.skipped = 0
        #: The last pull's connection and the UIDVALIDITY it selected, kept for the next pull.
        self._kept: tuple[IMAPClient, int] | None = None
        #: The UIDVALIDITY of the folder being read (it goes with each file's place).
        self._validity = 0

    @classmethod
    def from_options(cls, options: ConnectorOptions) -> EmailConnector:
        return cls(MailSettings.from_options(options))

    def attach_mirror(self, lookup: MirrorLookup) -> None:
        """The engine's mirror, to thread new mail onto what is already there."""
        self.lookup = lookup

    def account_name(self) -> str:
        return f"{self.settings.user}@{self.settings.imap_host}"

    def me(self) -> RemoteAgent:
        address = self.settings.from_address.lower()
        return RemoteAgent(f"mailto:{address}", self.settings.from_name or address, address)

    def whoami(self) -> RemoteAgent:
        with imap_session(self.settings) as imap:
            imap.select_folder(self.settings.folder, readonly=True)
        return self.me()

    def fetch_customer(self, external_id: str) -> RemoteCustomer:
        if not external_id.startswith("mailto:"):
            raise PermanentError(f"not a mail address: {external_id}")
        address = external_id.removeprefix("mailto:")
        return RemoteCustomer(external_id, address, address)

    # -- in ----------------------------------------------------------------------------

    def pull(self, cursor: str | None) -> Iterator[PullBatch]:
        validity, last = parse_cursor(cursor)
        threader = Threader(self.lookup)
        self.skipped = 0
        with imap_errors():
            imap, current = self._selected()
            try:
                self._validity = current
                if validity != current:
                    last = 0  # a new folder, or renumbered UIDs: read all, keep one of each
                uids = sorted(u for u in imap.search(["UID", f"{last + 1}:*"]) if u > last)
                if not uids:
                    yield PullBatch([], cursor=f"{current}:{last}", total=0)
                for start in range(0, len(uids), BATCH):
                    chunk = uids[start : start + BATCH]
                    mails = self._fetch(imap, chunk)
                    conversations = [
                        c for c in (self._conversation(m, threader) for m in mails) if c
                    ]
                    yield PullBatch(
                        conversations,
                        cursor=f"{current}:{chunk[-1]}",
                        total=len(uids),
                        read=len(chunk),
                    )
                    self._handled(imap, chunk)  # only once the batch landed
            except BaseException:
                close_quietly(imap)
                raise
            self._kept = (imap, current)  # the next pull skips the login and the SELECT

    def _selected(self) -> tuple[IMAPClient, int]:
        """A connection with the folder selected, and the folder's UIDVALIDITY: the one kept
        from the last pull when it still answers, else a new one."""
        kept, self._kept = self._kept, None
        if kept is not None:
            client, selected = kept
            try:
                client.noop()  # new mail shows in the selected folder
                status = client.folder_status(self.settings.folder, [b"UIDVALIDITY"])
                if int(status[b"UIDVALIDITY"]) == selected:
                    return client, selected
            except Exception:  # dropped or timed out: start afresh
                pass
            close_quietly(client)  # or renumbered under it: select it again
        imap = open_imap(self.settings)
        try:
            readonly = self.settings.handled == "leave"
            info = imap.select_folder(self.settings.folder, readonly=readonly)
        except BaseException:
            close_quietly(imap)
            raise
        return imap, int(info[b"UIDVALIDITY"])

    def _fetch(self, imap: IMAPClient, uids: list[int]) -> Iterator[ParsedMail]:
        sizes = {
            u: int(d.get(b"RFC822.SIZE", 0)) for u, d in imap.fetch(uids, ["RFC822.SIZE"]).items()
        }
        small = [u for u in uids if sizes.get(u, 0) <= MAX_MAIL_BYTES]
        large = [u for u in uids if u not in set(small)]
        bodies: dict[int, bytes] = {}
        if small:
            for uid, data in imap.fetch(small, ["BODY.PEEK[]"]).items():
                bodies[uid] = bytes(data.get(b"BODY[]") or b"")
        if large:
            for uid, data in imap.fetch(large, ["BODY.PEEK[HEADER]"]).items():
                bodies[uid] = bytes(data.get(b"BODY[HEADER]") or b"")
        now = datetime.now(UTC)
        for uid in uids:
            if uid in bodies:  # a mail expunged meanwhile by someone else is simply gone
                mail = parse_mail(bodies[uid], size=sizes.get(uid) or len(bodies[uid]), now=now)
                yield replace(mail, uid=uid)

    def _handled(self, imap: IMAPClient, uids: list[int]) -> None:
        if self.settings.handled == "seen":
            imap.add_flags(uids, [SEEN])
        elif self.settings.handled == "move":
            if not imap.has_capability("MOVE"):
                raise PermanentError("the mail server cannot move mail (no IMAP MOVE)")
            imap.move(uids, self.settings.handled_folder)

    def _conversation(self, mail: ParsedMail, threader: Threader) -> RemoteConversation | None:
        address = mail.from_address or "unknown@invalid"
        customer = RemoteCustomer(
            f"mailto:{address}",
            mail.from_name or address,
            address,
            language=guess_language(f"{mail.subject}\n{mail.text}") or "",
        )
        ours = address == self.settings.from_address.lower()
        ids = (mail.message_id, *mail.thread_ids)
        if mail.automatic or ours:
            # Machine mail, or our own from elsewhere: only into a conversation it answers.
            found = threader.by_messages(ids) or (threader.by_token(mail.subject) if ours else None)
            if found is None:
                self.skipped += 1
                return None
            message = self._message(
                mail, customer, kind="agent" if ours and not mail.automatic else "system"
            )
            return self._wrap(found, mail, customer, message)
        found = threader.find(ids, customer.external_id, mail.subject)
        conversation = found or new_conversation_id(mail.message_id)
        threader.remember(conversation, [mail.message_id], customer.external_id, mail.subject)
        return self._wrap(
            conversation, mail, customer, self._message(mail, customer, kind="customer")
        )

    def _message(self, mail: ParsedMail, customer: RemoteCustomer, *, kind: str) -> RemoteMessage:
        body = mail.text
        if kind == "system":
            body = f"{customer.name} sent {mail.automatic}: {mail.subject}\n{body}".strip()
        return RemoteMessage(
            external_id=mail.message_id,
            author_kind=kind,
            author_external_id=self.me().external_id if kind == "agent" else customer.external_id,
            author_name=self.me().name if kind == "agent" else customer.name,
            body=body or "(empty mail)",
            created_at=mail.date,
            files=[
                RemoteFile(
                    external_id=PartLocator(
                        mail.message_id, self._validity, mail.uid, a.section, a.encoding
                    ).dump(),
                    filename=a.filename,
                    content_type=a.content_type,
                    size=a.size,
                )
                for a in mail.attachments
            ],
        )

    def _wrap(
        self, external_id: str, mail: ParsedMail, customer: RemoteCustomer, message: RemoteMessage
    ) -> RemoteConversation:
        return RemoteConversation(
            external_id=external_id,
            subject=mail.subject or "(no subject)",
            status=Status.NEW,
            customer=customer,
            created_at=mail.date,
            updated_at=mail.date,
            channel=Channel.EMAIL,
            messages=[message],
            mirror_fields=False,
        )

    # -- out ---------------------------------------------------------------------------

    def push(self, action: PushAction) -> PushResult:
        if action.kind != "reply":
            return PushResult()  # notes and field changes live in deskterm only
        context = (
            self.lookup.reply_context(action.conversation_external_id) if self.lookup else None
        )
        if context is None or not context.customer_email:
            raise PermanentError("this conversation has no mail address to answer")
        return send_reply(self.settings, action, context)

    def fetch_file(self, external_id: str) -> bytes:
        """One attached file, fetched again from the mailbox by the mail's UID and the part's
        section (``BODY.PEEK``, the folder read-only: the mail is not marked seen)."""
        return fetch_part(self.settings, PartLocator.load(external_id))

    def watch(self, stop: threading.Event, on_new: Callable[[], None]) -> None:
        """Optional capability: block until ``stop``, calling ``on_new`` when new mail
        arrives (IMAP IDLE). The engine runs it in a thread beside its loop."""
        watch(self.settings, stop, on_new)

    def close(self) -> None:
        kept, self._kept = self._kept, None
        if kept is not None:
            close_quietly(kept[0])


def describe(settings: MailSettings) -> dict[str, Any]:
    """Where the mailbox is, without secrets (for logs and the status line)."""
    return {
        "imap": f"{settings.imap_host}:{settings.imap_port} ({settings.imap_security})",
        "smtp": f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security})",
        "folder": settings.folder,
        "user": settings.user,
    }
