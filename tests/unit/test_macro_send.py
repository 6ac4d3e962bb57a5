"""A macro's actions become the changes applied with the reply: every action field in
``ACTION_FIELDS`` turns into a change ``apply_change`` knows, with no other table to edit."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest.mock import MagicMock

import pytest

from deskterm.app.changes import apply_change
from deskterm.domain.macros import (
    ACTION_FIELDS,
    SendContext,
    describe_actions,
    order_actions,
    send_changes,
)
from deskterm.domain.models import Agent, MacroAction, Priority, Status

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
TEAM = [
    Agent(id=1, name="Léa Martin", email="lea@example.com"),
    Agent(id=2, name="Paul", email="paul@example.com"),
]
CTX = SendContext(me=1, agents=TEAM, now=NOW, tz=UTC)

SAMPLES = {
    "status": "done",
    "add_tags": ["vip"],
    "remove_tags": "late, refund",
    "snooze": "2h",
    "assign": "paul@example.com",
    "priority": "high",
    "order": {"do": "resend", "items": "{{ order.named_items }}"},
}
#: The fields that change the conversation; order actions go through the shop instead.
CHANGES = sorted(name for name, f in ACTION_FIELDS.items() if f.change is not None)


def test_every_field_has_a_sample() -> None:
    assert set(SAMPLES) == set(ACTION_FIELDS)


def test_order_actions_are_not_store_changes_but_the_shops() -> None:
    actions = [
        MacroAction(field="order", value=SAMPLES["order"]),
        MacroAction(field="status", value="done"),
    ]
    changes, warnings = send_changes(actions, CTX)
    assert changes == [("status", Status.DONE)] and warnings == []
    assert order_actions(actions) == [{"do": "resend", "items": "{{ order.named_items }}"}]


@pytest.mark.parametrize("field", CHANGES)
def test_each_field_becomes_a_change_the_store_applies(field: str) -> None:
    changes, warnings = send_changes([MacroAction(field=field, value=SAMPLES[field])], CTX)
    assert warnings == []
    [(kind, value)] = changes
    store = MagicMock()
    apply_change(store, 7, kind, value, agent_id=1, undo_group="g")  # raises on unknown kinds
    assert store.method_calls, f"{field} changed nothing"


def test_values_are_resolved_for_the_sender() -> None:
    actions = [
        MacroAction(field="status", value="solved"),
        MacroAction(field="assign", value="Paul"),
        MacroAction(field="priority", value="urgent"),
        MacroAction(field="add_tags", value="a b"),
    ]
    changes, _ = send_changes(actions, CTX)
    assert changes == [
        ("status", Status.DONE),
        ("assign", 2),
        ("priority", Priority.URGENT),
        ("add_tags", ["a", "b"]),
    ]


def test_assign_me_none_and_a_stranger() -> None:
    for value, expected in (("me", 1), ("none", None), ("someone@gone.example", 1)):
        changes, _ = send_changes([MacroAction(field="assign", value=value)], CTX)
        assert changes == [("assign", expected)]


def test_a_snooze_that_no_longer_parses_is_a_warning_and_the_rest_still_runs() -> None:
    actions = [
        MacroAction(field="snooze", value="when pigs fly"),
        MacroAction(field="status", value="pending"),
    ]
    changes, warnings = send_changes(actions, CTX)
    assert changes == [("status", Status.PENDING)]
    assert len(warnings) == 1 and warnings[0].startswith("Macro snooze ignored")


def test_snooze_becomes_a_target_from_the_send_time() -> None:
    [(kind, target)], _ = send_changes([MacroAction(field="snooze", value="2h")], CTX)
    assert kind == "snooze"
    assert target.until == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)


def test_descriptions_come_from_the_same_table() -> None:
    lines = describe_actions(
        [MacroAction(field=f, value=v) for f, v in SAMPLES.items() if f != "remove_tags"]
    )
    assert lines == [
        "Status → done",
        "Tags + vip",
        "Snooze 2h",
        "Assign → paul@example.com",
        "Priority → high",
        "Order: resend (items from order.named_items)",
    ]
