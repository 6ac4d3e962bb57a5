"""The SLA policies in force: the store's, with the settings file's ``[[sla]]`` over them.

A policy of the file replaces the store's policy for the same channel and group (or of the
same name); the store's other policies still apply. Read by the workstation (which writes the
result into the store, so every due time follows it) and by ``deskterm report`` (which only
reads).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from deskterm.config import ConfigError, SLAPolicyConfig
from deskterm.domain.models import SLAPolicy
from deskterm.domain.sla import merge_policies


def policies_in_force(
    conn: sqlite3.Connection, stored: Sequence[SLAPolicy], configured: Sequence[SLAPolicyConfig]
) -> list[SLAPolicy]:
    """*stored* with *configured* over them; ConfigError naming a group the store lacks."""
    if not configured:
        return list(stored)
    groups = {name: gid for gid, name in conn.execute("SELECT id, name FROM groups")}
    converted = []
    for n, policy in enumerate(configured):
        group_id = None
        if policy.group is not None:
            group_id = groups.get(policy.group)
            if group_id is None:
                known = ", ".join(sorted(groups)) or "none"
                raise ConfigError(
                    f"sla {policy.name!r}: no group {policy.group!r} in the store (groups: {known})"
                )
        converted.append(
            SLAPolicy(
                id=-1 - n,
                name=policy.name,
                channel=policy.channel,
                group_id=group_id,
                first_response_minutes=policy.first_response_minutes,
                next_response_minutes=policy.next_response_minutes,
                business_hours=policy.business_hours,
            )
        )
    return merge_policies(stored, converted)
