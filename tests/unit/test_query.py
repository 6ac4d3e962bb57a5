from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskterm.domain.models import Channel, Status
from deskterm.domain.query import Query, QueryError, format_query, parse_query

NOW = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def parse(text: str, tz: str | ZoneInfo = "UTC") -> Query:
    return parse_query(text, now=NOW, tz=tz)


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
    db.executemany(
        "INSERT INTO t(rowid, body) VALUES (?, ?)",
        [
            (1, "Il manque le pain dans ma commande"),
            (2, "The bread was missing from my order"),
            (3, "Léa asks for a refund of the missing bread"),
            (4, "Delivery slot change please"),
        ],
    )
    yield db
    db.close()


def matches(db: sqlite3.Connection, expression: str) -> set[int]:
    return {row[0] for row in db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,))}


# -- the language ---------------------------------------------------------------------------


def test_free_words_phrases_and_exclusions() -> None:
    q = parse('bread "missing from" -refund -"slot change"')
    assert q.words == ("bread",)
    assert q.phrases == ("missing from",)
    assert q.excluded == ("refund", "slot change")
    assert q.has_text and not q.is_empty


def test_empty_and_blank_queries() -> None:
    for text in ["", "   ", ' "" ', " - ", '-""']:
        q = parse(text)
        assert q.is_empty and not q.has_text
        assert q.fts_expression() is None


def test_filters_only_is_not_text() -> None:
    q = parse("status:open")
    assert not q.has_text and not q.is_empty


def test_status_and_channel_lists_are_or_and_case_insensitive() -> None:
    q = parse("Status:NEW,open CHANNEL:chat,Wa channel:email")
    assert q.statuses == {Status.NEW, Status.OPEN}
    assert q.channels == {Channel.CHAT, Channel.WHATSAPP, Channel.EMAIL}


def test_trailing_comma_while_typing_is_accepted() -> None:
    assert parse("channel:chat,").channels == {Channel.CHAT}


def test_tags_repeat_and_keep_order() -> None:
    q = parse('tag:vip tag:"late delivery" tag:vip')
    assert q.tags == ("vip", "late delivery")


def test_group_forms() -> None:
    assert parse("group:Instant").group == "Instant"
    assert parse("group:NONE").group == "none"
    assert parse('group:"Level 2" refund').group == "Level 2"
    assert format_query(parse('group:"Level 2"')) == 'group:"Level 2"'


def test_assignee_forms() -> None:
    assert parse("assignee:ME").assignee == "me"
    assert parse("assignee:none").assignee == "none"
    assert parse('assignee:"Paul   Roux"').assignee == "Paul Roux"
    assert parse("assignee:ana assignee:ana").assignee == "ana"


def test_from_accepts_addresses_and_quoted_names() -> None:
    assert parse("from:lea@example.com").from_ == "lea@example.com"
    assert parse('from:"Léa Martin" pain').from_ == "Léa Martin"
    assert parse('from:"Léa Martin" pain').words == ("pain",)


def test_flags() -> None:
    assert parse("is:snoozed IS:VIP is:woken").flags == {"snoozed", "vip", "woken"}


def test_links_and_times_stay_words() -> None:
    assert parse("https://example.com/x 12:30").words == ("https://example.com/x", "12:30")


def test_dates_follow_gmail_in_the_agents_time_zone() -> None:
    q = parse("after:2026-11-20 before:2026-11-24", tz=PARIS)
    # Midnight in Paris is 23:00 UTC the evening before (winter time).
    assert q.after == datetime(2026, 11, 19, 23, tzinfo=UTC)
    assert q.before == datetime(2026, 11, 23, 23, tzinfo=UTC)


def test_relative_dates() -> None:
    q = parse("after:7d")
    assert q.after == NOW - timedelta(days=7)
    assert parse("after:12h").after == NOW - timedelta(hours=12)
    assert parse("after:2w").after == NOW - timedelta(weeks=2)
    assert parse("after:today", tz=PARIS).after == datetime(2026, 11, 23, 23, tzinfo=UTC)
    assert parse("before:yesterday").before == datetime(2026, 11, 23, tzinfo=UTC)


def test_today_depends_on_the_time_zone() -> None:
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # already the 25th in Paris
    q = parse_query("after:today", now=late, tz="Europe/Paris")
    assert q.after == datetime(2026, 11, 24, 23, tzinfo=UTC)


def test_repeated_bounds_keep_the_tightest() -> None:
    q = parse("after:2026-01-01 after:2026-02-01 before:2026-06-01 before:2026-05-01")
    assert q.after == datetime(2026, 2, 1, tzinfo=UTC)
    assert q.before == datetime(2026, 5, 1, tzinfo=UTC)


def test_naive_now_is_utc() -> None:
    q = parse_query("after:today", now=datetime(2026, 11, 24, 10), tz="UTC")
    assert q.after == datetime(2026, 11, 24, tzinfo=UTC)


def test_iso_instants_are_accepted() -> None:
    assert parse("before:2026-11-24T10:15:00Z").before == datetime(2026, 11, 24, 10, 15, tzinfo=UTC)
    assert parse("before:2026-11-24T10:15", tz=PARIS).before == datetime(
        2026, 11, 24, 9, 15, tzinfo=UTC
    )


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        (
            "pain channel:fax",
            'Unknown channel "fax": expected email, chat, whatsapp, social, form or phone',
            13,
        ),
        ("channel:chat,fax", 'Unknown channel "fax"', 13),
        ("status:closed", 'Unknown status "closed": expected new, open, pending or done', 7),
        ("is:angry", 'Unknown is: value "angry"', 3),
        ("bread foo:bar", 'Unknown filter "foo:": expected status, channel, tag', 6),
        ('x "missing bread', "Unclosed quote", 2),
        ('from:"Léa', "Unclosed quote", 5),
        ("tag:", "tag: needs a value", 4),
        ("status:,", "status: needs a value", 7),
        ("tag:a,b", "repeat tag:", 4),
        ("assignee:ana assignee:paul", "assignee: given twice", 22),
        ("-status:done", "Filters cannot be excluded", 0),
        ("before:soon", 'Unknown date "soon"', 7),
        ("before:2026-02-30", "invalid", 7),
        ("after:999999w", "out of range", 6),
        ("after:0001-01-01", "out of range", 6),
    ],
)
def test_errors_say_what_and_where(text: str, message: str, position: int) -> None:
    tz = "Asia/Tokyo" if "0001" in text else "UTC"
    with pytest.raises(QueryError) as caught:
        parse(text, tz=tz)
    assert message in str(caught.value)
    assert caught.value.position == position
    assert "\n" not in str(caught.value)


def test_query_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse("channel:fax")


# -- FTS5 -------------------------------------------------------------------------------------


def test_words_match_as_prefixes(fts: sqlite3.Connection) -> None:
    assert matches(fts, parse("bre").fts_expression() or "") == {2, 3}


def test_diacritics_are_ignored(fts: sqlite3.Connection) -> None:
    assert matches(fts, parse("lea").fts_expression() or "") == {3}


def test_phrases_are_exact(fts: sqlite3.Connection) -> None:
    assert matches(fts, parse('"missing bread"').fts_expression() or "") == {3}
    assert matches(fts, parse('"missing bre"').fts_expression() or "") == set()


def test_exclusions(fts: sqlite3.Connection) -> None:
    expression = parse("bread -refund").fts_expression()
    assert expression == '("bread"*) NOT "refund"'
    assert matches(fts, expression) == {2}


def test_exclusions_alone_leave_the_filtering_to_the_caller(fts: sqlite3.Connection) -> None:
    q = parse("-bread -refund")
    assert q.fts_expression() is None
    exclusion = q.fts_exclusion()
    assert exclusion is not None
    assert matches(fts, exclusion) == {2, 3}
    assert parse("bread").fts_exclusion() is None


def test_fts_syntax_typed_by_the_agent_is_inert(fts: sqlite3.Connection) -> None:
    for text in ["bread OR pain", "NEAR(a b)", "body:bread", "a AND", "(", "*", "^pain", "a+b"]:
        q = parse(f'"{text}"')
        expression = q.fts_expression()
        assert expression is not None
        matches(fts, expression)  # must not raise
    assert matches(fts, parse("bread OR pain").fts_expression() or "") == set()


def test_quotes_inside_terms_are_doubled() -> None:
    assert Query(words=('a"b',)).fts_expression() == '"a""b"*'


# -- properties -------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "bread", "pain", "Léa", "bre", "-", "-refund", '"', '"missing item"', "status:",
        "status:new", "status:open,done", "channel:wa", "channel:chat,email,", "tag:vip",
        'tag:"late delivery"', "tag:a,b", "assignee:me", 'assignee:"Paul Roux"', "from:",
        "group:Instant", 'group:"Level 2"', "group:none",
        "from:lea@example.com", "after:7d", "after:today", "before:yesterday",
        "before:2026-11-24", "after:2026-11-24T10:00", "is:vip", "is:unread", "OR", "NOT",
        "*", "(", ")", ":", "https://x.fr/a", "foo:bar", "12:30", ",", "\x00", "\ud800", "é",
        "NEAR", "^", "'", "\\", "日本", "​", "\t", "\n",
    ]
)  # fmt: skip
SOUP = st.lists(FRAGMENTS | st.text(max_size=4), max_size=12).map(" ".join) | st.lists(
    FRAGMENTS, max_size=8
).map("".join)
ZONES = st.sampled_from(["UTC", "Europe/Paris", "America/Santiago", "Asia/Kolkata", "Pacific/Apia"])
NOWS = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)


def _parse_or_none(text: str, now: datetime, tz: str) -> Query | None:
    try:
        return parse_query(text, now=now, tz=tz)
    except QueryError as error:
        assert 0 <= error.position <= len(text)
        return None


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text() | SOUP, now=NOWS, tz=ZONES)
def test_parse_only_raises_query_error_and_fts_is_valid(
    fts: sqlite3.Connection, text: str, now: datetime, tz: str
) -> None:
    q = _parse_or_none(text, now, tz)
    if q is None:
        return
    for expression in (q.fts_expression(), q.fts_exclusion()):
        if expression is not None:
            matches(fts, expression)
    assert q.has_text == (q.fts_expression() is not None or q.fts_exclusion() is not None)
    for bound in (q.before, q.after):
        assert bound is None or bound.utcoffset() == timedelta(0)


@settings(max_examples=400)
@given(text=SOUP | st.text(), now=NOWS, tz=ZONES)
def test_format_round_trips(text: str, now: datetime, tz: str) -> None:
    q = _parse_or_none(text, now, tz)
    if q is None:
        return
    assert parse_query(format_query(q, tz=tz), now=now, tz=tz) == q
    # Without a zone, bounds are written as UTC and read back the same anywhere.
    assert parse_query(format_query(q), now=now) == q


def test_format_is_canonical() -> None:
    q = parse(
        'is:vip  before:2026-11-24  tag:"late delivery" channel:wa,chat status:open pain '
        '-"slot change" "missing item" after:2026-11-01',
        tz=PARIS,
    )
    assert format_query(q, tz=PARIS) == (
        'pain "missing item" -"slot change" status:open channel:chat,whatsapp '
        'tag:"late delivery" after:2026-11-01 before:2026-11-24 is:vip'
    )
    assert format_query(q) == (
        'pain "missing item" -"slot change" status:open channel:chat,whatsapp '
        'tag:"late delivery" after:2026-10-31T23:00:00Z before:2026-11-23T23:00:00Z is:vip'
    )


def test_short_words_match_exactly_longer_ones_as_prefixes():
    # "r" on the way to "refund" would match nearly every message; it matches the word "r".
    assert Query(words=("r",)).fts_expression() == '"r"'
    assert Query(words=("re",)).fts_expression() == '"re"'
    assert Query(words=("ref",)).fts_expression() == '"ref"*'


def test_a_number_is_a_conversation_number_not_a_word():
    q = parse_query("#32 refund #7 #32", now=NOW)
    assert q.numbers == (32, 7) and q.words == ("refund",)
    assert parse_query(format_query(q), now=NOW) == q
    assert parse_query("#late", now=NOW).words == ("#late",)  # a tag-like word stays a word
