"""The demo helpdesk generator: deterministic, realistic in shape, and a store the Store reads
exactly as if it had been written through its API."""

from __future__ import annotations

import hashlib
import json
import random
import re
import sqlite3
import string
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from liquid import Environment

from deskterm.backend.db import StoreError, dt
from deskterm.backend.demo import generate_demo
from deskterm.backend.demo.catalog import slot_text
from deskterm.backend.demo.library import LIBRARY
from deskterm.backend.demo.macrospec import PLACEHOLDERS, compile_body, render
from deskterm.backend.demo.playback import preview_of
from deskterm.backend.demo.replies import VAGUE
from deskterm.backend.demo.situation import SLOTS
from deskterm.backend.demo.threads import SITUATIONS
from deskterm.backend.demo.timing import utc_offset
from deskterm.backend.rows import bucket_of, stake_of, urgency_of
from deskterm.backend.store import Store
from deskterm.backend.views import BUILTIN_VIEWS, View
from deskterm.domain import sla
from deskterm.domain.models import UNTIL_REPLY, Channel, Status
from deskterm.domain.query import parse_query
from tests.conftest import T0

NOW = T0
VIEWS = {v.key: v for v in BUILTIN_VIEWS}
TABLES = ("groups", "agents", "customers", "customer_handles", "conversations",
          "conversation_tags", "messages", "events", "orders", "order_items", "macros",
          "macro_usage", "gestures", "sla_policies", "meta")  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default interactive demo: 300 conversations."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    generate_demo(path, conversations=300, seed=7, now=NOW)
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.db"
    generate_demo(path, conversations=2000, seed=11, now=NOW)
    return path


@pytest.fixture
def store(demo: Path):
    s = Store(demo, clock=lambda: NOW)
    yield s
    s.close()


def db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def digest(path: Path) -> str:
    conn = sqlite3.connect(path)
    h = hashlib.sha256()
    for table in TABLES:
        for row in sorted(repr(tuple(r)) for r in conn.execute(f"SELECT * FROM {table}")):
            h.update(row.encode())
    conn.close()
    return h.hexdigest()


# -- determinism and counts ---------------------------------------------------------------


def test_same_seed_and_now_give_identical_stores(tmp_path: Path):
    a, b, c = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "c.db"
    generate_demo(a, conversations=200, seed=3, now=NOW)
    generate_demo(b, conversations=200, seed=3, now=NOW)
    generate_demo(c, conversations=200, seed=4, now=NOW)
    assert digest(a) == digest(b)
    assert digest(a) != digest(c)


def test_summary_counts_what_is_in_the_store(tmp_path: Path):
    seen: list[tuple[int, int]] = []
    summary = generate_demo(
        tmp_path / "s.db", conversations=250, now=NOW, progress=lambda d, t: seen.append((d, t))
    )
    conn = db(tmp_path / "s.db")
    count = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    assert summary.conversations == count["conversations"] == 250
    assert summary.customers == count["customers"]
    assert summary.messages == count["messages"]
    assert summary.orders == count["orders"]
    assert summary.events == count["events"]
    assert summary.macros == count["macros"] >= 28
    assert summary.agents == count["agents"] == 12
    assert count["groups"] == 3 and count["sla_policies"] == len(sla.DEFAULT_POLICIES)
    assert summary.file_size > 0 and summary.seconds > 0
    assert "250 conversations" in summary.describe(tmp_path / "s.db")
    assert seen[-1] == (250, 250)


def test_refuses_a_store_that_already_holds_a_helpdesk(tmp_path: Path):
    s = Store(tmp_path / "x.db")
    s.add_customer("Léa Martin")
    s.close()
    with pytest.raises(StoreError, match="already holds"):
        generate_demo(tmp_path / "x.db", conversations=10, now=NOW)


def test_accepts_an_open_empty_store(tmp_path: Path):
    s = Store(tmp_path / "y.db", clock=lambda: NOW)
    generate_demo(s, conversations=40, now=NOW)
    assert s.count(VIEWS["done"]) + s.count(VIEWS["inbox"]) > 0  # reopens by itself
    s.close()


# -- the schema and the Store reading it ---------------------------------------------------


def test_schema_is_exactly_a_fresh_stores(demo: Path, tmp_path: Path):
    Store(tmp_path / "fresh.db").close()

    def schema(path: Path) -> set[tuple]:
        conn = sqlite3.connect(path)
        found = set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        conn.close()
        return found

    assert schema(demo) == schema(tmp_path / "fresh.db")
    conn = sqlite3.connect(demo)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not conn.execute("PRAGMA foreign_key_check").fetchall()


def test_store_api_reads_the_generated_store(store: Store):
    inbox = store.page(VIEWS["inbox"], limit=50)
    assert inbox and len(inbox) == min(50, store.count(VIEWS["inbox"]))
    first = inbox[0]
    thread = store.messages(first.id)
    assert thread and thread[0].author_kind == "customer"
    conv = store.conversation(first.id)
    assert conv is not None and conv.message_count == len(thread)
    customer = store.customer(conv.customer_id)
    assert customer is not None and customer.email and customer.handles
    orders = store.orders(customer.id)
    assert 1 <= len(orders) <= 10 and all(o.items for o in orders)
    assert all(o.total_cents == sum(i.quantity * i.unit_price_cents for i in o.items)
               for o in orders if o.parent_order_id is None)  # fmt: skip
    assert len(store.agents()) == 12 and len(store.groups()) == 3
    assert any(not m.shared for m in store.macros(1)) and all(m.shared for m in store.macros(2))
    assert store.macro_examples()
    assert store.events(first.id)[0].kind == "created"


def test_full_text_search_finds_dishes_and_words(store: Store):
    conn = store.conn
    hits = conn.execute("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'livreur'")
    assert hits.fetchone()[0] > 0
    subject = conn.execute("SELECT subject FROM conversations LIMIT 1").fetchone()[0]
    word = max(re.findall(r"\w+", subject), key=len)
    hits = conn.execute("SELECT count(*) FROM subjects_fts WHERE subjects_fts MATCH ?", (word,))
    assert hits.fetchone()[0] > 0
    query = parse_query("commande", now=NOW)
    assert store.page(View("search", "Search", query=query))


def test_derived_columns_match_what_the_store_computes(big: Path):
    s = Store(big, clock=lambda: NOW)
    policies = s.sla_policies()
    conn = db(big)
    ids = [r[0] for r in conn.execute("SELECT id FROM conversations")]
    for cid in random.Random(5).sample(ids, 50):
        c = conn.execute("SELECT * FROM conversations WHERE id = ?", (cid,)).fetchone()
        msgs = conn.execute(
            "SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at, id", (cid,)
        ).fetchall()
        customer = [m["created_at"] for m in msgs if m["author_kind"] == "customer"]
        agent = [m["created_at"] for m in msgs if m["author_kind"] == "agent" and m["public"]]
        shown = [m for m in msgs if m["public"] or m["author_kind"] == "customer"]
        assert c["message_count"] == len(msgs)
        assert c["last_message_at"] == max(m["created_at"] for m in msgs)
        assert c["last_customer_message_at"] == max(customer)
        assert c["last_agent_message_at"] == (max(agent) if agent else None)
        assert c["first_response_at"] == (min(agent) if agent else None)
        assert c["preview"] == preview_of(shown[-1]["body"])
        due = sla.due_at(
            status=Status(c["status"]),
            first_response_at=dt(c["first_response_at"]),
            last_customer_message_at=dt(c["last_customer_message_at"]),
            last_agent_message_at=dt(c["last_agent_message_at"]),
            channel=Channel(c["channel"]),
            group_id=c["group_id"],
            policies=policies,
        )
        assert c["sla_due_at"] == (int(due.timestamp()) if due else None)
        assert c["bucket"] == bucket_of(c["status"], c["snoozed_until"])
        stake = stake_of(  # what the store computes, against what the seed wrote in SQL
            conn,
            customer_id=c["customer_id"],
            priority=c["priority"],
            channel=c["channel"],
            bucket=c["bucket"],
        )
        assert c["urgency"] == urgency_of(
            c["sla_due_at"], c["last_customer_message_at"], c["created_at"], stake
        )
        tags = {(r["tag"], r["bucket"], r["urgency"])
                for r in conn.execute("SELECT * FROM conversation_tags WHERE conversation_id = ?", (cid,))}  # noqa: E501  # fmt: skip
        assert tags == {(t, c["bucket"], c["urgency"]) for t in c["tags"].split()}
    s.close()


def test_events_replay_to_the_final_state(big: Path):
    """Playing the events' "after" values in order gives each conversation's fields."""
    conn = db(big)
    state: dict[int, dict] = {}
    for e in conn.execute(
        "SELECT conversation_id, kind, after FROM events ORDER BY created_at, id"
    ):
        if e["kind"] == "created":
            state[e["conversation_id"]] = {"status": "new", "assignee_id": None, "tags": ""}
        state[e["conversation_id"]].update(json.loads(e["after"]))
    for c in conn.execute("SELECT id, status, assignee_id, tags, snoozed_until FROM conversations"):
        replayed = state[c["id"]]
        assert (replayed["status"], replayed["assignee_id"], replayed["tags"]) == (
            c["status"], c["assignee_id"], c["tags"])  # fmt: skip
        assert replayed.get("snoozed_until") == c["snoozed_until"]


# -- the shape of the helpdesk -------------------------------------------------------------


def test_the_demo_inbox_is_live(store: Store):
    assert 40 <= store.count(VIEWS["inbox"]) <= 60
    assert 1 <= store.breaching_count() <= 15
    assert 0 < store.count(VIEWS["unassigned"]) < store.count(VIEWS["inbox"])
    assert store.count(VIEWS["snoozed"]) > 0 and store.count(VIEWS["pending"]) > 0
    assert store.count(VIEWS["done"]) > 150
    conn = store.conn
    statuses = {
        r[0] for r in conn.execute("SELECT status FROM conversations WHERE bucket = 'inbox'")
    }
    assert statuses == {"new", "open"}
    snoozes = conn.execute(
        "SELECT snoozed_until FROM conversations WHERE snoozed_until IS NOT NULL"
    ).fetchall()
    until_reply = int(UNTIL_REPLY.timestamp())
    assert any(r[0] == until_reply for r in snoozes)
    assert any(r[0] != until_reply for r in snoozes)
    assert all(r[0] > NOW.timestamp() for r in snoozes)
    assert conn.execute("SELECT count(*) FROM conversations WHERE woken_at IS NOT NULL").fetchone()[
        0
    ]


def test_time_spreads_over_sixty_days_and_nothing_is_in_the_future(big: Path):
    conn = db(big)
    now = NOW.timestamp()
    first, last = conn.execute(
        "SELECT min(created_at), max(created_at) FROM conversations"
    ).fetchone()
    assert now - 61 * 86400 <= first < now - 55 * 86400 and last <= now
    assert conn.execute("SELECT max(created_at) FROM messages").fetchone()[0] <= now
    assert conn.execute("SELECT max(created_at) FROM events").fetchone()[0] <= now
    done = conn.execute("SELECT avg(status = 'done') FROM conversations").fetchone()[0]
    assert done > 0.7
    # Ids follow time, as in a real helpdesk: newer conversations have bigger ids.
    created = [r[0] for r in conn.execute("SELECT created_at FROM conversations ORDER BY id")]
    assert created == sorted(created)


def test_languages_channels_and_threads(big: Path):
    conn = db(big)
    fr = conn.execute(
        "SELECT avg(cu.language = 'fr') FROM conversations c JOIN customers cu ON cu.id = c.customer_id"  # noqa: E501
    ).fetchone()[0]
    assert 0.5 < fr < 0.7
    channels = {r[0] for r in conn.execute("SELECT DISTINCT channel FROM conversations")}
    assert channels == {c.value for c in Channel}
    sizes = [r[0] for r in conn.execute("SELECT message_count FROM conversations")]
    assert min(sizes) >= 1 and max(sizes) <= 8 and len(set(sizes)) >= 5
    firsts = [r[0] for r in conn.execute(
        "SELECT (SELECT body FROM messages m WHERE m.conversation_id = c.id "
        "ORDER BY created_at, id LIMIT 1) FROM conversations c LIMIT 500")]  # fmt: skip
    assert len(set(firsts)) > 0.8 * len(firsts)  # slot-filled: verbatim repeats are rare
    notes = conn.execute("SELECT count(*) FROM messages WHERE public = 0").fetchone()[0]
    assert notes > 0
    assert conn.execute("SELECT count(*) FROM customers WHERE vip = 1").fetchone()[0] > 0
    assert conn.execute("SELECT count(*) FROM conversations WHERE priority != 'normal'").fetchone()[
        0
    ]


def test_agent_replies_are_in_the_customers_language_and_signed(big: Path):
    conn = db(big)
    rows = conn.execute(
        "SELECT m.body, a.name, cu.language FROM messages m JOIN agents a ON a.id = m.author_id "
        "JOIN conversations c ON c.id = m.conversation_id JOIN customers cu ON cu.id = c.customer_id "  # noqa: E501
        "WHERE m.author_kind = 'agent' AND m.public = 1 LIMIT 500"
    ).fetchall()
    for body, name, _language in rows:
        assert name.split()[0] in body
    french = [b for b, _, lang in rows if lang == "fr"]
    english = [b for b, _, lang in rows if lang == "en"]
    assert sum("Bonjour" in b or "plaisir" in b for b in french) > 0.8 * len(french)
    assert sum("Bonjour" in b for b in english) == 0


def test_orders_are_numbered_and_quoted(big: Path):
    conn = db(big)
    numbers = [r[0] for r in conn.execute("SELECT number FROM orders")]
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"PO-\d{5,8}", n) for n in numbers)
    per_customer = [r[0] for r in conn.execute("SELECT count(*) FROM orders GROUP BY customer_id")]
    assert min(per_customer) >= 1
    quoted = conn.execute(
        "SELECT avg(body LIKE '%PO-%') FROM messages WHERE author_kind = 'customer'"
    ).fetchone()[0]
    assert 0.2 < quoted < 0.9
    slots = conn.execute("SELECT DISTINCT delivery_slot_end - delivery_slot_start FROM orders")
    assert [r[0] for r in slots] == [3600]


# -- macros ---------------------------------------------------------------------------------


def test_macro_library_has_shared_and_personal_macros_with_actions(store: Store):
    macros = store.macros(None)
    assert len(macros) >= 24
    assert all(m.variants.get("fr") for m in macros)
    used = " ".join(m.body for m in macros)
    for variable in ("customer.first_name", "agent.first_name", "order.number",
                     "order.item_names", "order.delivery_slot", "{% cursor %}"):  # fmt: skip
        assert variable in used
    missing = next(m for m in macros if m.title == "Missing item — sent again")
    assert {(a.field, json.dumps(a.value)) for a in missing.actions} >= {
        ("add_tags", '["missing-item"]'), ("status", '"done"')}  # fmt: skip
    ask = next(m for m in macros if m.title == "Ask for details")
    assert [(a.field, a.value) for a in ask.actions] == [("snooze", "until reply")]
    owners = {
        r[0]
        for r in store.conn.execute(
            "SELECT owner_agent_id FROM macros WHERE owner_agent_id IS NOT NULL"
        )
    }
    assert len(owners) == 2


def test_replies_from_macros_are_the_macro_rendered(big: Path):
    """Each recorded use matches a reply that is the macro rendered by Liquid, with this
    customer's name, this agent's name and the details of the order it quotes."""
    s = Store(big, clock=lambda: NOW)
    conn = db(big)
    env = Environment()
    uses = conn.execute(
        "SELECT u.macro_id, u.agent_id, u.conversation_id, u.used_at, cu.language, cu.name "
        "FROM macro_usage u JOIN conversations c ON c.id = u.conversation_id "
        "JOIN customers cu ON cu.id = c.customer_id"
    ).fetchall()
    assert len(uses) > 400
    counts = dict(conn.execute("SELECT id, usage_count FROM macros").fetchall())
    assert sum(counts.values()) == len(uses)
    for use in random.Random(1).sample(uses, 150):
        macro = s.macro(use["macro_id"])
        agent = s.agent(use["agent_id"])
        body = macro.variants.get(use["language"], macro.body)
        reply = conn.execute(
            "SELECT body FROM messages WHERE conversation_id = ? AND author_id = ? "
            "AND created_at = ? AND public = 1",
            (use["conversation_id"], use["agent_id"], use["used_at"]),
        ).fetchone()[0]
        found = re.search(r"PO-\d+", reply)
        order = s.order_by_number(found.group()) if found else None
        context = {"customer": {"first_name": use["name"].split()[0]},
                   "agent": {"first_name": agent.first_name}}  # fmt: skip
        if order is not None:
            start = int(order.delivery_slot_start.timestamp())
            local = (start + utc_offset(start)) % 86400
            context["order"] = {"number": order.number,
                                "item_names": [i.name for i in order.items],
                                "delivery_slot": slot_text(local, use["language"])}  # fmt: skip
        marked = env.from_string(body.replace("{% cursor %}", "\x00")).render(**context)
        before, after = marked.split("\x00")
        assert reply.startswith(before) and reply.endswith(after)


@given(
    first=st.text(alphabet=string.ascii_letters + "éèïôçÉ' -", min_size=1, max_size=12),
    agent=st.sampled_from(["Camille", "Inès", "Chloé"]),
    items=st.lists(
        st.sampled_from(["Tiramisu", "Pain de campagne", "Cola"]), min_size=1, max_size=3
    ),
    cursor=st.sampled_from(["", "Le pain est en route. "]),
)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fast_rendering_equals_liquid(first: str, agent: str, items: list[str], cursor: str):
    env = Environment()
    slots = {"first_name": first, "agent": agent, "order": "PO-12345",
             "item_names": ", ".join(items), "order_slot": "19h–20h", "cursor": cursor,
             "problem_part": ""}  # fmt: skip
    order = {"number": "PO-12345", "item_names": items, "delivery_slot": "19h–20h"}
    context = {"customer": {"first_name": first}, "agent": {"first_name": agent}, "order": order}
    for macro in LIBRARY:
        for body in (macro.en, macro.fr):
            liquid = env.from_string(body.replace("{% cursor %}", cursor)).render(**context)
            assert render(compile_body(body), slots) == liquid


def test_macro_bodies_use_only_the_known_placeholders():
    for macro in LIBRARY:
        for body in (macro.en, macro.fr):
            assert compile_body(body)
            rest = body
            for placeholder in PLACEHOLDERS:
                rest = rest.replace(placeholder, "")
            assert "{" not in rest and "}" not in rest
    with pytest.raises(ValueError):
        compile_body("Hello {{ customer.email }}")


def test_every_template_fills_from_the_known_slots():
    slots = dict.fromkeys(SLOTS, "x")
    formatter = string.Formatter()
    for situation in (*SITUATIONS, VAGUE):
        for texts in (situation.subjects, situation.first, situation.replies, situation.notes):
            assert set(texts) == {"fr", "en"}, situation.key
            for template in texts["fr"] + texts["en"]:
                names = {name for _, name, _, _ in formatter.parse(template) if name}
                assert names <= set(SLOTS), (situation.key, names - set(SLOTS))
                template.format_map(slots)
        assert situation.first["fr"] and situation.first["en"]


@given(seed=st.integers(0, 10_000), size=st.integers(1, 80))
@settings(max_examples=12, deadline=None)
def test_any_seed_gives_a_consistent_store(
    tmp_path_factory: pytest.TempPathFactory, seed: int, size: int
):
    path = tmp_path_factory.mktemp("prop") / "p.db"
    generate_demo(path, conversations=size, seed=seed, now=NOW)
    conn = db(path)
    rows = conn.execute("SELECT * FROM conversations").fetchall()
    assert len(rows) == size
    for c in rows:
        assert c["bucket"] == bucket_of(c["status"], c["snoozed_until"])
        assert c["created_at"] <= c["updated_at"] <= NOW.timestamp()
        assert c["message_count"] >= 1
        assert c["status"] != "done" or c["snoozed_until"] is None
    first_authors = conn.execute(
        "SELECT (SELECT author_kind FROM messages m WHERE m.conversation_id = c.id "
        "ORDER BY created_at, id LIMIT 1) FROM conversations c"
    ).fetchall()
    assert {r[0] for r in first_authors} == {"customer"}
    assert NOW - timedelta(days=61) <= dt(min(r["created_at"] for r in rows))


def test_the_demo_ships_problems_linked_to_french_and_english_conversations(store):
    problems = {p.title: p for p in store.problems()}
    assert {
        "App crashes at payment since the 4.2 update",
        "Promo code refused as “invalid code”",
        "Delivery-slot page empties the basket",
    } <= set(problems)
    promo = problems["Promo code refused as “invalid code”"]
    languages = {r.language for r in store.problem_reports(promo.id)}
    assert languages == {"fr", "en"}
    assert all(p.customers > 0 for p in problems.values())


@pytest.mark.parametrize("hour", [3, 10, 15, 22])
def test_orders_are_delivered_at_meal_times(tmp_path: Path, hour: int) -> None:
    """Whatever the hour the demo is built at, an order delivered or still to be delivered
    has a lunch or dinner slot in the shop's time, never one in the middle of the night."""
    from datetime import UTC, datetime

    from deskterm.backend.demo.catalog import SLOT_STARTS

    now = datetime(2026, 12, 4, hour, 37, tzinfo=UTC)
    path = tmp_path / f"demo-{hour}.db"
    generate_demo(path, conversations=300, seed=11, now=now)
    conn = sqlite3.connect(path)
    try:
        slots = [r[0] for r in conn.execute(
            "SELECT delivery_slot_start FROM orders WHERE status = 'placed'"
        )]  # fmt: skip
        past = [r[0] for r in conn.execute(
            "SELECT delivery_slot_start FROM orders WHERE status IN ('delivered', 'refunded')"
        )]  # fmt: skip
    finally:
        conn.close()
    assert slots and past
    local = {((s + utc_offset(s)) % 86400) / 3600 for s in slots}
    # The shop's slots, or one an agent moved by an hour or two at the customer's request.
    assert {h for h in local if not (10 <= h <= 14.5 or 17 <= h <= 23)} == set()
    assert local & set(SLOT_STARTS)
    # What was delivered came at a meal too: a customer writing at eight in the morning about
    # a delivery speaks of last night's dinner.
    delivered = {((s + utc_offset(s)) % 86400) / 3600 for s in past}
    assert {h for h in delivered if not (10 <= h <= 14.5 or 17 <= h <= 23)} == set()


def test_a_customer_who_paid_a_compliment_asks_nothing_after_the_answer(tmp_path: Path) -> None:
    """After the agent thanks a compliment, the customer's next words are thanks: no question
    about a delay, nothing that says the food never came."""
    from deskterm.backend.demo import replies

    assert replies.follow_ups("compliment") is replies.THANKS
    assert replies.follow_ups("late-delivery gesture") is replies.NOT_ARRIVED
    assert replies.follow_ups("invoice") is replies.QUESTIONS
    from datetime import UTC, datetime

    path = tmp_path / "demo.db"
    generate_demo(path, conversations=300, seed=7, now=datetime(2026, 12, 5, 7, 10, tzinfo=UTC))
    conn = sqlite3.connect(path)
    try:
        follow = conn.execute(
            "SELECT m.body FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE ' ' || c.tags || ' ' LIKE '% compliment %' AND m.author_kind = 'customer' "
            "AND m.id > (SELECT min(id) FROM messages WHERE conversation_id = c.id "
            "AND author_kind = 'agent')"
        ).fetchall()
    finally:
        conn.close()
    said = {body for (body,) in follow}
    assert said, "the demo has compliments the customer answered"
    asked = {
        q
        for language in ("fr", "en")
        for q in (*replies.QUESTIONS[language], *replies.NOT_ARRIVED[language])
    }
    assert not said & asked


def test_an_order_a_reply_said_was_cancelled_is_cancelled(big: Path) -> None:
    """The reply said "your order is cancelled" (its macro carries the cancel): the order is,
    whether the customer wrote again after or not."""
    conn = db(big)
    rows = conn.execute(
        "SELECT DISTINCT u.conversation_id, o.status FROM macro_usage u "
        "JOIN macros m ON m.id = u.macro_id "
        "JOIN conversations c ON c.id = u.conversation_id "
        "JOIN messages msg ON msg.conversation_id = c.id AND msg.author_kind = 'agent' "
        "JOIN orders o ON o.customer_id = c.customer_id "
        "AND instr(msg.body, o.number) > 0 "
        'WHERE m.actions LIKE \'%"do": "cancel"%\''
    ).fetchall()
    assert rows, "the demo has cancellations answered"
    assert {status for _, status in rows} == {"cancelled"}
