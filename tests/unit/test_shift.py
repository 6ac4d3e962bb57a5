"""What one agent did in a day (the end-of-shift summary and ``deskterm report --me``), and
which conversations "Start here" lists."""

from __future__ import annotations

from datetime import timedelta

from deskterm.backend.shift import describe, set_simple_reasons, shift_summary, simple_reasons
from deskterm.backend.store import Store
from deskterm.backend.views import View, view_sql
from deskterm.domain.models import AuthorKind, Channel, Priority, Status
from tests.conftest import T0, Clock


def _desk(tmp_path):
    clock = Clock(T0)
    store = Store(tmp_path / "desk.db", clock=clock)
    me = store.add_agent("Camille Moreau", "camille@example.com")
    paul = store.add_agent("Paul Roux", "paul@example.com")
    lea = store.add_customer("Léa Martin", language="fr")
    return store, clock, me, paul, lea


def test_the_day_of_one_agent(tmp_path) -> None:
    store, clock, me, paul, lea = _desk(tmp_path)
    a = store.open_conversation(lea, Channel.CHAT, "Code promo", "refusé", created_at=T0)
    b = store.open_conversation(lea, Channel.EMAIL, "Allergie", "noix ?", created_at=T0)
    store.change_tags(a, add=["promo-code"], agent_id=me)
    store.change_tags(b, add=["allergens"], agent_id=me)
    reply = {"author_kind": AuthorKind.AGENT, "author_id": me, "author_name": "Camille"}
    store.add_message(a, body="Voici", created_at=T0 + timedelta(minutes=5), **reply)
    store.add_message(
        a, author_kind=AuthorKind.CUSTOMER, body="merci", created_at=T0 + timedelta(minutes=30)
    )
    store.add_message(a, body="Avec plaisir", created_at=T0 + timedelta(minutes=50), **reply)
    # a follow-up with no customer message before it answers nobody: no response time
    store.add_message(a, body="PS", created_at=T0 + timedelta(minutes=55), **reply)
    store.add_message(b, body="note", public=False, created_at=T0 + timedelta(minutes=6), **reply)
    store.add_message(
        b,
        author_kind=AuthorKind.AGENT,
        author_id=paul,
        body="Paul",
        created_at=T0 + timedelta(minutes=7),
    )
    clock.now = T0 + timedelta(hours=1)
    store.set_status(a, Status.DONE, agent_id=me, undo_group=None)
    summary = shift_summary(store.conn, me, T0 - timedelta(hours=1), T0 + timedelta(hours=2))
    assert summary.answered == 1
    assert summary.replies == 3
    assert summary.closed == 1
    assert summary.median_response_seconds == (5 * 60 + 20 * 60) / 2
    assert summary.reasons == [("promo-code", 1)]
    lines = describe(summary)
    assert "Median response time     12 min" in lines
    other = shift_summary(store.conn, paul, T0, T0 + timedelta(hours=2))
    assert (other.answered, other.closed, other.median_response_seconds) == (1, 0, 420.0)
    store.close()


def test_the_day_lists_the_known_problems_met_first(tmp_path) -> None:
    store, _, me, _, lea = _desk(tmp_path)
    crash = store.add_problem(
        "App crashes at checkout", tracker_url="https://tracker.example/42", agent_id=me
    )
    slow = store.add_problem("Notifications arrive late", agent_id=me)
    unseen = store.add_problem("Map shows the old address", agent_id=me)
    reply = {"author_kind": AuthorKind.AGENT, "author_id": me, "author_name": "Camille"}
    cids = []
    for n in range(3):
        cid = store.open_conversation(lea, Channel.CHAT, f"Bug {n}", "ça plante", created_at=T0)
        store.add_message(cid, body="Désolée", created_at=T0 + timedelta(minutes=n + 1), **reply)
        cids.append(cid)
    store.link_problem(crash, cids[:2], agent_id=me)
    store.link_problem(slow, cids[2:], agent_id=me)
    other = store.open_conversation(lea, Channel.CHAT, "Carte", "adresse", created_at=T0)
    store.link_problem(unseen, [other], agent_id=me)  # linked, but not answered by me today
    summary = shift_summary(store.conn, me, T0, T0 + timedelta(hours=2))
    assert [(p.title, p.conversations) for p in summary.problems] == [
        ("App crashes at checkout", 2),
        ("Notifications arrive late", 1),
    ]
    lines = describe(summary)
    assert lines.index("Known problems you met (things to fix):") < len(lines) - 2
    assert any("https://tracker.example/42" in line and " 2  open" in line for line in lines)
    store.close()


def test_start_here_lists_simple_reasons_only(tmp_path) -> None:
    store, _, me, paul, lea = _desk(tmp_path)
    vip = store.add_customer("Ana VIP", vip=True)
    simple = store.open_conversation(lea, Channel.CHAT, "Code", "refusé", created_at=T0)
    hard = store.open_conversation(lea, Channel.CHAT, "Manque", "pain", created_at=T0)
    vip_simple = store.open_conversation(vip, Channel.CHAT, "Code", "refusé", created_at=T0)
    urgent = store.open_conversation(lea, Channel.CHAT, "Code", "!!", created_at=T0)
    mine = store.open_conversation(lea, Channel.CHAT, "Code", "encore", created_at=T0)
    pauls = store.open_conversation(lea, Channel.CHAT, "Code", "toujours", created_at=T0)
    store.assign(mine, me, agent_id=me)
    store.assign(pauls, paul, agent_id=paul)  # a colleague's: not offered to the newcomer
    for cid in (simple, vip_simple, urgent, mine, pauls):
        store.change_tags(cid, add=["promo-code"], agent_id=me)
    store.change_tags(hard, add=["missing-item"], agent_id=me)
    store.update_conversation(
        urgent, {"priority": Priority.URGENT}, agent_id=me, kind="priority", undo_group=None
    )
    with store.transaction() as c:
        set_simple_reasons(c, ["promo-code"])
    assert simple_reasons(store.conn) == ["promo-code"]
    sql = view_sql(View("start", "Start here"), me=me, now=T0)
    found = [
        r[0]
        for r in store.conn.execute(
            f"SELECT c.id FROM {sql.source} WHERE {sql.where_sql()}", sql.params
        )
    ]
    assert sorted(found) == [simple, mine]
    store.close()


def test_without_a_list_the_shared_macros_say(tmp_path) -> None:
    store, *_ = _desk(tmp_path)
    store.add_macro(
        "Promo", "…", actions=[{"field": "add_tags", "value": ["promo-code", "gesture"]}]
    )
    store.add_macro("Perso", "…", owner_agent_id=1, actions=[{"field": "add_tags", "value": ["x"]}])
    assert sorted(simple_reasons(store.conn)) == ["gesture", "promo-code"]
    store.close()
