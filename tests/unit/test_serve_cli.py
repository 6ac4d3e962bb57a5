"""``deskterm serve``: loopback unless --public, a warning without a token, the options
passed on to the deskterm each browser tab runs."""

from __future__ import annotations

import shlex

import pytest

from deskterm.cli import commands
from deskterm.cli.serve import is_loopback, served_command


def _args(*argv: str):
    return commands.build_parser().parse_args(list(argv))


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.1", "::1", "localhost"])
def test_loopback_addresses(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.7", "::", "example.org"])
def test_other_addresses(host: str) -> None:
    assert not is_loopback(host)


def test_another_address_needs_public(capsys) -> None:
    assert commands.run(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--public" in err


def test_a_bad_port_is_one_line(capsys) -> None:
    assert commands.run(["serve", "--port", "70000"]) == 2
    assert "not a port number" in capsys.readouterr().err


def test_public_without_a_token_warns(capsys, monkeypatch) -> None:
    served = []
    monkeypatch.delenv("DESKTERM_SERVE_TOKEN", raising=False)

    class Server:
        def __init__(self, command, *, host, port, token, title):
            served.append((command, host, port, token))

        def serve(self):
            pass

    monkeypatch.setattr("deskterm.app.web.DeskServer", Server)
    assert commands.run(["serve", "--host", "0.0.0.0", "--public", "--port", "9001"]) == 0
    assert "no authentication" in capsys.readouterr().err
    assert served and served[0][1:] == ("0.0.0.0", 9001, None)


def test_the_token_comes_from_the_environment(monkeypatch) -> None:
    served = []

    class Server:
        def __init__(self, command, *, host, port, token, title):
            served.append(token)

        def serve(self):
            pass

    monkeypatch.setattr("deskterm.app.web.DeskServer", Server)
    monkeypatch.setenv("DESKTERM_SERVE_TOKEN", "from-env")
    assert commands.run(["serve"]) == 0
    assert served == ["from-env"]


def test_each_tab_runs_deskterm_with_the_same_options(tmp_path) -> None:
    store = tmp_path / "my store.db"
    argv = shlex.split(
        served_command(_args("--db", str(store), "--agent", "lea@example.com", "serve"))
    )
    assert argv[1:3] == ["-m", "deskterm"]
    assert argv[argv.index("--db") + 1] == str(store)
    assert argv[argv.index("--agent") + 1] == "lea@example.com"
    assert "demo" not in argv
    demo = shlex.split(served_command(_args("serve", "--demo")))
    assert demo[-1] == "demo"
