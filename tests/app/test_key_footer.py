"""The footer follows the focus, and keeps nothing of the keys it showed before."""

from __future__ import annotations

import gc

from textual.widgets._footer import FooterKey

from deskterm.widgets.key_footer import KeyFooter
from tests.app.conftest import SIZE, settle


def footer_keys(app) -> list[str]:
    footer = app.screen.query_one(KeyFooter)
    return [key.description for key in footer.query(FooterKey)]


async def test_the_footer_shows_the_keys_of_the_focused_pane(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        in_inbox = footer_keys(app)
        assert "Search" in in_inbox
        await pilot.press("r")  # the composer: its own keys
        await settle(pilot)
        composing = footer_keys(app)
        assert composing != in_inbox
        assert any("Send" in description for description in composing)
        await pilot.press("escape")
        await settle(pilot)
        assert footer_keys(app) == in_inbox


async def test_moving_the_focus_leaves_no_dead_keys_behind(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gc.collect()
        earlier = {id(o) for o in gc.get_objects() if isinstance(o, FooterKey)}  # other apps'
        for _ in range(15):
            await pilot.press("slash")  # the search box: other keys in the footer
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
        await settle(pilot)
        gc.collect()
        mounted = {id(key) for key in app.screen.query(FooterKey)}
        dead = [
            o
            for o in gc.get_objects()
            if isinstance(o, FooterKey) and id(o) not in mounted and id(o) not in earlier
        ]
        # Textual's footer kept every key it ever removed (15 rounds: hundreds).
        assert len(dead) < len(mounted)
