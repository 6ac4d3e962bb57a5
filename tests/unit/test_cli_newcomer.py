"""The command line as a newcomer meets it: bad settings stop with one line before anything
is opened, a kept demo of another size is rebuilt, a seed is reproducible to the byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from deskterm.cli import demo, main


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "config, words",
    [
        ('[keymap]\n"desk.done" = "j"\n', "'j' is bound to both desk.done and inbox.down"),
        ('timezone = "Europe/Pariss"\n', "unknown time zone 'Europe/Pariss'"),
    ],
)
def test_bad_settings_stop_with_one_line_before_the_store_is_opened(
    tmp_path: Path, capsys, config: str, words: str
):
    path = tmp_path / "config.toml"
    path.write_text(config)
    store = tmp_path / "desk.db"
    assert main(["--config", str(path), "--db", str(store)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert not store.exists()


def test_a_missing_config_file_is_one_line(tmp_path: Path, capsys, monkeypatch):
    assert main(["--config", str(tmp_path / "nope.toml"), "report"]) == 2
    assert "nope.toml: no such settings file" in capsys.readouterr().err
    monkeypatch.setenv("DESKTERM_CONFIG", str(tmp_path / "gone.toml"))
    assert main(["report"]) == 2
    assert "gone.toml: no such settings file" in capsys.readouterr().err


def test_seed_with_the_same_seed_and_now_is_the_same_file(tmp_path: Path, capsys):
    a, b, c = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "c.db"
    now = "2026-12-04T12:30:00Z"
    assert main(["seed", str(a), "--conversations", "40", "--now", now]) == 0
    assert main(["seed", str(b), "--conversations", "40", "--now", now]) == 0
    assert (
        main(["seed", str(c), "--conversations", "40", "--now", "2026-12-04T13:30:00+00:00"]) == 0
    )
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main(["seed", str(tmp_path / "d.db"), "--now", "noon"])
    assert stop.value.code == 2
    assert "not an ISO time" in capsys.readouterr().err


def test_a_kept_demo_of_another_size_is_rebuilt_and_says_so(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
):
    opened: list[Path] = []
    monkeypatch.setattr(demo, "open_workstation", lambda path, *a, **k: opened.append(path) or 0)
    path = tmp_path / "demo.db"

    def conversations() -> int:
        from deskterm.backend.db import connect

        conn = connect(path, create=False, readonly=True)
        try:
            return int(conn.execute("SELECT count(*) FROM conversations").fetchone()[0])
        finally:
            conn.close()

    assert main(["--db", str(path), "demo", "--conversations", "30"]) == 0
    assert conversations() == 30
    capsys.readouterr()
    assert main(["--db", str(path), "demo"]) == 0  # kept: no size asked
    assert conversations() == 30 and "rebuilding" not in capsys.readouterr().err
    assert main(["--db", str(path), "demo", "--conversations", "50"]) == 0
    err = capsys.readouterr().err
    assert "built with conversations 30: rebuilding it" in err
    assert conversations() == 50
    assert main(["--db", str(path), "demo", "--conversations", "50", "--seed", "7"]) == 0
    assert "rebuilding" not in capsys.readouterr().err
    assert opened == [path] * 4
