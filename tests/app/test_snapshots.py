"""The look of the workstation, pinned: three panes, the cheat sheet, narrow, each theme."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from deskterm.domain.models import AuthorKind
from tests.app.conftest import SIZE, settle


async def _ready(pilot) -> None:
    for widget in pilot.app.query(TextArea).results():
        widget.cursor_blink = False
    for widget in pilot.app.screen.query(Input).results():
        widget.cursor_blink = False
    await settle(pilot)


def pressing(*keys: str):
    """A ``run_before`` that presses ``keys`` on the settled app, then settles again."""

    async def run_before(pilot) -> None:
        await _ready(pilot)
        await pilot.press(*keys)
        await _ready(pilot)

    return run_before


def test_three_panes(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)


def test_composer_with_a_draft(snap_compare, make_app):
    run_before = pressing("r", *"Bonjour Léa, désolée pour le pain !")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_cheat_sheet(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing("question_mark"))


def test_narrow_terminal(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_ready)


def test_medium_terminal(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 35), run_before=_ready)


@pytest.mark.parametrize("theme", ["deskterm-dark", "deskterm-light"])
def test_themes(snap_compare, make_app, theme):
    assert snap_compare(make_app(theme=theme), terminal_size=SIZE, run_before=_ready)


def test_snooze_picker(snap_compare, make_app):
    run_before = pressing("z", *"tomorrow 9:00")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_goto_picker(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing("g"))


# -- every modal and flow, each on the demo's most urgent conversation ---------------------


def test_macro_picker_with_its_preview(snap_compare, make_app):
    run_before = pressing("m", *"retard")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_tag_picker_offering_a_new_tag(snap_compare, make_app):
    run_before = pressing("t", *"late")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_assign_picker(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing("a"))


def test_priority_picker(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=pressing("p"))


def test_order_action_confirm(snap_compare, make_app):
    run_before = pressing("f3", "d")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_refund_items_checklist(snap_compare, make_app):
    """The items of the order with their price, the tiramisu ticked."""
    run_before = pressing("f3", "f", "down", "down", "space")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_goodwill_amount_prompt(snap_compare, make_app):
    run_before = pressing("f3", "g")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_search_box_with_results(snap_compare, make_app):
    run_before = pressing("slash", *"pain")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_command_palette(snap_compare, make_app):
    run_before = pressing("ctrl+p", *"metri")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_narrow_terminal_writing_a_reply(snap_compare, make_app):
    run_before = pressing("r", *"Bonjour !")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)


def test_narrow_terminal_customer_pane(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=pressing("f3"))


def test_unsent_actions_in_the_thread_and_the_row(snap_compare, make_app, desk_store):
    """A note and a tag the remote helpdesk has not accepted yet: a line each, a ⧗ in the row."""
    store, ids = desk_store
    cid = ids["bread"]
    store.add_message(
        cid,
        author_kind=AuthorKind.AGENT,
        author_id=ids["camille"],
        author_name="Camille Moreau",
        body="Le livreur repasse avant 13 h.",
        public=False,
        outbox={"kind": "note", "payload": {"body": "Le livreur repasse avant 13 h."}},
    )
    store.change_tags(cid, add=["call-back"], agent_id=ids["camille"], outbox={"kind": "tags"})
    store.conn.execute(
        "UPDATE outbox SET attempts = 3, last_error = 'cannot reach Request Tracker: "
        "connection refused' WHERE kind = 'note'"
    )
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)


def test_a_mirrored_conversation_with_its_number_and_files(snap_compare, make_app, desk_store):
    """A conversation from a remote helpdesk: RT's ticket number in the header, and a message's
    files listed with their sizes."""
    from deskterm.backend.views import View
    from deskterm.domain.models import AuthorKind

    store, _ = desk_store
    first = store.page(View("inbox", "Inbox"), limit=1)[0].id
    store.update_conversation(first, {"external_id": "3207"}, agent_id=None, kind="sync:pull")
    store.add_message(  # a note, which leaves the inbox's order as it is
        first,
        author_kind=AuthorKind.AGENT,
        author_name="Paul",
        public=False,
        body="The customer's receipt and photo, from the mail.",
        attachments=[
            {"filename": "ticket-de-caisse.pdf", "size": 48_213, "external_id": "91"},
            {"filename": "photo.jpg", "size": 1_204_551, "external_id": "92"},
        ],
    )
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)


def test_a_customer_with_two_open_conversations(snap_compare, make_app, desk_store):
    """Léa wrote again in a new conversation: both rows carry ⧉2, and the header of the one
    on screen says so, with the key that merges them."""
    from deskterm.domain.models import Channel

    store, ids = desk_store
    store.open_conversation(ids["lea"], Channel.EMAIL, "Toujours pas de pain", "Allô ?")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_ready)
