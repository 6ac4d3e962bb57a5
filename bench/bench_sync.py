"""Remote mode against a real Request Tracker 5: first-sync throughput, and opening a ticket
in the mirror versus fetching it from RT's REST API.

The bench starts its own RT on loopback (``scripts/rt-server``, state in ``bench/out/rt``),
creates the tickets through REST 2 (one customer message each; every fifth also gets an
agent reply and every tenth an internal note), then:

- **first sync**: ``SyncEngine.pull`` into an empty mirror, the way ``deskterm sync`` and the
  app's first start do it (TicketSQL pages, each ticket's history and message contents, one
  short transaction per batch of 50) — tickets per second;
- **open a ticket**, side by side in the same run on the same tickets: the mirror's read of
  everything the workstation shows for a conversation (``load_bundle``: the conversation, its
  newest messages, the customer, drafts) versus ``GET /ticket/:id`` + its history with the
  message contents from RT (what a client without a mirror would have to wait for), once
  with a web session and once with an auth token (RT hashes a token on every request).

The deskterm side talks to RT with a web session (user and password), its fastest way.

Creating the tickets is part of every run (``scripts/rt-server start`` always begins with a
fresh database); its time is reported too.

Usage: python bench/bench_sync.py [--tickets 5000] [--opens 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RT_DIR = OUT / "rt"
sys.path.insert(0, str(ROOT / "src"))

from deskterm.backend.connectors.rt import RTConnector  # noqa: E402
from deskterm.backend.connectors.rt_api import RTClient  # noqa: E402
from deskterm.backend.context import load_bundle  # noqa: E402
from deskterm.backend.store import Store  # noqa: E402
from deskterm.backend.sync import SyncEngine  # noqa: E402

QUEUE = "General"


def rt_script(*args: str) -> dict[str, str]:
    env = {**os.environ, "DESKTERM_RT_DIR": str(RT_DIR)}
    subprocess.run([str(ROOT / "scripts" / "rt-server"), *args], env=env, check=True,
                   capture_output=True, text=True)  # fmt: skip
    values = {}
    for line in (RT_DIR / "env").read_text().splitlines():
        key, _, value = line.partition("=")
        values[key] = value
    return values


def seed(client: RTClient, tickets: int) -> float:
    def one(i: int) -> None:
        tid = client.create_ticket(
            QUEUE, f"Order {10000 + i}: question {i}", f"customer{i % 1500}@example.com",
            f"Hello, about my order {10000 + i}: where is it? ({i})",
        )  # fmt: skip
        if i % 5 == 0:
            client.correspond(tid, f"Hi! Your order {10000 + i} leaves today.")
        if i % 10 == 0:
            client.comment(tid, "Checked with the warehouse.")

    start = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(tickets)))
    return time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--opens", type=int, default=50)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    env = rt_script("start")
    results: dict[str, object] = {"tickets": args.tickets}
    try:
        client = RTClient(env["RT_URL"], user=env["RT_USER"], password=env["RT_PASSWORD"],
                          timeout=30, web_session=True)  # fmt: skip
        seconds = seed(client, args.tickets)
        results["seed_seconds"] = round(seconds, 1)
        print(f"created {args.tickets} tickets in {seconds:.0f} s", file=sys.stderr)

        mirror = OUT / "sync-mirror.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{mirror}{suffix}").unlink(missing_ok=True)
        store = Store(mirror)
        connector = RTConnector(
            RTClient(env["RT_URL"], user=env["RT_USER"], password=env["RT_PASSWORD"],
                     timeout=30, web_session=True),
            user=env["RT_USER"], queue=QUEUE,
        )  # fmt: skip
        engine = SyncEngine(store, connector)
        engine.identify()
        start = time.perf_counter()
        report = engine.pull()
        pulled = time.perf_counter() - start
        results["first_sync"] = {
            "seconds": round(pulled, 1),
            "tickets": report.conversations,
            "messages": report.messages,
            "tickets_per_s": round(report.conversations / pulled, 1),
        }
        print(f"first sync: {report.conversations} tickets in {pulled:.1f} s", file=sys.stderr)

        step = max(1, args.tickets // args.opens)
        sample = list(range(1, args.tickets + 1, step))[: args.opens]
        with_token = RTClient(env["RT_URL"], token=env["RT_TOKEN"], timeout=30)
        mirror_ms, rest_ms, token_ms = [], [], []
        me = engine.local_agent_id()
        for tid in sample:
            conv = store.conversation_by_external(str(tid))
            assert conv is not None
            t0 = time.perf_counter()
            bundle = load_bundle(store, conv.id, agent_id=me)
            mirror_ms.append((time.perf_counter() - t0) * 1000)
            assert bundle is not None and bundle.messages
            t0 = time.perf_counter()
            client.get_ticket(tid)
            history = client.history(tid)
            rest_ms.append((time.perf_counter() - t0) * 1000)
            assert any(h.get("Type") == "Create" for h in history)
            t0 = time.perf_counter()
            with_token.get_ticket(tid)
            with_token.history(tid)
            token_ms.append((time.perf_counter() - t0) * 1000)
        results["open"] = {
            "n": len(sample),
            "mirror_ms": {"p50": round(statistics.median(mirror_ms), 2),
                          "p95": round(percentile(mirror_ms, 0.95), 2)},
            "rt_rest_session_ms": {"p50": round(statistics.median(rest_ms), 1),
                                   "p95": round(percentile(rest_ms, 0.95), 1)},
            "rt_rest_token_ms": {"p50": round(statistics.median(token_ms), 1),
                                 "p95": round(percentile(token_ms, 0.95), 1)},
        }  # fmt: skip
        with_token.close()
        connector.close()
        store.close()
    finally:
        subprocess.run([str(ROOT / "scripts" / "rt-server"), "stop"],
                       env={**os.environ, "DESKTERM_RT_DIR": str(RT_DIR)},
                       capture_output=True, check=False)  # fmt: skip
    (OUT / "sync.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
