"""Each day's figures kept in the store, so that a month's report reads thirty digests
instead of folding hundreds of thousands of waits again.

A **digest** is the :class:`~deskterm.backend.metrics.fold.Fold` of the waits that started
on one local day and have ended (answered, or closed without a reply): nothing in it depends
on the clock. Waits still open are folded at each report. A digest is kept per time zone,
breakdown and SLA policies (their fingerprint), with the **generations** of the UTC days the
local day covers: triggers count a day's generation up whenever one of its waits is written
again or the conversation it belongs to changes channel, group, assignee or tags (see
:mod:`deskterm.backend.schema_reports`), so a digest whose generations still match holds
exactly what folding the day again would give. Everything is read in one read transaction,
so a digest is stamped with the generations of the very waits it folded.

The digests are a cache: the store's data never depends on them, a store opened read-only
(or an older one without the tables) reports by folding every wait, and writing them is
skipped, with a line in the log, when the store is busy or cannot be written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date

from deskterm.backend.metrics.fold import DayPart, Fold, Tally

log = logging.getLogger(__name__)

#: Bumped when what a digest holds changes: digests of another version are folded again.
DIGEST_VERSION = 4
DAY = 86400
#: A row to keep: (time zone, local day, breakdown, policies' fingerprint, generations, body).
DigestRow = tuple[str, str, str, str, str, bytes]


def fingerprint(policies: Sequence[object]) -> str:
    """What the SLA policies are, in a few characters (digests of other policies are stale)."""
    text = f"{DIGEST_VERSION}|" + "|".join(repr(p) for p in policies)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def has_digests(conn: sqlite3.Connection) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'report_digests'"
        ).fetchone()
    )


def generations(conn: sqlite3.Connection, first_day: int, last_day: int) -> dict[int, int]:
    """The generation of each UTC day (epoch days) between the two, both included."""
    return dict(
        conn.execute(
            "SELECT day, generation FROM report_days WHERE day >= ? AND day <= ?",
            (first_day, last_day),
        ).fetchall()
    )


def stamp(gens: dict[int, int], start: int, end: int) -> str:
    """The generations of the UTC days a local day ``[start, end)`` covers."""
    return ".".join(str(gens.get(d, 0)) for d in range(start // DAY, (end - 1) // DAY + 1))


def kept(
    conn: sqlite3.Connection, tz: str, by: str, rules: str, days: Sequence[date]
) -> dict[str, tuple[str, bytes]]:
    """The digests kept for these days: local day → (generations, body)."""
    if not days:
        return {}
    return {
        day: (gens, body)
        for day, gens, body in conn.execute(
            "SELECT day, generations, body FROM report_digests "
            "WHERE tz = ? AND by = ? AND rules = ? AND day >= ? AND day <= ?",
            (tz, by, rules, min(days).isoformat(), max(days).isoformat()),
        )
    }


class _Packer:
    """Tallies as JSON counts, their durations as one run of doubles after the JSON."""

    def __init__(self) -> None:
        self.runs: list[bytes] = []

    def tally(self, t: Tally) -> list[int]:
        first, every = array("d", sorted(t.first)), array("d", sorted(t.every))
        self.runs += [first.tobytes(), every.tobytes()]
        return [*t.counts(), len(first), len(every)]


class _Unpacker:
    def __init__(self, doubles: bytes) -> None:
        self.doubles = doubles
        self.at = 0

    def run(self, n: int) -> array[float]:
        values = array("d")
        values.frombytes(self.doubles[self.at : self.at + 8 * n])
        self.at += 8 * n
        return values

    def tally(self, packed: list[int]) -> Tally:
        first = self.run(packed[7])
        return Tally.of(packed[:7], first, self.run(packed[8]))


def pack(fold: Fold, day: date) -> bytes:
    """One day's fold as a digest's body (its day's tally is its overall one): the length
    of a JSON header, the header, then the durations."""
    part = fold.days.get(day, DayPart())
    packer = _Packer()
    header = {
        "overall": packer.tally(fold.overall),
        "slices": [[k, packer.tally(t)] for k, t in fold.slices.items()],
        "policies": [[name, packer.tally(t)] for name, t in fold.policies.items()],
        "agents": [[aid, packer.tally(t)] for aid, t in fold.agents.items()],
        "answered": [[aid, sorted(cids)] for aid, cids in fold.answered.items()],
        "started": part.started,
        "ended": [[d.isoformat(), n] for d, n in part.ended.items()],
        "same_day": part.same_day,
        "late": fold.late,
        "closes": [[aid, c] for aid, c in (fold.closes or {}).items()],
    }
    text = json.dumps(header, separators=(",", ":")).encode()
    # Not compressed: a month's digests at a million conversations are about 25 MB, read in
    # a few milliseconds, where inflating them took a tenth of the report's time.
    return len(text).to_bytes(4, "big") + text + b"".join(packer.runs)


def unpack(body: bytes, day: date, into: Callable[[], Fold]) -> Fold:
    """A digest's body as the fold of its day."""
    raw = bytes(body)
    size = int.from_bytes(raw[:4], "big")
    data = json.loads(raw[4 : 4 + size])
    runs = _Unpacker(raw[4 + size :])
    fold = into()
    # In the order pack wrote them.
    fold.overall = runs.tally(data["overall"])
    for k, t in data["slices"]:
        fold.slices[k] = runs.tally(t)
    for name, t in data["policies"]:
        fold.policies[name] = runs.tally(t)
    for aid, t in data["agents"]:
        fold.agents[aid] = runs.tally(t)
    for aid, cids in data["answered"]:
        fold.answered[aid] = set(cids)
    part = fold.days[day]
    part.tally = fold.overall  # read only: a report absorbs it, never adds to it
    part.started = data["started"]
    part.ended = Counter({date.fromisoformat(d): n for d, n in data["ended"]})
    part.same_day = data["same_day"]
    fold.late = [tuple(entry) for entry in data["late"]]  # type: ignore[misc]
    fold.closes = {aid: c for aid, c in data["closes"]}
    return fold


def keep(path_or_conn: str | sqlite3.Connection, rows: Sequence[DigestRow]) -> None:
    """Write digests in one short transaction, on the given connection or one of its own
    for the store's file; a busy or read-only store is skipped with a line in the log."""
    if not rows:
        return
    own = not isinstance(path_or_conn, sqlite3.Connection)
    try:
        conn = (
            sqlite3.connect(path_or_conn, isolation_level=None, timeout=0.2)
            if isinstance(path_or_conn, str)
            else path_or_conn
        )
    except sqlite3.Error as exc:
        log.info("report digests not kept: %s", exc)
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO report_digests(tz, day, by, rules, generations, body) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(tz, day, by, rules) DO UPDATE SET "
            "generations = excluded.generations, body = excluded.body",
            rows,
        )
        # Digests of other SLA policies will not match again.
        conn.execute("DELETE FROM report_digests WHERE rules != ?", (rows[0][3],))
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        log.info("report digests not kept: %s", exc)
    finally:
        if own:
            conn.close()
