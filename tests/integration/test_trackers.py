"""Filing a problem in GitHub Issues and Jira Cloud, against local servers answering as their
APIs document (tests/fakes/tracker_servers.py): a 429, a 500 and a lost answer on the way
still make one issue, never two; a problem filed already is not filed again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from deskterm.backend.store import Store
from deskterm.backend.trackers import TrackerError, file_problem, marker, tracker_from_settings
from deskterm.backend.trackers.github import GitHubIssues
from deskterm.backend.trackers.jira import JiraCloud
from deskterm.config import TrackerSettings
from deskterm.domain.models import Channel
from tests.conftest import T0
from tests.fakes.tracker_servers import FakeGitHub, FakeJira


@pytest.fixture
def store(tmp_path, clock) -> Iterator[Store]:
    s = Store(tmp_path / "t.db", clock=clock)
    yield s
    s.close()


@pytest.fixture(params=["github", "jira"])
def tracker(request):
    if request.param == "github":
        with FakeGitHub() as server:
            yield server, GitHubIssues("popote/app", "gh-token", api=server.url, timeout=2)
    else:
        with FakeJira() as server:
            yield (
                server,
                JiraCloud(server.url, "SUP", "ana@popote.example", "jira-token", timeout=2),
            )


def _problem(store: Store) -> int:
    customer = store.add_customer("Ana", created_at=T0 - timedelta(days=9))
    cid = store.open_conversation(customer, Channel.EMAIL, "Crash", "The app crashes")
    pid = store.add_problem("App crashes after the update", agent_id=None)
    store.link_problem(pid, [cid], agent_id=None)
    return pid


def test_filed_once_through_a_429_a_500_and_a_lost_answer(store, tracker):
    server, client = tracker
    pid = _problem(store)
    server.fail_next(429, retry_after=0)
    server.fail_next(500)
    server.lose_next()  # made, and the answer never comes
    waits: list[float] = []
    url = file_problem(
        store, client, store.problem(pid), "# Crash", agent_id=None, sleep=waits.append
    )
    assert len(server.issues) == 1
    assert url.endswith(("/issues/1", "/browse/SUP-1"))
    assert store.problem(pid).tracker_url == url
    assert waits[0] == 0  # the 429's Retry-After
    posts = [r for r in server.requests if r[0] == "POST"]
    assert len(posts) == 3  # the 429, the 500, the lost one; then the issue was found
    asked = len(server.requests)
    again = file_problem(
        store, client, store.problem(pid), "# Crash", agent_id=None, sleep=waits.append
    )
    assert again == url and len(server.issues) == 1
    assert len(server.requests) == asked  # not even asked: the address is kept


def test_an_issue_made_earlier_is_found_not_made_again(store, tracker):
    server, client = tracker
    pid = _problem(store)
    label = marker(store, store.problem(pid))
    first = client.create("App crashes after the update", "earlier", label)
    url = file_problem(
        store, client, store.problem(pid), "# Crash", agent_id=None, sleep=lambda s: None
    )
    assert url == first and len(server.issues) == 1


def test_a_tracker_that_keeps_failing_gives_one_line_and_files_nothing(store, tracker):
    server, client = tracker
    pid = _problem(store)
    for _ in range(5):
        server.fail_next(503, retry_after=0)
    with pytest.raises(TrackerError) as err:
        file_problem(
            store, client, store.problem(pid), "# Crash", agent_id=None, sleep=lambda s: None
        )
    assert "\n" not in str(err.value) and "503" in str(err.value)
    assert server.issues == [] and store.problem(pid).tracker_url is None


def test_bad_credentials_are_one_line_without_retrying(store):
    with FakeGitHub(token="right") as server:
        client = GitHubIssues("popote/app", "wrong", api=server.url, timeout=2)
        pid = _problem(store)
        with pytest.raises(TrackerError, match="401 Bad credentials"):
            file_problem(
                store, client, store.problem(pid), "x", agent_id=None, sleep=lambda s: None
            )
        assert len(server.requests) == 1


def test_the_report_reaches_jira_as_an_atlassian_document(store):
    with FakeJira() as server:
        client = JiraCloud(server.url, "SUP", "ana@popote.example", "jira-token", timeout=2)
        pid = _problem(store)
        file_problem(store, client, store.problem(pid), "# Title\n\n> words", agent_id=None)
        [issue] = server.issues
        assert issue["labels"] == [marker(store, store.problem(pid)), "deskterm"]
        assert issue["labels"][0].endswith(f"-problem-{pid}")
        assert [p["content"][0]["text"] for p in issue["description"]["content"]] == [
            "# Title",
            "> words",
        ]


def test_settings_without_a_tracker_or_a_token_say_what_is_missing(monkeypatch):
    monkeypatch.delenv("DESKTERM_GITHUB_TOKEN", raising=False)
    with pytest.raises(TrackerError, match="No tracker set up"):
        tracker_from_settings(TrackerSettings())
    with pytest.raises(TrackerError, match="DESKTERM_GITHUB_TOKEN"):
        tracker_from_settings(TrackerSettings(kind="github", repository="a/b"))
    monkeypatch.setenv("DESKTERM_GITHUB_TOKEN", "t")
    assert isinstance(
        tracker_from_settings(TrackerSettings(kind="github", repository="a/b")), GitHubIssues
    )


def test_two_stores_never_take_each_others_issue(tmp_path, clock):
    with FakeGitHub() as server:
        client = GitHubIssues("popote/app", "gh-token", api=server.url, timeout=2)
        urls = []
        for name in ("a", "b"):
            store = Store(tmp_path / f"{name}.db", clock=clock)
            pid = _problem(store)  # problem 1 in both
            urls.append(file_problem(store, client, store.problem(pid), "x", agent_id=None))
            store.close()
        assert len(server.issues) == 2 and urls[0] != urls[1]
