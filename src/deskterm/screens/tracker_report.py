"""A problem for the product team: ``c`` writes it as a Markdown bug report (customers' words
quoted with their personal data masked), copies it to the clipboard where the terminal
allows and saves it to a file; ``F`` files it in the configured tracker (GitHub Issues or
Jira Cloud), once: a problem filed already gets its issue back, never a second one."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual.notifications import SeverityLevel

from deskterm import locations
from deskterm.backend.trackers import TrackerError, file_problem, tracker_from_settings
from deskterm.domain.bug_report import Excerpt, markdown
from deskterm.domain.problems import Problem
from deskterm.domain.safety import one_line
from deskterm.screens.notifier import Notifier

if TYPE_CHECKING:
    from deskterm.app import DeskApp


class ReportHost(Notifier, Protocol):
    def load(self) -> object: ...


def report_text(desk: DeskApp, problem: Problem) -> str:
    """From a worker: the problem's bug report, read from the store."""
    reports = desk.store.problem_reports(problem.id)
    excerpts = [
        Excerpt(
            conversation_id=r.conversation.id,
            channel=r.conversation.channel.value,
            created_at=r.conversation.created_at,
            words=r.first_message,
            link=f"deskterm://conversation/{r.conversation.id}",
            customer_name=r.conversation.customer_name,
        )
        for r in reports
    ]
    return markdown(problem, excerpts)


def report_file(problem: Problem) -> Path:
    """Where a problem's report is saved: the data folder's ``reports``, owner-only."""
    folder = locations.data_dir() / "reports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / f"problem-{problem.id}.md"


class TrackerReports:
    """Copying and filing problems."""

    def __init__(self, host: ReportHost) -> None:
        self.host = host

    def _run(self, work: Callable[[], None], name: str) -> None:
        self.host.desk.run_worker(
            work, name=name, group="tracker", thread=True, exit_on_error=False
        )

    def copy(self, problem: Problem) -> None:
        self._run(partial(self._write, problem), "_write_report")

    def _write(self, problem: Problem) -> None:
        desk = self.host.desk
        text = report_text(desk, problem)
        path = report_file(problem)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)  # masked, but about customers all the same
        desk.call_from_thread(self._copied, text, path)

    def _copied(self, text: str, path: Path) -> None:
        self.host.desk.copy_to_clipboard(text)
        self.host.notify(
            f"Bug report copied (where the terminal allows) and saved to {path}", markup=False
        )

    def file(self, problem: Problem) -> None:
        self._run(partial(self._file, problem), "_file_problem")

    def _file(self, problem: Problem) -> None:
        desk = self.host.desk
        try:
            # In the worker: reading the token may ask the system keyring.
            tracker = tracker_from_settings(desk.settings.tracker)
            url = file_problem(
                desk.store, tracker, problem, report_text(desk, problem), agent_id=desk.agent.id
            )
        except TrackerError as exc:
            severity: SeverityLevel = "warning" if "No tracker" in str(exc) else "error"
            desk.call_from_thread(self.host.notify, str(exc), severity=severity, markup=False)
            return
        desk.call_from_thread(self.host.notify, f"Filed: {one_line(url, 120)}", markup=False)
        desk.call_from_thread(self.host.load)
