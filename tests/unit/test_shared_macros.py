"""A macro a lead publishes on a mirror, pushed to the remote's shared library through the
outbox: created or changed there, its remote id kept, retried after a 429 or a 500, a 403
ended as a line on the leads' desk with the macro still published, and mirrored back
without a duplicate and without losing what only deskterm holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deskterm.backend.connectors.errors import PermanentError, RateLimited, TransientError
from deskterm.backend.connectors.zendesk_macros import FORBIDDEN, kept_locally
from deskterm.backend.leads import reads
from deskterm.backend.leads.proposals import propose_macro, publish_proposal
from deskterm.backend.store import Store
from deskterm.backend.sync import SyncEngine
from deskterm.backend.sync.outbox import waiting
from deskterm.backend.sync.protocol import MacroPublication, RemoteMacro
from deskterm.backend.sync.shared_macros import SHARED_MACRO, shares_macros
from tests.conftest import T0, Clock
from tests.fakes.memory_connector import MemoryConnector, MemoryHelpdesk


class LibraryConnector(MemoryConnector):
    """The in-memory helpdesk with a shared macro library (as Zendesk's), whose next
    answers can be failures."""

    label = "Zendesk"

    def __init__(self, desk: MemoryHelpdesk) -> None:
        super().__init__(desk)
        self.library: dict[str, RemoteMacro] = {}
        self.published: list[MacroPublication] = []
        self.failures: list[Exception] = []

    def publish_macro(self, publication: MacroPublication) -> str:
        self.published.append(publication)
        if self.failures:
            raise self.failures.pop(0)
        remote = publication.external_id or str(900 + len(self.library))
        self.library[remote] = RemoteMacro(
            remote, publication.title, publication.body, kept_out(publication.actions)
        )
        return remote

    def kept_locally(self, actions: list[Any]) -> list[Any]:
        return kept_locally(actions)

    def macros(self) -> list[RemoteMacro]:
        return list(self.library.values())


def kept_out(actions: list[Any]) -> list[Any]:
    """What the remote holds of a macro's actions (the others stay in deskterm)."""
    local = kept_locally(actions)
    return [a for a in actions if a not in local]


class Mirror:
    def __init__(self, tmp_path: Path) -> None:
        self.clock = Clock(T0)
        self.connector = LibraryConnector(MemoryHelpdesk(T0))
        self.store = Store(tmp_path / "mirror.db", clock=self.clock)
        self.engine = SyncEngine(self.store, self.connector)
        self.engine.drainer.rand = lambda: 0.5  # no jitter
        self.engine.identify()
        self.paul = self.store.add_agent("Paul", "paul@popote.example")
        self.lead = self.store.add_agent("Camille", "camille@popote.example")

    def agent(self, agent_id: int) -> Any:
        found = self.store.agent(agent_id)
        assert found is not None
        return found

    def propose(self, title: str, body: str, actions: list[dict[str, Any]] = ()) -> int:  # type: ignore[assignment]
        mine = self.store.add_macro(title, body, actions=actions, owner_agent_id=self.paul)
        macro = self.store.macro(mine)
        assert macro is not None
        return propose_macro(self.store, macro, agent=self.agent(self.paul))

    def publish(self, title: str, body: str, actions: list[dict[str, Any]] = ()) -> int:  # type: ignore[assignment]
        proposal = self.propose(title, body, actions)
        return publish_proposal(
            self.store, proposal, lead=self.agent(self.lead), remote=shares_macros(self.connector)
        )

    def entry(self) -> Any:
        return self.store.conn.execute(
            "SELECT * FROM outbox WHERE kind = ? ORDER BY id DESC LIMIT 1", (SHARED_MACRO,)
        ).fetchone()

    def later(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)


@pytest.fixture
def mirror(tmp_path: Path) -> Mirror:
    return Mirror(tmp_path)


def test_a_new_macro_is_created_on_the_remote_and_its_id_kept(mirror: Mirror) -> None:
    actions = [{"field": "status", "value": "pending"}, {"field": "snooze", "value": "2h"}]
    shared = mirror.publish("Late delivery", "Hi {{ customer.first_name }}", actions)
    entry = mirror.entry()
    assert entry["conversation_id"] is None and entry["state"] == "pending"
    assert mirror.store.macro(shared).external_id is None  # type: ignore[union-attr]
    mirror.engine.drain()
    [sent] = mirror.connector.published
    assert (sent.title, sent.body, sent.external_id) == (
        "Late delivery",
        "Hi {{ customer.first_name }}",
        None,
    )
    assert sent.actions == actions  # the connector decides what its library holds
    assert mirror.entry()["state"] == "done"
    assert mirror.store.macro(shared).external_id == "900"  # type: ignore[union-attr]
    assert waiting(mirror.store) == 0


def test_a_change_to_a_shared_macro_from_the_remote_changes_that_one(mirror: Mirror) -> None:
    mirror.connector.library["77"] = RemoteMacro("77", "Refund", "Your refund is on its way.")
    assert mirror.engine.import_macros() == 1
    shared = mirror.publish("Refund", "Refunded today, {{ customer.first_name }}.")
    mirror.engine.drain()
    [sent] = mirror.connector.published
    assert sent.external_id == "77"
    assert mirror.connector.library["77"].body == "Refunded today, {{ customer.first_name }}."
    assert mirror.store.macro(shared).external_id == "77"  # type: ignore[union-attr]
    assert len(mirror.connector.library) == 1


def test_a_403_is_a_line_on_the_leads_desk_and_the_macro_stays_published(
    mirror: Mirror,
) -> None:
    mirror.connector.library["77"] = RemoteMacro("77", "Refund", "Your refund is on its way.")
    mirror.engine.import_macros()
    mirror.connector.failures.append(PermanentError(FORBIDDEN, status=403))
    shared = mirror.publish("Refund", "Refunded today.")
    report = mirror.engine.drain()
    assert report.failed == 1
    entry = mirror.entry()
    assert entry["state"] == "failed"
    assert entry["last_error"] == f"Zendesk refused it: {FORBIDDEN}"
    assert mirror.store.macro(shared).body == "Refunded today."  # type: ignore[union-attr]
    [line] = reads.unshared(mirror.store.conn)
    assert (line.macro_id, line.title) == (shared, "Refund")
    assert "may not manage shared macros" in line.reason
    assert mirror.engine.status().failed == 1  # the status bar says "1 refused"
    # The next pull does not put the remote's older version back over the lead's.
    mirror.engine.import_macros()
    assert mirror.store.macro(shared).body == "Refunded today."  # type: ignore[union-attr]
    # Published again once the role allows it: it goes out and the line goes.
    mirror.publish("Refund", "Refunded today!")
    mirror.engine.drain()
    assert mirror.connector.library["77"].body == "Refunded today!"
    assert reads.unshared(mirror.store.conn) == []


def test_a_429_waits_its_retry_after_then_goes_out_once(mirror: Mirror) -> None:
    mirror.connector.failures.append(RateLimited("429 Too Many Requests", retry_after=30))
    shared = mirror.publish("Late delivery", "On its way.")
    report = mirror.engine.drain()
    assert report.rate_limited_until is not None and mirror.entry()["state"] == "pending"
    mirror.later(10)
    mirror.engine.drain()
    assert len(mirror.connector.published) == 1  # still waiting out the 30 seconds
    mirror.later(25)
    mirror.engine.drain()
    assert mirror.entry()["state"] == "done"
    assert len(mirror.connector.library) == 1
    assert mirror.store.macro(shared).external_id == "900"  # type: ignore[union-attr]


def test_a_500_is_retried_and_the_retry_says_an_earlier_try_may_have_landed(
    mirror: Mirror,
) -> None:
    mirror.connector.failures.append(TransientError("500 Internal Server Error", status=500))
    mirror.publish("Late delivery", "On its way.")
    mirror.engine.drain()
    assert mirror.entry()["state"] == "pending" and mirror.entry()["last_error"]
    mirror.later(1)
    mirror.engine.drain()
    assert len(mirror.connector.published) == 1  # its backoff (2 s) is not over
    mirror.later(2)
    mirror.engine.drain()
    first, second = mirror.connector.published
    assert (first.attempts, second.attempts) == (1, 2)  # the connector looks before creating
    assert first.idempotency_key == second.idempotency_key
    assert mirror.entry()["state"] == "done" and len(mirror.connector.library) == 1


def test_the_pull_after_a_publication_adds_no_second_macro_and_keeps_deskterms_own(
    mirror: Mirror,
) -> None:
    actions = [
        {"field": "status", "value": "pending"},
        {"field": "snooze", "value": "tomorrow 9:00"},
        {"field": "order", "value": {"do": "resend"}},
    ]
    shared = mirror.publish("Missing item", "We resend it, {{ customer.first_name }}.", actions)
    with mirror.store.transaction() as c:
        c.execute("UPDATE macros SET variants = ? WHERE id = ?", ('{"fr": "On renvoie."}', shared))
    mirror.engine.drain()
    # Someone retitles it on the remote; deskterm's copy follows, and stays one macro.
    remote = mirror.connector.library["900"]
    mirror.connector.library["900"] = RemoteMacro("900", "Missing item (resend)", remote.body,
                                                  remote.actions)  # fmt: skip
    mirror.engine.import_macros()
    titles = [m.title for m in mirror.store.macros() if m.shared]
    assert titles.count("Missing item (resend)") == 1 and "Missing item" not in titles
    macro = mirror.store.macro(shared)
    assert macro is not None and macro.title == "Missing item (resend)"
    assert macro.variants == {"fr": "On renvoie."}
    fields = [a.field for a in macro.actions]
    assert sorted(fields) == ["order", "snooze", "status"]


def test_a_remote_without_shared_macros_publishes_in_deskterm_only(tmp_path: Path) -> None:
    store = Store(tmp_path / "rt.db")
    connector = MemoryConnector(MemoryHelpdesk(T0))
    assert not shares_macros(connector)
    paul = store.add_agent("Paul", "paul@popote.example")
    lead = store.agent(store.add_agent("Camille", "camille@popote.example"))
    mine = store.macro(store.add_macro("Thanks", "Thanks!", owner_agent_id=paul))
    assert mine is not None and lead is not None
    proposal = propose_macro(store, mine, agent=store.agent(paul))  # type: ignore[arg-type]
    publish_proposal(store, proposal, lead=lead, remote=shares_macros(connector))
    assert waiting(store) == 0
    assert [m.title for m in store.macros() if m.shared] == ["Thanks"]


def test_the_entry_names_the_macro_and_its_proposal(mirror: Mirror) -> None:
    shared = mirror.publish("Late delivery", "On its way.")
    payload = json.loads(mirror.entry()["payload"])
    assert payload["macro_id"] == shared and payload["proposal_id"] >= 1


def test_zendesk_has_a_shared_library_deskterm_writes_to_and_request_tracker_none() -> None:
    from deskterm.backend.connectors.mail.connector import EmailConnector
    from deskterm.backend.connectors.rt import RTConnector
    from deskterm.backend.connectors.zendesk import ZendeskConnector

    assert shares_macros(ZendeskConnector)
    assert not shares_macros(RTConnector) and not shares_macros(EmailConnector)
