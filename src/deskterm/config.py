"""Settings: one pydantic model read from a TOML file and ``DESKTERM_`` variables.

The file lives at the XDG config path (or wherever ``$DESKTERM_CONFIG`` points). Every
section is optional; a broken file is reported in one line naming the file and the problem,
and deskterm does not start on a half-read configuration.

A variable names a setting in capitals after ``DESKTERM_``, a section's with ``__``
(``DESKTERM_THEME``, ``DESKTERM_GESTURES__WINDOW_DAYS``); a whole section or list is given as
JSON. The environment wins over the file, as in most tools: a variable set for one run
changes that run. (Read here rather than by pydantic-settings, whose import alone was a sixth
of deskterm's start-up.)
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from deskterm import locations
from deskterm.domain.models import BusinessHours, Channel
from deskterm.domain.routing import Rule, RuleError, parse_rules


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line for the user."""


class SLAPolicyConfig(BaseModel):
    """An SLA policy of the settings file. It replaces the store's policy for the same
    channel and group (or of the same name); the store's other policies still apply."""

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


class RefundPolicy(BaseModel):
    """How much of what an order paid an agent may pay back on their own (an inedible dish,
    a double charge). A refund is not goodwill: it is never counted against ``[gestures]``,
    and it is always capped by what the order paid and was not refunded yet."""

    max_per_refund_cents: int = Field(default=0, ge=0)
    """Above this, a lead does the refund; 0 (the default): no cap but the order's total."""


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
    kind: Literal["rt", "zendesk", "email"] | None = None
    url: str | None = None
    subdomain: str | None = None
    #: The Zendesk agent's email, or the mailbox's user name (kind = "email").
    email: str | None = None
    queue: str = "General"  # RT: one queue, or several separated by commas
    sync_seconds: float = 10.0
    # -- a support mailbox (kind = "email"); the password comes from the environment --
    imap_host: str | None = None
    imap_port: int | None = None
    #: tls (the default), starttls, or plain (loopback tests only).
    imap_security: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str | None = None
    #: The folder new mail arrives in (INBOX) and where sent replies are kept (Sent).
    folder: str | None = None
    sent_folder: str | None = None
    #: What happens to a mail once in deskterm: leave (default), seen, or move.
    handled: str | None = None
    handled_folder: str | None = None
    #: The From of replies (default: the user name) and its display name.
    mail_from: str | None = None
    from_name: str | None = None
    #: Added under every reply, after "-- ".
    signature: str | None = None
    #: A certificate authority file to trust (a server with its own certificate).
    ca_file: str | None = None

    #: The identifier of the Zendesk account's public OAuth client for deskterm (not a secret).
    oauth_client_id: str | None = None


class TrackerSettings(BaseModel):
    """Where ``F`` on the problems screen files a problem (None: the report is copied only).

    The token comes from the environment or the keyring, never from this file:
    ``DESKTERM_GITHUB_TOKEN`` or ``DESKTERM_JIRA_TOKEN`` (keyring users ``github:token``,
    ``jira:token``).
    """

    kind: Literal["github", "jira"] | None = None
    #: GitHub: the API's address (https://api.github.com unless Enterprise); Jira: the site.
    url: str | None = None
    #: GitHub: the repository, as owner/name.
    repository: str | None = None
    #: Jira: the project's key, and the issue type problems are filed as.
    project: str | None = None
    issue_type: str = "Bug"
    #: Jira: the account's email (an API token authenticates with it).
    email: str | None = None
    timeout: float = 10.0


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
    #: The shop's time zone: the times customers read (delivery slots) are written in it.
    shop_timezone: str = "Europe/Paris"
    theme: str = "deskterm-dark"
    undo_send_seconds: float = Field(default=5.0, ge=0, le=60)
    auto_advance: bool = True
    shift: bool = False
    """Shift mode, for someone on their monthly support shift: the "Start here" view first,
    the next step spelled out, a confirmation before a reply goes out. Stores nothing."""
    keymap: dict[str, str] = Field(default_factory=dict)
    sla: list[SLAPolicyConfig] = Field(default_factory=list)
    gestures: GesturePolicy = Field(default_factory=GesturePolicy)
    refunds: RefundPolicy = Field(default_factory=RefundPolicy)
    snooze: SnoozeSettings = Field(default_factory=SnoozeSettings)
    commerce: CommerceSettings = Field(default_factory=CommerceSettings)
    remote: RemoteSettings = Field(default_factory=RemoteSettings)
    tracker: TrackerSettings = Field(default_factory=TrackerSettings)
    rules: list[dict[str, Any]] = Field(default_factory=list)
    """Routing rules (``[[rules]]``), in order, first match wins: see
    :mod:`deskterm.domain.routing`."""
    rules_file: Path | None = None
    """A TOML file of ``[[rules]]`` read after the ones written here."""

    @field_validator("timezone", "shop_timezone")
    @classmethod
    def _known_zone(cls, name: str | None) -> str | None:
        if name is None:
            return None
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r} (e.g. Europe/Paris, UTC)") from None
        return name

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
    """Read the settings file (if any) and the environment; raise ConfigError on bad input.

    The default file may be absent; a file named by *path* or ``$DESKTERM_CONFIG`` must exist.
    """
    named = path is not None or bool(os.environ.get("DESKTERM_CONFIG"))
    path = path or locations.config_file()
    data: dict[str, Any] = {}
    if named and not path.is_file():
        raise ConfigError(f"{path}: no such settings file")
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read it ({exc})") from None
    data = _deep_merge(data, from_environment(os.environ))
    data.update(overrides)
    try:
        return Settings(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{path}: {where}: {first['msg']}{more}") from None
