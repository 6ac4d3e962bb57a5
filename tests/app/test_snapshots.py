"""The look of the workstation, pinned: three panes, the cheat sheet, narrow, each theme."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from tests.app.conftest import SIZE, settle


async def _ready(pilot) -> None:
    for widget in pilot.app.query(TextArea).results():
        widget.cursor_blink = False
    for widget in pilot.app.screen.query(Input).results():
        widget.cursor_blink = False
    await settle(pilot)


def test_three_panes(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)


def test_composer_with_a_draft(snap_compare, make_app):
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("r", *"Bonjour Léa, désolée pour le pain !")
        await _ready(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_cheat_sheet(snap_compare, make_app):
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("question_mark")
        await _ready(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_narrow_terminal(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_ready)


def test_medium_terminal(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 35), run_before=_ready)


@pytest.mark.parametrize("theme", ["deskterm-dark", "deskterm-light"])
def test_themes(snap_compare, make_app, theme):
    assert snap_compare(make_app(theme=theme), terminal_size=SIZE, run_before=_ready)


def test_snooze_picker(snap_compare, make_app):
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("z", *"tomorrow 9:00")
        await _ready(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_goto_picker(snap_compare, make_app):
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("g")
        await _ready(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
