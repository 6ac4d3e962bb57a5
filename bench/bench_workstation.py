"""The workstation at 10k and 1M conversations: start-up, key to screen, open, views, search, RSS.

Runs the real app (``create_app``, as the CLI builds it) headless, on demo stores written by
``deskterm seed`` into ``bench/out/`` (kept between runs; the 1M store takes a few minutes to
write the first time). Headless Textual still composes every frame; only the write to a
terminal is skipped, so "painted" below means the compositor rendered the changed lines.

Measured, per store size:
- start-up: a fresh process, from before the interpreter starts to the first inbox rows
  painted (median of several runs; the wall clock of the parent process is the origin),
  started as the ``deskterm`` command starts, with compiled bytecode as an install has;
- ``j`` / ``k``: key event posted → the list's new cursor line painted (p50, p95, max);
- open: the thread loaded from the store and painted, from the moment the highlight's
  debounce fires (the debounce itself, 60 ms, is there so fast ``j`` presses don't load every
  thread) ;
- view switch: ``g d`` then ``g i``, from the view key to its first rows painted;
- search as you type: from the search debounce firing (150 ms after the last key) to the
  results painted, for queries typed one key at a time;
- RSS of the process after all of it.

The interactions are measured once the background loading that follows the first paint
(tags, the macro suggester) is done, with the store file read once beforehand so that it
is in the OS's page cache, as the store of a workstation in use is. The cycle collector's
full collections during the interactions are timed too (count, longest, total).

Usage: python bench/bench_workstation.py [--sizes 10000,1000000] [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))

QUERIES = ("refund", "pain", "missing", "livraison", "channel:whatsapp", "is:breached app")


def store_path(size: int) -> Path:
    path = OUT / f"store-{size}.db"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        print(f"writing a demo store of {size:,} conversations to {path}…", flush=True)
        subprocess.run(
            [sys.executable, "-m", "deskterm", "seed", str(path), "--conversations", str(size)],
            check=True,
        )
    return path


def read_through(path: Path) -> float:
    """Read the store file once, so that it sits in the OS's page cache as a store in daily
    use does; return the seconds it took. (This machine's cache had dropped most of the
    1M store between two runs: every figure then depended on which pages happened to stay.)"""
    started = time.perf_counter()
    with open(path, "rb") as store_file:
        while store_file.read(1 << 20):
            pass
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(percentile(values, 0.95) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# -- start-up: one fresh process per run ----------------------------------------------------

PROBE = """
import sys
sys.path.insert(0, {src!r})
import gc
gc.disable()  # as the deskterm command starts: the collector paused before any import
import asyncio, time
from pathlib import Path
from deskterm.app import create_app
from deskterm.backend.store import Store
from deskterm.config import Settings
from deskterm.widgets.inbox_list import InboxList

async def main():
    store = Store(Path({db!r}))
    app = create_app(store, Settings(), demo=True)
    painted = None
    async with app.run_test(size=(160, 45)) as pilot:
        while True:
            screen = app.screen
            lists = screen.query(InboxList)
            if lists and lists.first().row_at(0) is not None:
                original = screen._compositor_refresh
                done = asyncio.Event()
                def refresh():
                    original()
                    done.set()
                screen._compositor_refresh = refresh
                lists.first().refresh()
                await done.wait()
                painted = time.time()
                break
            await asyncio.sleep(0.001)
    print(painted)

asyncio.run(main())
"""


def start_up(db: Path, runs: int) -> dict[str, float]:
    code = PROBE.format(src=str(ROOT / "src"), db=str(db))
    # An installed deskterm has its bytecode compiled; so must the sources measured here.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    times = []
    for _ in range(runs):
        origin = time.time()
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env
        )
        if result.returncode:
            raise SystemExit(f"start-up probe failed:\n{result.stderr[-2000:]}")
        times.append(float(result.stdout.strip().splitlines()[-1]) - origin)
    return {"runs": runs, "median_ms": round(statistics.median(times) * 1000, 1),
            "min_ms": round(min(times) * 1000, 1)}  # fmt: skip


# -- in-process interaction -----------------------------------------------------------------


class PaintClock:
    """Records when the app wrote a frame of a given screen (as on top: a modal's frames,
    which show the screen under it dimmed, are not that screen's)."""

    def __init__(self) -> None:
        self.painted: list[float] = []
        self.event = asyncio.Event()

    def attach(self, screen) -> None:
        app = screen.app
        original = app._display

        def display(shown, renderable) -> None:
            original(shown, renderable)
            if shown is screen and renderable is not None:
                self.painted.append(time.perf_counter())
                self.event.set()

        app._display = display

    async def first_after(self, moment: float, timeout: float = 5.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            later = [t for t in self.painted if t >= moment]
            if later:
                return later[0]
            self.event.clear()
            try:
                await asyncio.wait_for(self.event.wait(), timeout=0.5)
            except TimeoutError:
                pass
        raise TimeoutError("nothing painted")


class CollectorPauses:
    """Times the cycle collector's full collections (the oldest generation) while it runs."""

    def __init__(self) -> None:
        self.full: list[float] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.full.append(time.perf_counter() - self._started)

    def summary(self) -> dict[str, float]:
        gc.callbacks.remove(self._callback)
        return {
            "full_collections": len(self.full),
            "max_ms": round(max(self.full, default=0) * 1000, 1),
            "total_ms": round(sum(self.full) * 1000, 1),
        }


async def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.0005)


async def interact(db: Path, rounds: int) -> dict[str, object]:
    from textual import events

    from deskterm.app import create_app
    from deskterm.backend.store import Store
    from deskterm.config import Settings
    from deskterm.widgets.inbox_list import InboxList

    store = Store(db)
    app = create_app(store, Settings(), demo=True)
    results: dict[str, object] = {}
    async with app.run_test(size=(160, 45)) as pilot:
        screen = app.screen
        inbox = screen.query_one(InboxList)
        await wait_until(lambda: inbox.row_at(0) is not None and screen.bundle is not None)
        # Steady state: what loads in the background after the first paint (tags, the
        # macro suggester: a second at 1M) has finished.
        await wait_until(lambda: app.suggester is not None, timeout=120)
        await app.workers.wait_for_complete()
        clock = PaintClock()
        clock.attach(screen)
        pauses = CollectorPauses()

        # j / k: key posted → the cursor's new line painted.
        moves: list[float] = []
        moved_at: list[float] = []
        original_watch = inbox.watch_cursor

        def watch(old: int, new: int) -> None:
            original_watch(old, new)
            moved_at.append(time.perf_counter())

        inbox.watch_cursor = watch  # type: ignore[method-assign]
        for i in range(rounds):
            key = "j" if (i // 25) % 2 == 0 else "k"
            start = time.perf_counter()
            count = len(moved_at)
            app.post_message(events.Key(key, key))
            await wait_until(lambda c=count: len(moved_at) > c)
            painted = await clock.first_after(moved_at[-1])
            moves.append(painted - start)
            await asyncio.sleep(0.005)
        results["j_k"] = summary(moves)

        # open: the highlight's debounce fired → thread and customer painted.
        opens: list[float] = []
        original_show = screen._show_bundle

        shown_at: list[float] = []

        async def show(*args, **kwargs):
            await original_show(*args, **kwargs)
            shown_at.append(time.perf_counter())

        screen._show_bundle = show  # type: ignore[method-assign]
        fired: list[float] = []
        original_debounced = screen._debounced_show

        def debounced(cid: int) -> None:
            fired.append(time.perf_counter())
            original_debounced(cid)

        screen._debounced_show = debounced  # type: ignore[method-assign]
        for _ in range(max(20, rounds // 5)):
            count = len(shown_at)
            app.post_message(events.Key("j", "j"))
            await wait_until(lambda c=count: len(shown_at) > c)
            painted = await clock.first_after(shown_at[-1])
            opens.append(painted - fired[-1])
            await asyncio.sleep(0.01)
        results["open"] = summary(opens)

        # view switch: g d / g i → the new view's first rows painted.
        switches: list[float] = []
        for i in range(20):
            letter = "d" if i % 2 == 0 else "i"
            await pilot.press("g")
            generation = inbox._generation
            start = time.perf_counter()
            app.post_message(events.Key(letter, letter))
            await wait_until(
                lambda g=generation: (
                    inbox._generation > g
                    and not getattr(inbox, "awaiting_rows", False)
                    and inbox.row_at(0) is not None
                )
            )
            loaded = time.perf_counter()
            painted = await clock.first_after(loaded)
            switches.append(painted - start)
            await app.workers.wait_for_complete()
        results["view_switch"] = summary(switches)

        # search as you type: debounce fired → results painted.
        searches: list[float] = []
        search_fired: list[float] = []
        original_search = screen._debounced_search

        def debounced_search(text: str) -> None:
            search_fired.append(time.perf_counter())
            original_search(text)

        screen._debounced_search = debounced_search  # type: ignore[method-assign]
        for _ in range(3):
            for query in QUERIES:
                await pilot.press("slash")
                for character in query[:-1]:
                    await pilot.press("space" if character == " " else character)
                generation = inbox._generation
                last_key = time.perf_counter()
                await pilot.press(query[-1])
                # Each key restarts the debounce: wait for the one after the last key.
                await wait_until(lambda t=last_key: bool(search_fired) and search_fired[-1] > t)
                await wait_until(
                    lambda g=generation: (
                        inbox._generation > g
                        and not getattr(inbox, "awaiting_rows", False)
                        and (inbox.row_at(0) is not None or inbox.total == 0)
                    )
                )
                loaded = time.perf_counter()
                painted = await clock.first_after(loaded)
                searches.append(painted - search_fired[-1])
                await pilot.press("escape")
                await app.workers.wait_for_complete()
        results["search"] = summary(searches)
        results["collector"] = pauses.summary()
        results["rss_mb"] = round(rss_mb(), 1)
    store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--startup-runs", type=int, default=7)
    args = parser.parse_args()
    report = {}
    for size in (int(s) for s in args.sizes.split(",")):
        db = store_path(size)
        row: dict[str, object] = {"read_into_cache_s": round(read_through(db), 2)}
        row["start_up"] = start_up(db, args.startup_runs)
        # Each size in a fresh process so RSS is that size's alone.
        for attempt in range(2):
            result = subprocess.run(
                [sys.executable, __file__, "--interact", str(db), "--rounds", str(args.rounds)],
                capture_output=True,
                text=True,
            )
            if result.returncode == 0:
                break
            # Seen now and then at 1M: a wait_until timing out; say where, and try once more.
            print(f"interaction run {attempt + 1} failed:\n{result.stderr[-1500:]}", flush=True)
        else:
            raise SystemExit("the interaction benchmark failed twice")
        row.update(json.loads(result.stdout.strip().splitlines()[-1]))
        report[f"{size:,}"] = row
        print(f"{size:>10,} conversations: {json.dumps(row)}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "workstation.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--interact":
        gc.disable()  # as the deskterm command starts: the collector paused before any import

        rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 200
        print(json.dumps(asyncio.run(interact(Path(sys.argv[2]), rounds))))
    else:
        main()
