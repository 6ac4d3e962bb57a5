"""Shared fixtures: a controllable clock and small stores built through the Store API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deskterm.backend.store import Store
from deskterm.domain.models import AuthorKind, Channel, Handle

#: A Tuesday morning, Paris winter time: every test that needs "now" starts here.
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Never touch the user's real config or data."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("DESKTERM_DATA_DIR", str(base / "data"))
    monkeypatch.delenv("DESKTERM_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("DESKTERM_STATE_DIR", str(base / "state"))
    monkeypatch.setenv("TZ", "Europe/Paris")


@pytest.fixture(autouse=True)
def _no_real_keyring() -> Iterator[None]:
    """Never read or write the user's real keyring: tests that want one install their own."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        yield
        return
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    from deskterm.domain.sla import DEFAULT_POLICIES

    s = Store(tmp_path / "test.db", clock=clock)
    s.set_sla_policies(DEFAULT_POLICIES)
    yield s
    s.close()


@dataclass
class Team:
    agent: int
    other: int
    group: int
    customer: int


@pytest.fixture
def team(store: Store) -> Team:
    group = store.add_group("Support")
    agent = store.add_agent("Camille Moreau", "camille@popote.example", group_id=group)
    other = store.add_agent("Paul Roux", "paul@popote.example", group_id=group)
    customer = store.add_customer(
        "Léa Martin",
        language="fr",
        handles=[
            Handle(channel=Channel.EMAIL, value="lea@example.com"),
            Handle(channel=Channel.WHATSAPP, value="+33611223344"),
        ],
    )
    return Team(agent, other, group, customer)


def customer_writes(
    store: Store,
    customer: int,
    text: str,
    *,
    channel: Channel = Channel.EMAIL,
    subject: str = "Help",
) -> int:
    return store.open_conversation(customer, channel, subject, text)


def agent_replies(store: Store, conversation: int, agent: int, text: str, **kw) -> int:
    return store.add_message(
        conversation,
        author_kind=AuthorKind.AGENT,
        author_id=agent,
        author_name="Camille",
        body=text,
        **kw,
    )
