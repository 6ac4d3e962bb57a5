"""The store API: views with keyset paging, search, versions, events, errors."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskterm.backend import schema
from deskterm.backend.db import StaleVersion, StoreError
from deskterm.backend.store import Store
from deskterm.backend.views import BUILTIN_VIEWS, View, index_spelling
from deskterm.domain.models import UNTIL_REPLY, AuthorKind, Channel, Status
from deskterm.domain.query import parse_query
from tests.conftest import T0, Clock, Team, agent_replies, customer_writes
from tests.unit.test_kept_waits import drop_kept_waits

INBOX = BUILTIN_VIEWS[0]


def view(key: str) -> View:
    return next(v for v in BUILTIN_VIEWS if v.key == key)


def ids(rows) -> list[int]:
    return [r.id for r in rows]


def test_customer_message_opens_an_inbox_conversation_with_an_sla(store: Store, team: Team):
    cid = customer_writes(store, team.customer, "Il manque le pain", channel=Channel.WHATSAPP)
    conv = store.conversation(cid)
    assert conv is not None
    assert conv.status is Status.NEW and conv.unread and conv.message_count == 1
    assert conv.sla_due_at == T0 + timedelta(minutes=5)  # WhatsApp: five minutes
    assert ids(store.page(INBOX)) == [cid]
    assert store.count(INBOX) == 1


def test_a_new_conversation_is_signed_with_the_customers_name(store: Store, team: Team):
    """The thread names who wrote ("Léa Martin", not "Customer"), unless the caller says."""
    cid = store.open_conversation(team.customer, Channel.CHAT, "Pain", "Il manque le pain")
    other = store.open_conversation(
        team.customer, Channel.EMAIL, "Pain", "Re", author_name="Léa (via son mari)"
    )
    name = store.customer(team.customer).name
    assert name
    assert [m.author_name for m in store.messages(cid)] == [name]
    assert [m.author_name for m in store.messages(other)] == ["Léa (via son mari)"]


def test_reply_moves_to_waiting_and_customer_answer_reopens(store: Store, team: Team, clock: Clock):
    cid = customer_writes(store, team.customer, "Where is my order?")
    clock.advance(minutes=3)
    agent_replies(store, cid, team.agent, "It left the kitchen at 12:05.")
    conv = store.conversation(cid)
    assert conv.status is Status.PENDING and conv.sla_due_at is None
    assert conv.first_response_at == T0 + timedelta(minutes=3)
    assert store.count(INBOX) == 0 and store.count(view("pending")) == 1
    clock.advance(minutes=10)
    store.add_message(cid, author_kind=AuthorKind.CUSTOMER, body="Still nothing")
    conv = store.conversation(cid)
    assert conv.status is Status.OPEN and conv.unread
    assert conv.sla_due_at == clock.now + timedelta(hours=4)  # email next response
    assert store.count(INBOX) == 1


def test_inbox_orders_by_due_time_not_arrival(store: Store, team: Team, clock: Clock):
    email = customer_writes(store, team.customer, "Question about invoices")
    clock.advance(minutes=1)
    chat = customer_writes(store, team.customer, "MY FOOD IS COLD!!!", channel=Channel.CHAT)
    # The chat arrived later but is due in 5 minutes; the email in 4 hours.
    assert ids(store.page(INBOX)) == [chat, email]


def test_keyset_pages_cover_the_view_exactly_once(store: Store, team: Team, clock: Clock):
    created = []
    for i in range(57):
        clock.advance(seconds=7)
        created.append(
            customer_writes(
                store, team.customer, f"message {i}", channel=[Channel.EMAIL, Channel.CHAT][i % 2]
            )
        )
    seen: list[int] = []
    after = None
    while True:
        rows = store.page(INBOX, after=after, limit=10)
        if not rows:
            break
        seen += ids(rows)
        after = (rows[-1].sort_value, rows[-1].id)
    assert sorted(seen) == sorted(created) and len(seen) == len(set(seen))
    # Backwards from the last row gives the same order.
    last = store.page(INBOX, limit=57)
    back = store.page(INBOX, after=(last[-1].sort_value, last[-1].id), backwards=True, limit=5)
    assert ids(back) == ids(last)[-6:-1]
    # Random access with and without an anchor agree.
    plain = store.page_at(INBOX, 30, limit=5)
    anchored = store.page_at(INBOX, 30, limit=5, anchor=(20, last[20].sort_value, last[20].id))
    assert ids(plain) == ids(anchored) == ids(last)[30:35]


def test_views_mine_unassigned_channel_tag_snoozed_done(store: Store, team: Team):
    a = customer_writes(store, team.customer, "one", channel=Channel.CHAT)
    b = customer_writes(store, team.customer, "two")
    c = customer_writes(store, team.customer, "three")
    store.assign(a, team.agent, agent_id=team.agent)
    store.set_tags(b, ["refund", "VIP case"], agent_id=team.agent)
    store.snooze(c, T0 + timedelta(hours=2), agent_id=team.agent)
    assert ids(store.page(view("mine"), me=team.agent)) == [a]
    assert ids(store.page(view("unassigned"))) == [b]
    assert ids(store.page(View("channel:chat", "Chat"))) == [a]
    assert ids(store.page(View("tag:refund", "#refund"))) == [b]
    assert store.conversation(b).tags == ["refund", "vip-case"]
    assert ids(store.page(view("snoozed"))) == [c]
    store.set_status(a, Status.DONE, agent_id=team.agent)
    assert ids(store.page(view("done"))) == [a]
    assert store.count(INBOX) == 1


def test_snooze_wakes_by_time_and_by_customer_reply(store: Store, team: Team, clock: Clock):
    timed = customer_writes(store, team.customer, "later please")
    reply = customer_writes(store, team.customer, "I will send a photo")
    store.snooze(timed, T0 + timedelta(hours=1), agent_id=team.agent)
    store.snooze(reply, UNTIL_REPLY, agent_id=team.agent)
    assert store.count(INBOX) == 0
    clock.advance(minutes=59)
    assert store.wake_due() == []
    clock.advance(minutes=2)
    assert store.wake_due() == [timed]  # until-reply never wakes by time
    woken = store.conversation(timed)
    assert woken.snoozed_until is None and woken.woken_at == clock.now
    store.add_message(reply, author_kind=AuthorKind.CUSTOMER, body="photo.jpg")
    assert store.conversation(reply).snoozed_until is None
    assert store.count(INBOX) == 2


def test_a_snoozed_breach_is_still_counted(store: Store, team: Team, clock: Clock):
    cid = customer_writes(store, team.customer, "hello?", channel=Channel.CHAT)
    store.snooze(cid, T0 + timedelta(hours=3), agent_id=team.agent)
    clock.advance(minutes=6)
    assert store.breaching_count() == 1
    found = store.page(View("search", "s", parse_query("is:breached", now=clock.now)))
    assert ids(found) == [cid]


def test_stale_version_is_refused(store: Store, team: Team, tmp_path: Path, clock: Clock):
    cid = customer_writes(store, team.customer, "hello")
    seen = store.conversation(cid).version
    other = Store(store.path, clock=clock)  # a second process on the same file
    other.set_status(cid, Status.DONE, agent_id=team.other)
    with pytest.raises(StaleVersion):
        store.set_status(cid, Status.OPEN, agent_id=team.agent, expected_version=seen)
    with pytest.raises(StaleVersion):
        agent_replies(store, cid, team.agent, "late reply", expected_version=seen)
    assert store.conversation(cid).status is Status.DONE
    other.close()


def test_every_change_is_an_event_and_undo_restores_it(store: Store, team: Team):
    cid = customer_writes(store, team.customer, "hello")
    store.set_tags(cid, ["refund"], agent_id=team.agent, undo_group="g1")
    store.set_status(cid, Status.DONE, agent_id=team.agent, undo_group="g1")
    kinds = [e.kind for e in store.events(cid)]
    assert kinds[0] == "created" and "tags" in kinds and "status:done" in kinds
    done = next(e for e in store.events(cid) if e.kind == "status:done")
    assert done.before == {"status": "new"} and done.after == {"status": "done"}
    store.undo("g1", agent_id=team.agent)
    conv = store.conversation(cid)
    assert conv.status is Status.NEW and conv.tags == []


def test_undo_leaves_a_newer_change_alone(store: Store, team: Team):
    cid = customer_writes(store, team.customer, "hello")
    store.set_status(cid, Status.DONE, agent_id=team.agent, undo_group="g")
    store.set_status(cid, Status.OPEN, agent_id=team.other)  # someone reopened it since
    assert store.undo("g", agent_id=team.agent) == []
    assert store.conversation(cid).status is Status.OPEN


def test_full_text_search_finds_words_prefixes_and_accents(store: Store, team: Team):
    bread = customer_writes(store, team.customer, "Il manque le pain complet", subject="Pain")
    customer_writes(store, team.customer, "Livraison en retard", subject="Retard")
    for text in ("pain", "pai", "PAIN", "manqué"):
        q = parse_query(text, now=T0)
        assert ids(store.page(View("search", "s", q))) == [bread], text
    q = parse_query('"pain complet" channel:email', now=T0)
    assert ids(store.page(View("search", "s", q))) == [bread]
    q = parse_query("from:lea@example", now=T0)
    assert store.count(View("search", "s", q)) == 2


def test_a_search_count_says_when_it_is_only_a_lower_bound(
    store: Store, team: Team, monkeypatch: pytest.MonkeyPatch
):
    from deskterm.backend.reads import inbox as store_module

    for n in range(5):
        customer_writes(store, team.customer, f"refund please {n}", subject=f"Question {n}")
    monkeypatch.setattr(store_module, "SEARCH_CAP", 3)  # the words looked up in 3 messages
    refund = View("search", "s", parse_query("refund", now=T0))
    assert store.count_is_partial(refund, store.count(refund))
    # Subjects are capped the same way; a word that few messages have is counted in full.
    question = View("search", "s", parse_query("question", now=T0))
    assert store.count_is_partial(question, store.count(question))
    monkeypatch.setattr(store_module, "SEARCH_CAP", 10)
    assert not store.count_is_partial(refund, store.count(refund))
    assert not store.count_is_partial(INBOX, store.count(INBOX))
    # Filters without words count every conversation, up to RESULTS_CAP.
    email = View("search", "s", parse_query("channel:email", now=T0))
    assert not store.count_is_partial(email, store.count(email))
    assert store.count_is_partial(email, store_module.RESULTS_CAP)


def test_a_text_search_pages_in_recency_order_with_every_filter(store: Store, team: Team, clock):
    made = []
    for n in range(12):
        clock.now = T0 + timedelta(minutes=n)
        made.append(customer_writes(store, team.customer, f"parcel lost {n}", subject="Lost"))
    # "from:" needs the customers join inside the sorted part; plain words do not.
    for text in ("parcel", "parcel from:lea"):
        q = View("search", "s", parse_query(text, now=T0 + timedelta(hours=1)))
        first = store.page(q, limit=5)
        assert store.first_page(q, limit=5) == (first, 12)
        after = (first[-1].sort_value, first[-1].id)
        rest = store.page(q, after=after, limit=50)
        assert ids(first) + ids(rest) == list(reversed(made)), text
        assert ids(store.page_at(q, 5, limit=3)) == list(reversed(made))[5:8]


#: Words that share beginnings, with accents and capitals, as customers and agents write.
WORDS = (
    "refund",
    "Refunded",
    "refunding",
    "réfugié",
    "REFUS",
    "pain",
    "paiement",
    "Païen",
    "apple",
    "appli",
    "application",
    "appétit",
    "app",
    "e-mail",
    "naïve",
    "café",
    "cafés",
    "straße",
    "ﬁne",
    "ΑΘΗΝΑ",
    "日本語",
    "x2",
    "x200",
    "order12",
    "ordre",
)


def _texts(words: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(WORDS), min_size=1, max_size=words).map(" ".join)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(st.tuples(_texts(5), _texts(2)), min_size=1, max_size=8),
    edited=_texts(3),
    typed=st.lists(
        st.sampled_from(WORDS).flatmap(
            lambda w: st.integers(3, max(3, len(w))).map(lambda n: w[:n])
        ),
        min_size=1,
        max_size=2,
    ),
)
def test_prefixes_spelled_as_words_find_what_the_prefix_search_finds(
    store: Store, team: Team, monkeypatch: pytest.MonkeyPatch, texts, edited, typed
):
    """Every search word being typed is searched as the indexed words it starts: the same
    conversations as FTS5's own prefix search, whatever was written, edited or titled."""
    for n, (text, subject) in enumerate(texts):
        cid = customer_writes(store, team.customer, text, subject=subject)
        if n == 0:
            store.conn.execute(
                "UPDATE messages SET body = ? WHERE conversation_id = ?", (edited, cid)
            )
            store.conn.execute("UPDATE conversations SET subject = ? WHERE id = ?", (text, cid))
    # The words listed for a prefix are the index's own words that start with it (and may
    # hold words of edited texts, which match nothing).
    conn = store.conn
    conn.execute("CREATE VIRTUAL TABLE temp.m USING fts5vocab(main, 'messages_fts', 'row')")
    conn.execute("CREATE VIRTUAL TABLE temp.s USING fts5vocab(main, 'subjects_fts', 'row')")
    indexed = {r[0] for r in conn.execute("SELECT term FROM temp.m UNION SELECT term FROM temp.s")}
    conn.execute("DROP TABLE temp.m")
    conn.execute("DROP TABLE temp.s")
    for word in typed:
        spelled = store.search_words(word)
        if spelled is not None:
            prefix = index_spelling(word)
            assert prefix is not None and all(w.startswith(prefix) for w in spelled)
            assert {w for w in indexed if w.startswith(prefix)} <= set(spelled), word
    query = View("search", "s", parse_query(" ".join(typed), now=T0))
    found = store.page(query, limit=500)
    counted = store.count(query)
    assert store.first_page(query, limit=3) == (found[:3], counted)  # one read for both
    with monkeypatch.context() as m:
        m.setattr(store._inbox, "search_words", lambda prefix: None)
        assert ids(found) == ids(store.page(query, limit=500)), typed
        assert counted == store.count(query)
    conn.execute("DELETE FROM conversations")  # the next example starts empty


def test_a_first_page_counts_only_text_searches(store: Store, team: Team):
    customer_writes(store, team.customer, "parcel lost")
    assert store.first_page(INBOX, limit=5) == (store.page(INBOX, limit=5), None)
    nothing = View("search", "s", parse_query("nowhere", now=T0))
    assert store.first_page(nothing) == ([], 0)


def test_a_prefix_of_too_many_words_is_left_to_fts(
    store: Store, team: Team, monkeypatch: pytest.MonkeyPatch
):
    from deskterm.backend.reads import inbox as store_module

    found = customer_writes(store, team.customer, "refunded twice")
    customer_writes(store, team.customer, "no refusal here")
    assert store.search_words("ref") == ["refunded", "refusal"]
    assert store.search_words("réf") == ["refunded", "refusal"]  # as the index spells it
    assert store.search_words("zzz") is None  # nothing starts so: FTS says so itself
    assert store.search_words("e-mail") is None  # two words to FTS5: its own prefix search
    monkeypatch.setattr(store_module, "SPELLED_MAX", 1)
    assert store.search_words("ref") is None
    refund = View("search", "s", parse_query("refun", now=T0))
    assert ids(store.page(refund)) == [found]


def test_an_older_store_gets_its_search_words_when_it_is_upgraded(
    store: Store, team: Team, clock: Clock
):
    cid = customer_writes(store, team.customer, "Colis jamais arrivé", subject="Livraison")
    conn = store.conn
    conn.execute("BEGIN")
    for name in [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_terms%'"
        )
    ]:
        conn.execute(f"DROP TRIGGER {name}")
    # A version 2 store has neither the search words (version 3), problems (version 4) nor
    # the mark of a ticket gone from the remote (version 5).
    for table in ("search_scratch_terms", "search_scratch", "search_terms"):
        conn.execute(f"DROP TABLE {table}")
    for table in ("problem_links", "problems"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("ALTER TABLE conversations DROP COLUMN gone_at")  # version 5's
    drop_kept_waits(conn)  # version 7's
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.execute("COMMIT")
    store.close()
    again = Store(store.path, clock=clock)
    assert again.search_words("arriv") == ["arrive"]
    assert again.search_words("livr") == ["livraison"]
    for typed in ("arriv", "livr"):  # a message's word, a subject's
        assert ids(again.page(View("search", "s", parse_query(typed, now=T0)))) == [cid]
    again.close()


def test_hostile_search_text_never_reaches_fts_as_syntax(store: Store, team: Team):
    customer_writes(store, team.customer, "hello")
    for text in ("NEAR(a b", "a AND", "* OR *", '"', "^x", "body:x", "-"):
        try:
            q = parse_query(text, now=T0)
        except ValueError:
            continue
        store.page(View("search", "s", q))  # must not raise


def test_data_version_moves_only_when_something_commits(store: Store, team: Team):
    import threading

    def on_a_worker_thread() -> int:
        found: list[int] = []
        worker = threading.Thread(target=lambda: found.append(store.data_version()))
        worker.start()
        worker.join()
        return found[0]

    for n in range(3):  # commits on this thread's connection
        customer_writes(store, team.customer, f"hello {n}")
    # Polls run on whichever worker thread is free: nothing committed between these two.
    assert on_a_worker_thread() == store.data_version()
    before = store.data_version()
    customer_writes(store, team.customer, "one more")
    assert store.data_version() != before
    assert on_a_worker_thread() == store.data_version()


def test_drafts_survive_reopening_the_store(store: Store, team: Team, clock: Clock):
    cid = customer_writes(store, team.customer, "hello")
    store.save_draft(cid, team.agent, "Bonjour Léa,\nvoici", note=False)
    store.close()
    again = Store(store.path, clock=clock)
    assert again.draft(cid, team.agent).body == "Bonjour Léa,\nvoici"
    again.save_draft(cid, team.agent, "   ")
    assert again.draft(cid, team.agent) is None
    again.close()


def test_presence_shows_other_agents_only_while_fresh(store: Store, team: Team, clock: Clock):
    cid = customer_writes(store, team.customer, "hello")
    store.touch_presence(cid, team.other, "typing")
    assert store.presence(cid, exclude_agent=team.agent) == [("Paul Roux", "typing")]
    assert store.presence(cid, exclude_agent=team.other) == []
    clock.advance(seconds=60)
    assert store.presence(cid, exclude_agent=team.agent) == []


def test_not_a_store_is_one_clear_error(tmp_path: Path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello, not a database")
    with pytest.raises(StoreError, match="not a deskterm store"):
        Store(junk)
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "missing" / "x.db")
    with pytest.raises(StoreError, match="folder"):
        Store(tmp_path)


def test_corrupt_store_is_one_clear_error(tmp_path: Path, store: Store, team: Team):
    customer_writes(store, team.customer, "hello")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(store.path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the page-1 b-tree header and schema
    store.path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"Cannot open .*damaged|malformed|not a database"):
        Store(store.path)


def test_newer_store_is_refused_and_older_one_migrated(tmp_path: Path):
    path = tmp_path / "s.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(schema.SCHEMA_VERSION + 1),)
    )
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer deskterm"):
        Store(path)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # a zero-byte file: version 0
    s = Store(empty)
    assert schema.current_version(s.conn) == schema.SCHEMA_VERSION
    s.close()


def test_migrations_apply_one_after_another(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "s.db"
    Store(path).close()
    extra = "ALTER TABLE customers ADD COLUMN timezone TEXT;"
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, extra])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    s = Store(path)
    cols = [r[1] for r in s.conn.execute("PRAGMA table_info(customers)")]
    assert "timezone" in cols
    assert schema.current_version(s.conn) == schema.SCHEMA_VERSION
    s.close()


def test_store_file_is_private(tmp_path: Path):
    s = Store(tmp_path / "private.db")
    assert (s.path.stat().st_mode & 0o077) == 0
    s.close()


VIEW_KEYS = ["inbox", "mine", "unassigned", "snoozed", "pending", "done", "channel:whatsapp"]
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["open", "done", "reopen", "snooze", "assign", "unassign", "reply",
                         "customer", "undo"]),
        st.integers(0, 7),
        st.sampled_from(list(Channel)),
    ),
    max_size=30,
)  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_kept_view_counts_match_a_full_count(tmp_path_factory, operations):
    """Built-in views are counted from a table that triggers keep; it must never drift."""
    clock = Clock()
    store = Store(tmp_path_factory.mktemp("counts") / "s.db", clock=clock)
    agent = store.add_agent("Camille Moreau", "camille@popote.example")
    customer = store.add_customer("Léa Martin")
    conversations: list[int] = []
    groups: list[str] = []
    for name, pick, channel in operations:
        clock.advance(minutes=3)
        target = conversations[pick % len(conversations)] if conversations else None
        if name == "open" or target is None:
            conversations.append(store.open_conversation(customer, channel, "Help", "Hello"))
        elif name == "done":
            groups.append(f"g{len(groups)}")
            store.set_status(target, Status.DONE, agent_id=agent, undo_group=groups[-1])
        elif name == "reopen":
            store.set_status(target, Status.OPEN, agent_id=agent)
        elif name == "snooze":
            until = UNTIL_REPLY if pick % 2 else clock.now + timedelta(minutes=pick * 5)
            store.snooze(target, until, agent_id=agent)
        elif name == "assign":
            groups.append(f"g{len(groups)}")
            store.assign(target, agent, agent_id=agent, undo_group=groups[-1])
        elif name == "unassign":
            store.assign(target, None, agent_id=agent)
        elif name == "reply":
            agent_replies(store, target, agent, "On it")
        elif name == "customer":
            store.add_message(target, author_kind=AuthorKind.CUSTOMER, body="Any news?")
        elif name == "undo" and groups:
            store.undo(groups.pop(), agent_id=agent)
        store.wake_due()
    for key in VIEW_KEYS:
        v = View(key, key) if key.startswith("channel:") else view(key)
        full = len(store.page(v, limit=1000, me=agent))
        assert store.count(v, me=agent) == full, key
    store.close()
