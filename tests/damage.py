"""Damaging a store file on purpose, as a failing disk or a bad copy would."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from random import Random


def damage_table(path: Path, table: str = "messages", seed: int = 7) -> int:
    """Overwrite one page of ``table``'s b-tree with random bytes; returns its number.

    The store must be closed (and checkpointed) first: this writes to the file directly.
    """
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    finally:
        conn.close()
    page = pages[len(pages) // 2]
    with path.open("r+b") as f:
        f.seek((page - 1) * size)
        f.write(Random(seed).randbytes(size))
    return page
