"""Who RT's users are: their real names, addresses and languages, read once per user.

RT refers to requestors and agents by user name (an email address for requestors created by
mail, a login for agents). The names shown in deskterm are RT's ``RealName`` and
``EmailAddress``; the customer's language is RT's ``Lang`` where it is set. Each user is
looked up once per connector (histories are read side by side, hence the lock).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from deskterm.backend.connectors.errors import PermanentError
from deskterm.backend.connectors.rt_api import RTClient
from deskterm.backend.sync.protocol import RemoteAgent, RemoteCustomer

#: The language of a customer RT knows none for.
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Person:
    """One RT user as deskterm shows them."""

    name: str
    real_name: str | None
    email: str | None
    language: str | None


class People:
    """RT's users, read on first sight and kept for the connector's life."""

    def __init__(self, client: RTClient) -> None:
        self._client = client
        self._known: dict[str, Person] = {}
        self._lock = threading.Lock()

    def person(self, name: str) -> Person:
        """The user called ``name`` (a login or an address); a user RT does not have (or
        will not show) is the name alone."""
        with self._lock:
            known = self._known.get(name)
        if known is not None:
            return known
        try:
            record = self._client.get_user(name)
        except PermanentError:
            record = {}
        person = Person(
            name=name,
            real_name=str(record.get("RealName") or "").strip() or None,
            email=str(record.get("EmailAddress") or "").strip() or None,
            language=_language(record.get("Lang")),
        )
        with self._lock:
            self._known[name] = person
        return person

    def customer(self, name: str) -> RemoteCustomer:
        """A requestor as a customer, keyed by their RT user name."""
        person = self.person(name)
        email = person.email or (name if "@" in name else None)
        return RemoteCustomer(
            external_id=name,
            name=person.real_name or email or name,
            email=email,
            language=person.language or DEFAULT_LANGUAGE,
        )

    def agent(self, name: str) -> RemoteAgent:
        """An RT user acting as an agent (an owner, the author of a reply or a note)."""
        person = self.person(name)
        return RemoteAgent(name, person.real_name or name, person.email)


def _language(value: object) -> str | None:
    """RT's ``Lang`` (``fr``, ``pt-br``, ``fr_FR``…) as deskterm's two-letter language."""
    text = str(value or "").strip().lower().replace("_", "-")
    primary = text.split("-")[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
