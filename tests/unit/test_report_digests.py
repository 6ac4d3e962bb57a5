"""Each day's digest gives the report it would give folding every wait again: cold, warm,
and after any change to the waits or to the conversations they belong to."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskterm.backend.demo import generate_demo
from deskterm.backend.metrics import BREAKDOWNS, build_report, digests, read_policies
from deskterm.backend.metrics.fold import Clock, Fold, Policies
from deskterm.backend.metrics.sql import Wait
from deskterm.backend.store import Store
from deskterm.domain.models import AuthorKind, Channel, SLAPolicy, Status
from tests.conftest import T0

NOW = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def reports(path: Path, *, since, until, now=NOW, by="channel", tz=PARIS):
    """The report folded from every wait, and the same with the digests (kept as it goes)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        args = dict(since=since, until=until, tz=tz, now=now, by=by)
        return build_report(conn, **args), build_report(conn, digests=str(path), **args)
    finally:
        conn.close()


def kept_days(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT day, generations FROM report_digests").fetchall())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    generate_demo(path, conversations=1500, seed=7, now=NOW)
    return path


@pytest.fixture
def store_copy(demo_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.db"
    source, target = sqlite3.connect(demo_store), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    return copy


@pytest.mark.parametrize("by", BREAKDOWNS)
def test_a_month_from_digests_is_the_month_folded(store_copy: Path, by: str):
    until = NOW.astimezone(PARIS).date()
    since = until - timedelta(days=29)
    folded, cold = reports(store_copy, since=since, until=until, by=by)
    assert len(kept_days(store_copy)) == 30
    assert folded.overall.responses > 100 and folded.breaches and folded.agents
    assert cold == folded
    _, warm = reports(store_copy, since=since, until=until, by=by)
    assert warm == folded


def test_a_reply_folds_again_only_the_days_of_its_conversation(store_copy: Path):
    until = NOW.astimezone(PARIS).date()
    since = until - timedelta(days=29)
    reports(store_copy, since=since, until=until)
    before = kept_days(store_copy)
    store = Store(store_copy, clock=lambda: NOW)
    try:
        cid, started = store.conn.execute(
            "SELECT conversation_id, started FROM waits WHERE started < ? "
            "ORDER BY started DESC LIMIT 1",
            (int((NOW - timedelta(days=3)).timestamp()),),
        ).fetchone()
        store.add_message(cid, author_kind=AuthorKind.CUSTOMER, body="Still there?")
    finally:
        store.close()
    folded, again = reports(store_copy, since=since, until=until)
    assert again == folded
    after = kept_days(store_copy)
    changed = {day for day in after if after[day] != before[day]}
    day_of_wait = datetime.fromtimestamp(started, PARIS).date().isoformat()
    assert day_of_wait in changed
    assert len(changed) < 10  # the conversation's days, not the month


def test_other_sla_policies_do_not_read_these_digests(store_copy: Path):
    until = NOW.astimezone(PARIS).date()
    since = until - timedelta(days=6)
    conn = sqlite3.connect(store_copy, isolation_level=None)
    try:
        policies = read_policies(conn)
        args = dict(since=since, until=until, tz=PARIS, now=NOW)
        build_report(conn, digests=str(store_copy), policies=policies, **args)
        stricter = [p.model_copy(update={"first_response_minutes": 1}) for p in policies]
        folded = build_report(conn, policies=stricter, **args)
        assert build_report(conn, digests=str(store_copy), policies=stricter, **args) == folded
        assert folded.overall.first_met < folded.overall.first_judged
    finally:
        conn.close()


def test_a_read_only_or_busy_store_reports_without_keeping_digests(store_copy: Path):
    until = NOW.astimezone(PARIS).date()
    since = until - timedelta(days=6)
    blocker = sqlite3.connect(store_copy, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another program writing
    try:
        reader = sqlite3.connect(f"file:{store_copy}?mode=ro", uri=True, isolation_level=None)
        args = dict(since=since, until=until, tz=PARIS, now=NOW)
        assert build_report(reader, digests=str(store_copy), **args) == build_report(reader, **args)
        reader.close()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert kept_days(store_copy) == {}


def test_a_digest_keeps_every_figure_of_its_day():
    """Packing a day's fold and reading it back changes nothing."""
    policy = SLAPolicy(
        id=1, name="Chat", channel=Channel.CHAT, group_id=None,
        first_response_minutes=10, next_response_minutes=30, business_hours=None,
    )  # fmt: skip
    start = int(NOW.timestamp()) - 20 * 3600
    waits = [
        Wait(
            i,
            start + 60 * i,
            start + 60 * i + 7 * i**2,
            i % 3 != 0,
            1 + i % 2,
            i % 2,
            "chat",
            None,
            2,
            "late bug" if i % 4 else "",
        )
        for i in range(1, 40)
    ]
    clock = Clock(PARIS)
    rules = Policies([policy], int(NOW.timestamp()))
    fold = Fold("tag", clock, rules).add_all(waits)
    fold.closes = {1: [3, 1]}
    day = clock.local(start)[0]
    back = digests.unpack(digests.pack(fold, day), day, lambda: Fold("tag", clock, rules))
    for name in ("overall",):
        assert getattr(back, name).figures("x") == getattr(fold, name).figures("x")
    assert {k: t.figures("x") for k, t in back.slices.items()} == {
        k: t.figures("x") for k, t in fold.slices.items()
    }
    assert back.breaches() == fold.breaches() and back.breaches()
    assert back.answered == fold.answered and back.closes == fold.closes
    assert back.days[day].ended == fold.days[day].ended


# Random changes to a small store: who acts, on which conversation, how many minutes later.
changes = st.lists(
    st.tuples(
        st.sampled_from(
            ["customer", "reply", "note", "done", "open", "tag", "assign", "group", "new"]
        ),
        st.integers(min_value=0, max_value=3),
        st.integers(min_value=1, max_value=1500),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=changes, report_every=st.integers(min_value=1, max_value=8))
def test_random_changes_never_leave_a_stale_digest(tmp_path_factory, script, report_every):
    clock = [T0]
    path = tmp_path_factory.mktemp("d") / "s.db"
    store = Store(path, clock=lambda: clock[0])
    try:
        groups = [store.add_group("Support"), store.add_group("Billing")]
        agents = [store.add_agent(f"A{i}", f"a{i}@x.example", group_id=groups[0]) for i in (1, 2)]
        customer = store.add_customer("Léa")
        at = T0
        cids = [store.open_conversation(customer, Channel.CHAT, "Help", "Hi", created_at=at)]
        since = T0.astimezone(PARIS).date() - timedelta(days=1)
        for n, (kind, which, minutes) in enumerate(script, start=1):
            at += timedelta(minutes=minutes)
            clock[0] = at
            cid = cids[which % len(cids)]
            agent = agents[which % 2]
            if kind == "new":
                cids.append(
                    store.open_conversation(customer, Channel.EMAIL, "More", "Hi", created_at=at)
                )
            elif kind == "customer":
                store.add_message(cid, author_kind=AuthorKind.CUSTOMER, body="?", created_at=at)
            elif kind in ("reply", "note"):
                store.add_message(
                    cid, author_kind=AuthorKind.AGENT, author_id=agent, author_name="A",
                    body="On it", public=kind == "reply", created_at=at,
                )  # fmt: skip
            elif kind == "done":
                store.set_status(cid, Status.DONE, agent_id=agent)
            elif kind == "open":
                store.set_status(cid, Status.OPEN, agent_id=agent)
            elif kind == "tag":
                store.set_tags(cid, [f"t{which}"], agent_id=agent)
            elif kind == "assign":
                store.assign(cid, agent, agent_id=agent)
            else:
                store.assign(cid, agent, agent_id=agent, group_id=groups[which % 2])
            if n % report_every == 0:
                until = at.astimezone(PARIS).date()
                for by in ("channel", "agent", "tag"):
                    folded, from_digests = reports(path, since=since, until=until, now=at, by=by)
                    assert from_digests == folded
    finally:
        store.close()


@pytest.mark.parametrize("change", ["tags", "assignee", "group", "reopen", "undo reply"])
def test_a_change_to_an_ended_wait_days_ago_reaches_the_report(tmp_path: Path, change: str):
    """What changes a past day's figures without writing on that day: the conversation's
    tags, assignee or group (the breakdowns), the customer writing again after a close (the
    close's reopening), a reply taken back."""
    clock = [T0]
    path = tmp_path / "s.db"
    store = Store(path, clock=lambda: clock[0])
    try:
        support, billing = store.add_group("Support"), store.add_group("Billing")
        paul = store.add_agent("Paul", "paul@x.example", group_id=support)
        lea = store.add_agent("Léa", "lea@x.example", group_id=support)
        cid = store.open_conversation(
            store.add_customer("Jo"), Channel.CHAT, "Help", "Hi", created_at=T0
        )
        clock[0] = T0 + timedelta(hours=1)
        reply_group = "reply-1"
        store.add_message(
            cid, author_kind=AuthorKind.AGENT, author_id=paul, author_name="Paul",
            body="Done", created_at=clock[0], undo_group=reply_group,
        )  # fmt: skip
        clock[0] = T0 + timedelta(days=2)  # a day of its own, apart from the waits' days
        store.set_status(cid, Status.DONE, agent_id=paul)
        clock[0] = T0 + timedelta(days=4)
        since = T0.astimezone(PARIS).date()
        until = clock[0].astimezone(PARIS).date()
        for by in ("tag", "agent", "group"):
            reports(path, since=since, until=until, now=clock[0], by=by)
        if change == "tags":
            store.set_tags(cid, ["refund"], agent_id=lea)
        elif change == "assignee":
            store.assign(cid, lea, agent_id=lea)
        elif change == "group":
            store.assign(cid, lea, agent_id=lea, group_id=billing)
        elif change == "reopen":
            store.add_message(
                cid, author_kind=AuthorKind.CUSTOMER, body="Again", created_at=clock[0]
            )
        else:
            store.undo(reply_group, agent_id=paul)
        for by in ("tag", "agent", "group"):
            folded, from_digests = reports(path, since=since, until=until, now=clock[0], by=by)
            assert from_digests == folded, (change, by)
    finally:
        store.close()
