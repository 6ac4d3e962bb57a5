"""Problems from the workstation: link (suggested first), create, bulk link, the problems
screen, mark fixed and tell the customers (with a skip and an edit), undo."""

from __future__ import annotations

from deskterm.domain.models import AuthorKind, Status
from deskterm.domain.problems import ProblemStatus
from deskterm.screens.notice_review import NoticeEditScreen, NoticeReviewScreen
from deskterm.screens.picker import PickerScreen
from deskterm.screens.problems import ProblemsScreen
from deskterm.screens.text_prompt import TextPromptScreen
from deskterm.widgets.inbox_list import InboxList
from tests.app.conftest import SIZE, settle, until
from tests.app.test_workstation import _export, desk, shown_id


def _notices(app) -> list[str]:
    return [n.message for n in app._notifications]


def _screen_text(app) -> str:
    return _export(app)


async def test_a_new_problem_prefilled_from_the_conversation_then_undone(make_app, desk_store):
    store, ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown_id(app) == ids["bread"]
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("enter")  # "+ New problem", first
        await until(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        assert app.screen.value == "Il manque le pain"
        await pilot.press("enter")
        await settle(pilot)
        [problem] = store.problems_of_conversation(ids["bread"])
        assert problem.title == "Il manque le pain"
        assert "il manque le pain dans ma commande" in problem.description
        await until(pilot, lambda: "⚑ Il manque le pain · open" in _export(app))
        assert "⚑ Problem: Il manque le pain · open" in _export(app)
        await pilot.press("u")
        await settle(pilot)
        assert store.problems_of_conversation(ids["bread"]) == []
        assert store.problems() == []
        await until(pilot, lambda: "⚑" not in _export(app))


async def test_the_problem_its_words_suggest_comes_first(make_app, desk_store):
    store, ids = desk_store
    crash = store.add_problem("App crashes after the update", agent_id=None)
    promo = store.add_problem(
        "Promo code refused", description="Code promo refusé à la caisse", agent_id=None
    )
    store.link_problem(crash, [ids["chloé"]], agent_id=None)
    store.link_problem(promo, [ids["jade"]], agent_id=None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        desk(app).open_conversation_by_id(ids["emma"])  # "Le code BIENVENUE10 ne fonctionne pas"
        await settle(pilot)
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        assert picker.choices[1].value == f"problem:{promo}"
        assert picker.choices[1].detail.startswith("suggested")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert [p.id for p in store.problems_of_conversation(ids["emma"])] == [promo]
        assert {c.id for c in store.problem_conversations(promo)} == {ids["jade"], ids["emma"]}
        # Typed text searches the problems, accents and case aside: enter links the match.
        desk(app).open_conversation_by_id(ids["hugo"])
        await settle(pilot)
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press(*"APP CRASH", "enter")
        await settle(pilot)
        assert [p.id for p in store.problems_of_conversation(ids["hugo"])] == [crash]
        assert len(store.problems()) == 2


async def test_several_selected_conversations_linked_at_once(make_app, desk_store):
    store, _ids = desk_store
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox = app.screen.query_one(InboxList)
        await pilot.press("x", "j", "x", "j", "x")
        chosen = set(inbox.selected_ids)
        assert len(chosen) == 3
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press(*"Slot page blank", "enter")  # a title typed: a new problem
        await settle(pilot)
        [problem] = store.problems()
        assert problem.title == "Slot page blank"
        assert {c.id for c in store.problem_conversations(problem.id)} == chosen
        assert not inbox.selected_ids


async def _fixed_problem_with_three_customers(store, ids) -> int:
    """Léa twice (her done conversation is her latest), Emma, Hugo."""
    pid = store.add_problem("Code promo refusé", agent_id=None)
    store.link_problem(pid, [ids["bread"], ids["old"], ids["emma"], ids["hugo"]], agent_id=None)
    return pid


async def test_fixed_tells_each_customer_once_with_a_skip_and_an_edit(make_app, desk_store):
    store, ids = desk_store
    pid = await _fixed_problem_with_three_customers(store, ids)
    assert store.conversation(ids["old"]).status is Status.DONE
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "b")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen) and app.screen.loaded)
        await pilot.press("f")
        await until(pilot, lambda: "Tell the customers who reported it" in _screen_text(app))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, NoticeReviewScreen))
        review = app.screen
        assert [n.conversation_id for n in review.notices] == [ids["hugo"], ids["emma"], ids["old"]]
        emma = review.notices[1]
        assert "Bonne nouvelle" in emma.body and "Code promo refusé" in emma.body
        assert "Camille" in emma.body
        await pilot.press("space")  # Hugo: skipped
        await pilot.press("down", "down", "e")  # Léa: edited
        await until(pilot, lambda: isinstance(app.screen, NoticeEditScreen))
        area = app.screen.query_one("TextArea")
        area.text = "Léa, c'est réparé : votre code promo passe maintenant."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, NoticeReviewScreen))
        await pilot.press("enter")
        await until(pilot, lambda: store.problem(pid).notified == 2)
        await settle(pilot)
    assert store.problem(pid).status is ProblemStatus.FIXED
    told_emma = store.messages(ids["emma"])[-1]
    assert told_emma.author_kind is AuthorKind.AGENT and "Code promo refusé" in told_emma.body
    assert store.messages(ids["hugo"])[-1].author_kind is AuthorKind.CUSTOMER
    lea = store.messages(ids["old"])[-1]
    assert lea.body == "Léa, c'est réparé : votre code promo passe maintenant."
    assert store.conversation(ids["old"]).status is Status.DONE  # told, and done again
    # Léa is told once, in her latest linked conversation, not in both.
    assert not any("réparé" in m.body or "Bonne" in m.body for m in store.messages(ids["bread"]))


async def test_notices_held_for_the_undo_delay_are_taken_back(make_app, desk_store):
    store, ids = desk_store
    pid = await _fixed_problem_with_three_customers(store, ids)
    before = {cid: store.conversation(cid).message_count for cid in ids.values() if cid < 100}
    app = make_app(undo_send_seconds=30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen) and app.screen.loaded)
        await pilot.press("f")
        await until(pilot, lambda: "Tell the customers who reported it" in _screen_text(app))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, NoticeReviewScreen))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        assert app.screen.notices.held is not None
        await pilot.press("u")
        await settle(pilot)
        assert app.screen.notices.held is None
    assert store.problem(pid).notified == 0
    after = {cid: store.conversation(cid).message_count for cid in before}
    assert after == before


async def test_the_problems_screen_opens_a_linked_conversation(make_app, desk_store):
    store, ids = desk_store
    small = store.add_problem("Allergen list missing", agent_id=None)
    store.link_problem(small, [ids["jade"]], agent_id=None)
    big = store.add_problem("Login fails", agent_id=None)
    store.link_problem(big, [ids["chloé"], ids["paul"]], agent_id=None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g", "b")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen) and app.screen.loaded)
        assert [p.id for p in app.screen.problems] == [big, small]
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert {c.value for c in app.screen.choices} == {str(ids["chloé"]), str(ids["paul"])}
        target = int(app.screen.choices[0].value)
        await pilot.press("enter")
        await settle(pilot)
        assert shown_id(app) == target


async def test_marking_fixed_is_undone_on_the_problems_screen(make_app, desk_store):
    store, ids = desk_store
    pid = store.add_problem("Login fails", agent_id=None)
    store.link_problem(pid, [ids["chloé"]], agent_id=None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen) and app.screen.loaded)
        await pilot.press("f")
        await until(pilot, lambda: "Tell the customers who reported it" in _screen_text(app))
        await pilot.press("n")
        await settle(pilot)
        assert store.problem(pid).status is ProblemStatus.FIXED
        await pilot.press("u")
        await settle(pilot)
        assert store.problem(pid).status is ProblemStatus.OPEN


async def test_in_remote_mode_the_notices_go_through_the_outbox(tmp_path):
    from deskterm.backend.sync.outbox import waiting
    from tests.app.test_remote_mode import _remote, _status

    desk, _connector, store, app = _remote(tmp_path, n=4)
    desk.tickets["2"].status = Status.DONE  # answered and closed before the fix
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: _status(app) == "synced")
        ids = [store.conversation_by_external(str(n)).id for n in (1, 2)]
        pid = store.add_problem("Login fails", agent_id=None)
        store.link_problem(pid, ids, agent_id=None)
        await pilot.press("B")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen) and app.screen.loaded)
        await pilot.press("f")
        await until(pilot, lambda: "Tell the" in _screen_text(app))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, NoticeReviewScreen))
        await pilot.press("enter")
        await until(pilot, lambda: len(desk.sent) == 2 and waiting(store) == 0)
        assert {tid for tid, _, public in desk.sent if public} == {"1", "2"}
        assert all("Login fails" in body for _, body, _ in desk.sent)
        assert desk.tickets["2"].status is Status.DONE  # told, and closed again
        assert store.problem(pid).notified == 2
        app.sync_runner.shutdown()
    store.close()


async def test_c_copies_the_bug_report_and_saves_it_masked(make_app, desk_store, tmp_path):
    from deskterm import locations

    store, ids = desk_store
    pid = store.add_problem("Code promo refusé", agent_id=None)
    store.link_problem(pid, [ids["bread"], ids["emma"]], agent_id=None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen) and app.screen.loaded)
        await pilot.press("c")
        saved = locations.data_dir() / "reports" / f"problem-{pid}.md"
        await until(pilot, lambda: app.clipboard.startswith("# Code promo refusé"))
        await pilot.press("F")  # no tracker set up: said in one line, nothing else
        await until(pilot, lambda: any("No tracker set up" in m for m in _notices(app)))
    text = saved.read_text(encoding="utf-8")
    assert text == app.clipboard
    assert "**Customers:** 2 (2 conversations)" in text
    assert "PO-88213" not in text and "[order]" in text  # Léa's order number, masked
    assert saved.stat().st_mode & 0o077 == 0


async def test_f_files_the_problem_once_in_the_configured_tracker(
    make_app, desk_store, monkeypatch
):
    from deskterm.backend.trackers import marker
    from tests.fakes.tracker_servers import FakeGitHub

    store, ids = desk_store
    pid = store.add_problem("Login fails", agent_id=None)
    store.link_problem(pid, [ids["chloé"]], agent_id=None)
    monkeypatch.setenv("DESKTERM_GITHUB_TOKEN", "gh-token")
    with FakeGitHub() as server:
        server.fail_next(429, retry_after=0)
        tracker = {"kind": "github", "repository": "popote/app", "url": server.url}
        app = make_app(tracker=tracker)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("B")
            await until(pilot, lambda: isinstance(app.screen, ProblemsScreen) and app.screen.loaded)
            await pilot.press("F")
            await until(pilot, lambda: store.problem(pid).tracker_url is not None)
            await until(pilot, lambda: any(m.startswith("Filed:") for m in _notices(app)))
            await pilot.press("F")  # again: the issue is known, nothing asked
            await settle(pilot)
        assert len(server.issues) == 1
        assert store.problem(pid).tracker_url == server.issues[0]["html_url"]
        assert "Login fails" in server.issues[0]["title"]
        issue = server.issues[0]
        assert "> Je n'arrive plus à me connecter" in issue["body"]
        labels = {label["name"] for label in issue["labels"]}
        assert labels == {marker(store, store.problem(pid)), "deskterm"}


async def test_the_title_and_the_tracker_link_are_edited_and_undone(make_app, desk_store):
    store, ids = desk_store
    pid = store.add_problem("Login fail", agent_id=None)
    store.link_problem(pid, [ids["chloé"]], agent_id=None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen) and app.screen.loaded)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        await pilot.press("ctrl+e", *"s since this morning", "enter")
        await until(pilot, lambda: store.problem(pid).title == "Login fails since this morning")
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        await pilot.press(*"https://tracker.example/SUP-7", "enter")
        await until(pilot, lambda: store.problem(pid).tracker_url is not None)
        assert store.problem(pid).tracker_url == "https://tracker.example/SUP-7"
        await settle(pilot)
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press(*"incid", "enter")
        await until(pilot, lambda: store.problem(pid).kind.value == "incident")
        await settle(pilot)
        await pilot.press("u")
        await until(pilot, lambda: store.problem(pid).kind.value == "bug")
        await pilot.press("u")
        await until(pilot, lambda: store.problem(pid).tracker_url is None)
        await pilot.press("u")
        await until(pilot, lambda: store.problem(pid).title == "Login fail")


async def test_a_notice_with_an_unfilled_placeholder_waits_for_an_edit(make_app, desk_store):
    store, ids = desk_store
    store.add_macro(
        "Problème corrigé",
        "Fixed: {{ problem.title }}, see {{ order.number }}.",
        variants={"fr": "Corrigé : {{ problem.title }}, voir {{ order.number }}."},
    )
    pid = store.add_problem("Code promo refusé", agent_id=None)
    store.link_problem(pid, [ids["emma"]], agent_id=None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await until(pilot, lambda: isinstance(app.screen, ProblemsScreen) and app.screen.loaded)
        await pilot.press("f")
        await until(pilot, lambda: "Tell the customers who reported it" in _screen_text(app))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, NoticeReviewScreen))
        [notice] = app.screen.notices
        assert notice.body.startswith("Corrigé : Code promo refusé, voir ⟦order.number⟧")
        assert notice.missing == ("order.number",)
        await pilot.press("enter")  # refused: the placeholder is still there
        await until(pilot, lambda: any("Fill in or skip" in m for m in _notices(app)))
        assert isinstance(app.screen, NoticeReviewScreen)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, NoticeEditScreen))
        app.screen.query_one("TextArea").text = "Corrigé : Code promo refusé."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, NoticeReviewScreen))
        await pilot.press("enter")
        await until(pilot, lambda: store.problem(pid).notified == 1)
    assert store.messages(ids["emma"])[-1].body == "Corrigé : Code promo refusé."
