"""Problems at scale: the reads behind the problems screen, the link picker, a fix notice
round and the bug report, on a demo store with many problems and links.

A copy of the demo store of the given size (``bench/out/store-N.db``, written by ``deskterm
seed`` the first time) gets ``--problems`` problems, each linked to ``--links`` conversations
picked at random (the same seed, the same links); then each read is timed, median of
``--runs``:

- **list**: ``Store.problems()``, the problems screen and ``deskterm problems`` (figures and
  reports per day of every open problem);
- **picker, first**: what the first ``b`` reads before its picker shows: the open problems,
  the examples of their latest linked conversations, the suggester learnt from them and its
  ranking;
- **picker, then**: what each next ``b`` does while no problem or link changed (the
  suggester is kept): the open problems, the check that nothing changed, the ranking;
- **reports**: ``Store.problem_reports`` of one problem (a notice round, a bug report);
- **of conversation**: ``Store.problems_of_conversation``, added to every thread opening.

Usage: python bench/bench_problems.py [--size 10000] [--problems 200] [--links 50] [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))

from deskterm.backend.store import Store  # noqa: E402
from deskterm.domain.problems import ProblemSuggester, suggest_problems  # noqa: E402


def ensure_store(size: int) -> Path:
    path = OUT / f"store-{size}.db"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "deskterm", "seed", str(path), "--conversations", str(size)],
            check=True,
        )
    return path


def timed(work: Callable[[], object], runs: int) -> float:
    """The median of ``runs`` timings of ``work``, in milliseconds (after one warm-up)."""
    work()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--problems", type=int, default=200)
    parser.add_argument("--links", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    source = ensure_store(args.size)
    path = OUT / f"problems-{args.size}.db"
    shutil.copy(source, path)
    store = Store(path)
    rng = Random(1)
    total = store.conn.execute("SELECT max(id) FROM conversations").fetchone()[0]
    for n in range(args.problems):
        pid = store.add_problem(f"Problem {n} of the app", agent_id=None)
        store.link_problem(pid, rng.sample(range(1, total + 1), args.links), agent_id=None)
    biggest = store.problems()[0].id
    conversation = store.problem_conversations(biggest)[0].id
    text = "Bonjour, l'appli plante quand je paie, le code promo est refusé"

    def picker() -> list[int]:
        problems = store.problems()
        return suggest_problems(
            [(p.id, p.title, p.description) for p in problems], store.problem_examples(), text
        )

    kept = ProblemSuggester(
        [(p.id, p.title, p.description) for p in store.problems()], store.problem_examples()
    )

    def picker_again() -> list[int]:
        store.problems()
        store.problems_key()
        return kept.suggest(text)

    results = {
        "size": args.size,
        "problems": args.problems,
        "links": args.problems * args.links,
        "list_ms": timed(store.problems, args.runs),
        "picker_first_ms": timed(picker, args.runs),
        "picker_then_ms": timed(picker_again, args.runs),
        "reports_ms": timed(lambda: store.problem_reports(biggest), args.runs),
        "of_conversation_ms": timed(
            lambda: store.problems_of_conversation(conversation), args.runs
        ),
    }
    store.close()
    path.unlink()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"problems-{args.size}.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
