"""Building the app: ``create_app`` is the one factory used by the CLI and the tests alike,
so a snapshot shows exactly what a user sees."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from deskterm.app.desk_app import LIVE_UPDATE_SECONDS, DeskApp
from deskterm.backend.db import StoreError
from deskterm.backend.demo.shipped import DEMO_LEAD, demo_rules
from deskterm.backend.routing import Router
from deskterm.backend.store import Store
from deskterm.config import Settings, routing_rules
from deskterm.domain.models import Agent

if TYPE_CHECKING:
    from deskterm.app.live_demo import LiveDemoRunner
    from deskterm.app.sync_runner import SyncRunner
    from deskterm.backend.lesson import Progress


def resolve_agent(
    store: Store, settings: Settings, agent_email: str | None, *, demo: bool
) -> Agent:
    """Who is working: the named agent, the config's, the demo's first, or a new local one."""
    email = agent_email or settings.agent_email
    if email:
        found = store.agent_by_email(email)
        if found is not None:
            return found
        if agent_email:
            raise StoreError(f"No agent {email} in {store.path}")
    agents = sorted(store.agents(), key=lambda a: a.id)
    if agents:
        return agents[0]
    user = getpass.getuser() or "agent"
    aid = store.add_agent(user.capitalize(), email or f"{user}@localhost")
    found = store.agent(aid)
    assert found is not None
    return found


def create_app(
    store: Store,
    settings: Settings,
    *,
    agent_email: str | None = None,
    demo: bool = False,
    clock: Callable[[], datetime] | None = None,
    sync_runner: SyncRunner | None = None,
    live_update_seconds: float = LIVE_UPDATE_SECONDS,
    lesson: Progress | None = None,
    live_demo: LiveDemoRunner | None = None,
) -> DeskApp:
    """The app as the CLI runs it; tests pass a fixed clock (and may poll faster).
    ``live_demo``: customers writing while it runs (``deskterm demo --live``)."""
    if clock is not None:
        store.clock = clock
    if not store.sla_policies():
        from deskterm.domain.sla import DEFAULT_POLICIES

        store.set_sla_policies(DEFAULT_POLICIES)
    if settings.sla:
        from deskterm.backend.sla_settings import policies_in_force

        # Written into the store: every process on it, and its due times, follow them.
        in_force = policies_in_force(store.conn, store.sla_policies(), settings.sla)
        store.apply_sla_policies(in_force)
    agent = resolve_agent(store, settings, agent_email, demo=demo)
    first_run = (
        sync_runner is None
        and not store.conn.execute("SELECT EXISTS (SELECT 1 FROM conversations)").fetchone()[0]
    )
    rules = routing_rules(settings)
    if demo:
        # The demo ships a rules file and a lead (its first agent, the one it opens as).
        if not rules:
            rules = demo_rules()
        if not settings.leads:
            settings = settings.model_copy(update={"leads": [DEMO_LEAD]})
    app = DeskApp(
        store,
        settings,
        agent,
        demo=demo,
        clock=store.clock,
        sync_runner=sync_runner,
        live_update_seconds=live_update_seconds,
        lesson=lesson,
        live_demo=live_demo,
    )
    app.first_run = bool(first_run)
    if rules:
        store.set_router(
            Router(rules, reason_of=app.routing_reason, remote=sync_runner is not None)
        )
    return app
