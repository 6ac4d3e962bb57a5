"""What the fake Zendesk does when a macro is created or changed.

As recorded (``tests/fixtures/zendesk/macro_create_update.json``): ``POST macros.json``
answers 201 with the whole macro (``active`` true and ``restriction`` null unless given;
the ``location`` header, which deskterm does not read, is left out); ``PUT
macros/{id}.json`` changes only the fields given (``actions`` replaces them all) and answers
200 with the whole macro; a missing macro is a 404 ``RecordNotFound``.

As documented (Zendesk's macro reference: ``title`` and ``actions`` are mandatory, a null
``restriction`` is a macro for every agent), not recorded: a macro without a title or
actions is a 422 ``RecordInvalid``; a shared macro (no restriction) is created or changed
only by an admin, or an agent when ``agents_manage_shared_macros`` is set (a custom role
that allows it); anyone else gets the 403 of ``records.forbidden``. An agent may still
make a macro of their own (``restriction`` ``{"type": "User", "id": <their id>}``).
"""

from __future__ import annotations

from typing import Any

from tests.fakes.zendesk.account import ZendeskAccount
from tests.fakes.zendesk.records import ApiError, forbidden, iso, not_found, record_invalid

_FIELDS = ("title", "actions", "active", "description", "restriction", "position")


def _macro_payload(payload: Any) -> dict[str, Any]:
    data = payload.get("macro") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise ApiError(400, {"error": "InvalidParameter", "description": "macro is required"})
    return data


def _validate(data: dict[str, Any], *, creating: bool) -> None:
    if creating or "title" in data:
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            raise record_invalid("title", "Title: cannot be blank", "BlankValue")
    if creating or "actions" in data:
        actions = data.get("actions")
        if (
            not isinstance(actions, list)
            or not actions
            or not all(isinstance(a, dict) and "field" in a for a in actions)
        ):
            raise record_invalid("actions", "Actions: cannot be blank", "BlankValue")


def _may_manage(account: ZendeskAccount, actor: dict[str, Any], restriction: Any) -> None:
    """Shared macros are the admins' (and agents' whose role allows it); a personal one is
    its owner's."""
    if actor["role"] == "admin" or account.agents_manage_shared_macros:
        return
    own = isinstance(restriction, dict) and restriction.get("type") == "User"
    if own and restriction.get("id") == actor["id"]:
        return
    raise forbidden()


def create(account: ZendeskAccount, actor: dict[str, Any], payload: Any) -> dict[str, Any]:
    """``POST macros.json``: the macro as created."""
    data = _macro_payload(payload)
    _validate(data, creating=True)
    _may_manage(account, actor, data.get("restriction"))
    macro = account.add_macro(
        data["title"],
        data["actions"],
        active=bool(data.get("active", True)),
        description=data.get("description"),
        restriction=data.get("restriction"),
    )
    return {"macro": dict(macro)}


def update(
    account: ZendeskAccount, actor: dict[str, Any], macro_id: int, payload: Any
) -> dict[str, Any]:
    """``PUT macros/{id}.json``: the fields given, changed; the whole macro back."""
    data = _macro_payload(payload)
    with account.lock:
        macro = account.macros.get(macro_id)
        if macro is None:
            raise not_found()
        _validate(data, creating=False)
        _may_manage(account, actor, macro["restriction"])
        for name in _FIELDS:
            if name in data:
                macro[name] = [dict(a) for a in data[name]] if name == "actions" else data[name]
        macro["raw_title"] = macro["title"]
        macro["updated_at"] = iso(account.now_ts())
        return {"macro": dict(macro)}
