"""Settings: one pydantic-settings model read from a TOML file and ``DESKTERM_`` variables.

The file lives at the XDG config path (or wherever ``$DESKTERM_CONFIG`` points). Every
section is optional; a broken file is reported in one line naming the file and the problem,
and deskterm does not start on a half-read configuration.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from deskterm import locations
from deskterm.models import BusinessHours, Channel


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


class Settings(BaseSettings):
    """Everything a user can set. Each field has a safe default."""

    model_config = SettingsConfigDict(
        env_prefix="DESKTERM_", env_nested_delimiter="__", extra="forbid"
    )

    agent_email: str | None = None
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
    data.update(overrides)
    try:
        return Settings(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{path}: {where}: {first['msg']}{more}") from None
