"""Macro rendering: context building, language variants, markers, cursor, errors, templatize."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskterm.domain.macros import (
    VARIABLES,
    build_context,
    check_syntax,
    missing_placeholders,
    pick_body,
    render,
    templatize,
)
from deskterm.domain.models import (
    Agent,
    Channel,
    Conversation,
    Customer,
    Handle,
    Macro,
    Order,
    OrderItem,
    OrderStatus,
)
from deskterm.domain.problems import Problem, ProblemKind, ProblemStatus

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday


def customer(name: str = "Léa Martin", language: str = "fr", **kw: object) -> Customer:
    handles = [Handle(channel=Channel.EMAIL, value="lea@example.com")]
    return Customer(id=7, name=name, language=language, created_at=T0, handles=handles, **kw)


def order(**kw: object) -> Order:
    items = [
        OrderItem(id=1, order_id=3, name="bread", quantity=2),
        OrderItem(id=2, order_id=3, name="tarama"),
        OrderItem(id=3, order_id=3, name="hummus"),
    ]
    fields: dict[str, object] = {
        "id": 3,
        "number": "88213",
        "customer_id": 7,
        "placed_at": T0,
        "delivery_slot_start": datetime(2026, 11, 24, 11, 0, tzinfo=UTC),
        "delivery_slot_end": datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
        "total_cents": 4150,
        "status": OrderStatus.OUT_FOR_DELIVERY,
        "items": items,
    }
    fields.update(kw)
    return Order(**fields)  # type: ignore[arg-type]


AGENT = Agent(id=2, name="Paul Durand", email="paul@example.com")
CONVERSATION = Conversation(
    id=4821,
    subject="Missing bread",
    channel=Channel.WHATSAPP,
    customer_id=7,
    created_at=T0,
    updated_at=T0,
)


PROBLEM = Problem(
    id=3,
    title="App crashes after the update",
    kind=ProblemKind.BUG,
    status=ProblemStatus.FIXED,
    description="",
    tracker_url="https://tracker.example/3",
    created_at=datetime(2026, 11, 20, tzinfo=UTC),
    updated_at=datetime(2026, 11, 24, tzinfo=UTC),
)


def test_a_fix_notice_names_the_problem_never_its_tracker_link() -> None:
    out = render("Fixed: {{ problem.title }} ({{ problem.status }})", full_context())
    assert out.text == "Fixed: App crashes after the update (fixed)"
    assert "tracker" not in str(full_context()["problem"])


def full_context(language: str = "fr", tz: str = "Europe/Paris") -> dict[str, object]:
    return build_context(
        customer=customer(language=language),
        agent=AGENT,
        conversation=CONVERSATION,
        order=order(),
        orders_count=14,
        tz=tz,
        problem=PROBLEM,
        said="Il manque le Tarama !",
        subscription="paused",
        eta=datetime(2026, 11, 24, 11, 40, tzinfo=UTC),
    )


# -- build_context ------------------------------------------------------------------


def test_context_in_french_formats_slot_total_items_status_and_channel() -> None:
    ctx = full_context("fr-FR")
    assert ctx["customer"] == {
        "first_name": "Léa",
        "name": "Léa Martin",
        "language": "fr",
        "email": "lea@example.com",
        "vip": False,
        "orders_count": 14,
        "subscription": "en pause",
    }
    o = ctx["order"]
    assert o["delivery_slot"] == "mar. 24 nov. 12:00–13:00"  # Paris is UTC+1 in November
    assert o["delivery_date"] == "mar. 24 nov."
    assert o["total"] == "41,50 €"
    assert o["item_names"] == "bread, tarama et hummus"
    assert o["status"] == "en cours de livraison"
    assert o["items"][0] == {"name": "bread", "quantity": 2}
    assert o["named_items"] == "tarama"  # what Léa says is missing, whatever the case
    assert ctx["conversation"] == {"id": "4821", "subject": "Missing bread", "channel": "WhatsApp"}


def test_context_in_english_and_other_languages_falls_back_to_english() -> None:
    for language in ("en", "de"):
        o = full_context(language, tz="UTC")["order"]
        assert o["delivery_slot"] == "Tue 24 Nov 11:00–12:00"
        assert o["total"] == "€41.50"
        assert o["item_names"] == "bread, tarama and hummus"


def test_context_money_groups_thousands_and_shows_unknown_currencies() -> None:
    big = order(total_cents=123456789, currency="CHF")
    en = build_context(customer=None, agent=None, conversation=None, order=big)
    assert en["order"]["total"] == "CHF 1,234,567.89"
    fr = build_context(customer=customer(), agent=None, conversation=None, order=big)
    assert fr["order"]["total"] == "1 234 567,89 CHF"


def test_context_slot_across_midnight_and_bad_time_zone() -> None:
    late = order(
        delivery_slot_start=datetime(2026, 11, 24, 22, 30, tzinfo=UTC),
        delivery_slot_end=datetime(2026, 11, 25, 0, 30, tzinfo=UTC),
    )
    ctx = build_context(customer=None, agent=None, conversation=None, order=late, tz="Nowhere/X")
    assert ctx["order"]["delivery_slot"] == "Tue 24 Nov 22:30 – Wed 25 Nov 00:30"


def test_context_aliases_follow_customer_agent_and_mirrored_reference() -> None:
    mirrored = CONVERSATION.model_copy(update={"external_id": "ZD-99"})
    ctx = build_context(customer=customer(), agent=AGENT, conversation=mirrored, order=None)
    assert ctx["ticket"] == {
        "id": "ZD-99",
        "requester": {"first_name": "Léa", "name": "Léa Martin"},
    }
    assert ctx["current_user"] == {"first_name": "Paul", "name": "Paul Durand"}
    assert render("{{ ticket.requester.first_name }}/{{ current_user.name }}", ctx).text == (
        "Léa/Paul Durand"
    )


def test_context_without_entities_leaves_holes_that_render_as_markers() -> None:
    ctx = build_context(customer=None, agent=None, conversation=None, order=order(number=""))
    out = render("Hi {{ customer.first_name }}, order {{ order.number }}", ctx)
    assert out.text == "Hi ⟦customer.first_name⟧, order ⟦order.number⟧"
    assert out.missing == ["customer.first_name", "order.number"]


def test_every_documented_variable_has_a_value_in_a_full_context() -> None:
    names = [name for name, _ in VARIABLES]
    assert {"customer.first_name", "order.delivery_slot", "current_user.name"} <= set(names)
    body = "|".join(f"{{{{ {name} }}}}" for name in names)
    out = render(body, full_context())
    assert out.missing == [] and out.error is None
    assert len(out.text.split("|")) == len(names)


# -- pick_body ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "fr"),
        ("fr-FR", "fr"),
        ("FR_be", "fr"),
        ("pt-BR", "pt-BR"),
        ("pt", "pt-BR"),
        ("en", "default"),
        ("", "default"),
        ("es", "default"),
    ],
)
def test_pick_body_by_language(language: str, expected: str) -> None:
    macro = Macro(
        id=1,
        title="t",
        body="default",
        variants={"fr": "fr", "pt-BR": "pt-BR", "es": "  "},
        created_at=T0,
        updated_at=T0,
    )
    assert pick_body(macro, language) == expected


# -- render -------------------------------------------------------------------------


def test_render_fills_values_and_filters() -> None:
    ctx = full_context()
    out = render(
        "Bonjour {{ customer.first_name }}, commande {{ order.number }} : "
        "{{ order.items | item_list }} ({{ order.items | map: 'name' | join: '/' }})",
        ctx,
    )
    assert out.error is None and out.missing == []
    assert out.text == (
        "Bonjour Léa, commande 88213 : 2 × bread, tarama et hummus (bread/tarama/hummus)"
    )
    assert render("{{ order.items | item_list: 'en' }}", ctx).text.endswith("tarama and hummus")


@pytest.mark.parametrize("value", [None, "", "   ", [], {}])
def test_render_marks_empty_values_and_lists_them_once(value: object) -> None:
    out = render(
        "{{ customer.first_name }} {{ customer.first_name }} {{ order.number }}",
        {"customer": {"first_name": value}},
    )
    assert out.text == "⟦customer.first_name⟧ ⟦customer.first_name⟧ ⟦order.number⟧"
    assert out.missing == ["customer.first_name", "order.number"]


def test_render_marks_a_hole_even_after_filters() -> None:
    body = '{{ customer.first_name | upcase }}{{ customer.first_name | append: "!" }}'
    assert render(body, {"customer": {"first_name": None}}).text == (
        "⟦customer.first_name⟧⟦customer.first_name⟧"
    )
    assert render(body, {"customer": {"first_name": "léa"}}).text == "LÉAléa!"
    # an empty list is a value: its size is 0, not a hole
    assert render("{{ order.items | size }}", {"order": {"items": []}}).text == "0"


def test_render_default_filter_is_never_missing_and_false_is_a_value() -> None:
    ctx = {"customer": {"first_name": None, "vip": False}}
    out = render('{{ customer.first_name | default: "there" }} {{ customer.vip }} {{ "" }}', ctx)
    assert out.text == "there false "
    assert out.missing == []


def test_render_marks_echo_and_conditions_do_not_count() -> None:
    out = render("{% if customer.vip %}VIP{% endif %}{% echo agent.first_name %}", {})
    assert out.text == "⟦agent.first_name⟧"
    assert out.missing == ["agent.first_name"]


def test_render_cursor_gives_offset_and_renders_nothing() -> None:
    ctx = full_context()
    out = render("Bonjour {{ customer.first_name }},\n\n{% cursor %}\n\nPaul", ctx)
    assert out.text == "Bonjour Léa,\n\n\n\nPaul"
    assert out.cursor == len("Bonjour Léa,\n\n")
    assert render("no cursor", ctx).cursor is None
    inside = render("{% if true %}ab{% cursor %}c{% endif %}{% cursor %}", ctx)
    assert (inside.text, inside.cursor) == ("abc", 2)


@pytest.mark.parametrize(
    "name", ["{{ 7*7 }}", "{% raw %}", "[bold]x[/bold]", "⟦x", "\x1b[31mred", "{% cursor %}"]
)
def test_render_customer_values_are_data_not_template(name: str) -> None:
    out = render("Hi {{ customer.name }}!", {"customer": {"name": name}})
    assert out.text == f"Hi {name}!"
    assert out.error is None and out.cursor is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hi {{ customer.name ", "Liquid error in macro: unexpected end of output at line 1"),
        ("line\n{% if %}x{% endif %}", "Liquid error in macro: missing expression at line 2"),
        ("{% if a %}", "Liquid error in macro:"),
        ("{{ a | nosuchfilter }}", "Liquid error in macro: unknown filter 'nosuchfilter'"),
        ("{% cursor here %}", "Liquid error in macro: cursor takes no arguments"),
    ],
)
def test_render_syntax_error_returns_raw_body_and_one_line(body: str, message: str) -> None:
    out = render(body, full_context())
    assert out.text == body
    assert out.error is not None and out.error.startswith(message)
    assert "\n" not in out.error
    assert check_syntax(body) == out.error
    assert check_syntax("{{ customer.name }}") is None


def test_render_survives_huge_and_odd_values() -> None:
    huge = "x" * 1_000_000
    assert render("{{ customer.name }}", {"customer": {"name": huge}}).text == huge
    too_big = render("{% for i in (1..5) %}{{ n }}{% endfor %}", {"n": huge})
    assert too_big.error is not None and too_big.text.startswith("{% for")
    odd: dict[str, object] = {
        "customer": {"name": "\ud800\x00\u202e"},
        "n": 10**40,
        "d": {"a": [1, 2]},
    }
    out = render("{{ customer.name }}|{{ n }}|{{ d.a }}|{{ d.a.first }}", odd)
    assert out.text == "\ud800\x00\u202e|" + str(10**40) + "|12|1"
    looping = render("{% for i in (1..100000000) %}x{% endfor %}", {})
    assert looping.error is not None and "limit" in looping.error

    class Exploding:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    broken = render("{{ v }}", {"v": Exploding()})
    assert broken.error is not None and "boom" in broken.error


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_render_never_raises_on_any_body(body: str) -> None:
    out = render(body, full_context())
    assert (out.error is None) or out.text == body


def test_missing_placeholders_finds_markers_left_in_text() -> None:
    text = "Hi ⟦customer.first_name⟧, about ⟦order.items[0].name⟧ ⟦not\nit⟧ ⟦⟧"
    assert missing_placeholders(text) == [
        (3, 24, "customer.first_name"),
        (32, 53, "order.items[0].name"),
    ]
    assert missing_placeholders(render("{{ a.b }}", {}).text) == [(0, 5, "a.b")]


# -- templatize ---------------------------------------------------------------------


def test_templatize_replaces_customer_details_whole_words_longest_first() -> None:
    ctx = full_context("en", tz="UTC")
    text = (
        "Hi Léa, Léa Martin's order 88213 arrives Tue 24 Nov 11:00–12:00.\n"
        "Léane and 882130 are not you.\n\nBest,\nPaul"
    )
    body = templatize(text, ctx)
    assert body == (
        "Hi {{ customer.first_name }}, {{ customer.name }}'s order {{ order.number }} arrives "
        "{{ order.delivery_slot }}.\nLéane and 882130 are not you.\n\nBest,\n{{ agent.first_name }}"
    )
    assert render(body, ctx).text == text


def test_templatize_takes_agent_name_only_in_the_signature() -> None:
    ctx = full_context("en")
    text = "Paul here.\nline two\nline three\nline four\nPaul"
    assert (
        templatize(text, ctx)
        == "Paul here.\nline two\nline three\nline four\n{{ agent.first_name }}"
    )


def test_templatize_escapes_literal_liquid() -> None:
    ctx = full_context()
    text = "Type {{ 7*7 }} or {% raw %} or {Léa} {{Léa"
    body = templatize(text, ctx)
    assert "{{ customer.first_name }}" in body
    assert render(body, ctx).text == text


_WORDS = st.sampled_from(
    [
        "Hi",
        "Léa",
        "Martin",
        "{",
        "{{",
        "{%",
        "%}",
        "}}",
        "%",
        " ",
        "\n",
        ",",
        "-",
        "Paul",
        "88213",
        "é",
        "\r\n",
        "'",
    ]
)
_VALUE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"),
    min_size=1,
    max_size=12,
).filter(lambda v: v.strip() == v and v.strip())


@settings(max_examples=300, deadline=None)
@given(
    first=_VALUE,
    last=_VALUE,
    number=_VALUE,
    agent=_VALUE,
    pieces=st.lists(
        st.one_of(_WORDS, st.sampled_from(["FIRST", "FULL", "NUMBER", "AGENT"])), max_size=30
    ),
)
def test_templatize_then_render_gives_the_text_back(
    first: str, last: str, number: str, agent: str, pieces: list[str]
) -> None:
    full = f"{first} {last}"
    lookup = {"FIRST": first, "FULL": full, "NUMBER": number, "AGENT": agent}
    text = "".join(lookup.get(p, p) for p in pieces)
    ctx = {
        "customer": {"first_name": first, "name": full},
        "order": {"number": number},
        "agent": {"first_name": agent, "name": agent},
    }
    body = templatize(text, ctx)
    out = render(body, ctx)
    assert out.error is None
    assert out.text == text
