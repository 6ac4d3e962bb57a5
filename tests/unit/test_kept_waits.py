"""The kept waits are the waits the report used to compute from the messages: the same rows,
and the same figures, on generated stores and on random conversations."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import deskterm.backend.metrics as metrics
from deskterm.backend.demo import generate_demo
from deskterm.backend.metrics import BREAKDOWNS, build_report
from deskterm.backend.metrics.sql import iter_waits
from deskterm.backend.schema import SCHEMA_VERSION, rebuild_waits
from deskterm.backend.store import Store
from deskterm.domain.models import AuthorKind, Channel, Status
from tests.conftest import T0
from tests.unit.waits_oracle import recomputed_traffic, recomputed_waits

NOW = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
EVER = (0, 2**40)


def kept(conn: sqlite3.Connection) -> list:
    return sorted(iter_waits(conn, *EVER))


def recomputed(conn: sqlite3.Connection) -> list:
    return sorted(recomputed_waits(conn, *EVER))


def both_reports(conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch, **kw):
    since, until = kw.pop("since"), kw.pop("until")
    args = dict(since=since, until=until, tz=PARIS, now=NOW, **kw)
    new = build_report(conn, **args)
    with monkeypatch.context() as m:
        m.setattr(metrics, "iter_waits", recomputed_waits)
        m.setattr(metrics, "traffic", recomputed_traffic)
        old = build_report(conn, **args)
    return new, old


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    generate_demo(path, conversations=1500, seed=5, now=NOW)
    return path


def test_a_generated_store_keeps_exactly_the_recomputed_waits(demo_store: Path):
    conn = sqlite3.connect(demo_store)
    try:
        rows = kept(conn)
        assert len(rows) > 1500  # every conversation has at least one wait
        assert rows == recomputed(conn)
    finally:
        conn.close()


@pytest.mark.parametrize("by", BREAKDOWNS)
def test_a_generated_store_reports_the_same_month(
    demo_store: Path, by: str, monkeypatch: pytest.MonkeyPatch
):
    conn = sqlite3.connect(demo_store)
    try:
        until = NOW.astimezone(PARIS).date()
        new, old = both_reports(
            conn, monkeypatch, since=until - timedelta(days=29), until=until, by=by
        )
        assert new.overall.responses > 100
        assert new == old
    finally:
        conn.close()


def test_the_migration_computes_the_waits_of_an_older_store(demo_store: Path, tmp_path: Path):
    copy = tmp_path / "older.db"
    source = sqlite3.connect(demo_store)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.execute("DELETE FROM waits")
    target.commit()
    assert kept(target) == []
    target.execute("BEGIN")
    rebuild_waits(target)
    target.execute("COMMIT")
    assert kept(target) == recomputed(target)
    target.close()


# One step of a random conversation: who acts, how many seconds after the previous step
# (0: the same second; negative: written late, with an earlier time), and for a reply
# whether it is public.
steps = st.lists(
    st.tuples(
        st.sampled_from(["customer", "reply", "note", "done", "open", "new"]),
        st.integers(min_value=-120, max_value=4000),
        st.sampled_from([0, 1]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=steps)
def test_random_conversations_keep_the_recomputed_waits(tmp_path_factory, script):
    clock = [T0]
    store = Store(tmp_path_factory.mktemp("w") / "s.db", clock=lambda: clock[0])
    try:
        group = store.add_group("Support")
        agents = [store.add_agent(f"A{i}", f"a{i}@x.example", group_id=group) for i in (1, 2)]
        customer = store.add_customer("Léa")
        at = T0
        cid = store.open_conversation(customer, Channel.CHAT, "Help", "Hi", created_at=at)
        cids = [cid]
        for kind, delta, who in script:
            at += timedelta(seconds=delta)
            clock[0] = at
            agent = agents[who]
            if kind == "new":
                cid = store.open_conversation(customer, Channel.EMAIL, "More", "Hi", created_at=at)
                cids.append(cid)
            elif kind == "customer":
                store.add_message(
                    cid, author_kind=AuthorKind.CUSTOMER, body="Hello?", created_at=at
                )
            elif kind in ("reply", "note"):
                store.add_message(
                    cid,
                    author_kind=AuthorKind.AGENT,
                    author_id=agent,
                    author_name="A",
                    body="On it",
                    public=kind == "reply",
                    created_at=at,
                )
            elif kind == "done":
                store.set_status(cid, Status.DONE, agent_id=agent)
            else:
                store.set_status(cid, Status.OPEN, agent_id=agent)
        conn = store.conn
        assert kept(conn) == recomputed(conn)
        day = T0.date()
        new = build_report(conn, since=day, until=day + timedelta(days=3), tz=PARIS, now=at)
        with pytest.MonkeyPatch.context() as m:
            m.setattr(metrics, "iter_waits", recomputed_waits)
            m.setattr(metrics, "traffic", recomputed_traffic)
            old = build_report(conn, since=day, until=day + timedelta(days=3), tz=PARIS, now=at)
        assert new == old
    finally:
        store.close()


def drop_report_digests(conn: sqlite3.Connection) -> None:
    """Take a store back to version 8, before the reports' digests."""
    for kind, name in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE (type = 'trigger' AND "
        "(name LIKE 'report_%' OR name LIKE 'tag_quarters_%')) OR (type = 'index' AND "
        "name IN ('waits_open', 'events_notified', 'gestures_created'))"
    ).fetchall():
        conn.execute(f"DROP {kind.upper()} {name}")
    for table in ("report_days", "report_digests", "tag_quarters"):
        conn.execute(f"DROP TABLE {table}")


def drop_macro_titles(conn: sqlite3.Connection) -> None:
    """Take a store back to version 9: macros without titles per language nor a language."""
    conn.execute("ALTER TABLE macros DROP COLUMN titles")
    conn.execute("ALTER TABLE macros DROP COLUMN language")


def drop_kept_waits(conn: sqlite3.Connection) -> None:
    """Take a store back to version 6, before the waits were kept, macros proposed and
    their titles kept per language (inside the caller's transaction)."""
    drop_macro_titles(conn)
    drop_report_digests(conn)
    conn.execute("DROP TABLE macro_proposals")
    conn.execute("DROP INDEX events_closes")
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'traffic_%'"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE traffic")
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'waits_%'"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE waits")


def test_an_older_store_gets_its_waits_when_it_is_opened(demo_store: Path, tmp_path: Path):
    copy = tmp_path / "older.db"
    source = sqlite3.connect(demo_store)
    target = sqlite3.connect(copy, isolation_level=None)
    source.backup(target)
    source.close()
    target.execute("BEGIN")
    drop_kept_waits(target)
    target.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    target.execute("COMMIT")
    expected = recomputed(target)
    target.close()
    store = Store(copy)
    try:
        assert store.meta("schema_version") == str(SCHEMA_VERSION)
        assert kept(store.conn) == expected and len(expected) > 1500
    finally:
        store.close()


def test_a_period_reads_only_its_waits(demo_store: Path):
    conn = sqlite3.connect(demo_store)
    try:
        start = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
        end = int(datetime(2026, 11, 8, tzinfo=UTC).timestamp())
        assert sorted(iter_waits(conn, start, end)) == sorted(recomputed_waits(conn, start, end))
        assert all(start <= w.started < end for w in iter_waits(conn, start, end))
    finally:
        conn.close()
