"""The command line finds its commands: each module of ``deskterm.cli`` with ``add_command``
is one, listed in ``--help`` and dispatched to its ``run``."""

from __future__ import annotations

import subprocess
import sys

from deskterm.cli import commands


def test_every_command_module_is_found_and_in_the_help() -> None:
    found = commands.command_modules()
    assert {"demo", "seed", "sync", "report", "macros"} <= set(found)
    help_text = commands.build_parser(found).format_help()
    for name, module in found.items():
        assert name == module.COMMAND
        assert callable(module.run)
        assert name in help_text


def test_helper_modules_are_not_commands() -> None:
    assert "workstation" not in commands.command_modules()
    assert "commands" not in commands.command_modules()


def test_report_options_match_what_the_metrics_offer() -> None:
    from deskterm.backend.metrics import BREAKDOWNS
    from deskterm.backend.metrics.report import FORMATS
    from deskterm.cli import report

    assert tuple(report.BREAKDOWNS) == tuple(BREAKDOWNS)
    assert tuple(report.FORMATS) == tuple(FORMATS)


def test_building_the_parser_imports_no_command_machinery() -> None:
    """Every start builds every command's parser: their heavy parts wait for ``run``."""
    code = (
        "import sys; from deskterm.cli import commands; commands.build_parser(); "
        "heavy = [m for m in ('deskterm.backend.metrics', 'deskterm.backend.demo', "
        "'deskterm.backend.sync.engine', 'httpx') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_shift_is_accepted_before_and_after_demo() -> None:
    """The lesson's last screen says ``deskterm demo --shift``: both orders mean shift mode."""
    parser = commands.build_parser()
    assert parser.parse_args(["demo", "--shift"]).shift is True
    assert parser.parse_args(["--shift", "demo"]).shift is True
    assert parser.parse_args(["demo", "--learn"]).shift is False
