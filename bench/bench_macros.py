"""Macro suggestions and the picker: how often the right macro is offered, how fast it ranks.

Suggestion quality: on the 10k demo store (``bench/out/store-10000.db``, written if missing),
each conversation where a macro was used gives (the customer's first message, that macro).
5-fold cross-validation: each fold is ranked by a suggester built from the other folds' uses
only. Reported for the suggester as deskterm builds it (past uses + the macros' own text in
every language) and for the macros' own text alone (a library with no history yet).

Picker: ``rank_macros`` (what the fuzzy picker runs on each key) over 1,000 macros, for
queries typed one key at a time; p50 / p95 per key.

Usage: python bench/bench_macros.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from deskterm.backend.store import Store  # noqa: E402
from deskterm.domain.models import Macro  # noqa: E402
from deskterm.domain.suggest import MacroSuggester, evaluate  # noqa: E402
from deskterm.screens.macro_picker import rank_macros  # noqa: E402

STORE = ROOT / "bench" / "out" / "store-10000.db"
QUERIES = ("missing", "refund", "slot", "retard", "promo code", "allerg", "merci", "xyz")


def texts(macros: list[Macro]) -> list[tuple[int, str, str]]:
    return [(m.id, m.title, "\n".join([m.body, *m.variants.values()])) for m in macros]


def suggestion_quality(store: Store) -> dict[str, object]:
    macros = store.macros()
    uses = store.macro_examples()
    labelled = [(text, macro_id) for macro_id, text in uses]
    library = texts(macros)
    with_history = evaluate(
        lambda training: MacroSuggester(examples=training, macros=library), labelled, folds=5
    )
    text_only = evaluate(lambda training: MacroSuggester(macros=library), labelled, folds=5)
    return {"macros": len(macros), "uses": len(labelled), "with_history": with_history,
            "macro_text_only": text_only}  # fmt: skip


def picker_latency(store: Store, count: int = 1000) -> dict[str, object]:
    base = store.macros()
    now = datetime.now(UTC)
    macros = [
        Macro(
            id=i + 1,
            title=f"{m.title} ({i // len(base) + 1})",
            body=m.body,
            variants=m.variants,
            usage_count=(i * 7919) % 500,
            created_at=now,
            updated_at=now,
        )
        for i, m in enumerate(base[i % len(base)] for i in range(count))
    ]
    per_key: list[float] = []
    for query in QUERIES:
        for end in range(1, len(query) + 1):
            start = time.perf_counter()
            rank_macros(query[:end], macros)
            per_key.append(time.perf_counter() - start)
    ordered = sorted(per_key)
    return {
        "macros": len(macros),
        "keys": len(per_key),
        "p50_ms": round(statistics.median(per_key) * 1000, 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def main() -> None:
    if not STORE.exists():
        STORE.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "deskterm", "seed", str(STORE), "--conversations", "10000"],
            check=True,
        )
    store = Store(STORE)
    report = {"suggestions": suggestion_quality(store), "picker": picker_latency(store)}
    store.close()
    print(json.dumps(report, indent=2))
    (ROOT / "bench" / "out" / "macros.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
