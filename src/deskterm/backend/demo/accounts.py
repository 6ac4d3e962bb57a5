"""The shop's side of the demo's customers: who subscribes (and who paused), where they live,
the promo codes they used, the app they last opened, and who brings today's orders.

What a customer writes about is true of their account: the code they say was refused is in
their promo codes, the version their bug happened on is the one last seen, someone asking
to pause has a subscription that is running, and the order someone gave a new address for
goes there once an agent answered (until then it still goes to the old one, in the same
city). The records are written once the
conversations are, with a random source of their own, so the rest of the demo is the same
as without them (``store_accounts.py`` reads them).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from random import Random
from typing import Any

from deskterm.backend.commerce.store_accounts import ACCOUNTS, DELIVERIES
from deskterm.backend.demo import catalog as cat
from deskterm.backend.demo.threads import NEW, OPEN_FIRST
from deskterm.backend.demo.timing import DAY

#: Rows per insert: the accounts of a million-conversation demo stay a flat amount of memory.
CHUNK = 20_000
COURIERS = ("Karim", "Sofia", "Mehdi", "Lucas", "Inès", "Yanis", "Chloé", "Moussa", "Jade")
PLANS = {
    "fr": ("Popote Hebdo, 4 repas", "Popote Hebdo, 6 repas", "Popote Duo, 4 repas"),
    "en": ("Popote Weekly, 4 meals", "Popote Weekly, 6 meals", "Popote Duo, 4 meals"),
}
POSTCODES = {
    "Paris": [f"750{n:02d}" for n in range(1, 21)],
    "Lyon": [f"6900{n}" for n in range(1, 10)],
}
#: Fates of a conversation no agent has answered yet.
UNANSWERED = (NEW, OPEN_FIRST)
#: What the shop answered to a code, and how often.
PROMO_RESULTS = (("applied", 0.85), ("expired", 0.1), ("invalid", 0.05))


def _iso(t: float) -> str:
    return datetime.fromtimestamp(int(t), UTC).isoformat()


class Heard:
    """What the demo's conversations say of each customer's account, the latest last."""

    def __init__(self) -> None:
        self.said: dict[int, dict[str, Any]] = {}
        #: Orders an agent already sent to a new address: order id -> address.
        self.moved: dict[int, str] = {}

    def note(
        self,
        customer: int,
        topic: str,
        fate: str,
        slots: dict[str, Any],
        at: int,
        order_id: int | None,
    ) -> None:
        """Remember what a conversation about ``topic`` (ending in ``fate``, about order
        ``order_id``) tells of its customer's account."""
        if topic == "wrong-address":
            self.said.setdefault(customer, {})["city"] = slots["city"]
            if order_id is not None and fate not in UNANSWERED:
                self.moved[order_id] = f"{slots['number']} {slots['street']}, {slots['city']}"
        elif topic == "promo-code":
            used = {"code": slots["code"], "used_at": _iso(at - 600), "result": "expired"}
            self.said.setdefault(customer, {}).setdefault("promos", []).append(used)
        elif topic == "bug":
            app = {"version": slots["version"], "platform": slots["device"], "seen_at": _iso(at)}
            self.said.setdefault(customer, {})["app"] = app
        elif topic in ("subscription-pause", "subscription-info"):
            # Someone still waiting to pause is subscribed; an old request was done.
            paused = topic == "subscription-pause" and fate == "done"
            self.said.setdefault(customer, {})["subscription"] = "paused" if paused else "active"


def _account(rng: Random, now: int, language: str, said: dict[str, Any]) -> dict[str, Any]:
    city = rng.choice(cat.CITIES)
    city = said.get("city", city)  # the random source moves on the same either way
    address = (
        f"{rng.randint(1, 140)} {rng.choice(cat.STREETS[city])}, "
        f"{rng.choice(POSTCODES[city])} {city}"
    )
    roll = rng.random()
    state = said.get("subscription") or (
        "active" if roll < 0.3 else "paused" if roll < 0.38 else "none"
    )
    record: dict[str, Any] = {"address": address}
    if state != "none":
        record["subscription"] = {
            "state": state,
            "plan": rng.choice(PLANS[language]),
            "weekday": rng.randrange(5),
            "hour": rng.choice((12, 19)),
        }
    promos = []
    for code in rng.sample(cat.PROMO_CODES, min(3, int(rng.expovariate(1.2)))):
        pick, result = rng.random(), "applied"
        for name, share in PROMO_RESULTS:
            if pick < share:
                result = name
                break
            pick -= share
        promos.append(
            {"code": code, "used_at": _iso(now - rng.uniform(3, 300) * DAY), "result": result}
        )
    promos.extend(said.get("promos", ()))
    if promos:
        record["promo_codes"] = promos
    if rng.random() < 0.75 or "app" in said:
        record["app"] = said.get("app") or {
            "version": rng.choice(cat.APP_VERSIONS),
            "platform": rng.choice(cat.DEVICES),
            "seen_at": _iso(now - rng.uniform(0, 20) * DAY),
        }
    return record


def write_accounts(
    conn: sqlite3.Connection, rng: Random, now: int, languages: Sequence[str], heard: Heard
) -> None:
    """Every customer's account (``languages[i]``: customer ``i + 1``'s), then a courier for
    each order the kitchen or a courier has now, in the caller's open transaction."""
    rows: list[tuple[str, str, str]] = []
    for index, language in enumerate(languages):
        cid = index + 1
        record = _account(rng, now, language, heard.said.get(cid, {}))
        rows.append((ACCOUNTS, str(cid), json.dumps(record, ensure_ascii=False)))
        if len(rows) >= CHUNK:
            _insert(conn, rows)
    live = conn.execute(
        "SELECT id FROM orders WHERE status IN ('preparing', 'out_for_delivery') ORDER BY id"
    ).fetchall()
    deliveries: dict[int, dict[str, str]] = {
        oid: {"address": address} for oid, address in heard.moved.items()
    }
    for (oid,) in live:
        deliveries.setdefault(oid, {})["courier"] = rng.choice(COURIERS)
    for oid, record in sorted(deliveries.items()):
        rows.append((DELIVERIES, str(oid), json.dumps(record, ensure_ascii=False)))
    _insert(conn, rows)


def _insert(conn: sqlite3.Connection, rows: list[tuple[str, str, str]]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO sync_state(connector, key, value) VALUES (?, ?, ?)", rows
    )
    rows.clear()
