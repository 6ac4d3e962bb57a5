"""The workstation: the screen an agent works in all day, and the parts it is made of.

"Where does ``e`` mark done?" is answered by a file name here. The screen (:mod:`.screen`,
its widgets laid out by :mod:`.layout`) coordinates the three panes; each thing the agent
does from it is one part, a plain object the screen owns and calls down into (the one-line
hand-offs from keys and messages to the parts are in :mod:`.parts`):

- :mod:`.triage` — done, reopen, snooze, take, assign, tags, priority; the "changed
  meanwhile" refusals and applying them anyway;
- :mod:`.replies` — sending a reply held for the undo delay, un-sending it, and the checks
  that stop a reply to a thread that moved on;
- :mod:`.drafts` — saving what is typed as the draft, in order, and again after a failure;
- :mod:`.macros` — the picker, ``::word``, the suggestions, save-as-macro, a macro's
  actions applied with the send;
- :mod:`.order_actions` — resend, delivery slot, goodwill, cancel from the customer pane;
- :mod:`.conversation` — the open conversation: read, shown in every pane, kept fresh;
- :mod:`.views` — the view on screen, ``g``, saved searches and the search box;
- :mod:`.live` — the poll for changes and today's median first response;
- :mod:`.undo` — the stack ``u`` takes back from.

A part sees the screen only through the small ``Protocol`` it declares (:mod:`.host`), and
never another part: it answers by return value, or posts a message to the screen, which
decides what follows; so each part can be built in a test with a small fake host.
"""

from deskterm.screens.workstation.screen import WorkstationScreen
from deskterm.screens.workstation.views import view_for

__all__ = ["WorkstationScreen", "view_for"]
