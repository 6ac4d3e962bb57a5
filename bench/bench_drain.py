"""How long the outbox takes to drain once the remote helpdesk is back after an outage.

The sync loop as the app runs it (``SyncEngine.turn`` every second, a pull every 10 s: the
``sync_seconds`` default), on a simulated clock, against the in-memory helpdesk of the tests
(which refuses connections while "down", as an unreachable RT does). During the outage the
agent keeps working: ten actions (replies, a done, tags) on five conversations in its first
half minute. Each outbox entry backs off on its own (2 s doubling to 300 s, ±50 % jitter);
the figure is the time from the remote's return to an empty outbox, for outages of 1, 3 and
10 minutes (plus 0–9 s, so the return falls anywhere in the pull schedule), each over 30
seeds.

"before": each waiting entry waits out its own backoff (``fast_drain = False``);
"after": a pull or a push that succeeds lets every waiting entry go at once, in order.

Usage: python bench/bench_drain.py [--seeds 30]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.fakes.memory_connector import MemoryConnector, MemoryHelpdesk  # noqa: E402

from deskterm.backend.store import Store  # noqa: E402
from deskterm.backend.sync import SyncEngine  # noqa: E402
from deskterm.backend.sync.outbox import waiting  # noqa: E402
from deskterm.domain.models import AuthorKind, Status  # noqa: E402

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PULL_EVERY = 10.0  # seconds: the default sync_seconds
LIMIT = 3_600  # simulated seconds after the return before giving up


class Clock:
    """The simulated clock the store and the loop read."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def drain_time(outage: int, *, fast: bool, seed: int, folder: Path) -> int:
    """Simulated seconds from the remote's return to an empty outbox."""
    clock = Clock(T0)
    remote = MemoryHelpdesk(T0)
    for i in range(5):
        remote.add_ticket(str(i + 1), f"Order {i + 1}", "where is it?", customer=f"c{i}")
    connector = MemoryConnector(remote)
    store = Store(folder / f"m-{outage}-{fast}-{seed}.db", clock=clock)
    engine = SyncEngine(store, connector)
    engine.fast_drain = fast
    engine.drainer.rand = random.Random(seed).random
    engine.clock = lambda: clock.now.timestamp()
    engine.identify()
    engine.pull()
    me = engine.local_agent_id()
    connector.online = False
    second = 0

    def tick() -> None:
        nonlocal second
        engine.turn(interval=PULL_EVERY)
        clock.advance(seconds=1)
        remote.now = clock.now
        second += 1

    for n in range(10):  # the agent works through the first half minute of the outage
        cid = store.conversation_by_external(str(n % 5 + 1)).id  # type: ignore[union-attr]
        if n == 7:
            store.set_status(cid, Status.DONE, agent_id=me, outbox={"kind": "status"})
        elif n == 8:
            store.change_tags(cid, add=["late"], agent_id=me, outbox={"kind": "tags"})
        else:
            store.add_message(
                cid,
                author_kind=AuthorKind.AGENT,
                author_id=me,
                author_name="Alice",
                body=f"reply {n}",
                outbox={"kind": "reply", "payload": {"body": f"reply {n}"}},
            )
        for _ in range(3):
            tick()
    # The remote comes back at any moment of the pull schedule, not on a pull.
    end = outage + random.Random(seed).randrange(int(PULL_EVERY))
    while second < end:
        tick()
    connector.online = True
    back = second
    while waiting(store) and second < back + LIMIT:
        tick()
    store.close()
    return second - back


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=30)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for outage in (60, 180, 600):
            for fast in (False, True):
                times = [
                    drain_time(outage, fast=fast, seed=s, folder=Path(tmp))
                    for s in range(args.seeds)
                ]
                label = f"{outage // 60} min, {'after' if fast else 'before'}"
                results[label] = {
                    "median_s": statistics.median(times),
                    "max_s": max(times),
                    "min_s": min(times),
                }
                print(f"{label:>16}: median {statistics.median(times):5.0f} s, "
                      f"min {min(times):4d} s, max {max(times):4d} s")  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "drain.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
