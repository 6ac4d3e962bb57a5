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


async def test_textuals_own_footer_still_keeps_the_keys_it_removed():
    """When this fails, Textual's footer prunes its watchers itself: KeyFooter's re-set of
    ``compact`` can go (its recompose-only-on-change stays useful on its own)."""
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.widgets import Footer, Input

    class Plain(App[None]):
        BINDINGS = [Binding("ctrl+q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield Input(id="a")
            yield Input(id="b")
            yield Footer()

    app = Plain()
    async with app.run_test() as pilot:
        gc.collect()
        earlier = {id(o) for o in gc.get_objects() if isinstance(o, FooterKey)}
        for _ in range(10):
            await pilot.press("tab")  # the focus moves: Textual's footer builds its keys again
            await pilot.pause()
        gc.collect()
        mounted = {id(key) for key in app.screen.query(FooterKey)}
        dead = [
            o
            for o in gc.get_objects()
            if isinstance(o, FooterKey) and id(o) not in mounted and id(o) not in earlier
        ]
        assert len(dead) >= len(mounted), "Textual's footer frees removed keys now"
