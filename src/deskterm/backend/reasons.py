"""The reason tag of a customer's text: the tag the macro the suggester ranks first would
add, when the suggester is confident (see :func:`deskterm.domain.routing.confident_reason`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from deskterm.backend.store import Store
from deskterm.domain.models import Macro
from deskterm.domain.routing import confident_reason
from deskterm.domain.suggest import MacroSuggester, Suggests


def reason_tags(macros: Sequence[Macro]) -> dict[int, str]:
    """Each macro's first added tag (macros that add none have no reason)."""
    found: dict[int, str] = {}
    for m in macros:
        for action in m.actions:
            if action.field == "add_tags":
                value = action.value
                tags = value.replace(",", " ").split() if isinstance(value, str) else list(value)
                if tags:
                    found[m.id] = tags[0]
                    break
    return found


def reasons_from(suggester: Suggests, macros: Sequence[Macro]) -> Callable[[str], str | None]:
    """A text's reason by *suggester*, over *macros*' tags."""
    tags = reason_tags(macros)
    return lambda text: confident_reason(suggester.suggest(text, k=5), tags)


def reason_finder(store: Store) -> Callable[[str], str | None]:
    """A suggester over the store's shared macros and their past uses (a second at 1M)."""
    macros = store.macros(None)
    suggester = MacroSuggester(
        macros=[(m.id, m.title, "\n".join([m.body, *m.variants.values()])) for m in macros]
    )
    for macro_id, text in store.macro_examples():
        suggester.add_example(macro_id, text)
    return reasons_from(suggester, macros)
