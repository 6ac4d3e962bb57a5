"""Colour themes as data: TOML files beside this module, registered with the app at start."""

from __future__ import annotations

import tomllib
from importlib import resources

from textual.theme import Theme

FIELDS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "background",
    "surface",
    "panel",
    "foreground",
)


def load_themes() -> list[Theme]:
    """Every theme shipped with deskterm, in name order."""
    themes = []
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            themes.append(
                Theme(
                    name=data["name"],
                    dark=bool(data.get("dark", True)),
                    **{k: data[k] for k in FIELDS if k in data},
                )
            )
    return themes
