"""Headless modules load no Textual and change nothing when imported, checked at run time.

The import contracts in ``pyproject.toml`` read the source; this imports each module in a
fresh interpreter, as ``deskterm sync`` or ``deskterm report`` would, and looks at what was
really loaded (a lazy import inside a function still counts once it runs at import).
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import deskterm.backend
import deskterm.domain

PURE = [info.name for info in pkgutil.walk_packages(deskterm.domain.__path__, "deskterm.domain.")]
HEADLESS = sorted(
    ["deskterm.domain", *PURE, "deskterm.cli.report"]
    + ["deskterm.config", "deskterm.locations", "deskterm.logs"]
    + [info.name for info in pkgutil.walk_packages(deskterm.backend.__path__, "deskterm.backend.")]
)

PROBE = """
import gc, importlib, json, sys
threshold = gc.get_threshold()
importlib.import_module(sys.argv[1])
print(json.dumps({
    "textual": sorted(m for m in sys.modules if m == "textual" or m.startswith("textual.")),
    "sqlite_utils": sorted(m for m in sys.modules if m.split(".")[0] == "sqlite_utils"),
    "gc_enabled": gc.isenabled(),
    "gc_threshold_same": gc.get_threshold() == threshold,
}))
"""


def _import_alone(module: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_list_covers_the_backend():
    assert "deskterm.backend.store" in HEADLESS
    assert "deskterm.backend.commerce.policy" in HEADLESS
    assert "deskterm.backend.sync.engine" in HEADLESS
    assert "deskterm.domain.macros.actions" in HEADLESS
    assert "deskterm.domain.macros.actions" in HEADLESS


@pytest.mark.parametrize("module", HEADLESS)
def test_a_headless_module_loads_no_textual(module):
    loaded = _import_alone(module)
    assert loaded["textual"] == []


@pytest.mark.parametrize("module", ["deskterm.cli", "deskterm.app", *PURE])
def test_importing_changes_nothing_in_the_process(module):
    loaded = _import_alone(module)
    assert loaded["gc_enabled"], f"importing {module} turned the cycle collector off"
    assert loaded["gc_threshold_same"]


#: Where sqlite-utils could be used (seeding, mirroring, full-text rebuilds) and the start-up
#: path: its import costs 35-75 ms, so it may only be imported inside the functions that use it.
NO_SQLITE_UTILS = [
    "deskterm.app",
    "deskterm.cli",
    "deskterm.backend.store",
    "deskterm.backend.demo.generate",
    "deskterm.backend.sync.mirror",
]


@pytest.mark.parametrize("module", NO_SQLITE_UTILS)
def test_importing_loads_no_sqlite_utils(module):
    assert _import_alone(module)["sqlite_utils"] == []
