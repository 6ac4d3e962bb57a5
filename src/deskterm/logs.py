"""The log file: where an error shown to the agent in one line is written out in full.

Only what deskterm's own loggers say goes there: the code that failed and its traceback,
never settings, tokens or message bodies (a traceback's last line may quote what failed).
Nothing happens at import: :func:`setup` is called once by the command line.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOGGER = "deskterm"
LEVELS = ("debug", "info", "warning", "error", "critical")
DEFAULT_LEVEL = "warning"
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


class _LogFile(RotatingFileHandler):
    """deskterm's handler, told apart from any other so that setup can replace it."""


def setup(path: Path, level: str = DEFAULT_LEVEL) -> None:
    """Send the ``deskterm`` loggers' records at ``level`` and above to ``path``, rotated
    at 1 MB with 3 old files kept. Calling it again replaces the previous file."""
    close()
    logger = logging.getLogger(LOGGER)
    handler = _LogFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level.upper())


def close() -> None:
    """Stop writing the log file (tests; the command line leaves it to the interpreter)."""
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if isinstance(handler, _LogFile):
            logger.removeHandler(handler)
            handler.close()
