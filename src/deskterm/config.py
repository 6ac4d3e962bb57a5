"""Settings: one pydantic model read from a TOML file and ``DESKTERM_`` variables.

The file lives at the XDG config path (or wherever ``$DESKTERM_CONFIG`` points). Every
section is optional; a broken file is reported in one line naming the file and the problem,
and deskterm does not start on a half-read configuration.

A variable names a setting in capitals after ``DESKTERM_``, a section's with ``__``
(``DESKTERM_THEME``, ``DESKTERM_GESTURES__WINDOW_DAYS``); a whole section or list is given as
JSON. The file wins over the environment. (Read here rather than by pydantic-settings, whose
import alone was a sixth of deskterm's start-up.)
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from deskterm import locations
from deskterm.domain.models import BusinessHours, Channel
from deskterm.domain.routing import Rule, RuleError, parse_rules


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line for the user."""


class SLAPolicyConfig(BaseModel):
    name: str
    channel: Channel | None = None
    group: str | None = None
    first_response_minutes: int = Field(gt=0)
    next_response_minutes: int = Field(gt=0)
    business_hours: BusinessHours | None = None


class GesturePolicy(BaseModel):
    """How much goodwill an agent may give without a lead's approval."""

    max_per_gesture_cents: int = 1000
    max_per_customer_cents: int = 3000
    window_days: int = 90
    currency: str = "EUR"


class SnoozeSettings(BaseModel):
    morning: str = "09:00"
    evening: str = "18:00"


class CommerceSettings(BaseModel):
    """Where one-key order actions go: the store itself, or the shop's HTTP endpoints."""

    provider: Literal["store", "http"] = "store"
    base_url: str | None = None
    token_env: str = "DESKTERM_SHOP_TOKEN"
    timeout: float = 5.0


class RemoteSettings(BaseModel):
    kind: Literal["rt", "zendesk"] | None = None
    url: str | None = None
    subdomain: str | None = None
    email: str | None = None
    queue: str = "General"
    sync_seconds: float = 10.0


#: The prefix of the variables that set a setting.
ENV_PREFIX = "DESKTERM_"


class Settings(BaseModel):
    """Everything a user can set. Each field has a safe default."""

    model_config = ConfigDict(extra="forbid")

    agent_email: str | None = None
    leads: list[int | str] = Field(default_factory=list)
    """The team leads, by agent id or email: they see every agent's figures and approve
    gestures and macro proposals in the leads' view (``g l``)."""
    timezone: str | None = None
    theme: str = "deskterm-dark"
    undo_send_seconds: float = Field(default=5.0, ge=0, le=60)
    auto_advance: bool = True
    keymap: dict[str, str] = Field(default_factory=dict)
    sla: list[SLAPolicyConfig] = Field(default_factory=list)
    gestures: GesturePolicy = Field(default_factory=GesturePolicy)
    snooze: SnoozeSettings = Field(default_factory=SnoozeSettings)
    commerce: CommerceSettings = Field(default_factory=CommerceSettings)
    remote: RemoteSettings = Field(default_factory=RemoteSettings)
    rules: list[dict[str, Any]] = Field(default_factory=list)
    """Routing rules (``[[rules]]``), in order, first match wins: see
    :mod:`deskterm.domain.routing`."""
    rules_file: Path | None = None
    """A TOML file of ``[[rules]]`` read after the ones written here."""

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        parse_rules(value)  # an unknown field or action is refused with its name
        return value


def routing_rules(settings: Settings) -> list[Rule]:
    """The settings' rules, then the rules file's; raises ConfigError in one line."""
    raw = list(settings.rules)
    if settings.rules_file is not None:
        path = settings.rules_file.expanduser()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        unknown = sorted(set(data) - {"rules"})
        if unknown:
            raise ConfigError(f"{path}: unknown key {unknown[0]!r} (only [[rules]])")
        raw += data.get("rules", [])
        try:
            return parse_rules(raw)
        except RuleError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    try:
        return parse_rules(raw)
    except RuleError as exc:
        raise ConfigError(str(exc)) from None


def is_lead(settings: Settings, agent_id: int | None, email: str | None) -> bool:
    """Whether the agent (by id or email) is one of the settings' leads."""
    for lead in settings.leads:
        if isinstance(lead, int) and lead == agent_id:
            return True
        if isinstance(lead, str) and email and lead.strip().lower() == email.strip().lower():
            return True
    return False


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings the ``DESKTERM_`` variables give, as nested values for the model.

    Variables that name no setting are left alone (``DESKTERM_CONFIG``, tokens, ...).
    """
    found: dict[str, Any] = {}
    for name, value in sorted(environ.items()):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        path = name[len(ENV_PREFIX) :].lower().split("__")
        if path[0] not in Settings.model_fields or not all(path):
            continue
        if len(path) == 1 and _is_structured(path[0]):
            try:
                found[path[0]] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"${name}: not JSON ({exc.msg})") from None
            continue
        place = found
        for key in path[:-1]:
            inner = place.get(key)
            if not isinstance(inner, dict):
                inner = place[key] = {}
            place = inner
        place[path[-1]] = value
    return found


def _is_structured(field: str) -> bool:
    """A setting given as a table or list in the file (JSON in a variable)."""
    default = Settings.model_fields[field].get_default(call_default_factory=True)
    return isinstance(default, BaseModel | dict | list)


def _deep_merge(under: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(under)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load(path: Path | None = None, **overrides: Any) -> Settings:
    """Read the settings file (if any) and the environment; raise ConfigError on bad input."""
    path = path or locations.config_file()
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read it ({exc})") from None
    data = _deep_merge(from_environment(os.environ), data)
    data.update(overrides)
    try:
        return Settings(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{path}: {where}: {first['msg']}{more}") from None
