"""Every key deskterm answers to, in one table: id, default keys, action, description.

Widgets and screens build their ``BINDINGS`` from here, the ``?`` screen and the command
palette list it, and the config's ``[keymap]`` section remaps keys by id (applied with
``App.set_keymap``). Checking a keymap is pure: unknown ids and clashes are reported before
the app starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType

from deskterm.backend.commerce.catalogue import ORDER_ACTIONS


@dataclass(frozen=True)
class KeyAction:
    id: str
    keys: str
    action: str
    description: str
    group: str
    show: bool = True
    priority: bool = False


#: Scopes: "app" (anywhere), "desk" (the workstation), "inbox", "composer", "customer",
#: "search" (the search box), "metrics" (the metrics screen), "problems" (the problems screen),
#: "leads" (the leads' desk).
KEYS: tuple[KeyAction, ...] = (
    # anywhere
    KeyAction("app.help", "question_mark", "app.help", "Keys", "General"),
    KeyAction("app.palette", "ctrl+p", "app.command_palette", "Commands", "General", show=False),
    KeyAction("app.quit", "ctrl+q", "app.quit", "Quit", "General", show=False, priority=True),
    KeyAction(
        "app.live_demo",
        "f8",
        "app.toggle_live_demo",
        "Pause or resume the live demo",
        "General",
        show=False,
    ),
    # the workstation
    KeyAction("desk.quit", "q", "app.quit", "Quit", "General", show=False),
    # Priority, like undo: acted on as the app takes them, so what is typed in the same burst
    # goes to the box they open (the workstation disables them where they are text).
    KeyAction("desk.search", "slash", "search", "Search", "Navigate", priority=True),
    KeyAction("search.save", "ctrl+s", "save", "Save the search as a view", "Navigate"),
    KeyAction("desk.goto", "g", "goto", "Go to view", "Navigate"),
    KeyAction("desk.next_pane", "tab", "focus_next_pane", "Next pane", "Navigate", show=False),
    KeyAction(
        "desk.prev_pane",
        "shift+tab",
        "focus_previous_pane",
        "Previous pane",
        "Navigate",
        show=False,
    ),
    KeyAction("desk.back", "escape", "back", "Back", "Navigate", show=False),
    KeyAction(
        "desk.pane_inbox", "alt+1,f1", "show_pane('inbox')", "Inbox pane", "Navigate", show=False
    ),
    KeyAction(
        "desk.pane_conversation",
        "alt+2,f2",
        "show_pane('conversation')",
        "Conversation pane",
        "Navigate",
        show=False,
    ),
    KeyAction(
        "desk.pane_customer",
        "alt+3,f3",
        "show_pane('customer')",
        "Customer pane",
        "Navigate",
        show=False,
    ),
    KeyAction("desk.macro", "m", "macro", "Macro", "Compose"),
    KeyAction(
        "desk.suggestion_1", "1", "suggestion(0)", "Use suggested macro 1", "Compose", show=False
    ),
    KeyAction(
        "desk.suggestion_2", "2", "suggestion(1)", "Use suggested macro 2", "Compose", show=False
    ),
    KeyAction(
        "desk.suggestion_3", "3", "suggestion(2)", "Use suggested macro 3", "Compose", show=False
    ),
    KeyAction("desk.reply", "r", "reply", "Reply", "Compose", priority=True),
    KeyAction(
        "desk.send", "ctrl+s", "send_draft(False)", "Send the open draft", "Compose", show=False
    ),
    KeyAction(
        "desk.send_done",
        "ctrl+o",
        "send_draft(True)",
        "Send the open draft & done",
        "Compose",
        show=False,
    ),
    KeyAction("desk.note", "n", "note", "Note", "Compose", priority=True),
    KeyAction("desk.done", "e", "done", "Done", "Triage"),
    KeyAction("desk.reopen", "E", "reopen", "Reopen", "Triage", show=False),
    KeyAction("desk.snooze", "z", "snooze", "Snooze", "Triage"),
    # A priority key, run as the app takes it from its queue: undo-send puts the reply back
    # in the composer before the keys typed right after `u` are handed to a pane.
    KeyAction("desk.undo", "u,ctrl+z", "undo", "Undo", "Triage", priority=True),
    KeyAction("desk.take", "i", "take", "Take (assign to me)", "Triage", show=False),
    KeyAction("desk.assign", "a", "assign", "Assign", "Triage"),
    KeyAction("desk.tag", "t", "tag", "Tag", "Triage", show=False),
    KeyAction("desk.priority", "p", "priority", "Priority", "Triage", show=False),
    KeyAction(
        "desk.merge",
        "C",
        "merge",
        "Merge with their other open one",
        "Triage",
        show=False,
    ),
    KeyAction("desk.problem", "b", "link_problem", "Link to a problem", "Problems", show=False),
    KeyAction("desk.problems", "B", "problems", "Problems screen", "Problems", show=False),
    KeyAction("desk.refresh", "ctrl+r", "refresh", "Refresh", "General", show=False),
    KeyAction("desk.theme", "f9", "next_theme", "Next theme", "General", show=False),
    KeyAction(
        "desk.shift_summary", "S", "shift_summary", "End of shift: my day", "General", show=False
    ),
    KeyAction("desk.metrics", "M", "metrics", "Metrics", "General"),
    KeyAction("desk.open_file", "o", "open_file", "Save and open a file", "General", show=False),
    KeyAction(
        "desk.ask_lead", "L", "ask_lead", "Ask a lead (flag with a question)", "Team", show=False
    ),
    KeyAction(
        "desk.propose_macro",
        "P",
        "propose_macro",
        "Propose a macro to the team",
        "Team",
        show=False,
    ),
    # the inbox list
    KeyAction("inbox.down", "j,down", "cursor_down", "Next", "Navigate", show=False),
    KeyAction("inbox.up", "k,up", "cursor_up", "Previous", "Navigate", show=False),
    KeyAction(
        "inbox.extend_down",
        "J,shift+down",
        "extend_down",
        "Select and move down",
        "Select",
        show=False,
    ),
    KeyAction(
        "inbox.extend_up", "K,shift+up", "extend_up", "Select and move up", "Select", show=False
    ),
    KeyAction("inbox.toggle", "x", "toggle_select", "Select", "Select", show=False),
    KeyAction("inbox.page_down", "pagedown", "page_down", "Page down", "Navigate", show=False),
    KeyAction("inbox.page_up", "pageup", "page_up", "Page up", "Navigate", show=False),
    KeyAction("inbox.first", "home", "first", "First", "Navigate", show=False),
    KeyAction("inbox.last", "end", "last", "Last", "Navigate", show=False),
    KeyAction("inbox.open", "enter", "open", "Open", "Navigate"),
    # the customer pane (its order actions are posted up to the workstation)
    KeyAction(
        "customer.next_order", "right_square_bracket", "next_order", "Next order", "Customer"
    ),
    KeyAction(
        "customer.previous_order",
        "left_square_bracket",
        "previous_order",
        "Previous order",
        "Customer",
    ),
    KeyAction("customer.open_past", "o", "open_past", "Open past conversation", "Customer"),
    # the order actions, one per entry of backend/commerce/catalogue.py
    *(
        KeyAction(a.key_id, a.key, f"order_action('{a.kind}')", a.label, "Customer")
        for a in ORDER_ACTIONS
    ),
    # the metrics screen
    KeyAction("metrics.today", "1", "period('today')", "Today", "Metrics"),
    KeyAction("metrics.week", "2", "period('7d')", "7 days", "Metrics"),
    KeyAction("metrics.month", "3", "period('30d')", "30 days", "Metrics"),
    KeyAction("metrics.breakdown", "b", "breakdown(1)", "Next breakdown", "Metrics"),
    KeyAction(
        "metrics.previous_breakdown",
        "B",
        "breakdown(-1)",
        "Previous breakdown",
        "Metrics",
        show=False,
    ),
    KeyAction("metrics.refresh", "ctrl+r", "refresh", "Refresh", "Metrics", show=False),
    KeyAction("metrics.back", "escape,q", "back", "Back", "Metrics"),
    # the problems screen
    KeyAction("problems.open", "enter", "open", "Its conversations", "Problems"),
    KeyAction("problems.status", "s", "status", "Set status", "Problems"),
    KeyAction("problems.edit", "e", "edit", "Edit the title", "Problems", show=False),
    KeyAction("problems.kind", "k", "kind", "Bug, incident or suggestion", "Problems", show=False),
    KeyAction("problems.tracker", "l", "tracker_link", "Its tracker link", "Problems", show=False),
    KeyAction("problems.fixed", "f", "fixed", "Fixed: tell the customers", "Problems"),
    KeyAction("problems.report", "c", "report", "Copy as a bug report", "Problems"),
    KeyAction("problems.file", "F", "file", "File in the tracker", "Problems"),
    KeyAction("problems.undo", "u", "undo", "Undo", "Problems"),
    KeyAction("problems.refresh", "ctrl+r", "refresh", "Refresh", "Problems", show=False),
    KeyAction("problems.back", "escape,q", "back", "Back", "Problems"),
    # the leads' desk
    KeyAction("leads.approve", "a", "approve", "Approve / publish / answer", "Leads"),
    KeyAction("leads.refuse", "x", "refuse", "Refuse / decline / flag off", "Leads"),
    KeyAction("leads.open", "o", "open", "Open the conversation", "Leads"),
    KeyAction("leads.refresh", "ctrl+r", "refresh", "Refresh", "Leads", show=False),
    KeyAction("leads.back", "escape,q", "back", "Back", "Leads"),
    # the composer
    KeyAction("composer.send", "ctrl+s,ctrl+enter", "send", "Send", "Compose", priority=True),
    KeyAction(
        "composer.send_done",
        "ctrl+o,alt+enter",
        "send_done",
        "Send & done",
        "Compose",
        priority=True,
    ),
    KeyAction(
        "composer.toggle_note", "ctrl+n", "toggle_note", "Reply ⇄ note", "Compose", priority=True
    ),
    KeyAction("composer.leave", "escape", "leave", "Leave composer", "Compose", priority=True),
    KeyAction(
        "composer.quick_insert",
        "tab",
        "quick_insert",
        "::macro then tab inserts it",
        "Compose",
        show=False,
        priority=True,
    ),
    KeyAction(
        "composer.save_macro",
        "ctrl+t",
        "save_macro",
        "Save reply as macro",
        "Compose",
        priority=True,
    ),
)

BY_ID = {k.id: k for k in KEYS}
GROUP_ORDER = (
    "Navigate",
    "Triage",
    "Compose",
    "Select",
    "Customer",
    "Metrics",
    "Problems",
    "Team",
    "Leads",
    "General",
)


#: The scopes whose bindings are live at the same moment, from where each scope is bound:
#: the app's on every screen; the workstation's (``desk``) with whichever of its panes has
#: focus, one pane at a time; the metrics screen's with the app's only. A key may repeat
#: across scopes never live together (the metrics screen's ``1`` and the workstation's, the
#: inbox's ``x`` and the composer's text). Modals' own keys (a picker's arrows, a question's
#: ``y``) are not remappable and cover the panes, so they are not listed.
LIVE_TOGETHER: tuple[frozenset[str], ...] = (
    frozenset({"app", "desk", "inbox"}),
    frozenset({"app", "desk", "composer"}),
    frozenset({"app", "desk", "customer"}),
    frozenset({"app", "desk", "search"}),
    frozenset({"app", "metrics"}),
    frozenset({"app", "problems"}),
    frozenset({"app", "leads"}),
)


class KeymapError(ValueError):
    """The config's keymap cannot be applied; the message is one line for the user."""


def bindings(scope: str) -> list[BindingType]:
    """The Textual bindings of one scope (``desk``, ``inbox``, ``composer``…)."""
    return [
        Binding(k.keys, k.action, k.description, show=k.show, id=k.id, priority=k.priority)
        for k in KEYS
        if k.id.split(".", 1)[0] == scope
    ]


def check_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """Validate ``{binding id: keys}`` from the config; return it normalised.

    Raises KeymapError for an unknown id (naming the close ones) or for a key that the
    remap gives to two actions live at the same time (:data:`LIVE_TOGETHER`): one of them
    would never run, silently. A pane's key that stands in for the workstation's while the
    pane has focus (the customer pane's ``r`` resends, elsewhere ``r`` replies) is allowed
    when both actions have that key by default: that is by design, not by remap.
    """
    clean: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        if binding_id not in BY_ID:
            near = [k for k in BY_ID if k.split(".")[-1] == binding_id.split(".")[-1]]
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise KeymapError(f"keymap: unknown action {binding_id!r}{hint}; see the ? screen")
        parts = [p.strip() for p in str(keys).split(",") if p.strip()]
        if not parts:
            raise KeymapError(f"keymap: {binding_id} has no key")
        clean[binding_id] = ",".join(parts)
    for live in LIVE_TOGETHER:
        seen: dict[str, KeyAction] = {}
        for k in KEYS:
            if _scope(k) not in live:
                continue
            for key in dict.fromkeys(clean.get(k.id, k.keys).split(",")):
                other = seen.setdefault(key, k)
                if other is not k and not _designed(other, k, key):
                    raise KeymapError(
                        f"keymap: {key!r} is bound to both {other.id} and {k.id}, "
                        "which are active at the same time"
                    )
    return clean


def _scope(k: KeyAction) -> str:
    return k.id.split(".", 1)[0]


def _designed(a: KeyAction, b: KeyAction, key: str) -> bool:
    """A pane's default key standing in for the workstation's default one (never an app
    key, never two actions of one scope)."""
    scopes = {_scope(a), _scope(b)}
    return (
        "desk" in scopes
        and "app" not in scopes
        and len(scopes) == 2
        and key in a.keys.split(",")
        and key in b.keys.split(",")
    )


def keys_for(binding_id: str, keymap: Mapping[str, str] | None = None) -> str:
    """The keys of an action after remapping, for display."""
    return (keymap or {}).get(binding_id, BY_ID[binding_id].keys)


def pane_claims(pane: object, binding_id: str, overrides: Mapping[str, str]) -> bool:
    """Whether ``pane`` (a focused widget) binds one of ``binding_id``'s keys to an action
    of its own: the customer pane's ``r`` resends, where elsewhere ``r`` replies."""
    keys = set(keys_for(binding_id, overrides).split(","))
    for binding in getattr(pane, "BINDINGS", ()):
        binding_of_pane = getattr(binding, "id", None)
        if (
            binding_of_pane in BY_ID
            and binding_of_pane != binding_id
            and keys & set(keys_for(binding_of_pane, overrides).split(","))
        ):
            return True
    return False
