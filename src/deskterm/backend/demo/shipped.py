"""What the demo ships besides its store: routing rules and a lead."""

from __future__ import annotations

import tomllib
from importlib import resources

from deskterm.domain.routing import Rule, parse_rules

#: The demo's lead: its first agent (Camille Moreau), the one the demo opens as.
DEMO_LEAD = 1


def demo_rules_text() -> str:
    return resources.files("deskterm.backend.demo").joinpath("rules.toml").read_text("utf-8")


def demo_rules() -> list[Rule]:
    """The demo's routing rules (``rules.toml`` beside this module)."""
    return parse_rules(tomllib.loads(demo_rules_text())["rules"])
