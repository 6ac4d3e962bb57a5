"""Zendesk's macros both ways: its library mirrored into deskterm's, and a macro a lead
publishes in deskterm created or changed in Zendesk's shared library.

- **Pull**: a macro's ``comment_value`` (or ``comment_value_html``) is its body, with the
  placeholders as Zendesk wrote them (deskterm fills Zendesk's names too:
  ``ticket.requester.first_name``…); the actions deskterm knows come along under Zendesk's
  names (status, priority, ``current_tags``, ``remove_tags``, ``assignee_id``
  ``current_user`` as ``me``).
- **Publish**: the same mapping the other way. The placeholders deskterm calls by a name of
  its own and Zendesk knows by another are written Zendesk's way (``customer.first_name``
  → ``ticket.requester.first_name``), so Zendesk's own agents see them filled too, and the
  next pull brings back names deskterm fills. Those Zendesk has no value for (the order, a
  ``{% cursor %}``) are kept as written: deskterm fills them, Zendesk shows nothing there
  (:func:`deskterm_only` names them for the lead). Actions Zendesk cannot hold (a snooze,
  an order action, assigning a named agent) stay in deskterm's copy (:func:`kept_locally`).
- **Who may**: a shared macro is created or changed by a Zendesk role that manages shared
  macros (admins, agents whose custom role allows it); anyone else gets a 403, said in
  words (:func:`publish`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from deskterm.backend.connectors.errors import AuthError, PermanentError
from deskterm.backend.connectors.zendesk_api import ZendeskClient, ZendeskRecord
from deskterm.backend.sync.protocol import MacroPublication, RemoteMacro
from deskterm.domain.macros import merge_actions
from deskterm.domain.models import MacroAction

#: Zendesk's macro action fields deskterm mirrors (its names; ``actions.py`` reads them).
PULLED_FIELDS = {"status", "priority", "current_tags", "remove_tags", "assignee_id"}
#: Zendesk's ticket statuses, as a macro may set them.
ZENDESK_STATUSES = {"new", "open", "pending", "hold", "solved"}
#: deskterm's placeholders Zendesk knows under another name (deskterm fills both).
TO_ZENDESK = {
    "customer.first_name": "ticket.requester.first_name",
    "customer.name": "ticket.requester.name",
    "conversation.id": "ticket.id",
    "agent.first_name": "current_user.first_name",
    "agent.name": "current_user.name",
}
#: The roots of the placeholders Zendesk fills itself.
_ZENDESK_ROOTS = ("ticket.", "current_user.", "satisfaction.", "dc.")
_LIQUID = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_OURS = re.compile(r"(?<![\w.])(" + "|".join(re.escape(name) for name in TO_ZENDESK) + r")(?!\w)")
_PLACEHOLDER = re.compile(r"\{\{-?\s*([A-Za-z_][\w.]*)")
_CURSOR = re.compile(r"\{%-?\s*cursor\s*-?%\}")
#: What a 403 on a shared macro means, in the words the leads' desk shows.
FORBIDDEN = "your Zendesk role may not manage shared macros (403): ask a Zendesk admin"


# -- pull ------------------------------------------------------------------------------------


def pull(client: ZendeskClient) -> list[RemoteMacro]:
    """Every active macro of the account, mapped (see the module docstring)."""
    return [from_zendesk(macro) for macro in client.iter_macros()]


def from_zendesk(macro: ZendeskRecord) -> RemoteMacro:
    """One Zendesk macro as deskterm's library holds it."""
    body = ""
    actions = []
    for a in macro.get("actions") or []:
        field, value = a.get("field"), a.get("value")
        if field in ("comment_value", "comment_value_html"):
            body = value[-1] if isinstance(value, list) else str(value or "")
        elif field in PULLED_FIELDS:
            if field == "assignee_id":
                if value != "current_user":
                    continue  # another account's agent id means nothing here
                value = "me"
            actions.append({"field": field, "value": value})
    return RemoteMacro(str(macro["id"]), str(macro.get("title")), body, actions)


# -- publish ---------------------------------------------------------------------------------


def to_zendesk_body(body: str) -> str:
    """The body with deskterm's names of Zendesk's placeholders written Zendesk's way; only
    inside Liquid's ``{{ }}`` and ``{% %}``, never in the text around them."""
    return _LIQUID.sub(lambda tag: _OURS.sub(lambda m: TO_ZENDESK[m.group(1)], tag.group(0)), body)


def deskterm_only(body: str) -> list[str]:
    """The placeholders of ``body`` Zendesk has no value for (deskterm fills them; Zendesk's
    own agents see nothing there), each once, in order."""
    zendesk = to_zendesk_body(body)
    names = [n for n in _PLACEHOLDER.findall(zendesk) if not n.startswith(_ZENDESK_ROOTS)]
    if _CURSOR.search(zendesk):
        names.append("{% cursor %}")
    return list(dict.fromkeys(names))


def _zendesk_action(raw: Any, action: MacroAction) -> dict[str, Any] | None:
    """One of deskterm's actions as Zendesk's, or None when Zendesk cannot hold it."""
    value = action.value
    if action.field == "status":
        written = str(raw.get("value") if isinstance(raw, dict) else "").strip().lower()
        # hold stays hold (deskterm reads it as pending); done is Zendesk's solved.
        status = written if written in ZENDESK_STATUSES else {"done": "solved"}.get(value, value)
        return {"field": "status", "value": status}
    if action.field == "priority":
        return {"field": "priority", "value": value}
    if action.field == "add_tags":
        return {"field": "current_tags", "value": " ".join(value)}
    if action.field == "remove_tags":
        return {"field": "remove_tags", "value": " ".join(value)}
    if action.field == "assign" and value == "me":
        return {"field": "assignee_id", "value": "current_user"}
    return None  # snooze, order actions, a named agent: deskterm's alone


def _each(actions: Iterable[Any]) -> Iterable[tuple[Any, list[MacroAction]]]:
    for raw in actions:
        yield raw, merge_actions([raw]).actions


def to_zendesk_actions(body: str, actions: Iterable[Any]) -> list[dict[str, Any]]:
    """A macro's actions as Zendesk's, its body as the ``comment_value`` action."""
    out = [
        zendesk
        for raw, read in _each(actions)
        for action in read
        if (zendesk := _zendesk_action(raw, action)) is not None
    ]
    if body.strip():
        out.append({"field": "comment_value", "value": to_zendesk_body(body)})
    return out


def kept_locally(actions: Iterable[Any]) -> list[Any]:
    """The actions (as written) Zendesk cannot hold: they stay in deskterm's copy when the
    pull brings the macro back. An action deskterm cannot read stays too: never dropped."""
    return [
        raw
        for raw, read in _each(actions)
        if not read or any(_zendesk_action(raw, a) is None for a in read)
    ]


def publish(client: ZendeskClient, publication: MacroPublication) -> str:
    """Create the shared macro (POST ``macros.json``) or change the one it came from (PUT
    ``macros/{id}.json``); returns its Zendesk id. A create tried again looks first for the
    one an earlier try may have made (same title and comment), so it is never made twice.
    A change to a macro deleted in Zendesk since (404) creates it again: the lead published
    it to the team.

    Raises:
        PermanentError: refused (a 403 says the role may not manage shared macros);
            TransientError, RateLimited: try again later.
    """
    actions = to_zendesk_actions(publication.body, publication.actions)
    changes: ZendeskRecord = {"title": publication.title, "actions": actions}
    remote = publication.external_id
    try:
        if remote is None and publication.attempts > 1:
            remote = _created_earlier(client, changes)
        if remote is not None and remote.isascii() and remote.isdigit():
            try:
                found = client.update_macro(int(remote), changes)
                return str(found.get("id") or remote)
            except PermanentError as exc:
                if exc.status != 404:
                    raise
                # Deleted in Zendesk since: the lead's decision publishes it, as a new one.
        created = client.create_macro(changes | {"active": True, "restriction": None})
    except PermanentError as exc:
        if exc.status == 403 and not isinstance(exc, AuthError):
            raise PermanentError(FORBIDDEN, status=403) from exc
        raise
    if not created.get("id"):
        raise PermanentError("Zendesk answered without the new macro's id")
    return str(created["id"])


def _created_earlier(client: ZendeskClient, changes: ZendeskRecord) -> str | None:
    """The id of a shared macro an earlier try made (same title, same comment), if any."""
    comment = _comment(changes["actions"])
    for macro in client.iter_macros():
        if (
            macro.get("title") == changes["title"]
            and macro.get("restriction") is None
            and _comment(macro.get("actions") or []) == comment
        ):
            return str(macro["id"])
    return None


def _comment(actions: list[dict[str, Any]]) -> Any:
    return next((a.get("value") for a in actions if a.get("field") == "comment_value"), None)
