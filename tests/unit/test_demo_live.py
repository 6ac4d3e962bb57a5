"""The live demo: customers writing into a demo store as time passes, through the store's
own writes, with words that fit their thread and the shop's hour; and the French of every
template, with the articles contracted."""

from __future__ import annotations

import re
import shutil
import sqlite3
import string
from datetime import timedelta
from pathlib import Path
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.demo import generate_demo
from deskterm.backend.demo.catalog import MENU
from deskterm.backend.demo.library import LIBRARY
from deskterm.backend.demo.live import LiveDemo
from deskterm.backend.demo.live_words import CONFIRM, ORDER_NUMBER, Seen, answer, chase
from deskterm.backend.demo.replies import DETAILS, NOT_ARRIVED, QUESTIONS, STILL_WAITING, THANKS
from deskterm.backend.demo.shipped import demo_rules
from deskterm.backend.demo.situation import SLOTS
from deskterm.backend.demo.threads import REVEALED, SITUATIONS
from deskterm.backend.demo.timing import utc_offset
from deskterm.backend.demo.wording import contract, fill, fit_to_hour, is_evening
from deskterm.backend.routing import Router
from deskterm.backend.store import Store
from deskterm.domain.models import UNTIL_REPLY, AuthorKind
from tests.conftest import T0, Clock
from tests.unit.store_invariants import check_store_invariants

#: French that a dish name must never leave behind (contracted: au, aux, du, des, d').
UNCONTRACTED = re.compile(r"(?<![\w'])(?:[àÀ]|[dD]e) (?:les?\b|[aeiouyàâéèêîïôœ])")
STILL = {text for texts in STILL_WAITING.values() for text in texts}
EVENING_WORDS = re.compile(r"Bonsoir|bonne soirée|good evening", re.IGNORECASE)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("live") / "demo.db"
    generate_demo(path, conversations=300, seed=7, now=T0)
    return path


def fresh_copy(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    return path


def agent_works(store: Store, clock: Clock, turn: int) -> None:
    """An agent at the desk: answers the most urgent conversation, one way or another."""
    row = store.conn.execute(
        "SELECT id FROM conversations WHERE bucket = 'inbox' ORDER BY urgency DESC, id LIMIT 1"
    ).fetchone()
    if row is None:
        return
    cid = int(row[0])
    store.touch_presence(cid, 1, "viewing")  # at the desk: round-robin counts on them
    kind = turn % 3
    body = (
        "Pourriez-vous m'envoyer une photo du sac ?",
        "C'est réglé, le livreur arrive d'ici dix minutes.",
        "Je vous rembourse l'article, bonne journée !",
    )[kind]
    store.add_message(
        cid,
        author_kind=AuthorKind.AGENT,
        author_id=1,
        author_name="Camille Moreau",
        body=body,
        status_after="done" if kind == 2 else None,  # type: ignore[arg-type]
    )
    if kind == 0:
        store.snooze(cid, UNTIL_REPLY, agent_id=1)


def run_live(path: Path, *, seconds: int, rate: float, seed: int = 3) -> tuple[Store, list]:
    """The live demo for ``seconds`` of a fake clock, an agent answering every 20 seconds."""
    clock = Clock(T0)
    store = Store(path, clock=clock)
    store.set_router(Router(demo_rules(), reason_of=lambda text: None))
    live = LiveDemo(store, rate_per_hour=rate, seed=seed, clock=clock)
    written = []
    for second in range(1, seconds + 1):
        clock.advance(seconds=1)
        written += live.step()
        if second % 20 == 0:
            agent_works(store, clock, second // 20)
    return store, written


def customer_messages_since(path: Path, since: int) -> list[sqlite3.Row]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(
            "SELECT m.*, cu.language FROM messages m JOIN conversations c "
            "ON c.id = m.conversation_id JOIN customers cu ON cu.id = c.customer_id "
            "WHERE m.author_kind = 'customer' AND m.created_at > ? ORDER BY m.id",
            (since,),
        ).fetchall()
    finally:
        conn.close()


def test_ten_minutes_at_3600_an_hour_keep_every_invariant(demo_file: Path, tmp_path: Path):
    path = fresh_copy(demo_file, tmp_path)
    store, written = run_live(path, seconds=600, rate=3600)
    now = int((T0 + timedelta(seconds=600)).timestamp())
    policies = store.sla_policies()
    store.close()
    kinds = [w.kind for w in written]
    assert 480 <= kinds.count("new") <= 720  # a Poisson stream of 600 expected
    assert {"photo", "chase"} <= set(kinds)  # answers to the agent's questions, chasers
    assert len(kinds) - kinds.count("new") >= 20
    assert check_store_invariants(path, policies, now=now) == 300 + kinds.count("new")
    conn = sqlite3.connect(path)
    start = int(T0.timestamp())
    # The snoozes "until reply" the agent made were woken by their customers' answers.
    woken = conn.execute(
        "SELECT count(*) FROM events WHERE kind = 'message:customer:reply' AND created_at > ? "
        "AND json_extract(before, '$.snoozed_until') IS NOT NULL",
        (start,),
    ).fetchone()[0]
    assert woken >= 3
    # Arrivals were routed by the demo's rules, as a real arrival is: the instant channels
    # in turn among the agents at the desk, email to its group.
    routed = dict(
        conn.execute(
            "SELECT channel IN ('whatsapp', 'chat', 'social'), total(assignee_id = 1) "
            "FROM conversations WHERE created_at > ? AND group_id IS NOT NULL GROUP BY 1",
            (start,),
        ).fetchall()
    )
    assert routed[1] > kinds.count("new") // 4 and routed[0] == 0
    # Today's orders were written with the conversations about them.
    orders = conn.execute("SELECT count(*) FROM orders WHERE placed_at > ?", (start - 86400,))
    assert orders.fetchone()[0] > 100
    conn.close()


def test_the_same_seed_and_clock_write_the_same_words(demo_file: Path, tmp_path: Path):
    bodies = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        path = fresh_copy(demo_file, tmp_path / name)
        store, _ = run_live(path, seconds=90, rate=1200)
        store.close()
        bodies.append([r["body"] for r in customer_messages_since(path, int(T0.timestamp()))])
    assert bodies[0] == bodies[1] and len(bodies[0]) > 10


def test_customers_never_say_no_answer_once_answered(demo_file: Path, tmp_path: Path):
    """In the generated history and in ten live minutes alike."""
    path = fresh_copy(demo_file, tmp_path)
    store, _ = run_live(path, seconds=600, rate=1800)
    store.close()
    conn = sqlite3.connect(path)
    chasers = 0
    for cid, mid in conn.execute(
        "SELECT conversation_id, id FROM messages WHERE author_kind = 'customer' "
        f"AND body IN ({','.join('?' * len(STILL))})",
        sorted(STILL),
    ).fetchall():
        chasers += 1
        answered_before = conn.execute(
            "SELECT count(*) FROM messages WHERE conversation_id = ? AND author_kind = 'agent' "
            "AND public = 1 AND id < ?",
            (cid, mid),
        ).fetchone()[0]
        assert not answered_before, f"#{cid}: a chaser after an answer"
    conn.close()
    assert chasers > 10


WORDS = {
    lang: {
        text
        for table in (STILL_WAITING, DETAILS, NOT_ARRIVED, QUESTIONS, THANKS, ORDER_NUMBER, CONFIRM)
        for text in table[lang]
    }
    | {text for situation in REVEALED for text in situation.first[lang]}
    for lang in ("fr", "en")
}

seen_threads = st.builds(
    Seen,
    language=st.sampled_from(["fr", "en"]),
    answered=st.booleans(),
    last_reply=st.sampled_from(["", "Voilà, c'est fait.", "Une photo ?", "Your order number?"]),
    waits_on_customer=st.booleans(),
    done=st.booleans(),
    tags=st.sampled_from(["", "late-delivery", "missing-item vip", "bug"]),
    order=st.sampled_from(["", "PO-12345"]),
    vague=st.booleans(),
)


@given(seen=seen_threads, seed=st.integers(0, 2**32))
def test_follow_ups_fit_the_thread(seen: Seen, seed: int):
    said = answer(Random(seed), seen) if seen.answered else chase(Random(seed), seen)
    if said is None:
        return
    if seen.answered:
        assert said.kind != "chase" and said.template not in STILL
    else:
        assert said.kind == "chase" and said.template in STILL
    assert said.template in WORDS[seen.language]  # in the customer's language
    if said.kind == "order":
        assert "{order}" in said.template and seen.order


@given(hour=st.floats(0, 23.99), text=st.sampled_from([
    "Bonsoir, il manque le pain.", "Merci, bonne soirée à vous", "Thanks, have a good evening",
    "Bonne journée,\nPaul", "Good evening!", "Hi, have a nice day",
]))  # fmt: skip
def test_greetings_fit_the_hour(hour: float, text: str):
    fitted = fit_to_hour(text, hour)
    if is_evening(hour):
        assert "journée" not in fitted and " day" not in fitted
    else:
        assert not EVENING_WORDS.search(fitted)
    assert len(fitted.split()) == len(text.split())  # a word for a word, nothing else


def test_live_greetings_fit_the_shops_hour(demo_file: Path, tmp_path: Path):
    """At 10:00 in Paris, nobody says "Bonsoir" (the templates do, in the evening)."""
    path = fresh_copy(demo_file, tmp_path)
    store, _ = run_live(path, seconds=300, rate=3600)
    store.close()
    rows = customer_messages_since(path, int(T0.timestamp()))
    assert len(rows) > 200
    for r in rows:
        hour = ((r["created_at"] + utc_offset(r["created_at"])) % 86400) / 3600
        assert not is_evening(hour)
        assert not EVENING_WORDS.search(r["body"]), r["body"]


def test_generated_history_greets_by_the_hour(demo_file: Path):
    conn = sqlite3.connect(demo_file)
    seen_evening = 0
    for at, body in conn.execute(
        "SELECT created_at, body FROM messages WHERE author_kind = 'customer'"
    ):
        hour = ((at + utc_offset(at)) % 86400) / 3600
        if EVENING_WORDS.search(body):
            seen_evening += 1
            assert is_evening(hour), (hour, body)
    conn.close()
    assert seen_evening > 0


# -- French articles --------------------------------------------------------------------


FRENCH_TEXTS = [
    template
    for situation in SITUATIONS
    for texts in (situation.subjects, situation.first, situation.replies, situation.notes)
    for template in texts["fr"]
] + [fill for macro in LIBRARY for fill in macro.fill.get("fr", ())]


def french_slots(dish_index: int, item_index: int, wrong_index: int) -> dict[str, str]:
    slots = dict.fromkeys(SLOTS, "x")
    dish, item, wrong = MENU[dish_index], MENU[item_index], MENU[wrong_index]
    slots.update(
        dish_ref=dish.fr, Dish_ref=dish.fr[:1].upper() + dish.fr[1:], dish_name=dish.name,
        item_ref=item.fr, Item_ref=item.fr[:1].upper() + item.fr[1:], item_name=item.name,
        wrong_ref=wrong.fr, wrong_name=wrong.name,
    )  # fmt: skip
    return slots


def test_every_french_template_with_every_dish_reads_right():
    n = len(MENU)
    for template in FRENCH_TEXTS:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        if not names & {"dish_ref", "item_ref", "wrong_ref", "dish_name", "item_name"}:
            continue
        for i in range(n):
            text = fill(template, french_slots(i, (i + 7) % n, (i + 3) % n))
            assert not UNCONTRACTED.search(text), text


@given(
    preposition=st.sampled_from(["à", "À", "de", "De"]),
    dish=st.sampled_from(MENU),
    use_name=st.booleans(),
)
def test_contracted_articles(preposition: str, dish, use_name: bool):
    words = dish.name if use_name else dish.fr
    text = contract(preposition, words)
    assert not UNCONTRACTED.search(text), text
    assert text.lower().endswith(words.split(" ", 1)[-1].lower())


def test_known_contractions():
    assert fill("au lieu de {d}", {"d": "le tajine"}) == "au lieu du tajine"
    assert fill("1 piment sur 3 à {d}", {"d": "le pad thaï"}) == "1 piment sur 3 au pad thaï"
    assert fill("à {d}, de {d}", {"d": "les quenelles"}) == "aux quenelles, des quenelles"
    assert fill("rupture de {n}", {"n": "Eau pétillante"}) == "rupture d'Eau pétillante"
    assert fill("de {d}", {"d": "la baguette"}) == "de la baguette"
    assert fill("Hi {d}", {"d": "le x"}) == "Hi le x"


def test_french_messages_of_a_demo_store_read_right(demo_file: Path, tmp_path: Path):
    path = fresh_copy(demo_file, tmp_path)
    store, _ = run_live(path, seconds=120, rate=3600)
    store.close()
    conn = sqlite3.connect(path)
    bodies = conn.execute(
        "SELECT m.body FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        "JOIN customers cu ON cu.id = c.customer_id WHERE cu.language = 'fr'"
    ).fetchall()
    conn.close()
    assert len(bodies) > 500
    elided = "|".join(re.escape(d.name) for d in MENU if d.name[:1] in "AEIOUŒ")
    wrong = re.compile(rf"(?<![\w'])(?:[àÀ]|[dD]e) les? |\b[dD]e (?:{elided})")
    for (body,) in bodies:
        assert not wrong.search(body), body


def test_no_reply_address_signs_nothing():
    for macro in LIBRARY:
        assert "noreply" not in macro.en + macro.fr
    for situation in SITUATIONS:
        for texts in situation.replies.values():
            assert not any("noreply" in t for t in texts)
