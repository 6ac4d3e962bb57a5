"""Two changes to Textual's rendering, so that what it drew dies with its last reference.

Both were found measuring the workstation through a morning's worth of keys: the objects
the cycle collector had to walk kept growing, and its full collections with them (12 ms,
then 16, 23, 45, 51 ms over one benchmark run).

- ``Strip.divide`` caches its result on the strip. Cut at its own length — what the
  compositor does for every line that nothing overlaps — the result is ``[self]``, so the
  strip's cache holds the strip: a reference cycle per line ever drawn, which only the cycle
  collector can free. That was most of the workstation's garbage. Here the trivial cut
  returns a new one-item list and caches nothing; every other cut is Textual's own code.
- ``StylesCache.get_inner_outer`` is an ``lru_cache`` of 1,024 entries on a method, so its
  keys hold the instance: the styles caches of up to 1,024 widgets gone long ago (the
  footer's keys, rebuilt at every change of focus), each with every line it last drew. The
  two styles depend on the colours alone; here they are cached on the colours alone.

Each result is the same as Textual's (the tests compare them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.strip import Strip
from textual.style import Style

_divide = Strip.divide
_inner_outer = StylesCache.get_inner_outer


def _divide_without_cycle(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cuts = list(cuts)
    if [cut for cut in cuts if cut <= self.cell_length] == [self.cell_length]:
        return [self]
    return _divide(self, cuts)


@lru_cache(1024)
def _inner_outer_styles(base_background: Color, background: Color) -> tuple[Style, Style]:
    # Textual's own function, under its cache (it never reads the instance).
    return _inner_outer.__wrapped__(None, base_background, background)


def _get_inner_outer(
    self: StylesCache, base_background: Color, background: Color
) -> tuple[Style, Style]:
    return _inner_outer_styles(base_background, background)


def apply() -> None:
    """Install both changes (idempotent)."""
    if Strip.divide is not _divide_without_cycle:
        Strip.divide = _divide_without_cycle  # type: ignore[method-assign]
    if StylesCache.get_inner_outer is not _get_inner_outer:
        StylesCache.get_inner_outer = _get_inner_outer  # type: ignore[method-assign,assignment]
        _inner_outer.cache_clear()  # what it held until now
