"""An action lands on the conversation the agent has on screen, never on a row the cursor was
pushed to when another left the view; a reply keeps the agent on the conversation; send &
done goes on to the view's most urgent conversation."""

from __future__ import annotations

from deskterm.backend.views import BUILTIN_VIEWS
from deskterm.domain.models import Status
from deskterm.widgets.inbox_list import InboxList
from tests.app.conftest import SIZE, settle
from tests.app.test_workstation import desk, shown_id

INBOX = BUILTIN_VIEWS[0]


def _inbox(app) -> InboxList:
    return app.screen.query_one(InboxList)


async def test_after_a_reply_e_closes_the_conversation_answered_not_the_next_row(
    make_app, desk_store
):
    store, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        answered = shown_id(app)
        assert answered is not None
        others = [r.id for r in store.page(INBOX, limit=100) if r.id != answered]
        await pilot.press("r", *"On regarde ça tout de suite.", "ctrl+s")
        await settle(pilot, 5)
        assert store.conversation(answered).status is Status.PENDING
        assert answered not in [r.id for r in store.page(INBOX, limit=100)]  # it left the view
        assert shown_id(app) == answered  # but its thread stays on screen
        assert desk(app).composer.text == ""
        await pilot.press("e")
        await settle(pilot)
        assert store.conversation(answered).status is Status.DONE
        assert [o for o in others if store.conversation(o).status is Status.DONE] == []


async def test_j_after_a_reply_opens_the_row_that_took_its_place(make_app, desk_store):
    store, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = [r.id for r in store.page(INBOX, limit=100)]
        await pilot.press("r", *"Merci, on s'en occupe.", "ctrl+s")
        await settle(pilot, 5)
        assert shown_id(app) == rows[0]
        await pilot.press("j")
        await settle(pilot)
        assert shown_id(app) == rows[1]  # the next one, not passed over


async def test_a_sent_reply_held_for_undo_does_not_come_back_as_a_draft(make_app, desk_store):
    app = make_app(undo_send_seconds=30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        answered = shown_id(app)
        await pilot.press("r", *"Votre commande arrive.", "ctrl+s")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert shown_id(app) != answered
        await pilot.press("k")
        await settle(pilot)
        assert shown_id(app) == answered
        assert desk(app).composer.text == ""
        await pilot.press("u")  # undo send still brings the words back
        await settle(pilot)
        assert "Votre commande arrive." in desk(app).composer.text


async def test_send_and_done_opens_the_most_urgent_conversation(make_app, desk_store):
    store, _ids = desk_store
    rows = [r.id for r in store.page(INBOX, limit=100)]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = _inbox(app)
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        answered = shown_id(app)
        assert answered == rows[2]
        await pilot.press("r", *"C'est fait.", "ctrl+o")
        await settle(pilot, 5)
        assert store.conversation(answered).status is Status.DONE
        # the view's first row in its urgency order, not the row below the one closed
        assert inbox.cursor_id == rows[0]
        assert shown_id(app) == rows[0]


async def test_send_and_done_on_the_most_urgent_opens_the_one_after_it(make_app, desk_store):
    store, _ids = desk_store
    rows = [r.id for r in store.page(INBOX, limit=100)]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown_id(app) == rows[0]
        await pilot.press("r", *"C'est fait.", "ctrl+o")
        await settle(pilot, 5)
        assert store.conversation(rows[0]).status is Status.DONE
        assert shown_id(app) == rows[1]


async def test_reopen_from_done_keeps_the_thread_and_the_place_in_the_list(make_app, desk_store):
    store, ids = desk_store
    for cid in [r.id for r in store.page(INBOX, limit=100)][:3]:
        store.set_status(cid, Status.DONE, agent_id=ids["camille"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "d")
        await settle(pilot)
        inbox = _inbox(app)
        await pilot.press("j")
        await settle(pilot)
        done = [inbox.row_at(i).id for i in range(inbox.total)]
        assert len(done) >= 3
        reopened = shown_id(app)
        assert reopened == done[1]
        await pilot.press("E")
        await settle(pilot)
        assert store.conversation(reopened).status is Status.OPEN
        assert inbox.cursor == 1 and inbox.cursor_id == done[2]  # the next row, in place
        assert shown_id(app) == reopened  # still on screen
        await pilot.press("t")  # a tag goes to the conversation reopened, not the row
        await settle(pilot)
        await pilot.press(*"callback", "enter")
        await settle(pilot)
        assert "callback" in store.conversation(reopened).tags
        assert "callback" not in store.conversation(done[2]).tags
