"""deskterm's macros written as Zendesk's, and back: placeholders, actions, what stays local."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deskterm.backend.connectors.zendesk_macros import (
    deskterm_only,
    from_zendesk,
    kept_locally,
    to_zendesk_actions,
    to_zendesk_body,
)
from deskterm.domain.macros import merge_actions


def test_deskterms_names_become_zendesks_inside_liquid_only() -> None:
    body = (
        "Hi {{ customer.first_name | default: 'there' }}, customer.name reads this.\n"
        "{% if customer.name %}{{customer.name}}{% endif %} — ticket {{ conversation.id }}, "
        "{{ agent.first_name }} ({{agent.name}}); {{ customer.names }}"
    )
    assert to_zendesk_body(body) == (
        "Hi {{ ticket.requester.first_name | default: 'there' }}, customer.name reads this.\n"
        "{% if ticket.requester.name %}{{ticket.requester.name}}{% endif %} — ticket "
        "{{ ticket.id }}, {{ current_user.first_name }} ({{current_user.name}}); "
        "{{ customer.names }}"
    )


def test_zendesks_own_names_are_left_as_written() -> None:
    body = "Hello {{ticket.requester.name}}. Our agent {{current_user.name}} has tried."
    assert to_zendesk_body(body) == body
    assert deskterm_only(body) == []


def test_placeholders_only_deskterm_fills_are_named_for_the_lead() -> None:
    body = "{{ customer.first_name }}, order {{ order.number }} {{ order.number }} {% cursor %}"
    assert deskterm_only(body) == ["order.number", "{% cursor %}"]


def test_actions_are_written_as_the_pull_reads_them() -> None:
    actions = [
        {"field": "status", "value": "done"},
        {"field": "priority", "value": "high"},
        {"field": "add_tags", "value": ["late", "vip"]},
        {"field": "remove_tags", "value": "spam"},
        {"field": "assign", "value": "me"},
        {"field": "snooze", "value": "2h"},
        {"field": "assign", "value": "Paul"},
        {"field": "order", "value": {"do": "resend"}},
    ]
    zendesk = to_zendesk_actions("Thanks {{ customer.first_name }}", actions)
    assert zendesk == [
        {"field": "status", "value": "solved"},
        {"field": "priority", "value": "high"},
        {"field": "current_tags", "value": "late vip"},
        {"field": "remove_tags", "value": "spam"},
        {"field": "assignee_id", "value": "current_user"},
        {"field": "comment_value", "value": "Thanks {{ ticket.requester.first_name }}"},
    ]
    assert kept_locally(actions) == actions[5:]
    back = from_zendesk({"id": 5, "title": "T", "actions": zendesk})
    assert back.body == "Thanks {{ ticket.requester.first_name }}"
    # deskterm reads what came back as what it published (Zendesk's names are aliases).
    assert merge_actions(back.actions).actions == merge_actions(actions[:5]).actions


def test_a_zendesk_status_deskterm_reads_as_another_goes_back_as_it_was() -> None:
    assert to_zendesk_actions("", [{"field": "status", "value": "hold"}]) == [
        {"field": "status", "value": "hold"}
    ]


def test_an_action_deskterm_cannot_read_is_never_dropped() -> None:
    odd = {"field": "frobnicate", "value": 1}
    assert to_zendesk_actions("", [odd]) == []
    assert kept_locally([odd]) == [odd]


@given(st.text(max_size=80))
def test_text_outside_liquid_is_never_changed(text: str) -> None:
    plain = text.replace("{", "(").replace("}", ")").replace("%", "")
    assert to_zendesk_body(plain) == plain
