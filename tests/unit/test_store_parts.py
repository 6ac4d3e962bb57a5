"""The Store's methods are its parts' methods: each one bound, none forgotten, none twice."""

from __future__ import annotations

import inspect
from datetime import timedelta

from deskterm.backend.reads.desk import Desk
from deskterm.backend.reads.inbox import Inbox
from deskterm.backend.reads.people import People
from deskterm.backend.reads.threads import Threads
from deskterm.backend.store import Store
from deskterm.backend.writes.customers import CustomerWrites
from deskterm.backend.writes.macros import MacroWrites
from deskterm.backend.writes.messages import MessageWrites
from deskterm.backend.writes.policies import SLAPolicies
from deskterm.backend.writes.triage import Triage
from deskterm.backend.writes.undo import Undo
from deskterm.domain.models import Channel, SLAPolicy, Status
from tests.conftest import T0, Team, customer_writes

PARTS = [Inbox, Threads, People, Desk, SLAPolicies, MessageWrites, Triage, Undo]
PARTS += [CustomerWrites, MacroWrites]


def public_methods(part: type) -> list[tuple[str, object]]:
    return [
        (name, fn)
        for name, fn in inspect.getmembers(part, inspect.isfunction)
        if not name.startswith("_")
    ]


def test_every_public_method_of_a_part_is_one_of_the_stores(store: Store):
    for part in PARTS:
        for name, fn in public_methods(part):
            bound = getattr(store, name, None)
            assert bound is not None, f"Store has no {name} (from {part.__name__})"
            assert getattr(bound, "__func__", None) is fn, f"Store.{name} is not {part.__name__}'s"


def test_no_two_parts_offer_the_same_name():
    names = [name for part in PARTS for name, _ in public_methods(part)]
    assert len(names) == len(set(names))


def test_every_writer_computes_due_times_with_the_policies_set_last(store: Store, team: Team):
    """The policies are kept once read; replacing them is seen by every writer at once."""
    store.set_sla_policies(
        [SLAPolicy(id=1, name="All", first_response_minutes=600, next_response_minutes=600)]
    )
    cid = customer_writes(store, team.customer, "hello", channel=Channel.EMAIL)
    assert store.conversation(cid).sla_due_at == T0 + timedelta(minutes=600)  # messages
    store.set_sla_policies(
        [SLAPolicy(id=1, name="All", first_response_minutes=60, next_response_minutes=60)]
    )
    store.set_status(cid, Status.OPEN, agent_id=team.agent)
    assert store.conversation(cid).sla_due_at == T0 + timedelta(minutes=60)  # triage
