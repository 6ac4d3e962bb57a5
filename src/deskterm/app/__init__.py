"""The Textual application.

- :mod:`.desk_app` — the App: who is working, on which store, with which settings; the
  safety nets (worker failures, quitting with unsaved drafts);
- :mod:`.factory` — ``create_app``, the one factory of the CLI and the tests;
- :mod:`.changes` — a triage change applied to a conversation in the store;
- :mod:`.palette`, :mod:`.sync_runner`, :mod:`.collector` — the command palette, the sync
  in remote mode, the idle-time garbage collector.
"""

from deskterm.app.desk_app import LIVE_UPDATE_SECONDS, DeskApp
from deskterm.app.factory import create_app, resolve_agent

__all__ = ["LIVE_UPDATE_SECONDS", "DeskApp", "create_app", "resolve_agent"]
