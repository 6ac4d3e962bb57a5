"""The mirror's side of conversations a remote no longer has (any connector)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from deskterm.backend.store import Store
from deskterm.backend.sync import PullBatch, RemovedConversation
from deskterm.backend.sync.mirror import apply_batch, get_state
from deskterm.backend.sync.protocol import RemoteConversation, RemoteCustomer, RemoteMessage
from deskterm.backend.views import View
from deskterm.domain.models import AuthorKind, Status
from tests.conftest import T0, Clock


def _ticket(status: Status = Status.OPEN, tags: list[str] | None = None) -> RemoteConversation:
    return RemoteConversation(
        external_id="42",
        subject="Missing bread",
        status=status,
        customer=RemoteCustomer("7", "Léa Martin", "lea@example.com"),
        created_at=T0 - timedelta(hours=1),
        updated_at=T0 - timedelta(hours=1),
        tags=tags or ["vip"],
        messages=[RemoteMessage("m1", "customer", "7", "Léa", "no bread", T0 - timedelta(hours=1))],
    )


def _views(store: Store, cid: int) -> list[str]:
    keys = ["inbox", "unassigned", "done", "tag:vip"]
    return [k for k in keys if cid in {r.id for r in store.page(View(k, k))}]


def test_removed_then_back_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db", clock=Clock(T0))
    apply_batch(store, "x", PullBatch([_ticket()], "c1"), me=None)
    conv = store.conversation_by_external("42")
    assert conv is not None and _views(store, conv.id) == ["inbox", "unassigned", "tag:vip"]

    gone = RemovedConversation("42", "Deleted on the remote")
    stats = apply_batch(store, "x", PullBatch([], "c2", removed=[gone]), me=None)
    assert stats.removed == 1 and get_state(store, "x", "cursor") == "c2"
    assert _views(store, conv.id) == []
    assert store.count(View("inbox", "Inbox")) == 0 and store.count(View("done", "Done")) == 0
    thread = store.messages(conv.id)
    assert thread[-1].author_kind == AuthorKind.SYSTEM
    assert thread[-1].body.startswith("Deleted on the remote.")
    # Twice removed is removed once.
    assert apply_batch(store, "x", PullBatch([], "c3", removed=[gone]), me=None).removed == 0

    # The remote has it again (restored): back where its state puts it.
    apply_batch(store, "x", PullBatch([_ticket()], "c4"), me=None)
    back = store.conversation_by_external("42")
    assert back is not None and back.status == Status.OPEN
    assert _views(store, conv.id) == ["inbox", "unassigned", "tag:vip"]
    assert "in the views again" in store.messages(conv.id)[-1].body
    store.close()


def test_removing_an_unknown_conversation_adds_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db", clock=Clock(T0))
    gone = RemovedConversation("99", "Deleted on the remote")
    assert apply_batch(store, "x", PullBatch([], "c", removed=[gone]), me=None).removed == 0
    assert store.conversation_by_external("99") is None
    store.close()
