"""Each change deskterm makes to Textual is still needed, and still fits the code it changes.

deskterm pins Textual exactly (``pyproject.toml``) because ``deskterm.patches.rendering`` and
``deskterm.widgets.key_footer`` change how Textual's internals behave. When a new Textual
fixes a problem upstream, the test for that problem fails here: drop the change, then the test.
When a patched function changes shape, the signature test fails: check the change still
holds before moving the pin.
"""

from __future__ import annotations

import gc
import inspect
import weakref
from importlib.metadata import version

from rich.segment import Segment
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.strip import Strip
from textual.widgets import Footer

from deskterm.patches import TEXTUAL_CHECKED, rendering


def test_the_installed_textual_is_the_one_the_changes_were_checked_against():
    assert version("textual") == TEXTUAL_CHECKED


def test_the_patched_functions_keep_their_signatures():
    divide = inspect.signature(rendering._divide)
    assert list(divide.parameters) == ["self", "cuts"]
    inner_outer = inspect.signature(rendering._inner_outer)
    assert list(inner_outer.parameters) == ["cls", "base_background", "background"]
    assert hasattr(rendering._inner_outer, "__wrapped__")  # still an lru_cache around it
    assert callable(getattr(Footer, "recompose", None))
    assert "compact" in Footer._reactives  # the reactive whose re-set prunes the watchers


def test_textuals_own_divide_still_caches_a_strip_cut_at_its_length_on_itself():
    line = Strip([Segment("Léa Martin")])
    assert rendering._divide(line, [line.cell_length]) == [line]
    cached = line._divide_cache.get((line.cell_length,))
    assert cached is not None and cached[0] is line, (
        "Textual no longer caches [self] on the strip: drop the Strip.divide change"
    )


def test_textuals_own_inner_outer_cache_still_keeps_the_styles_cache():
    cache = StylesCache()
    rendering._inner_outer(cache, Color(1, 2, 3), Color(4, 5, 6))
    gone = weakref.ref(cache)
    del cache
    gc.collect()
    try:
        assert gone() is not None, (
            "Textual's get_inner_outer no longer keeps its instance: drop that change"
        )
    finally:
        rendering._inner_outer.cache_clear()
