"""Macro actions (validation, descriptions) and the TOML macro library (import, export)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskterm.domain.macros import (
    MacroError,
    MacroSpec,
    describe_actions,
    export_toml,
    import_toml,
    parse_actions,
)
from deskterm.domain.models import Macro, MacroAction

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


# -- actions ------------------------------------------------------------------------


def test_parse_actions_normalises_values_and_accepts_zendesk_names() -> None:
    actions = parse_actions(
        [
            {"field": "Status", "value": "Solved"},
            {"field": "current_tags", "value": "missing-item, bread  vip"},
            {"field": "remove_tags", "value": ["new"]},
            MacroAction(field="snooze", value="  2h  "),
            {"field": "assignee_id", "value": "12"},
            {"field": "priority", "value": "HIGH"},
            {"field": "add_tags", "value": ["vip", "refund"]},
        ]
    )
    assert [(a.field, a.value) for a in actions] == [
        ("status", "done"),
        ("add_tags", ["missing-item", "bread", "vip", "refund"]),
        ("remove_tags", ["new"]),
        ("snooze", "2h"),
        ("assign", 12),
        ("priority", "high"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("me", "me"),
        ("Me", "me"),
        (None, "none"),
        ("none", "none"),
        (7, 7),
        ("Paul Durand", "Paul Durand"),
    ],
)
def test_parse_actions_assign(value: object, expected: object) -> None:
    assert parse_actions([{"field": "assign", "value": value}])[0].value == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"field": "status", "value": "closed-forever"},
            "status must be one of new, open, pending, done",
        ),
        ({"field": "priority", "value": 3}, "priority must be one of low, normal, high, urgent"),
        ({"field": "add_tags", "value": []}, "add_tags needs at least one tag"),
        ({"field": "add_tags", "value": ["two words"]}, "each tag must be one word"),
        ({"field": "add_tags", "value": 5}, "add_tags must be a list of tags"),
        ({"field": "snooze", "value": ""}, "snooze needs an expression"),
        ({"field": "snooze", "value": "x" * 500}, "snooze expression is too long"),
        ({"field": "assign", "value": True}, "assign must be me, none"),
        ({"field": "assign", "value": 0}, "agent id must be positive"),
        ({"field": "colour", "value": "red"}, "unknown field 'colour'"),
        ({"field": "status"}, "needs a field and a value"),
        ({"field": "status", "value": "done", "when": "now"}, "unknown key 'when'"),
        ("status=done", "must be a table"),
    ],
)
def test_parse_actions_rejects_bad_actions_with_one_line(raw: object, message: str) -> None:
    with pytest.raises(MacroError) as caught:
        parse_actions([{"field": "priority", "value": "low"}, raw])  # type: ignore[list-item]
    text = str(caught.value)
    assert text.startswith("action 2: ")
    assert message in text
    assert "\n" not in text


def test_parse_actions_rejects_a_single_field_set_twice() -> None:
    with pytest.raises(MacroError, match="action 2: status is set twice"):
        parse_actions([{"field": "status", "value": "done"}, {"field": "status", "value": "open"}])


def test_describe_actions() -> None:
    actions = parse_actions(
        [
            {"field": "status", "value": "done"},
            {"field": "add_tags", "value": ["missing-item"]},
            {"field": "remove_tags", "value": ["new", "vip"]},
            {"field": "snooze", "value": "2h"},
            {"field": "assign", "value": "me"},
            {"field": "priority", "value": "urgent"},
        ]
    )
    assert describe_actions(actions) == [
        "Status → done",
        "Tags + missing-item",
        "Tags − new, vip",
        "Snooze 2h",
        "Assign → me",
        "Priority → urgent",
    ]


# -- TOML library -------------------------------------------------------------------


def macro(**kw: object) -> Macro:
    fields: dict[str, object] = {
        "id": 1,
        "title": "Missing item",
        "body": "Hello {{ customer.first_name }},\n\nSorry!\n",
        "created_at": T0,
        "updated_at": T0,
    }
    fields.update(kw)
    return Macro(**fields)  # type: ignore[arg-type]


def test_export_then_import_a_library() -> None:
    macros = [
        macro(
            variants={"fr": "Bonjour {{ customer.first_name }},\n"},
            actions=[
                MacroAction(field="status", value="done"),
                MacroAction(field="add_tags", value=["missing-item"]),
            ],
            external_id="zd-42",
        ),
        macro(id=2, title="Personal one", body="Hi", owner_agent_id=3),
    ]
    text = export_toml(macros)
    assert text.startswith("[[macro]]\n")
    assert 'title = "Missing item"' in text
    assert '"""' in text  # multi-line bodies stay readable in a diff
    specs = import_toml(text)
    assert specs == [
        MacroSpec(
            title="Missing item",
            body="Hello {{ customer.first_name }},\n\nSorry!\n",
            variants={"fr": "Bonjour {{ customer.first_name }},\n"},
            actions=[
                MacroAction(field="status", value="done"),
                MacroAction(field="add_tags", value=["missing-item"]),
            ],
            shared=True,
            external_id="zd-42",
        ),
        MacroSpec(title="Personal one", body="Hi", shared=False),
    ]
    assert export_toml([]) == "" and import_toml("") == []


def test_import_reads_the_documented_hand_written_format() -> None:
    text = """
# our team's macros
[[macro]]
title = "Refund"
body = "Hello {{ customer.first_name }}, your refund of {{ order.total }} is on its way."
actions = [{field = "status", value = "done"}, {field = "add_tags", value = ["refund"]}]
shared = true

[macro.variants]
fr = "Bonjour {{ customer.first_name }}, votre remboursement de {{ order.total }} est en route."
"""
    (spec,) = import_toml(text)
    assert spec.title == "Refund"
    assert spec.variants["fr"].startswith("Bonjour")
    assert [a.field for a in spec.actions] == ["status", "add_tags"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[macro]]\ntitle = "a"\nbody = \n', "macros.toml line 3: invalid value (column 8)"),
        ('[[macro]]\ntitle = "a', "macros.toml line 2: unterminated string at the end of the file"),
        (
            '\n\n[[macro]]\ntitle = "a"\nbody = "b"\n\n[[macro]]\nbody = "c"\n',
            "macros.toml line 7: the macro needs a title",
        ),
        ('[[macro]]\ntitle = "a"\n', "macros.toml line 1: macro 'a': the macro needs a body"),
        (
            '[[macro]]\ntitle = "a"\nbody = "b"\nbdy = "c"\n',
            "macros.toml line 1: macro 'a': unknown key 'bdy'",
        ),
        (
            '[[macro]]\ntitle = "a"\nbody = "b"\nactions = [{field = "status", value = "gone"}]\n',
            "macros.toml line 1: macro 'a': action 1: status must be one of",
        ),
        ('[[macro]]\ntitle = "a"\nbody = "b"\nshared = "yes"\n', "shared must be true or false"),
        (
            '[[macro]]\ntitle = "a"\nbody = "b"\nvariants = {fr = 3}\n',
            "variants must map a language code",
        ),
        ('title = "a"\n', "macros.toml: unknown table or key 'title'"),
        ('macro = "x"\n', "must be written as [[macro]] tables"),
    ],
)
def test_import_errors_are_one_line_with_the_place(text: str, message: str) -> None:
    with pytest.raises(MacroError) as caught:
        import_toml(text)
    assert str(caught.value).startswith(message) or message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_import_names_the_file_it_reads() -> None:
    with pytest.raises(MacroError, match=r"^team/macros\.toml line 2: "):
        import_toml("[[macro]]\nx", source="team/macros.toml")


def test_export_refuses_an_invalid_action() -> None:
    with pytest.raises(MacroError, match="macro 'Missing item': action 1"):
        export_toml([macro(actions=[MacroAction(field="status", value="maybe")])])


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
_LIQUID = st.sampled_from(
    [
        "{{ customer.first_name }}",
        "{% if customer.vip %}VIP{% endif %}",
        '"""',
        "'''",
        "\\",
        "\r\n",
        "\r",
        "\n",
        '{{ "x" }}',
    ]
)
_BODY = st.lists(st.one_of(_TEXT, _LIQUID), max_size=6).map("".join)
_TAG = st.text(alphabet="abcdefghij-_éü0123456789", min_size=1, max_size=10)
_ACTION = st.one_of(
    st.builds(
        MacroAction,
        field=st.just("status"),
        value=st.sampled_from(["new", "open", "pending", "done"]),
    ),
    st.builds(
        MacroAction,
        field=st.just("priority"),
        value=st.sampled_from(["low", "normal", "high", "urgent"]),
    ),
    st.builds(
        MacroAction,
        field=st.just("snooze"),
        value=st.sampled_from(["2h", "tomorrow 9:00", "until reply"]),
    ),
    st.builds(
        MacroAction,
        field=st.just("add_tags"),
        value=st.lists(_TAG, min_size=1, max_size=3, unique=True),
    ),
    st.builds(
        MacroAction,
        field=st.just("assign"),
        value=st.one_of(st.sampled_from(["me", "none", "Paul"]), st.integers(1, 10**6)),
    ),
    st.builds(
        MacroAction,
        field=st.just("order"),
        value=st.lists(
            st.sampled_from(
                [
                    {"do": "resend", "items": "{{ order.named_items }}"},
                    {"do": "resend", "items": "all"},
                    {"do": "goodwill", "as": "credit", "amount": "5"},
                    {"do": "goodwill", "as": "refund", "amount": "{{ order.total }}"},
                    {"do": "slot"},
                    {"do": "cancel"},
                ]
            ),
            min_size=1,
            max_size=3,
            unique_by=lambda a: tuple(sorted(a.items())),
        ),
    ),
)
_MACRO = st.builds(
    macro,
    title=_TEXT.filter(lambda t: t.strip() != ""),
    body=_BODY,
    variants=st.dictionaries(st.sampled_from(["fr", "fr-CA", "es", "de"]), _BODY, max_size=2),
    actions=st.lists(_ACTION, max_size=4, unique_by=lambda a: a.field),
    owner_agent_id=st.one_of(st.none(), st.just(3)),
    external_id=st.one_of(st.none(), _TEXT),
    titles=st.dictionaries(
        st.sampled_from(["fr", "fr-CA", "es"]), _TEXT.filter(lambda t: t.strip() != ""), max_size=2
    ),
    language=st.one_of(st.none(), st.sampled_from(["fr", "en", "pt-BR"])),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_MACRO, max_size=4))
def test_toml_round_trip_keeps_every_macro(macros: list[Macro]) -> None:
    specs = import_toml(export_toml(macros))
    assert specs == [
        MacroSpec(
            title=m.title,
            body=m.body,
            variants=m.variants,
            actions=m.actions,
            shared=m.shared,
            external_id=m.external_id,
            titles=m.titles,
            language=m.language,
        )
        for m in macros
    ]


def test_order_actions_and_titles_round_trip_as_written() -> None:
    text = """
[[macro]]
title = "Missing item — refund it"
language = "en"
body = "I've refunded {{ order.named_items }}."
actions = [
  {field = "status", value = "done"},
  {field = "order", value = {do = "goodwill", as = "refund", amount = "{{ order.total }}"}},
  {field = "order", value = [{do = "resend", items = "all"}]},
]

[macro.titles]
fr = "Article manquant — rembourser"

[macro.variants]
fr = "Je vous ai remboursé {{ order.named_items }}."
"""
    [spec] = import_toml(text)
    assert spec.titles == {"fr": "Article manquant — rembourser"} and spec.language == "en"
    refund = {"do": "goodwill", "as": "refund", "amount": "{{ order.total }}"}
    assert spec.actions[1] == MacroAction(
        field="order", value=[refund, {"do": "resend", "items": "all"}]
    )
    again = import_toml(
        export_toml([macro(title=spec.title, body=spec.body, variants=spec.variants,
                           actions=spec.actions, titles=spec.titles, language=spec.language)])
    )  # fmt: skip
    assert again == [spec]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"items": "all"}, "do must name an order action"),
        ({"do": "resend", "how": "fast"}, "unknown key 'how'"),
        ({"do": "goodwill", "as": "gift"}, "as must be one of credit, refund, ask"),
        ({"do": "goodwill", "amount": "lots"}, "amount must be ask, an amount or Liquid"),
        ([], "order needs at least one order action"),
    ],
)
def test_bad_order_actions_are_one_line(value: object, message: str) -> None:
    with pytest.raises(MacroError, match=message):
        parse_actions([{"field": "order", "value": value}])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('titles = {fr = ""}', "titles must map a language code to a title"),
        ('titles = {"not a code" = "x"}', "titles must map a language code to a title"),
        ('language = "français"', "language must be a language code such as fr"),
    ],
)
def test_bad_titles_and_language_are_one_line(entry: str, message: str) -> None:
    with pytest.raises(MacroError, match=message):
        import_toml(f'[[macro]]\ntitle = "a"\nbody = "b"\n{entry}\n')
