"""Textual's ``Strip.divide``, without the reference cycle of a strip cut at its own length."""

from __future__ import annotations

import gc

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from deskterm.patches import rendering


def strip() -> Strip:
    return Strip([Segment("Léa ", Style(bold=True)), Segment("Martin", Style()), Segment(" ★")])


def test_a_strip_cut_at_its_own_length_is_freed_without_the_cycle_collector():
    rendering.apply()
    gc.collect()
    gc.disable()
    try:
        line = strip()
        assert line.divide([line.cell_length]) == [line]
        assert line.divide([line.cell_length, line.cell_length + 5]) == [line]
        del line
        assert gc.collect() == 0  # nothing was left for the collector
    finally:
        gc.enable()


def test_every_other_cut_is_textuals_own():
    rendering.apply()
    line = strip()
    original = rendering._divide
    for cuts in ([3], [4, line.cell_length], [2, 7, line.cell_length], [1, 2, 3, 4]):
        ours = [s.text for s in line.divide(cuts)]
        assert ours == [s.text for s in original(strip(), cuts)]


def test_applying_twice_changes_nothing():
    rendering.apply()
    installed = Strip.divide
    rendering.apply()
    assert Strip.divide is installed


def test_a_widgets_styles_cache_is_not_kept_by_the_colour_cache():
    import weakref

    from textual._styles_cache import StylesCache
    from textual.color import Color

    rendering.apply()
    cache = StylesCache()
    base, background = Color(10, 20, 30), Color(200, 100, 0, 0.5)
    assert cache.get_inner_outer(base, background) == rendering._inner_outer(
        StylesCache(), base, background
    )
    gone = weakref.ref(cache)
    del cache
    gc.collect()
    assert gone() is None
