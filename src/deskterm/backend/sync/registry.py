"""Finding connectors: the ``deskterm.connectors`` entry point group.

Names are listed from the installed packages' metadata without importing anything, so a
broken third-party connector cannot stop deskterm from starting; only the one asked for is
imported.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import cast

from deskterm.backend.sync.protocol import Connector

GROUP = "deskterm.connectors"


class UnknownConnector(LookupError):
    """No connector of that name is installed; the message lists the installed ones."""


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def available() -> list[str]:
    """The names of the installed connectors, sorted."""
    return sorted(_entry_points())


def load(name: str) -> type[Connector]:
    """The connector class registered as ``name``.

    Raises:
        UnknownConnector: nothing of that name is installed (the message names those that
            are), or it cannot be imported.
    """
    found = _entry_points().get(name)
    if found is None:
        installed = ", ".join(available()) or "none"
        raise UnknownConnector(f"No helpdesk connector named {name!r} (installed: {installed})")
    try:
        loaded = found.load()
    except Exception as exc:  # a broken plugin is the user's problem to see in one line
        raise UnknownConnector(
            f"The {name!r} connector ({found.value}) cannot be loaded: {exc}"
        ) from exc
    return cast("type[Connector]", loaded)
