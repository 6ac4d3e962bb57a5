"""The sync engine: a remote helpdesk mirrored into the store, actions pushed from the outbox.

No Textual here; the app runs the engine in a background thread.
"""

from __future__ import annotations

from deskterm.backend.sync.engine import SyncEngine, SyncStatus
from deskterm.backend.sync.protocol import (
    BaseConnector,
    Connector,
    ConnectorOptions,
    PullBatch,
    PushAction,
    PushResult,
    RemoteAgent,
    RemoteConversation,
    RemoteCustomer,
    RemoteMacro,
    RemoteMessage,
    RemovedConversation,
)
from deskterm.backend.sync.registry import UnknownConnector, available, load

__all__ = [
    "BaseConnector",
    "Connector",
    "ConnectorOptions",
    "PullBatch",
    "PushAction",
    "PushResult",
    "RemoteAgent",
    "RemoteConversation",
    "RemoteCustomer",
    "RemoteMacro",
    "RemoteMessage",
    "RemovedConversation",
    "SyncEngine",
    "SyncStatus",
    "UnknownConnector",
    "available",
    "load",
]
