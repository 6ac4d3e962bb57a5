"""The actions of several macros in one reply: merged, last one wins, never an exception."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from deskterm.domain.macros import describe_merged, merge_actions
from deskterm.domain.models import MacroAction

SINGLE = ("status", "snooze", "assign", "priority")


def test_two_statuses_keep_the_last_and_name_the_one_replaced() -> None:
    merged = merge_actions(
        [
            MacroAction(field="status", value="pending"),
            MacroAction(field="add_tags", value=["refund"]),
            MacroAction(field="status", value="done"),
        ]
    )
    assert [(a.field, a.value) for a in merged.actions] == [
        ("add_tags", ["refund"]),
        ("status", "done"),
    ]
    assert merged.replaced == {"status": ["pending"]}
    assert describe_merged(merged) == ["Tags + refund", "Status → done (replaces pending)"]


def test_the_same_value_twice_replaces_nothing() -> None:
    merged = merge_actions([{"field": "status", "value": "done"}] * 2)
    assert describe_merged(merged) == ["Status → done"]


def test_back_to_the_first_value_names_only_the_value_in_between() -> None:
    values = ["pending", "done", "pending"]
    merged = merge_actions([{"field": "status", "value": v} for v in values])
    assert describe_merged(merged) == ["Status → pending (replaces done)"]


def test_tags_added_then_removed_compose() -> None:
    merged = merge_actions(
        [
            {"field": "add_tags", "value": ["resent", "missing-item"]},
            {"field": "remove_tags", "value": "resent"},
            {"field": "remove_tags", "value": "vip"},
            {"field": "add_tags", "value": "vip"},
        ]
    )
    values = {a.field: a.value for a in merged.actions}
    assert values == {"add_tags": ["missing-item", "vip"], "remove_tags": ["resent"]}


def test_a_bad_action_is_skipped_with_its_reason_not_raised() -> None:
    merged = merge_actions(
        [
            {"field": "status", "value": "sideways"},
            {"nope": 1},
            42,
            {"field": "priority", "value": "high"},
        ]
    )
    assert [(a.field, a.value) for a in merged.actions] == [("priority", "high")]
    assert len(merged.skipped) == 3 and merged.skipped[0].startswith("action 1: status")


# -- the property: merging is applying in order ----------------------------------------

_TAGS = st.lists(st.sampled_from(["a", "b", "c", "vip"]), min_size=1, max_size=3, unique=True)
_VALID = st.one_of(
    st.builds(
        lambda v: {"field": "status", "value": v},
        st.sampled_from(["new", "open", "pending", "done", "solved", "hold"]),
    ),
    st.builds(
        lambda v: {"field": "priority", "value": v},
        st.sampled_from(["low", "normal", "high", "urgent"]),
    ),
    st.builds(lambda v: {"field": "snooze", "value": v}, st.sampled_from(["2h", "tomorrow"])),
    st.builds(lambda v: {"field": "assign", "value": v}, st.sampled_from(["me", "none", 7])),
    st.builds(lambda v: {"field": "add_tags", "value": v}, _TAGS),
    st.builds(lambda v: {"field": "remove_tags", "value": v}, _TAGS),
)
_ANY = st.one_of(
    _VALID,
    st.dictionaries(st.sampled_from(["field", "value", "x"]), st.from_type(object), max_size=3),
    st.from_type(object),
)
_ALIASES = {"solved": "done", "hold": "pending"}


def _apply_in_order(raw: list[dict[str, Any]], tags: set[str]) -> dict[str, Any]:
    state: dict[str, Any] = {"tags": set(tags)}
    for item in raw:
        field, value = item["field"], item["value"]
        if field == "add_tags":
            state["tags"] |= set(value)
        elif field == "remove_tags":
            state["tags"] -= set(value)
        else:
            state[field] = _ALIASES.get(value, value) if isinstance(value, str) else value
    return state


def _apply_merged(actions: list[MacroAction], tags: set[str]) -> dict[str, Any]:
    state: dict[str, Any] = {"tags": set(tags)}
    for action in actions:
        if action.field == "add_tags":
            state["tags"] |= set(action.value)
        elif action.field == "remove_tags":
            state["tags"] -= set(action.value)
        else:
            state[action.field] = action.value
    return state


@settings(max_examples=300, deadline=None)
@given(st.lists(_VALID, max_size=12), st.sets(st.sampled_from(["a", "b", "c", "vip", "x"])))
def test_merging_equals_applying_in_order(raw: list[dict[str, Any]], tags: set[str]) -> None:
    merged = merge_actions(raw)
    assert merged.skipped == []
    assert _apply_merged(merged.actions, tags) == _apply_in_order(raw, tags)
    fields = [a.field for a in merged.actions]
    assert len(fields) == len(set(fields))
    lines = describe_merged(merged)
    assert len(lines) == len(merged.actions)
    for field, earlier in merged.replaced.items():
        final = next(a.value for a in merged.actions if a.field == field)
        assert final not in earlier


@settings(max_examples=300, deadline=None)
@given(st.lists(_ANY, max_size=8))
def test_any_sequence_merges_without_raising(raw: list[Any]) -> None:
    merged = merge_actions(raw)
    describe_merged(merged)
    assert len(merged.actions) + len(merged.skipped) <= len(raw)
