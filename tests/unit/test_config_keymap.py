"""Settings and keymap: good files load, bad ones fail in one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskterm import keymap
from deskterm.config import ConfigError, load


def test_no_file_gives_defaults():
    settings = load()  # the XDG path, absent here
    assert settings.undo_send_seconds == 5 and settings.theme == "deskterm-dark"


def test_a_named_file_that_is_missing_is_one_line(tmp_path: Path, monkeypatch):
    with pytest.raises(ConfigError, match=r"none\.toml: no such settings file"):
        load(tmp_path / "none.toml")
    monkeypatch.setenv("DESKTERM_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match=r"gone\.toml: no such settings file"):
        load()


def test_an_unknown_time_zone_is_one_line(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('timezone = "Europe/Pariss"\n')
    with pytest.raises(ConfigError, match=r"timezone: .*unknown time zone 'Europe/Pariss'") as err:
        load(path)
    assert "\n" not in str(err.value)
    path.write_text('shop_timezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError, match="shop_timezone"):
        load(path)


def test_file_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "config.toml"
    path.write_text(
        'theme = "deskterm-light"\n[keymap]\n"desk.done" = "e,ctrl+e"\n'
        '[[sla]]\nname = "Chat"\nchannel = "chat"\nfirst_response_minutes = 3\n'
        "next_response_minutes = 4\n"
    )
    monkeypatch.setenv("DESKTERM_UNDO_SEND_SECONDS", "9")
    settings = load(path)
    assert settings.theme == "deskterm-light"
    assert settings.keymap == {"desk.done": "e,ctrl+e"}
    assert settings.sla[0].first_response_minutes == 3
    assert settings.undo_send_seconds == 9


def test_broken_toml_names_the_file_and_line(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('theme = "dark"\nundo_send_seconds = = 3\n')
    with pytest.raises(ConfigError) as err:
        load(path)
    message = str(err.value)
    assert str(path) in message and "line 2" in message and "\n" not in message


def test_bad_values_are_one_line(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('undo_send_seconds = "soon"\nwhat_is_this = 1\n')
    with pytest.raises(ConfigError) as err:
        load(path)
    assert "undo_send_seconds" in str(err.value) and "\n" not in str(err.value)
    assert "1 more" in str(err.value)


def test_keymap_remaps_and_reports_unknown_ids_and_clashes():
    assert keymap.check_keymap({"desk.done": "ctrl+e, e"}) == {"desk.done": "ctrl+e,e"}
    with pytest.raises(keymap.KeymapError, match=r"unknown action 'done'.*desk\.done"):
        keymap.check_keymap({"done": "e"})
    with pytest.raises(keymap.KeymapError, match="bound to both"):
        keymap.check_keymap({"desk.done": "z"})  # z snoozes
    with pytest.raises(keymap.KeymapError, match="has no key"):
        keymap.check_keymap({"desk.done": " , "})


def test_every_binding_has_a_unique_id_and_a_description():
    ids = [k.id for k in keymap.KEYS]
    assert len(ids) == len(set(ids))
    assert all(k.description for k in keymap.KEYS)
    assert keymap.check_keymap({}) == {}  # the defaults do not clash


def test_environment_sets_sections_and_lists_and_wins_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "config.toml"
    path.write_text('theme = "deskterm-light"\n[gestures]\nwindow_days = 30\n')
    monkeypatch.setenv("DESKTERM_THEME", "deskterm-dark")  # the file says otherwise
    monkeypatch.setenv("DESKTERM_GESTURES__WINDOW_DAYS", "45")  # so does it here
    monkeypatch.setenv("DESKTERM_GESTURES__MAX_PER_GESTURE_CENTS", "1500")
    monkeypatch.setenv("DESKTERM_KEYMAP", '{"desk.done": "ctrl+e"}')
    monkeypatch.setenv("DESKTERM_SHOP_TOKEN", "secret")  # not a setting: left alone
    settings = load(path)
    assert settings.theme == "deskterm-dark"
    assert settings.gestures.max_per_gesture_cents == 1500
    assert settings.gestures.window_days == 45
    assert settings.keymap == {"desk.done": "ctrl+e"}


def test_a_bad_variable_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DESKTERM_SLA", "[{not json")
    with pytest.raises(ConfigError, match=r"DESKTERM_SLA: not JSON") as err:
        load()
    assert "\n" not in str(err.value)
    monkeypatch.delenv("DESKTERM_SLA")
    monkeypatch.setenv("DESKTERM_UNDO_SEND_SECONDS", "later")
    with pytest.raises(ConfigError, match="undo_send_seconds"):
        load()
