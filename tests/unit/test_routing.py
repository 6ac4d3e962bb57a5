"""Routing rules: reading them, which one fires and why, and what they change in the store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.routing import Router
from deskterm.backend.store import Store
from deskterm.config import ConfigError, load, routing_rules
from deskterm.domain.models import AuthorKind, Channel, Priority
from deskterm.domain.query import parse_query
from deskterm.domain.routing import (
    Facts,
    RuleError,
    confident_reason,
    first_match,
    parse_rules,
    text_matches,
)
from tests.conftest import T0, Team

RULES = [
    {
        "name": "Allergies",
        "when": {"text": 'allerg -"no problem"'},
        "set": {"group": "Escalations", "priority": "urgent", "tags": ["allergens"]},
    },
    {"name": "VIP", "when": {"vip": True, "orders_at_least": 3}, "set": {"priority": "high"}},
    {"name": "Refunds", "when": {"reason": "refund"}, "set": {"assignee": "Paul Roux"}},
    {
        "name": "Instant",
        "when": {"channel": ["whatsapp", "chat"], "language": "fr"},
        "set": {"group": "Support", "assignee": "round-robin"},
    },
]


def test_first_match_wins_and_says_why():
    rules = parse_rules(RULES)
    verdict = first_match(rules, Facts(channel="whatsapp", language="fr", first_message="Hi"))
    assert verdict.rule is not None and verdict.rule.name == "Instant"
    assert verdict.trail == (
        "✗ Allergies: no word starting 'allerg'",
        "✗ VIP: customer is not VIP",
        "✗ Refunds: reason is unsure",
        "✓ Instant: channel whatsapp, language fr",
    )
    allergy = Facts(channel="email", subject="Allergie", first_message="noix")
    assert first_match(rules, allergy).rule.name == "Allergies"  # type: ignore[union-attr]
    vip = Facts(channel="email", vip=True, orders=2)
    assert "2 orders < 3" in first_match(rules, vip).trail[1]


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ({"when": {"chanel": "email"}}, "unknown condition 'chanel'"),
        ({"set": {"assign": "me"}}, "unknown action 'assign'"),
        ({"then": {}}, "unknown key 'then'"),
        ({"when": {"channel": "fax"}}, "unknown channel 'fax'"),
        ({"set": {"priority": "asap"}}, "set.priority 'asap'"),
        ({"set": {"assignee": "round-robin"}}, "needs set.group"),
        ({"when": {"text": "channel:email"}}, "when.text takes words"),
    ],
)
def test_a_bad_rule_is_refused_in_one_line_naming_it(raw, named):
    with pytest.raises(RuleError) as caught:
        parse_rules([raw])
    assert named in str(caught.value) and "\n" not in str(caught.value)


def test_the_settings_refuse_an_unknown_field(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('[[rules]]\nname = "x"\nset.colour = "red"\n')
    with pytest.raises(ConfigError, match="unknown action 'colour'"):
        load(path)
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text('[[rules]]\nname = "y"\nwhen.channel = "email"\n')
    path.write_text(f"rules_file = '{rules_file}'\n")
    assert [r.name for r in routing_rules(load(path))] == ["y"]


def test_text_is_the_search_language_words_as_prefixes_phrases_and_exclusions():
    q = parse_query('rembours "pas reçu" -cadeau', now=T0)
    assert text_matches(q, "Je veux être REMBOURSÉ, colis pas reçu")[0]
    assert not text_matches(q, "Remboursement du bon cadeau, pas reçu")[0]
    assert not text_matches(q, "rembourser, reçu pas")[0]


@given(st.text(max_size=80))
def test_matching_never_fails_on_any_text(text: str):
    q = parse_query('refund "not received" -gift', now=T0)
    ok, why = text_matches(q, text)
    assert isinstance(ok, bool) and why


def test_a_reason_is_given_only_when_the_suggester_is_clearly_sure():
    tags = {1: "refund", 2: "refund", 3: "late"}
    assert confident_reason([(1, 5.0), (2, 4.9), (3, 2.0)], tags) == "refund"
    assert confident_reason([(1, 5.0), (3, 4.5)], tags) is None
    assert confident_reason([(1, 1.0)], tags) is None
    assert confident_reason([], tags) is None


@pytest.fixture
def routed(store: Store, team: Team) -> Store:
    store.set_router(Router(parse_rules(RULES), reason_of=lambda text: None))
    return store


def test_a_new_conversation_is_routed_in_its_own_transaction(routed: Store, team: Team):
    cid = routed.open_conversation(team.customer, Channel.EMAIL, "Allergie", "Noix ?")
    conv = routed.conversation(cid)
    assert conv is not None and conv.priority is Priority.URGENT
    assert "allergens" in conv.tags
    groups = {g.id: g.name for g in routed.groups()}
    assert groups[conv.group_id] == "Escalations"  # type: ignore[index]
    routed_events = [e for e in routed.events(cid) if e.kind == "routed"]
    assert routed_events and routed_events[0].after["rule"] == "Allergies"


def test_round_robin_takes_the_present_agents_in_turn(routed: Store, team: Team):
    for agent in (team.agent, team.other):
        routed.touch_presence(0, agent, "viewing")
    customer = routed.add_customer("Amélie", language="fr")
    got = [
        routed.conversation(
            routed.open_conversation(customer, Channel.WHATSAPP, "Salut", "Bonjour")
        ).assignee_id  # type: ignore[union-attr]
        for _ in range(3)
    ]
    assert got == [team.agent, team.other, team.agent]


def test_nobody_present_leaves_it_unassigned(routed: Store, team: Team):
    customer = routed.add_customer("Amélie", language="fr")
    cid = routed.open_conversation(customer, Channel.CHAT, "Salut", "Bonjour")
    conv = routed.conversation(cid)
    assert conv is not None and conv.assignee_id is None and conv.group_id == team.group


def test_a_customer_writing_again_is_routed_by_the_rules_for_again(store: Store, team: Team):
    rules = parse_rules(
        [{"name": "Back", "on": "again", "set": {"tags": ["came-back"], "priority": "high"}}]
    )
    store.set_router(Router(rules))
    cid = store.open_conversation(team.customer, Channel.EMAIL, "Hi", "Where is it?")
    assert store.conversation(cid).tags == []  # type: ignore[union-attr]
    store.add_message(cid, author_kind=AuthorKind.CUSTOMER, body="Hello?")
    conv = store.conversation(cid)
    assert conv is not None and conv.tags == ["came-back"] and conv.priority is Priority.HIGH


def test_remote_mode_pushes_only_what_a_rule_says(store: Store, team: Team):
    rules = parse_rules(
        [
            {"name": "Quiet", "when": {"channel": "email"}, "set": {"priority": "high"}},
            {"name": "Loud", "push": True, "set": {"priority": "urgent"}},
        ]
    )
    store.set_router(Router(rules, remote=True))
    store.open_conversation(team.customer, Channel.EMAIL, "Hi", "Hello")
    assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    cid = store.open_conversation(team.customer, Channel.CHAT, "Hi", "Hello")
    pushed = store.conn.execute("SELECT conversation_id, kind FROM outbox").fetchall()
    assert [tuple(r) for r in pushed] == [(cid, "routing")]


def test_rules_test_prints_the_rule_that_fires_and_why(tmp_path: Path):
    config = tmp_path / "config.toml"
    config.write_text(
        '[[rules]]\nname = "WhatsApp"\nwhen.channel = "whatsapp"\nset.group = "Instant"\n'
    )
    run = subprocess.run(
        [sys.executable, "-m", "deskterm", "--config", str(config), "rules", "test",
         "Il manque le pain", "--channel", "whatsapp", "--db", str(tmp_path / "none.db")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "✓ WhatsApp: channel whatsapp",
        "→ WhatsApp: group Instant",
    ]
    config.write_text('[[rules]]\nwhen.langage = "fr"\n')
    run = subprocess.run(
        [sys.executable, "-m", "deskterm", "--config", str(config), "rules", "test", "x"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 2 and "unknown condition 'langage'" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_conversations_the_sync_brings_in_are_routed_here_and_pushed_only_when_asked(
    tmp_path: Path,
):
    from deskterm.backend.sync.outbox import waiting
    from tests.unit.test_sync_engine import Desk

    desk = Desk(tmp_path)
    desk.remote.add_ticket("1", "Missing bread", "il manque le pain")
    desk.remote.add_ticket("2", "Allergie", "mon fils est allergique", customer="Ana")
    rules = parse_rules(
        [
            {"name": "Allergies", "when": {"text": "allerg"}, "push": True,
             "set": {"priority": "urgent"}},
            {"name": "Others", "on": "both", "set": {"tags": ["routed"]}},
        ]
    )  # fmt: skip
    desk.store.set_router(Router(rules, remote=True))
    desk.engine.pull()
    bread = desk.store.conversation(desk.local("1"))
    allergy = desk.store.conversation(desk.local("2"))
    assert bread is not None and bread.tags == ["routed"]
    assert allergy is not None and allergy.priority is Priority.URGENT
    assert waiting(desk.store) == 1  # only the rule that says push = true
    desk.later(60)
    desk.remote.add_message("1", "toujours rien", author=None)
    desk.store.change_tags(desk.local("1"), remove=["routed"], agent_id=None)
    desk.engine.pull()
    assert desk.store.conversation(desk.local("1")).tags == ["routed"]  # type: ignore[union-attr]
