"""Merging from the workstation: one confirmation naming both conversations when the customer
has one other open, a picker when several, one line when none, ``u`` splits them back, and a
mirror of a remote helpdesk refuses in one line."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from deskterm.domain.models import AuthorKind, Channel, Status
from deskterm.screens.confirm import ConfirmScreen
from deskterm.screens.picker import PickerScreen
from deskterm.screens.workstation import WorkstationScreen
from tests.app.conftest import SIZE, settle, until
from tests.app.test_workstation import _export, desk, shown_id


def _notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _more_of_lea(store, ids, *subjects: str) -> list[int]:
    """Léa opens more conversations, each after the bread one (which stays the older)."""
    opened = []
    for subject in subjects:
        cid = store.open_conversation(ids["lea"], Channel.EMAIL, subject, f"{subject} ?")
        store.add_message(cid, author_kind=AuthorKind.CUSTOMER, body="Vous êtes là ?")
        opened.append(cid)
    return opened


async def _open(pilot, app, cid: int) -> None:
    desk(app).open_conversation_by_id(cid)
    await settle(pilot)
    assert shown_id(app) == cid


async def test_one_other_open_asks_once_naming_both_and_keeps_the_older(make_app, desk_store):
    store, ids = desk_store
    bread = ids["bread"]
    [again] = _more_of_lea(store, ids, "Toujours pas de pain")
    before = [m.id for m in store.messages(again)]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open(pilot, app, again)  # the newer one on screen: the older is kept
        await pilot.press("C")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert confirm.question == f"Merge #{again} into #{bread}?"
        assert f"Kept: #{bread} “Il manque le pain” · 2 messages" in confirm.detail
        assert "opened it first" in confirm.detail
        assert f"Closed: #{again} “Toujours pas de pain” · 2 messages" in confirm.detail
        await pilot.press("y")
        await settle(pilot)
        assert store.conversation(again).status is Status.DONE
        assert [m.id for m in store.messages(bread)][-3:-1] == before
        assert shown_id(app) == bread  # the screen shows the kept one
        assert any(f"Merged #{again} into #{bread}" in n and "u to undo" in n
                   for n in _notices(app))  # fmt: skip

        await pilot.press("u")
        await settle(pilot)
        assert [m.id for m in store.messages(again)] == before
        assert store.conversation(again).status is not Status.DONE
        assert all(m.id not in before for m in store.messages(bread))
        assert any(n.startswith(f"Undone: merge of #{again} into #{bread}") for n in _notices(app))


async def test_no_answers_no(make_app, desk_store):
    store, ids = desk_store
    [again] = _more_of_lea(store, ids, "Toujours pas de pain")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open(pilot, app, ids["bread"])
        await pilot.press("C")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, WorkstationScreen)
        assert store.conversation(again).status is not Status.DONE
        assert len(store.messages(again)) == 2


async def test_several_open_offer_a_picker_of_them(make_app, desk_store):
    store, ids = desk_store
    bread = ids["bread"]
    slot, promo = _more_of_lea(store, ids, "Changer le créneau", "Code promo")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open(pilot, app, promo)
        await pilot.press("C")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        options = picker.query_one(OptionList)
        listed = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(listed) == 2
        assert any(f"#{slot} “Changer le créneau”" in o for o in listed)
        assert any(f"#{bread} “Il manque le pain”" in o and f"kept: #{promo}" in o
                   for o in listed)  # fmt: skip
        await pilot.press(*"pain", "enter")
        await settle(pilot)
        assert store.conversation(promo).status is Status.DONE
        assert store.conversation(slot).status is not Status.DONE  # not the one picked
        assert shown_id(app) == bread


async def test_no_other_open_says_so_in_one_line(make_app, desk_store):
    _store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open(pilot, app, ids["ana"])
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, WorkstationScreen)
        assert "Ana Souza has no other open conversation to merge with." in _notices(app)
        assert "other open conversation" not in _export(app)


async def test_the_header_says_how_many_others_are_open(make_app, desk_store):
    store, ids = desk_store
    _more_of_lea(store, ids, "Changer le créneau", "Code promo")
    app = make_app(keymap={"desk.merge": "ctrl+g"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open(pilot, app, ids["bread"])
        assert "⧉ 2 other open conversations of this customer · ctrl+g merge" in _export(app)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)  # the remapped key merges


async def test_a_mirror_refuses_in_one_line_and_changes_nothing(tmp_path: Path) -> None:
    from tests.app.test_remote_mode import _remote

    helpdesk, _connector, store, app = _remote(tmp_path, n=2)
    helpdesk.add_ticket("3", "Encore moi", "toujours là", customer="c0")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.bundle is not None)
        [[third]] = store.conn.execute("SELECT id FROM conversations WHERE external_id = '3'")
        desk(app).open_conversation_by_id(third)  # not settle: the sync worker runs on
        await until(pilot, lambda: shown_id(app) == third)
        await pilot.pause(0.1)
        screen = _export(app)
        assert "⧉ 1 other open conversation of this customer" in screen
        assert "C merge" not in screen  # the remote helpdesk does merges
        statuses = [c.status for c in store.open_conversations_of(app.screen.shown.customer_id)]
        await pilot.press("C")
        await pilot.pause(0.2)
        assert isinstance(app.screen, WorkstationScreen)
        [said] = [n for n in _notices(app) if n.startswith("Merge on ")]
        assert "itself" in said and "\n" not in said
        after = [c.status for c in store.open_conversations_of(app.screen.shown.customer_id)]
        assert after == statuses
        app.sync_runner.shutdown()
    store.close()


def test_the_cheat_sheet_lists_the_key_and_the_rows_mark() -> None:
    import os

    from rich.console import Console

    from deskterm.screens.help import cheat_sheet

    console = Console(width=100, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(cheat_sheet({"desk.merge": "ctrl+g"}))
    sheet = console.export_text()
    assert "ctrl+g" in sheet and "desk.merge" in sheet
    assert "⧉2" in sheet and "2 conversations open" in sheet


async def test_a_closed_conversation_on_screen_says_only_open_ones_merge(make_app, desk_store):
    store, ids = desk_store
    _more_of_lea(store, ids, "Toujours pas de pain")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open(pilot, app, ids["old"])  # Léa's done one
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, WorkstationScreen)
        assert f"#{ids['old']} is closed: only open conversations merge." in _notices(app)
        assert "other open conversation" not in _export(app)
