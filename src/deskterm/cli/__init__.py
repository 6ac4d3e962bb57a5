"""The ``deskterm`` command line: one module per command, ``main`` is the entry point.

``commands.py`` builds the parser and finds the commands: every module here with an
``add_command`` (``demo``, ``seed``, ``sync``, ``report``, ``macros``, …) is one.
``workstation.py`` opens the app on a local store; ``sync.py`` also holds ``--remote``.
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
