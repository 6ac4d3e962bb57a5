"""``deskterm problems`` prints the open problems as a table, CSV or JSON; ``deskterm report``
gains the customers told of a fix and the top problems."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deskterm.backend.store import Store
from deskterm.cli import main
from deskterm.domain.models import Channel


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    path = tmp_path / "desk.db"
    store = Store(path)
    now = datetime.now(UTC)
    crash = store.add_problem("App crashes after the update", agent_id=None)
    promo = store.add_problem("Promo code refused", agent_id=None)
    done = store.add_problem("Old typo", agent_id=None)
    store.update_problem(done, {"status": "fixed"}, agent_id=None)
    for n, (problem, days_ago) in enumerate([(crash, 0), (crash, 1), (crash, 2), (promo, 20)]):
        customer = store.add_customer(f"Customer {n}", created_at=now - timedelta(days=30))
        cid = store.open_conversation(
            customer, Channel.EMAIL, "Help", "It fails", created_at=now - timedelta(days=days_ago)
        )
        store.link_problem(problem, [cid], agent_id=None)
    store.record_notified(promo, [cid])
    store.close()
    return path


def test_json_lists_open_problems_most_customers_this_week_first(store_file, capsys):
    assert main(["problems", "--db", str(store_file), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["title"] for r in rows] == ["App crashes after the update", "Promo code refused"]
    crash = rows[0]
    assert (crash["customers_this_week"], crash["customers"], crash["conversations"]) == (3, 3, 3)
    assert crash["reports_per_day"][-3:] == [1, 1, 1] and len(crash["reports_per_day"]) == 14
    assert rows[1]["notified"] == 1


def test_csv_and_table_and_all(store_file, capsys):
    assert main(["problems", "--db", str(store_file), "--format", "csv", "--all"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["title"] for r in rows} == {
        "App crashes after the update",
        "Promo code refused",
        "Old typo",
    }
    assert main(["problems", "--db", str(store_file)]) == 0
    table = capsys.readouterr().out
    assert "App crashes after the update" in table and "Old typo" not in table


def test_a_bad_format_is_one_line(store_file, capsys):
    assert main(["problems", "--db", str(store_file), "--format", "xml"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "table, csv, json" in err


def test_the_report_counts_customers_told_and_top_problems(store_file, capsys):
    today = datetime.now(UTC).date()
    since = (today - timedelta(days=29)).isoformat()
    assert main(["report", "--db", str(store_file), "--since", since, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["customers_notified"] == 1
    assert report["problems"][0]["title"] == "App crashes after the update"
    assert report["problems"][0]["customers"] == 3
    assert main(["report", "--db", str(store_file), "--since", since]) == 0
    assert "customers notified of a fix: 1" in capsys.readouterr().out
