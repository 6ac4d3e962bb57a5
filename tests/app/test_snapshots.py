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


def pressing(*keys: str):
    """A ``run_before`` that presses ``keys`` on the settled app, then settles again."""

    async def run_before(pilot) -> None:
        await _ready(pilot)
        await pilot.press(*keys)
        await _ready(pilot)

    return run_before


def test_three_panes(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)


def test_composer_with_a_draft(snap_compare, make_app):
    run_before = pressing("r", *"Bonjour Léa, désolée pour le pain !")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_cheat_sheet(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing("question_mark"))


def test_narrow_terminal(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_ready)


def test_medium_terminal(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 35), run_before=_ready)


@pytest.mark.parametrize("theme", ["deskterm-dark", "deskterm-light"])
def test_themes(snap_compare, make_app, theme):
    assert snap_compare(make_app(theme=theme), terminal_size=SIZE, run_before=_ready)


def test_snooze_picker(snap_compare, make_app):
    run_before = pressing("z", *"tomorrow 9:00")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_goto_picker(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing("g"))


# -- every modal and flow, each on the demo's most urgent conversation ---------------------


def test_macro_picker_with_its_preview(snap_compare, make_app):
    run_before = pressing("m", *"retard")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_tag_picker_offering_a_new_tag(snap_compare, make_app):
    run_before = pressing("t", *"late")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_assign_picker(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing("a"))


def test_priority_picker(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing("p"))


def test_order_action_confirm(snap_compare, make_app):
    run_before = pressing("f3", "d")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_goodwill_amount_prompt(snap_compare, make_app):
    run_before = pressing("f3", "g")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_search_box_with_results(snap_compare, make_app):
    run_before = pressing("slash", *"pain")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_command_palette(snap_compare, make_app):
    run_before = pressing("ctrl+p", *"metri")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_narrow_terminal_writing_a_reply(snap_compare, make_app):
    run_before = pressing("r", *"Bonjour !")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_narrow_terminal_customer_pane(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=pressing("f3"))
