"""The order actions come from one table: the customer pane's keys, the asking, the shop call
and the sentence all follow from an ``OrderActionSpec``."""

from __future__ import annotations

import typing

import pytest

from deskterm.backend.commerce import catalogue
from deskterm.backend.commerce.base import ActionResult
from deskterm.backend.commerce.catalogue import ORDER_ACTIONS, OrderActionSpec, spec_for
from deskterm.keymap import KEYS


def test_every_order_action_has_its_key_in_the_customer_pane() -> None:
    by_id = {k.id: k for k in KEYS}
    for spec in ORDER_ACTIONS:
        key = by_id[spec.key_id]
        assert key.keys == spec.key
        assert key.action == f"order_action('{spec.kind}')"
        assert key.description == spec.label


def test_every_action_asks_in_a_way_the_workstation_knows() -> None:
    known = set(typing.get_args(catalogue.Asks))
    assert {spec.asks for spec in ORDER_ACTIONS} <= known
    assert len({spec.kind for spec in ORDER_ACTIONS}) == len(ORDER_ACTIONS)


def test_an_unknown_action_is_refused_in_one_line() -> None:
    with pytest.raises(ValueError, match="unknown order action 'teleport'"):
        spec_for("teleport")


def test_a_new_action_is_run_and_told_through_its_entry(monkeypatch) -> None:
    """What run_job and sentence_for do with an entry they have never seen."""
    from zoneinfo import ZoneInfo

    from deskterm.backend.commerce import jobs

    called = []

    def perform(doing, job):
        called.append((job.kind, doing.context.reason))
        return ActionResult(
            kind="pause", idempotency_key=job.key, provider="test", order_number="PO-9"
        )

    spec = OrderActionSpec(
        "pause",
        "customer.pause",
        "p",
        "Pause the subscription",
        "nothing",
        lambda order, _: "Pause the subscription",
        perform,
        lambda r, lang, tz, now: f"paused {r.order_number} ({lang})",
        needs_order=False,
    )
    monkeypatch.setitem(catalogue.BY_KIND, "pause", spec)

    class Store:
        notes: typing.ClassVar[list] = []

    monkeypatch.setattr(
        jobs, "record", lambda store, cid, agent, note, result: Store.notes.append(note)
    )
    job = jobs.OrderJob("pause", 1, customer=None, order=None, summary="Pause the subscription")  # type: ignore[arg-type]
    agent = typing.cast(typing.Any, type("A", (), {"id": 3})())
    result = jobs.run_job(Store(), None, job, agent=agent, limits=None)  # type: ignore[arg-type]
    assert called == [("pause", "Pause the subscription")]
    assert Store.notes == ["Order action: Pause the subscription."]
    told = jobs.sentence_for(result, language="fr", tz=ZoneInfo("Europe/Paris"), now=None)  # type: ignore[arg-type]
    assert told == "paused PO-9 (fr)"
