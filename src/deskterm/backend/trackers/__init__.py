"""Filing problems in the product team's tracker: a small protocol, GitHub Issues and Jira
Cloud behind it, and the one rule that matters: a problem is never filed twice.

Each issue carries a marker label naming the store and the problem
(``deskterm-3f9a02c1-problem-12``). Before every
attempt to create it, the tracker is asked for an issue with that label; so a creation whose
answer was lost (a timeout, a dropped connection, a 500 after the issue was made) is found
on the next round instead of made again. A 429 or a 5xx waits (``Retry-After`` when the
tracker says how long) and tries again, a few times. The issue's address is kept on the
problem, so the next ``F`` does not even ask.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Protocol

from deskterm.backend.secrets import secret
from deskterm.backend.store import Store
from deskterm.backend.trackers.http import Lost, Refused, TrackerError
from deskterm.config import TrackerSettings
from deskterm.domain.problems import Problem

__all__ = [
    "Lost",
    "Refused",
    "Tracker",
    "TrackerError",
    "file_problem",
    "marker",
    "tracker_from_settings",
]

#: How many rounds of (look for it, create it) before giving up.
ATTEMPTS = 5
#: Seconds to wait after a failure the tracker gave no delay for, doubling each round.
BACKOFF = 1.0


class Tracker(Protocol):
    """An issue tracker deskterm files problems in."""

    name: str

    def find(self, label: str) -> str | None:
        """The address of the issue carrying ``label``, or None when there is none.

        Raises Refused (a 429 or a 5xx: try again later), Lost (no answer) or TrackerError.
        """

    def create(self, title: str, body: str, label: str) -> str:
        """Create an issue labelled ``label``; returns its address. Raises as ``find``."""


def marker(store: Store, problem: Problem) -> str:
    """The label that says which problem of which store an issue files: two stores (two
    teams, two remote mirrors) both have a problem 3, and must not take each other's issue."""
    return f"deskterm-{store_label(store)}-problem-{problem.id}"


def store_label(store: Store) -> str:
    """A short random name for the store, made the first time it files a problem."""
    found = store.meta("tracker_label")
    if found is None:
        with store.transaction() as c:
            c.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('tracker_label', ?)",
                (uuid.uuid4().hex[:8],),
            )
        found = store.meta("tracker_label")
    return str(found)


def file_problem(
    store: Store,
    tracker: Tracker,
    problem: Problem,
    body: str,
    *,
    agent_id: int | None,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """File ``problem`` once; returns its issue's address, kept on the problem.

    A problem with an address already is not filed again. Raises TrackerError (one line)
    when the tracker refuses or does not answer after ``attempts`` rounds.
    """
    if problem.tracker_url:
        return problem.tracker_url
    label = marker(store, problem)
    wait = BACKOFF
    last = "no answer"
    for _ in range(attempts):
        try:
            url = tracker.find(label) or tracker.create(problem.title, body, label)
        except Refused as exc:
            last = str(exc)
            sleep(exc.retry_after if exc.retry_after is not None else wait)
        except Lost as exc:
            last = str(exc)
            sleep(wait)
        else:
            store.update_problem(problem.id, {"tracker_url": url}, agent_id=agent_id)
            return url
        wait *= 2
    raise TrackerError(f"{tracker.name} did not file the problem ({last}); try again later")


def tracker_from_settings(settings: TrackerSettings) -> Tracker:
    """The tracker the settings' ``[tracker]`` names; TrackerError (one line) when it is not
    set up (no kind, no repository or project, no token)."""
    if settings.kind == "github":
        from deskterm.backend.trackers.github import GitHubIssues

        token = secret("DESKTERM_GITHUB_TOKEN", "github:token")
        if not settings.repository or not token:
            raise TrackerError(
                'GitHub Issues needs [tracker] repository = "owner/name" and a token in '
                "DESKTERM_GITHUB_TOKEN (or the keyring)"
            )
        return GitHubIssues(
            settings.repository,
            token,
            api=settings.url or "https://api.github.com",
            timeout=settings.timeout,
        )
    if settings.kind == "jira":
        from deskterm.backend.trackers.jira import JiraCloud

        token = secret("DESKTERM_JIRA_TOKEN", "jira:token")
        if not (settings.url and settings.project and settings.email and token):
            raise TrackerError(
                "Jira Cloud needs [tracker] url, project and email, and an API token in "
                "DESKTERM_JIRA_TOKEN (or the keyring)"
            )
        return JiraCloud(
            settings.url,
            settings.project,
            settings.email,
            token,
            issue_type=settings.issue_type,
            timeout=settings.timeout,
        )
    raise TrackerError(
        'No tracker set up: add [tracker] kind = "github" or "jira" to the settings '
        "(c copies the report meanwhile)"
    )
