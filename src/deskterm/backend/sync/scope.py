"""Conversations whose ticket left the remote: deleted there, or moved out of what is
mirrored. They keep their thread but leave every view, with a system line saying why; one
that comes back (pulled again, or in scope again) returns to its views.

Asked after a complete pull at most every :data:`SCOPE_SECONDS`, through the connector's
optional ``in_scope`` and ``why_gone`` (a connector that cannot tell leaves the mirror as it
is): listing what is in scope costs RT one request per 100 tickets, too much for every pull.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deskterm.backend.db import ts
from deskterm.backend.store import Store
from deskterm.backend.sync.mirror import get_state, notice, set_state
from deskterm.backend.sync.protocol import Connector

#: Seconds between two checks of what is still on the remote.
SCOPE_SECONDS = 300


@dataclass
class ScopeReport:
    """What one check did: remote ids of the conversations that left, and came back."""

    gone: list[str] = field(default_factory=list)
    back: list[str] = field(default_factory=list)


def settle_scope(store: Store, connector: Connector) -> ScopeReport:
    """Take the conversations that left the remote out of the views, and bring back those
    that returned.

    Raises:
        RemoteError: as the connector's ``in_scope`` and ``why_gone``; what was settled stays.
    """
    report = ScopeReport()
    now = ts(store.now()) or 0
    checked = get_state(store, connector.name, "scope_checked_at")
    if checked is not None and now - int(checked) < SCOPE_SECONDS:
        return report
    present = connector.in_scope()
    if present is None:
        return report
    rows = store.conn.execute(
        "SELECT id, external_id, gone_at FROM conversations WHERE external_id IS NOT NULL"
    ).fetchall()
    for row in rows:
        cid, remote_id, gone = int(row["id"]), str(row["external_id"]), row["gone_at"]
        if remote_id in present:
            if gone is not None:
                _mark(store, cid, None, "This conversation is back on the remote helpdesk.")
                report.back.append(remote_id)
            continue
        if gone is not None:
            continue
        why = connector.why_gone(remote_id)
        if why is None:
            continue
        _mark(store, cid, now, f"This ticket was {why}; it left your views.")
        report.gone.append(remote_id)
    with store.transaction() as c:
        set_state(c, connector.name, "scope_checked_at", str(now))
    return report


def _mark(store: Store, cid: int, gone_at: int | None, line: str) -> None:
    with store.transaction():
        store.update_conversation(cid, {"gone_at": gone_at}, agent_id=None, kind="sync:scope")
        notice(store, cid, line)
