"""``deskterm report``: the figures on stdout, and one clear line for bad input."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

from deskterm.cli import main
from deskterm.cli.report import ReportError, period
from deskterm.domain.models import AuthorKind, Channel
from tests.conftest import T0


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    from deskterm.backend.store import Store
    from deskterm.domain.sla import DEFAULT_POLICIES

    path = tmp_path / "desk.db"
    store = Store(path)
    store.set_sla_policies(DEFAULT_POLICIES)
    agent = store.add_agent("Camille Moreau", "camille@popote.example")
    customer = store.add_customer("Léa Martin")
    for minute, delay, channel in [
        (0, 3, Channel.CHAT),
        (10, 9, Channel.CHAT),
        (20, 60, Channel.EMAIL),
    ]:
        start = T0 + timedelta(minutes=minute)
        cid = store.open_conversation(customer, channel, "Help", "Hello", created_at=start)
        store.add_message(
            cid,
            author_kind=AuthorKind.AGENT,
            author_id=agent,
            body="Hi",
            created_at=start + timedelta(minutes=delay),
        )
    store.close()
    return path


DAY = ["--since", "2026-11-24", "--until", "2026-11-24"]


def test_table_by_channel(store_file: Path, capsys):
    assert main(["report", "--db", str(store_file), *DAY]) == 0
    out = capsys.readouterr().out
    assert "By channel" in out and "chat" in out and "email" in out
    assert "SLA per policy" in out and "Per day" in out


def test_csv_has_one_row_per_slice_and_all(store_file: Path, capsys):
    assert main(["report", "--db", str(store_file), *DAY, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    by = {r["channel"]: r for r in rows}
    assert set(by) == {"chat", "email", "all"}
    assert float(by["chat"]["first_median"]) == 6 * 60  # 3 and 9 minutes
    assert by["chat"]["first_met"] == "1" and by["chat"]["first_judged"] == "2"
    assert float(by["all"]["first_median"]) == 9 * 60


def test_json_has_everything(store_file: Path, capsys):
    assert main(["report", "--db", str(store_file), *DAY, "--by", "agent", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by"] == "agent" and data["since"] == "2026-11-24"
    assert [r["label"] for r in data["rows"]] == ["Camille Moreau"]
    assert data["overall"]["first_responses"] == 3 and data["overall"]["breaches"] == 1
    assert len(data["days"]) == 1 and data["breaches"][0]["policy"] == "Chat"


def test_the_report_never_writes_to_the_store(store_file: Path, capsys):
    before = store_file.stat().st_mtime_ns
    assert main(["report", "--db", str(store_file), *DAY]) == 0
    assert store_file.stat().st_mtime_ns == before


@pytest.mark.parametrize(
    "args, words",
    [
        (["--since", "2026-13-01"], "not a date"),
        (["--until", "yesterday"], "not a date"),
        (["--since", "2026-11-24", "--until", "2026-11-01"], "before"),
        (["--by", "mood"], "--by"),
        (["--format", "xml"], "--format"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(store_file: Path, capsys, args, words):
    assert main(["report", "--db", str(store_file), *args]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_missing_store_is_one_line(tmp_path: Path, capsys):
    assert main(["report", "--db", str(tmp_path / "none.db")]) == 2
    err = capsys.readouterr().err
    assert "No store" in err and err.count("\n") == 1


def test_default_period_is_thirty_days_to_today():
    today = T0.date()
    assert period(None, None, today) == (today - timedelta(days=29), today)
    with pytest.raises(ReportError):
        period("2026-11-24", "2026-11-23", today)
