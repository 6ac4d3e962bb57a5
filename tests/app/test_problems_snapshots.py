"""The look of problems, pinned: the link picker (a suggestion first) and the problems screen."""

from __future__ import annotations

import pytest

from tests.app.conftest import SIZE
from tests.app.test_snapshots import pressing
from tests.conftest import T0


@pytest.fixture
def with_problems(desk_store, clock):
    store, ids = desk_store
    promo = store.add_problem(
        "Promo code refused at checkout", description="BIENVENUE10 refusé", agent_id=None
    )
    store.link_problem(promo, [ids["jade"], ids["hugo"]], agent_id=None)
    login = store.add_problem("Login fails since this morning", agent_id=None)
    store.link_problem(login, [ids["chloé"], ids["paul"], ids["ana"]], agent_id=None)
    store.update_problem(login, {"status": "in_progress"}, agent_id=None)
    # Léa's conversation (on screen) says her bread is missing: this one is suggested.
    store.add_problem("Pain manquant dans les commandes", agent_id=None)
    assert clock.now == T0
    return store, ids


def test_link_picker_with_a_suggestion(snap_compare, make_app, with_problems):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing("b"))


def test_problems_screen(snap_compare, make_app, with_problems):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing("B"))
