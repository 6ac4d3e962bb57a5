"""The one protocol every remote helpdesk connector implements, and the records it speaks.

A connector knows one remote helpdesk (its HTTP API, its statuses, its quirks) and nothing of
the store: it hands the sync engine plain records to mirror, and pushes one outbox action at a
time. Everything that is the same for every helpdesk — batching, cursors, retries, ordering,
conflicts shown to the agent — lives in the engine, so a new helpdesk is one new module.

Errors: every method raises the domain errors of
:mod:`deskterm.backend.connectors.errors` and nothing else from the network:
``TransientError`` (retry later; ``Unreachable`` when the request never left, so nothing
can have landed), ``RateLimited`` (wait ``retry_after``), ``AuthError``,
``Conflict`` (the remote changed meanwhile; the remote's version wins) and
``PermanentError`` (refused for good).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from deskterm.backend.connectors.errors import PermanentError
from deskterm.domain.models import Channel, Priority, Status


@dataclass(frozen=True)
class ConnectorOptions:
    """How to reach one remote account. Secrets never go in a ``repr`` or a log."""

    url: str | None = None
    subdomain: str | None = None
    user: str | None = None  # RT user name, or the Zendesk agent's email
    token: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    oauth_token: str | None = field(default=None, repr=False)
    queue: str = "General"
    timeout: float = 10.0
    #: Settings only one kind of remote has (the mailbox's hosts, ports, folders), by name.
    extra: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class RemoteCustomer:
    """A requester on the remote, keyed by the remote's own id for them."""

    external_id: str
    name: str
    email: str | None = None
    language: str = "en"
    organization: str | None = None


@dataclass(frozen=True)
class RemoteAgent:
    """An agent (a privileged user) on the remote."""

    external_id: str
    name: str
    email: str | None = None


@dataclass(frozen=True)
class RemoteFile:
    """A file attached to a message on the remote (its bytes are fetched on demand).

    ``external_id`` is whatever the connector needs to fetch it again: RT's attachment id,
    Zendesk's ``content_url``, a mail part's place in the mailbox."""

    external_id: str
    filename: str
    content_type: str = "application/octet-stream"
    size: int = 0


@dataclass(frozen=True)
class RemoteMessage:
    """A reply, an internal note or the customer's message, as it stands on the remote."""

    external_id: str
    author_kind: str  # "customer", "agent", or "system" (an automatic mail: it wakes nothing)
    author_external_id: str | None
    author_name: str
    body: str
    created_at: datetime
    public: bool = True
    html: str | None = None
    #: The files attached to it, listed in the thread and fetched on demand by
    #: :meth:`Connector.fetch_file`.
    files: list[RemoteFile] = field(default_factory=list)


@dataclass
class RemoteConversation:
    """A ticket as deskterm sees it, already mapped onto deskterm's model.

    ``messages`` may hold only the messages new since the last pull, or all of them: the
    mirror skips the ones it has. ``snoozed_until`` is the wake time when the remote's state
    means "snoozed" (RT's stalled with a start date, Zendesk's pending with deskterm's tag).
    """

    external_id: str
    subject: str
    status: Status
    customer: RemoteCustomer
    created_at: datetime
    updated_at: datetime
    channel: Channel = Channel.EMAIL
    assignee: RemoteAgent | None = None
    tags: list[str] = field(default_factory=list)
    priority: Priority = Priority.NORMAL
    snoozed_until: datetime | None = None
    messages: list[RemoteMessage] = field(default_factory=list)
    #: False where the remote keeps no state of its own (a mailbox): the store's status,
    #: tags, assignee and snooze stand, and only the messages are mirrored.
    mirror_fields: bool = True


@dataclass(frozen=True)
class RemovedConversation:
    """A conversation the remote no longer has (deleted there, or vanished while being read).

    ``reason`` is one line for the thread, e.g. ``Deleted on Zendesk``.
    """

    external_id: str
    reason: str


@dataclass
class PullBatch:
    """A few conversations to mirror in one short transaction, and the cursor after them.

    ``cursor`` is written in the same transaction as the batch, so a pull interrupted at any
    point resumes after the last batch that landed. ``total`` is how many of the connector's
    ``unit`` (conversations, or a mailbox's mails) the whole pull expects, for a progress
    bar, when the remote says; ``read`` is how many of them this batch accounts for (its
    conversations when None).

    One bad conversation never holds back the others: ``removed`` lists those the remote
    no longer has (the mirror takes them out of every view with a line in their thread),
    ``skipped`` one line for each the connector could not read for another reason (the
    engine writes them to the log; the conversation comes back when it changes again).
    """

    conversations: list[RemoteConversation]
    cursor: str | None
    total: int | None = None
    read: int | None = None
    removed: list[RemovedConversation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PushAction:
    """One outbox entry, ready for a connector.

    Args of note:
        kind: ``reply``, ``note`` or a field change (``status``, ``snooze``, ``assign``,
            ``tags``, ``priority``, ``undo``, ``macro``…).
        fields / before: for field changes, deskterm's values after and before the change
            (``status``, ``tags`` as a list, ``snoozed_until`` as a datetime or None,
            ``assignee`` as the remote's agent id or None, ``priority``).
        current: the conversation's whole local state now (same keys as ``fields``), for
            remotes where one field carries two of deskterm's (RT's stalled).
        body: the text of a reply or note; ``done`` also closes the conversation.
        attempts: how many times a push was already tried (1 on the first try). Above 1, an
            earlier try may have reached the remote: the connector must look before sending
            a message again — for one of its own with the same text that is not among
            ``known_message_ids`` (the remote ids the mirror already holds for this
            conversation), which does not depend on the two clocks agreeing.
        idempotency_key: unique per entry; sent where the remote supports one.
    """

    entry_id: int
    conversation_external_id: str
    kind: str
    idempotency_key: str
    created_at: datetime
    attempts: int
    body: str | None = None
    public: bool = True
    done: bool = False
    fields: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    current: dict[str, Any] = field(default_factory=dict)
    known_message_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PushResult:
    """What the remote made of an action: the id of the message it created, if any."""

    message_external_id: str | None = None
    already_there: bool = False


@dataclass(frozen=True)
class RemoteMacro:
    """A macro of the remote's library, its placeholders kept as the remote wrote them."""

    external_id: str
    title: str
    body: str
    actions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class MacroPublication:
    """A macro a lead published to the team's shared library, for a remote that has one
    (an optional capability: a connector that defines ``publish_macro(publication)``,
    returning the remote's id of the shared macro, and ``kept_locally(actions)``, the
    actions of deskterm's it cannot hold; see :mod:`deskterm.backend.sync.shared_macros`).

    ``external_id`` is the remote's id of the shared macro it changes (None: a new one).
    ``body`` keeps deskterm's placeholders: the connector writes them the remote's way.
    ``attempts`` above 1: an earlier try may have created it; look before creating again.
    """

    title: str
    body: str
    actions: list[dict[str, Any]]
    external_id: str | None
    idempotency_key: str
    attempts: int = 1


@dataclass(frozen=True)
class ReplyContext:
    """What the mirror knows of a conversation, for a remote that needs it to send a reply."""

    subject: str
    customer_name: str
    customer_email: str | None
    #: External ids of the conversation's messages, oldest first, with their author kind.
    messages: Sequence[tuple[str, str]] = ()


class MirrorLookup(Protocol):
    """Read-only questions a connector may ask the mirror (an optional capability: a
    connector that defines ``attach_mirror(lookup)`` gets one from the engine). A mailbox
    has no conversations of its own: threading new mail needs what came before."""

    def conversation_of_messages(self, message_ids: Sequence[str]) -> str | None:
        """The external id of the conversation holding any of these messages, or None."""
        ...

    def conversation_exists(self, external_id: str) -> bool:
        """Whether a conversation with this external id is in the mirror."""
        ...

    def conversations_of_customer(self, customer_external_id: str) -> list[tuple[str, str]]:
        """(external id, subject) of the customer's conversations, newest first (at most 50)."""
        ...

    def reply_context(self, conversation_external_id: str) -> ReplyContext | None:
        """The subject, customer and message ids of one conversation; None if unknown."""
        ...


@runtime_checkable
class Connector(Protocol):
    """A remote helpdesk, mirrored into the store and written to through the outbox."""

    #: Short name, as in the ``deskterm.connectors`` entry point group (``rt``, ``zendesk``).
    name: ClassVar[str]
    #: What the UI calls the remote ("Request Tracker", "Zendesk").
    label: ClassVar[str]
    #: What a pull counts in its progress (``PullBatch.total``): "conversations", "mails".
    unit: ClassVar[str]

    @classmethod
    def from_options(cls, options: ConnectorOptions) -> Connector:
        """Build the connector (no network yet).

        Raises:
            ValueError: a missing address or credentials, in one line for the user.
        """
        ...

    def account_name(self) -> str:
        """A short name of the remote account, for the mirror's file name (host, subdomain)."""
        ...

    def whoami(self) -> RemoteAgent:
        """Check the address and the credentials; returns the agent they act as.

        Raises:
            AuthError: the credentials were refused.
            TransientError: the remote cannot be reached.
        """
        ...

    def pull(self, cursor: str | None) -> Iterator[PullBatch]:
        """Yield the conversations changed since ``cursor`` (everything when None), in
        batches, each with the cursor to resume after it. A conversation deleted on the
        remote, or one that cannot be read (a 404 while reading it), goes in the batch's
        ``removed`` or ``skipped``: it must not stop the batch.

        Raises:
            TransientError, RateLimited: the pull stops; the engine resumes it later from
                the last batch's cursor.
            PermanentError: a refused query (a bad queue name, a bad cursor).
        """
        ...

    def push(self, action: PushAction) -> PushResult:
        """Apply one action on the remote.

        Must be safe to call again for the same action (same ``idempotency_key``): a field
        change sets values rather than toggling them, and a message is looked for on the
        remote before being sent again when ``action.attempts > 1``. A status change tried
        again looks whether an earlier try landed (the remote's history) before sending it
        again or calling it a conflict: an action is applied once, or is a conflict, never
        both.

        Raises:
            Conflict: someone changed the same thing on the remote since the action was
                taken; the message says who and what, in words for the agent.
            PermanentError: refused for good (a right, a validation, a closed ticket).
            TransientError, RateLimited: try again later.
            Unreachable: the remote could not be reached at all; nothing was sent.
        """
        ...

    def fetch_customer(self, external_id: str) -> RemoteCustomer:
        """The remote's record of one customer.

        Raises:
            PermanentError: no such customer.
        """
        ...

    def macros(self) -> list[RemoteMacro]:
        """The remote's macro library (optional capability: an empty list if none)."""
        ...

    def in_scope(self) -> frozenset[str] | None:
        """The ids of every conversation the mirror should hold now (optional capability:
        None when the connector cannot tell). Asked after a complete pull, every few minutes
        (see :mod:`deskterm.backend.sync.scope`): a mirrored conversation missing from it is
        asked about with :meth:`why_gone`.

        Raises:
            TransientError, RateLimited: asked again after the next pull.
        """
        ...

    def why_gone(self, external_id: str) -> str | None:
        """Why a mirrored conversation is no longer in scope, in a few words for the agent
        ("deleted in Request Tracker"); None when it is there after all.

        Raises:
            TransientError, RateLimited: asked again after the next pull.
        """
        ...

    def fetch_file(self, external_id: str) -> bytes:
        """The bytes of one attached file (a :class:`RemoteFile`'s ``external_id``).

        Raises:
            PermanentError: no such file, or the remote will not give it.
            TransientError, RateLimited: try again later.
        """
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class BaseConnector:
    """Safe defaults for the optional parts of :class:`Connector`."""

    name: ClassVar[str] = "remote"
    label: ClassVar[str] = "the remote helpdesk"
    unit: ClassVar[str] = "conversations"

    def macros(self) -> list[RemoteMacro]:
        return []

    def in_scope(self) -> frozenset[str] | None:
        return None

    def why_gone(self, external_id: str) -> str | None:
        return f"no longer on {self.label}"

    def fetch_file(self, external_id: str) -> bytes:
        raise PermanentError(f"{self.label}'s files cannot be fetched")

    def close(self) -> None:
        return None
