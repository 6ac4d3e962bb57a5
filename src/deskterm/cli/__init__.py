"""The ``deskterm`` command line: one module per command, ``main`` is the entry point.

- ``commands.py``: the parser, the workstation (local store or demo), ``seed``;
- ``sync.py``: ``--remote`` and ``deskterm sync``;
- ``report.py``: ``deskterm report``;
- ``macros.py``: ``deskterm macros import|export``.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``deskterm`` command; the exit status.

    Start-up allocates a few hundred thousand objects that all stay (modules, classes,
    styles, widgets): the cycle collector would walk them again and again for nothing. It is
    paused before the command's modules are imported; the workstation turns it back on, with
    those objects frozen out of its way, once the inbox has painted, and every other command
    as soon as it has parsed its arguments.
    """
    gc.disable()
    try:
        from deskterm.cli.commands import run

        return run(argv)
    finally:
        gc.enable()
