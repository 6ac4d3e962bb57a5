"""Remapped keys: one key for two actions live at the same time is refused in one line
naming both; keys repeated across scopes never live together stay allowed."""

from __future__ import annotations

import pytest

from deskterm import keymap


@pytest.mark.parametrize(
    ("remap", "key", "first", "second"),
    [
        ({"desk.done": "question_mark"}, "question_mark", "app.help", "desk.done"),  # app + desk
        ({"desk.done": "ctrl+q"}, "ctrl+q", "app.quit", "desk.done"),  # the priority quit
        ({"metrics.breakdown": "ctrl+p"}, "ctrl+p", "app.palette", "metrics.breakdown"),
        ({"inbox.toggle": "e"}, "e", "desk.done", "inbox.toggle"),  # inbox pane + desk
        ({"customer.cancel": "e"}, "e", "desk.done", "customer.cancel"),
        ({"composer.save_macro": "ctrl+r"}, "ctrl+r", "desk.refresh", "composer.save_macro"),
        ({"desk.done": "o"}, "o", "desk.done", "desk.open_file"),  # o opens a message's file
        ({"desk.done": "z"}, "z", "desk.done", "desk.snooze"),  # one scope, as before
        ({"desk.reply": "R", "customer.resend": "e"}, "e", "desk.done", "customer.resend"),
    ],
)
def test_a_key_for_two_live_actions_is_refused_naming_both(
    remap: dict[str, str], key: str, first: str, second: str
) -> None:
    with pytest.raises(keymap.KeymapError) as err:
        keymap.check_keymap(remap)
    message = str(err.value)
    assert "\n" not in message
    assert f"{key!r}" in message and first in message and second in message
    assert message.index(first) < message.index(second)


@pytest.mark.parametrize(
    "remap",
    [
        {},  # the defaults: the customer pane's r and g stand in for reply and go-to there
        {"metrics.breakdown": "e"},  # the metrics screen and the workstation: never together
        {"metrics.back": "escape,q", "metrics.today": "r"},
        {"inbox.toggle": "s"},  # the inbox's x and the customer pane's s: one pane at a time
        {"composer.save_macro": "ctrl+e", "inbox.toggle": "ctrl+e"},
        {"desk.reply": "r,R"},  # still r by default on both sides
        {"customer.resend": "R"},  # no overlap left
        {"desk.reply": "R", "customer.resend": "r"},
    ],
)
def test_keys_reused_where_never_live_together_are_allowed(remap: dict[str, str]) -> None:
    assert keymap.check_keymap(remap) == remap


def test_every_scope_is_in_a_live_set_and_defaults_clash_only_by_design() -> None:
    scopes = {k.id.split(".", 1)[0] for k in keymap.KEYS}
    assert scopes <= set().union(*keymap.LIVE_TOGETHER)
    overlaps = []
    for live in keymap.LIVE_TOGETHER:
        seen: dict[str, str] = {}
        for k in keymap.KEYS:
            if k.id.split(".", 1)[0] in live:
                for key in k.keys.split(","):
                    if key in seen:
                        overlaps.append((key, seen[key], k.id))
                    seen.setdefault(key, k.id)
    assert sorted(overlaps) == [
        # The workstation's ctrl+s / ctrl+o send the open draft from any pane; in the
        # composer its own send does it, in the search box ctrl+s keeps the search.
        ("ctrl+o", "desk.send_done", "composer.send_done"),
        ("ctrl+s", "desk.send", "composer.send"),
        ("ctrl+s", "search.save", "desk.send"),
        ("escape", "desk.back", "composer.leave"),
        ("g", "desk.goto", "customer.gesture"),
        # o opens a message's file, and in the customer pane a past conversation.
        ("o", "desk.open_file", "customer.open_past"),
        ("tab", "desk.next_pane", "composer.quick_insert"),
    ]
