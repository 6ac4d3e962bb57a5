"""The metrics screen: opened from the workstation, keys change period and breakdown, escape
goes back; pinned as snapshots on the demo helpdesk; the header's live median."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from deskterm.app import create_app
from deskterm.backend.demo import generate_demo
from deskterm.backend.store import Store
from deskterm.screens.metrics import MetricsScreen
from deskterm.screens.workstation import WorkstationScreen
from deskterm.widgets.status_bar import StatusBar
from tests.app.conftest import SIZE, quiet_settings, settle
from tests.conftest import T0, Clock


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    generate_demo(path, conversations=300, seed=7, now=T0)
    return path


@pytest.fixture
def demo_app(demo_file: Path, tmp_path: Path) -> Iterator:
    # A copy per test: the app writes (presence, read marks) and snapshots must not drift.
    path = tmp_path / "demo.db"
    path.write_bytes(demo_file.read_bytes())
    store = Store(path, clock=Clock())
    app = create_app(store, quiet_settings(), demo=True, clock=Clock())
    yield app
    store.close()


async def _metrics_ready(pilot) -> None:
    for widget in pilot.app.query(TextArea).results():
        widget.cursor_blink = False
    for widget in pilot.app.screen.query(Input).results():
        widget.cursor_blink = False
    await settle(pilot)
    await pilot.press("M")
    await settle(pilot)


def test_metrics_screen(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(120, 35), run_before=_metrics_ready)


def test_metrics_screen_narrow(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=_metrics_ready)


def test_metrics_screen_30_days_by_tag(snap_compare, demo_app):
    async def run_before(pilot):
        await _metrics_ready(pilot)
        await pilot.press("3", "b", "b", "b")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


async def test_keys_choose_period_and_breakdown_and_escape_goes_back(demo_app):
    async with demo_app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, MetricsScreen) and screen.settled
        assert screen.report is not None and screen.report.by == "channel"
        week = screen.report
        assert (week.until - week.since).days == 6
        await pilot.press("1")
        await settle(pilot)
        assert screen.report.since == screen.report.until == T0.date()
        assert screen.report.overall.conversations < week.overall.conversations
        await pilot.press("b")
        await settle(pilot)
        assert screen.report.by == "group"
        await pilot.press("B", "B")
        await settle(pilot)
        assert screen.report.by == "hour"
        assert all(f.label.endswith("h") for f in screen.report.rows)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, WorkstationScreen)


async def test_header_shows_today_median_first_response(make_app, desk_store, clock):
    from datetime import timedelta

    from deskterm.domain.models import AuthorKind

    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = pilot.app.screen.query_one(StatusBar)
        # The small desk's one answered conversation was answered at once.
        assert status.median_first_response == "0s"
        clock.advance(minutes=7)
        store.add_message(
            ids["ana"], author_kind=AuthorKind.AGENT, author_id=ids["camille"], body="Not spicy"
        )
        pilot.app.screen.poll_median()  # what the 30 s timer does
        await settle(pilot)
        # Ana waited 7 + 50 - 8 minutes; the other 0 s: the median is the mean of both.
        ana = store.conversation(ids["ana"])
        waited = (ana.first_response_at - ana.created_at) / timedelta(seconds=1)
        from deskterm.domain.stats import format_duration

        assert status.median_first_response == format_duration(waited / 2)


async def test_metrics_is_in_the_palette_and_remappable(make_app):
    from deskterm import keymap
    from deskterm.app.palette import DeskCommands

    assert keymap.check_keymap({"desk.metrics": "f7", "metrics.breakdown": "tab"})
    app = make_app(keymap={"desk.metrics": "f7"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        provider = DeskCommands(pilot.app.screen)
        entries = {name: help_text for name, help_text, _ in provider._entries()}
        assert entries["Metrics"] == "key: f7"
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MetricsScreen)


async def test_the_palette_finds_actions_with_or_without_accents(make_app):
    from deskterm.app.palette import DeskCommands

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        provider = DeskCommands(pilot.app.screen)
        found = [str(hit.match_display) async for hit in provider.search("MÉTRI")]
        assert "Metrics" in found
        found = [str(hit.match_display) async for hit in provider.search("metri")]
        assert "Metrics" in found


async def _agents_shown(app) -> list[int]:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, MetricsScreen) and screen.settled
        report = screen.report
        assert report is not None and len(report.agents) > 3
        team = screen.team
        assert team is not None and team.team_response_median == report.overall.response_median
        return [a.agent_id for a in team.agents]


async def test_a_lead_sees_every_agent_and_an_agent_themself_and_the_team(
    demo_file: Path, tmp_path: Path
):
    path = tmp_path / "demo.db"
    path.write_bytes(demo_file.read_bytes())
    store = Store(path, clock=Clock())
    try:
        lead = create_app(store, quiet_settings(leads=[1]), clock=Clock())
        assert len(await _agents_shown(lead)) > 3
        paul = create_app(store, quiet_settings(agent_email="paul@popote.example"), clock=Clock())
        assert paul.agent.id == 2
        assert await _agents_shown(paul) == [2]
    finally:
        store.close()
