"""SLA clocks: policy choice, business hours, due times, states, compact formats, urgency."""

from __future__ import annotations

import time as wallclock
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskterm.domain.models import BusinessHours, Channel, SLAPolicy, Status
from deskterm.domain.sla import (
    DEFAULT_POLICIES,
    SLAState,
    add_business_minutes,
    business_minutes_between,
    due_at,
    format_age,
    format_countdown,
    policy_for,
    sla_state,
    target_minutes,
    urgency_key,
)

PARIS = ZoneInfo("Europe/Paris")
OFFICE = BusinessHours(timezone="Europe/Paris", start="09:00", end="18:00")
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # Tuesday, 14:00 in Paris


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def policy(pid: int, channel: Channel | None = None, group: int | None = None) -> SLAPolicy:
    return SLAPolicy(
        id=pid,
        name=f"p{pid}",
        channel=channel,
        group_id=group,
        first_response_minutes=10 * pid,
        next_response_minutes=100 * pid,
    )


# --- policies ----------------------------------------------------------------------------------

ALL = [
    policy(1),
    policy(2, group=7),
    policy(3, channel=Channel.EMAIL),
    policy(4, channel=Channel.EMAIL, group=7),
]


@pytest.mark.parametrize(
    ("channel", "group", "expected"),
    [
        (Channel.EMAIL, 7, 4),
        (Channel.EMAIL, 8, 3),
        (Channel.EMAIL, None, 3),
        (Channel.CHAT, 7, 2),
        (Channel.CHAT, None, 1),
        (Channel.PHONE, 8, 1),
    ],
)
def test_most_specific_policy_wins(channel: Channel, group: int | None, expected: int) -> None:
    found = policy_for(channel, group, ALL)
    assert found is not None and found.id == expected
    found = policy_for(channel, group, list(reversed(ALL)))
    assert found is not None and found.id == expected


def test_no_matching_policy() -> None:
    assert policy_for(Channel.CHAT, None, [policy(3, channel=Channel.EMAIL)]) is None
    assert policy_for(Channel.CHAT, None, []) is None


def test_equally_specific_first_wins() -> None:
    twins = [policy(5, channel=Channel.CHAT), policy(6, channel=Channel.CHAT)]
    found = policy_for(Channel.CHAT, None, twins)
    assert found is not None and found.id == 5


def test_default_policies() -> None:
    assert [p.id for p in DEFAULT_POLICIES] == list(range(1, len(DEFAULT_POLICIES) + 1))
    expected = {
        Channel.WHATSAPP: 5,
        Channel.CHAT: 5,
        Channel.SOCIAL: 30,
        Channel.FORM: 240,
        Channel.EMAIL: 240,
        Channel.PHONE: 60,
    }
    for channel, minutes in expected.items():
        found = policy_for(channel, 3, DEFAULT_POLICIES)
        assert found is not None
        assert (found.first_response_minutes, found.next_response_minutes) == (minutes, minutes)


# --- business hours ----------------------------------------------------------------------------


def test_without_hours_it_is_plain_addition() -> None:
    assert add_business_minutes(NOW, 90, None) == NOW + timedelta(minutes=90)
    assert business_minutes_between(NOW, NOW + timedelta(hours=2), None) == 120


def test_plain_addition_is_elapsed_time_even_with_a_zoned_start() -> None:
    eve = paris(2026, 3, 28, 15, 0)  # the night before clocks go forward
    assert add_business_minutes(eve, 24 * 60, None) == datetime(2026, 3, 29, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (paris(2026, 11, 24, 14, 0), 60, paris(2026, 11, 24, 15, 0)),
        # Runs past closing: the rest the next morning.
        (paris(2026, 11, 24, 17, 30), 60, paris(2026, 11, 25, 9, 30)),
        # Exactly at closing time.
        (paris(2026, 11, 24, 17, 0), 60, paris(2026, 11, 24, 18, 0)),
        # Written at night: the clock starts at the next opening.
        (paris(2026, 11, 24, 22, 0), 30, paris(2026, 11, 25, 9, 30)),
        (paris(2026, 11, 24, 6, 0), 30, paris(2026, 11, 24, 9, 30)),
        # Friday evening to Monday morning.
        (paris(2026, 11, 27, 17, 0), 120, paris(2026, 11, 30, 10, 0)),
        (paris(2026, 11, 28, 12, 0), 240, paris(2026, 11, 30, 13, 0)),
        # Four hours of email target on Friday afternoon.
        (paris(2026, 11, 27, 16, 0), 240, paris(2026, 11, 30, 11, 0)),
        # A whole working week and more.
        (paris(2026, 11, 24, 14, 0), 5 * 540 + 60, paris(2026, 12, 1, 15, 0)),
        (paris(2026, 11, 24, 14, 0), 0, paris(2026, 11, 24, 14, 0)),
        (paris(2026, 11, 24, 20, 0), 0, paris(2026, 11, 25, 9, 0)),
    ],
)
def test_add_business_minutes(start: datetime, minutes: int, expected: datetime) -> None:
    assert add_business_minutes(start, minutes, OFFICE) == expected
    opened = max(start, add_business_minutes(start, 0, OFFICE))
    assert business_minutes_between(opened, expected, OFFICE) == minutes


def test_business_hours_follow_the_wall_clock_across_dst() -> None:
    # Friday 27 March 2026, 17:00 Paris (CET); clocks go forward on Sunday.
    friday = paris(2026, 3, 27, 17, 0)
    assert add_business_minutes(friday, 120, OFFICE) == paris(2026, 3, 30, 10, 0)
    assert add_business_minutes(friday, 120, OFFICE) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    autumn = paris(2026, 10, 23, 17, 0)
    assert add_business_minutes(autumn, 120, OFFICE) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_round_the_clock_hours_count_real_minutes_on_dst_day() -> None:
    always = BusinessHours(
        timezone="Europe/Paris", start="00:00", end="00:00", weekdays=[*range(7)]
    )
    start = paris(2026, 3, 28, 12, 0).astimezone(UTC)
    assert add_business_minutes(start, 24 * 60, always) == start + timedelta(hours=24)
    end = datetime(2026, 3, 30, 0, 0, tzinfo=UTC)
    assert business_minutes_between(start, end, always) == (end - start).total_seconds() / 60


def test_night_shift_past_midnight() -> None:
    nights = BusinessHours(timezone="UTC", start="22:00", end="06:00", weekdays=[0, 1, 2, 3, 4])
    monday_night = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    assert add_business_minutes(monday_night, 60, nights) == monday_night + timedelta(hours=1)
    # Tuesday 05:00 is still Monday's shift: one hour left, then Tuesday 22:00.
    tuesday_early = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    assert add_business_minutes(tuesday_early, 90, nights) == datetime(
        2026, 11, 24, 22, 30, tzinfo=UTC
    )


def test_hours_with_no_open_day_count_like_no_hours() -> None:
    never = BusinessHours(weekdays=[])
    assert add_business_minutes(NOW, 30, never) == NOW + timedelta(minutes=30)
    assert business_minutes_between(NOW, NOW + timedelta(minutes=30), never) == 30


def test_negative_minutes_are_refused() -> None:
    with pytest.raises(ValueError):
        add_business_minutes(NOW, -1, OFFICE)


def test_big_values_are_fast() -> None:
    began = wallclock.perf_counter()
    result = add_business_minutes(NOW, 5_000_000, OFFICE)
    assert business_minutes_between(NOW, result, OFFICE) == pytest.approx(5_000_000, abs=1)
    assert wallclock.perf_counter() - began < 1.0
    with pytest.raises(OverflowError):
        add_business_minutes(NOW, 10**12, OFFICE)


def test_between_is_negative_backwards_and_zero_at_night() -> None:
    a, b = paris(2026, 11, 24, 10, 0), paris(2026, 11, 24, 11, 0)
    assert business_minutes_between(b, a, OFFICE) == -60
    night = paris(2026, 11, 24, 19, 0), paris(2026, 11, 25, 8, 0)
    assert business_minutes_between(*night, OFFICE) == 0
    weekend = paris(2026, 11, 27, 18, 0), paris(2026, 11, 30, 9, 0)
    assert business_minutes_between(*weekend, OFFICE) == 0


HOURS = st.builds(
    BusinessHours,
    timezone=st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Australia/Sydney"]),
    start=st.sampled_from(["00:00", "08:30", "09:00", "22:00"]),
    end=st.sampled_from(["00:00", "06:00", "17:45", "18:00", "24:00"]),
    weekdays=st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True),
)
STARTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(start=STARTS, a=st.integers(0, 30_000), b=st.integers(0, 30_000), hours=HOURS)
def test_add_business_minutes_is_monotonic(
    start: datetime, a: int, b: int, hours: BusinessHours
) -> None:
    low, high = sorted((a, b))
    assert add_business_minutes(start, low, hours) <= add_business_minutes(start, high, hours)
    assert add_business_minutes(start, low, hours) >= start


@settings(max_examples=300, deadline=None)
@given(start=STARTS, minutes=st.integers(0, 60_000), hours=st.one_of(st.none(), HOURS))
def test_between_inverts_add(start: datetime, minutes: int, hours: BusinessHours | None) -> None:
    end = add_business_minutes(start, minutes, hours)
    assert abs(business_minutes_between(start, end, hours) - minutes) < 1


# --- due times ---------------------------------------------------------------------------------

CUSTOMER = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CHAT = [policy(1, channel=Channel.CHAT)]  # first 10 min, next 100 min


def due(**changes: object) -> datetime | None:
    values: dict = {
        "status": Status.OPEN,
        "first_response_at": None,
        "last_customer_message_at": CUSTOMER,
        "last_agent_message_at": None,
        "channel": Channel.CHAT,
        "group_id": None,
        "policies": CHAT,
    }
    return due_at(**(values | changes))


def test_first_response_target_until_someone_answered() -> None:
    assert due() == CUSTOMER + timedelta(minutes=10)
    assert due(status=Status.NEW) == CUSTOMER + timedelta(minutes=10)


def test_next_response_target_once_answered() -> None:
    answered = CUSTOMER - timedelta(hours=1)
    assert due(first_response_at=answered, last_agent_message_at=answered) == CUSTOMER + timedelta(
        minutes=100
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"status": Status.DONE},
        {"status": Status.PENDING},
        {"last_customer_message_at": None},
        {"last_agent_message_at": CUSTOMER + timedelta(minutes=1)},
        {"channel": Channel.EMAIL},  # no policy
        {"policies": []},
    ],
)
def test_nobody_waiting(changes: dict) -> None:
    assert due(**changes) is None


def test_due_time_uses_the_policys_business_hours() -> None:
    office = [policy(1, channel=Channel.CHAT).model_copy(update={"business_hours": OFFICE})]
    friday_night = paris(2026, 11, 27, 21, 0)
    assert due(policies=office, last_customer_message_at=friday_night) == paris(2026, 11, 30, 9, 10)


def test_target_minutes() -> None:
    p = policy(2)
    assert target_minutes(p, None) == 20
    assert target_minutes(p, CUSTOMER) == 200


# --- states and formats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "target", "state"),
    [
        (None, None, SLAState.NONE),
        (timedelta(minutes=30), None, SLAState.OK),
        (timedelta(minutes=15), None, SLAState.OK),
        (timedelta(minutes=14), None, SLAState.DUE_SOON),
        (timedelta(minutes=2), 5, SLAState.OK),
        (timedelta(minutes=1), 5, SLAState.DUE_SOON),
        (timedelta(minutes=59), 240, SLAState.DUE_SOON),
        (timedelta(minutes=61), 240, SLAState.OK),
        (timedelta(0), 5, SLAState.BREACHED),
        (timedelta(minutes=-3), None, SLAState.BREACHED),
    ],
)
def test_sla_state(left: timedelta | None, target: int | None, state: SLAState) -> None:
    deadline = None if left is None else NOW + left
    assert sla_state(deadline, NOW, target_minutes=target) is state


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (timedelta(seconds=30), "1m"),
        (timedelta(minutes=4), "4m"),
        (timedelta(minutes=59), "59m"),
        (timedelta(hours=2), "2h"),
        (timedelta(hours=1, minutes=5), "1h05"),
        (timedelta(hours=9, minutes=59), "9h59"),
        (timedelta(hours=14, minutes=20), "14h"),
        (timedelta(days=3), "3d"),
        (timedelta(days=99), "99d"),
        (timedelta(days=140), "20w"),
        (timedelta(0), "0m"),
        (timedelta(minutes=-12), "-12m"),
        (timedelta(hours=-3), "-3h"),
        (timedelta(hours=-2, minutes=-30), "-2h30"),
        (timedelta(days=-5), "-5d"),
        (timedelta(days=-3000), "-8y"),
        (timedelta(days=-100_000), "-99y+"),
    ],
)
def test_format_countdown(left: timedelta, text: str) -> None:
    assert format_countdown(NOW + left, NOW) == text


@settings(max_examples=300)
@given(seconds=st.integers(-(10**10), 10**10))
def test_countdown_stays_short(seconds: int) -> None:
    assert len(format_countdown(NOW + timedelta(seconds=seconds), NOW)) <= 5


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=10), "now"),
        (timedelta(seconds=-10), "now"),
        (timedelta(minutes=2), "2m"),
        (timedelta(minutes=59, seconds=59), "59m"),
        (timedelta(hours=3), "3h"),
        (timedelta(days=2), "2d"),
        (timedelta(days=35), "5w"),
        (timedelta(days=800), "2y"),
    ],
)
def test_format_age(ago: timedelta, text: str) -> None:
    assert format_age(NOW - ago, NOW) == text


@settings(max_examples=300)
@given(seconds=st.integers(0, 6 * 10**10))
def test_age_stays_short(seconds: int) -> None:
    assert len(format_age(NOW - timedelta(seconds=seconds), NOW)) <= 3


def test_formats_use_real_time_with_zoned_datetimes() -> None:
    eve = paris(2026, 3, 28, 22, 0)
    morning = paris(2026, 3, 29, 8, 0)  # 9 real hours later, 10 on the wall clock
    assert format_countdown(morning, eve) == "9h"
    assert format_age(eve, morning) == "9h"


# --- urgency -----------------------------------------------------------------------------------


def test_urgency_order() -> None:
    t = NOW
    rows = {
        "due late": (t + timedelta(hours=2), t - timedelta(hours=5), t - timedelta(days=9)),
        "due soon": (t + timedelta(minutes=5), t - timedelta(minutes=1), t),
        "overdue": (t - timedelta(minutes=5), t - timedelta(hours=1), t - timedelta(days=1)),
        "waits long": (None, t - timedelta(days=2), t - timedelta(days=2)),
        "waits short": (None, t - timedelta(minutes=3), t - timedelta(days=30)),
        "old idle": (None, None, t - timedelta(days=40)),
        "new idle": (None, None, t - timedelta(days=1)),
    }
    ordered = sorted(rows, key=lambda name: urgency_key(*rows[name]))
    assert ordered == [
        "overdue",
        "due soon",
        "due late",
        "waits long",
        "waits short",
        "old idle",
        "new idle",
    ]


def test_same_due_time_older_conversation_first() -> None:
    due_time = NOW + timedelta(minutes=5)
    older = urgency_key(due_time, None, NOW - timedelta(days=2))
    newer = urgency_key(due_time, None, NOW - timedelta(days=1))
    assert older < newer
