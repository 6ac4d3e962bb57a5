"""Response-time metrics on hand-made stores whose medians are known."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskterm.backend.metrics import build_report, period_bounds, today_first_response
from deskterm.backend.store import Store
from deskterm.domain.models import AuthorKind, BusinessHours, Channel, SLAPolicy, Status
from deskterm.domain.stats import format_duration, median, percentile
from tests.conftest import T0, Clock, Team

PARIS = ZoneInfo("Europe/Paris")
UTC_ZONE = ZoneInfo("UTC")
DAY = T0.astimezone(PARIS).date()  # Tuesday 24 November 2026


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ask(store: Store, team: Team, minute: float, channel: Channel = Channel.EMAIL, **kw) -> int:
    return store.open_conversation(
        team.customer, channel, "Help", "Where is my order?", created_at=at(minute), **kw
    )


def again(store: Store, cid: int, minute: float) -> None:
    store.add_message(cid, author_kind=AuthorKind.CUSTOMER, body="Hello?", created_at=at(minute))


def reply(store: Store, cid: int, agent: int, minute: float, *, public: bool = True) -> None:
    store.add_message(
        cid,
        author_kind=AuthorKind.AGENT,
        author_id=agent,
        author_name="Camille",
        body="On it",
        public=public,
        created_at=at(minute),
    )


def report(store: Store, *, tz: ZoneInfo = PARIS, day: date = DAY, now=None, **kw):
    return build_report(store.conn, since=day, until=day, tz=tz, now=now or at(24 * 60), **kw)


def test_median_of_an_odd_count_is_the_middle_one(store: Store, team: Team):
    for start, delay in [(0, 2), (10, 10), (20, 4)]:
        reply(store, ask(store, team, start), team.agent, start + delay)
    overall = report(store).overall
    assert overall.first_responses == 3
    assert overall.first_median == 4 * 60
    assert overall.first_p90 == pytest.approx((4 + 0.8 * 6) * 60)  # between 4 and 10 min


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_ones(store: Store, team: Team):
    for start, delay in [(0, 2), (10, 10), (20, 4), (30, 6)]:
        reply(store, ask(store, team, start), team.agent, start + delay)
    assert report(store).overall.first_median == 5 * 60


def test_a_conversation_without_reply_waits_and_breaches_once_late(store: Store, team: Team):
    reply(store, ask(store, team, 0), team.agent, 3)
    waiting = ask(store, team, 10)  # email: 240 minutes to answer
    early = report(store, now=at(60))
    assert early.overall.first_median == 3 * 60 and early.overall.unanswered == 1
    assert early.overall.first_judged == 1 and early.breaches == []
    late = report(store, now=at(10 + 241))
    assert late.overall.first_judged == 2 and late.overall.first_met == 1
    assert [(b.conversation_id, b.answered) for b in late.breaches] == [(waiting, False)]
    assert late.overall.first_median == 3 * 60  # an open wait is no response time


def test_internal_notes_do_not_answer(store: Store, team: Team):
    cid = ask(store, team, 0)
    reply(store, cid, team.agent, 1, public=False)
    reply(store, cid, team.agent, 7)
    only_notes = ask(store, team, 20)
    reply(store, only_notes, team.agent, 21, public=False)
    overall = report(store).overall
    assert overall.first_responses == 1 and overall.first_median == 7 * 60
    assert overall.unanswered == 1


def test_a_run_of_customer_messages_is_one_wait_from_its_first(store: Store, team: Team):
    cid = ask(store, team, 0)
    again(store, cid, 3)
    reply(store, cid, team.agent, 10)
    again(store, cid, 20)
    reply(store, cid, team.agent, 25)
    overall = report(store).overall
    assert overall.first_responses == 1 and overall.first_median == 10 * 60
    assert overall.responses == 2 and overall.response_median == 7.5 * 60
    assert overall.conversations == 1


def test_closed_without_a_reply_is_no_response_and_no_breach(
    store: Store, team: Team, clock: Clock
):
    cid = ask(store, team, 0)
    clock.now = at(300)  # past the target, but nobody needed an answer
    store.set_status(cid, Status.DONE, agent_id=team.agent)
    overall = report(store).overall
    assert overall.closed_unanswered == 1 and overall.first_responses == 0
    assert overall.first_judged == 0 and overall.unanswered == 0
    assert overall.first_median is None


def test_a_wait_after_the_period_started_before_it_is_not_counted(store: Store, team: Team):
    cid = ask(store, team, -24 * 60)  # the day before
    reply(store, cid, team.agent, 5)  # answered today
    assert report(store).overall.first_responses == 0
    assert report(store, day=DAY - timedelta(days=1)).overall.first_median == (24 * 60 + 5) * 60


def test_sla_attainment_per_policy(store: Store, team: Team):
    for start, delay in [(0, 3), (10, 7), (20, 5)]:  # chat: 5 minutes
        reply(store, ask(store, team, start, Channel.CHAT), team.agent, start + delay)
    cid = ask(store, team, 30)  # email: 240 minutes
    reply(store, cid, team.agent, 40)
    again(store, cid, 50)
    reply(store, cid, team.agent, 50 + 300)
    r = report(store)
    chat = next(f for f in r.policies if f.label == "Chat")
    email = next(f for f in r.policies if f.label == "Email")
    assert (chat.first_met, chat.first_judged) == (2, 3)
    assert (email.first_met, email.first_judged, email.replies_met, email.replies_judged) == (
        1,
        1,
        0,
        1,
    )
    assert r.overall.breaches == 2
    assert {b.policy for b in r.breaches} == {"Chat", "Email"}


def test_business_hours_count_only_open_time(store: Store, team: Team):
    hours = BusinessHours(timezone="Europe/Paris", start="09:00", end="18:00")
    store.set_sla_policies(
        [
            SLAPolicy(
                id=1,
                name="Office",
                first_response_minutes=30,
                next_response_minutes=30,
                business_hours=hours,
            )
        ]
    )
    # Friday 27 November 17:50 Paris; answered Monday 09:10: 20 minutes of open time.
    friday = datetime(2026, 11, 27, 16, 50, tzinfo=UTC)
    cid = store.open_conversation(team.customer, Channel.EMAIL, "Help", "Hello", created_at=friday)
    store.add_message(
        cid,
        author_kind=AuthorKind.AGENT,
        author_id=team.agent,
        body="Good morning",
        created_at=datetime(2026, 11, 30, 8, 10, tzinfo=UTC),
    )
    r = build_report(
        store.conn, since=friday.date(), until=friday.date(), tz=PARIS, now=at(10 * 24 * 60)
    )
    assert r.overall.first_median == 20 * 60
    assert (r.overall.first_met, r.overall.first_judged) == (1, 1)


def test_days_and_hours_are_the_team_time_zone(store: Store, team: Team):
    # 23:30 in Paris on Tuesday (22:30 UTC), answered at 00:10 Paris on Wednesday.
    late = ask(store, team, 13 * 60 + 30)
    reply(store, late, team.agent, 14 * 60 + 10)
    both = dict(since=DAY, until=DAY + timedelta(days=1), now=at(3 * 24 * 60))
    paris = build_report(store.conn, tz=PARIS, by="hour", **both)
    utc = build_report(store.conn, tz=UTC_ZONE, by="hour", **both)
    assert [f.label for f in paris.rows] == ["23h"]
    assert [f.label for f in utc.rows] == ["22h"]
    assert [(d.first_waits, d.answered_same_day) for d in paris.days] == [(1, 0), (0, 0)]
    assert [(d.first_waits, d.answered_same_day) for d in utc.days] == [(1, 1), (0, 0)]
    # Still waiting at the end of Tuesday in Paris, not in UTC.
    assert [d.backlog for d in paris.days] == [1, 0]
    assert [d.backlog for d in utc.days] == [0, 0]


def test_a_period_is_whole_local_days_even_across_a_clock_change():
    start, end = period_bounds(date(2026, 10, 25), date(2026, 10, 25), PARIS)
    assert end - start == 25 * 3600  # summer time ends that night
    assert datetime.fromtimestamp(start, UTC) == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        period_bounds(date(2026, 10, 25), date(2026, 10, 24), PARIS)


def test_breakdown_by_agent_tag_channel_and_group(store: Store, team: Team):
    a = ask(store, team, 0, Channel.CHAT, group_id=team.group, tags=["refund", "vip"])
    reply(store, a, team.agent, 2)
    b = ask(store, team, 10, Channel.EMAIL, tags=["refund"])
    reply(store, b, team.other, 30)
    ask(store, team, 40, Channel.EMAIL)
    by_agent = {f.label: f for f in report(store, by="agent").rows}
    assert by_agent["Camille Moreau"].first_median == 2 * 60
    assert by_agent["Paul Roux"].first_median == 20 * 60
    assert by_agent["(nobody)"].unanswered == 1
    by_tag = {f.label: f.conversations for f in report(store, by="tag").rows}
    assert by_tag == {"refund": 2, "vip": 1, "(no tag)": 1}
    by_channel = {f.label: f.conversations for f in report(store, by="channel").rows}
    assert by_channel == {"email": 2, "chat": 1}
    by_group = {f.label: f.conversations for f in report(store, by="group").rows}
    assert by_group == {"Support": 1, "(no group)": 2}
    with pytest.raises(ValueError):
        report(store, by="mood")


def test_volume_per_day_and_reason_trend(store: Store, team: Team):
    yesterday = ask(store, team, -24 * 60, tags=["missing-item"])
    reply(store, yesterday, team.agent, -24 * 60 + 5)
    for minute in (0, 10):
        cid = ask(store, team, minute, tags=["missing-item"])
        reply(store, cid, team.agent, minute + 1)
        reply(store, cid, team.agent, minute + 2, public=False)
    r = report(store)
    [day] = r.days
    assert (day.new_conversations, day.messages_in, day.replies_out, day.notes) == (2, 2, 2, 2)
    assert [(t.tag, t.count, t.previous, t.change) for t in r.tags] == [("missing-item", 2, 1, 1.0)]


def test_today_median_first_response_for_the_header(store: Store, team: Team):
    reply(store, ask(store, team, -24 * 60), team.agent, -24 * 60 + 50)  # yesterday
    for start, delay in [(0, 2), (10, 8)]:
        reply(store, ask(store, team, start), team.agent, start + delay)
    found = today_first_response(store.conn, now=at(60), tz=PARIS, policies=store.sla_policies())
    assert found == 5 * 60


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(delays=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12))
def test_store_median_equals_the_median_of_the_same_delays(delays: list[int]):
    store = Store(":memory:", clock=Clock())
    try:
        group = store.add_group("Support")
        agent = store.add_agent("Camille", "c@example.com", group_id=group)
        customer = store.add_customer("Léa")
        for i, delay in enumerate(delays):
            start = T0 + timedelta(minutes=i)
            cid = store.open_conversation(customer, Channel.CHAT, "Hi", "Hi", created_at=start)
            store.add_message(
                cid,
                author_kind=AuthorKind.AGENT,
                author_id=agent,
                body="Hello",
                created_at=start + timedelta(seconds=delay),
            )
        r = build_report(store.conn, since=DAY, until=DAY, tz=PARIS, now=at(10**4))
        assert r.overall.first_median == statistics.median(delays)
        assert r.overall.first_p90 == pytest.approx(
            statistics.quantiles(delays, n=10, method="inclusive")[-1]
            if len(delays) > 1
            else delays[0]
        )
    finally:
        store.close()


@given(st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1))
def test_percentile_50_is_the_median(values: list[float]):
    assert median(values) == pytest.approx(statistics.median(values))
    assert percentile(values, 0) == min(values) and percentile(values, 1) == max(values)


def test_empty_and_formats():
    assert median([]) is None
    assert [format_duration(s) for s in (None, 45, 240, 3900, 36000 * 3, 86400 * 3)] == [
        "—",
        "45s",
        "4m",
        "1h05",
        "30h",
        "3d",
    ]
