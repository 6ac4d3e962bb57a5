"""The settings file's ``[[sla]]`` policies are the ones in force: in the workstation (due
times, the header's breaching count) and in ``deskterm report``."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from deskterm.app import create_app
from deskterm.backend.store import Store
from deskterm.cli import main
from deskterm.config import ConfigError, SLAPolicyConfig
from deskterm.domain.models import Channel
from deskterm.widgets.status_bar import StatusBar
from tests.app.conftest import SIZE, quiet_settings, settle
from tests.conftest import T0

LAX_WHATSAPP = {
    "name": "WhatsApp",
    "channel": "whatsapp",
    "first_response_minutes": 600,
    "next_response_minutes": 600,
}


def _whatsapp_breaching(store: Store, now) -> list[int]:
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT id FROM conversations WHERE channel = 'whatsapp' AND bucket = 'inbox' "
            "AND sla_due_at < ?",
            (int(now.timestamp()),),
        )
    ]


async def test_a_600_minute_whatsapp_policy_ends_the_breach_in_the_app(desk_store, clock):
    store, ids = desk_store
    assert ids["bread"] in _whatsapp_breaching(store, clock.now)  # 50 min on a 5 min target
    app = create_app(
        store, quiet_settings(sla=[LAX_WHATSAPP]), agent_email="camille@popote.example",
        clock=clock,
    )  # fmt: skip
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert _whatsapp_breaching(store, clock.now) == []
        due = store.conversation(ids["bread"]).sla_due_at
        assert due is not None and due - clock.now > timedelta(hours=9)
        whatsapp = [p for p in store.sla_policies() if p.channel is Channel.WHATSAPP]
        assert [p.first_response_minutes for p in whatsapp] == [600]
        # The store's other policies still apply (the file extends them).
        assert any(p.channel is Channel.CHAT and p.first_response_minutes == 5
                   for p in store.sla_policies())  # fmt: skip
        status = pilot.app.screen.query_one(StatusBar)
        before = status.breaching
    # Without the file's policy (the store's 5 minutes written back), the same desk breaches more.
    from deskterm.domain.sla import DEFAULT_POLICIES

    store.apply_sla_policies(DEFAULT_POLICIES)
    assert ids["bread"] in _whatsapp_breaching(store, clock.now)
    app = create_app(store, quiet_settings(), agent_email="camille@popote.example", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert pilot.app.screen.query_one(StatusBar).breaching > before


def test_a_policy_for_an_unknown_group_is_one_line(desk_store, clock):
    store, _ = desk_store
    lax = SLAPolicyConfig(**(LAX_WHATSAPP | {"group": "Nobody"}))
    with pytest.raises(ConfigError, match=r"no group 'Nobody'.*Instant"):
        create_app(store, quiet_settings(sla=[lax]), clock=clock)


def test_a_600_minute_whatsapp_policy_changes_the_report(tmp_path: Path, capsys):
    from deskterm.domain.models import AuthorKind
    from deskterm.domain.sla import DEFAULT_POLICIES

    path = tmp_path / "desk.db"
    store = Store(path)
    store.set_sla_policies(DEFAULT_POLICIES)
    agent = store.add_agent("Camille Moreau", "camille@popote.example")
    customer = store.add_customer("Léa Martin")
    cid = store.open_conversation(customer, Channel.WHATSAPP, "Pain", "Il manque le pain",
                                  created_at=T0)  # fmt: skip
    store.add_message(cid, author_kind=AuthorKind.AGENT, author_id=agent, body="Désolée",
                      created_at=T0 + timedelta(minutes=30))  # fmt: skip
    store.close()
    day = ["report", "--db", str(path), "--since", "2026-11-24", "--until", "2026-11-24",
           "--format", "json"]  # fmt: skip
    assert main(day) == 0
    strict = json.loads(capsys.readouterr().out)
    assert [b["policy"] for b in strict["breaches"]] == ["WhatsApp"]
    config = tmp_path / "config.toml"
    config.write_text(
        '[[sla]]\nname = "WhatsApp"\nchannel = "whatsapp"\n'
        "first_response_minutes = 600\nnext_response_minutes = 600\n"
    )
    assert main(["--config", str(config), *day]) == 0
    lax = json.loads(capsys.readouterr().out)
    assert lax["breaches"] == [] and lax["overall"]["breaches"] == 0
    assert [p["label"] for p in lax["sla"]] == ["WhatsApp"]
