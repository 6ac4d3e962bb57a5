"""IMAP IDLE while the app runs: the server says when mail arrives, and the engine pulls.

One connection, selected read-only, idling; an ``EXISTS`` (new mail) or ``RECENT`` answer
calls ``on_new``. The idle is renewed every ``RENEW`` seconds (servers drop an idle after
30 minutes), and a dropped connection is reopened after a pause that grows to a minute: the
engine's polling covers the gap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from deskterm.backend.connectors.mail.imap import imap_session
from deskterm.backend.connectors.mail.settings import MailSettings

#: Seconds one IDLE command lasts before it is renewed (RFC 2177: under 29 minutes).
RENEW = 20 * 60
#: How long one wait for the server lasts, so that a stop is noticed this soon.
TICK = 1.0


def watch(settings: MailSettings, stop: threading.Event, on_new: Callable[[], None]) -> None:
    """Until ``stop`` is set: idle on the folder and call ``on_new`` when mail arrives.
    Never raises."""
    pause = 1.0
    while not stop.is_set():
        try:
            with imap_session(settings) as imap:
                if not imap.has_capability("IDLE"):
                    return  # polling alone, then
                imap.select_folder(settings.folder, readonly=True)
                pause = 1.0
                while not stop.is_set():
                    imap.idle()
                    try:
                        waited = 0.0
                        while not stop.is_set() and waited < RENEW:
                            answers = imap.idle_check(timeout=TICK)
                            waited += TICK
                            if any(_is_new(a) for a in answers):
                                on_new()
                    finally:
                        imap.idle_done()
        except Exception:  # the watch must outlive any trouble (RemoteError, OSError…)
            stop.wait(pause)
            pause = min(pause * 2, 60.0)


def _is_new(answer: object) -> bool:
    return isinstance(answer, tuple) and len(answer) >= 2 and answer[1] in (b"EXISTS", b"RECENT")
