"""Problems as a product team reads them: ordered by customers touched this week, with their
reports per day; a problem's conversations; the problems a conversation is linked to.

A report's time is its conversation's creation (when the customer wrote), not when an agent
linked it: a problem linked late still shows when customers met it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from deskterm.backend import rows
from deskterm.backend.db import Connections, dt, ts
from deskterm.backend.rows import CONVERSATION_COLUMNS
from deskterm.domain.models import Conversation
from deskterm.domain.problems import SPARK_DAYS, Problem, ProblemKind, ProblemStatus

ACTIVE = (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS)
DAY = 86400
#: Suggestions learn from the latest reports of each problem, this many.
EXAMPLES_PER_PROBLEM = 20


@dataclass
class ProblemReport:
    """One conversation linked to a problem, with what a report or a notice needs of it."""

    conversation: Conversation
    language: str
    first_message: str
    notified: bool


_FIGURES = """
SELECT p.*, count(l.conversation_id) AS n_conversations,
  count(DISTINCT cv.customer_id) AS n_customers,
  count(DISTINCT CASE WHEN cv.created_at >= :week THEN cv.customer_id END) AS n_week,
  min(cv.created_at) AS first_report, max(cv.created_at) AS last_report
FROM problems p
LEFT JOIN problem_links l ON l.problem_id = p.id
LEFT JOIN conversations cv ON cv.id = l.conversation_id
"""


class Problems:
    """Reads of problems and their links."""

    def __init__(self, db: Connections) -> None:
        self._db = db

    def problems(
        self, statuses: Sequence[ProblemStatus] = ACTIVE, *, limit: int = 500
    ) -> list[Problem]:
        """Problems of those statuses, the most customers touched in the last 7 days first
        (then the most customers in all, then the latest report)."""
        marks = ",".join("?" * len(statuses))
        now = ts(self._db.now()) or 0
        found = self._db.conn.execute(
            _FIGURES.replace(":week", "?") + f"WHERE p.status IN ({marks}) GROUP BY p.id "
            "ORDER BY n_week DESC, n_customers DESC, last_report DESC, p.id DESC LIMIT ?",
            (now - 7 * DAY, *(str(s) for s in statuses), limit),
        ).fetchall()
        return self._with_days([_problem(r) for r in found], now)

    def problem(self, problem_id: int) -> Problem | None:
        now = ts(self._db.now()) or 0
        r = self._db.conn.execute(
            _FIGURES.replace(":week", "?") + "WHERE p.id = ? GROUP BY p.id",
            (now - 7 * DAY, problem_id),
        ).fetchone()
        if r is None or r["id"] is None:
            return None
        return self._with_days([_problem(r)], now)[0]

    def _with_days(self, problems: list[Problem], now: int) -> list[Problem]:
        """Fill each problem's reports per day, ``SPARK_DAYS`` of them, today last."""
        if not problems:
            return problems
        today = now - now % DAY
        start = today - (SPARK_DAYS - 1) * DAY
        by_id = {p.id: p for p in problems}
        for p in problems:
            p.per_day = [0] * SPARK_DAYS
        marks = ",".join("?" * len(by_id))
        for pid, day, n in self._db.conn.execute(
            "SELECT l.problem_id, (cv.created_at - ?) / 86400, count(*) FROM problem_links l "
            "JOIN conversations cv ON cv.id = l.conversation_id "
            f"WHERE l.problem_id IN ({marks}) AND cv.created_at >= ? GROUP BY 1, 2",
            (start, *by_id, start),
        ):
            if 0 <= day < SPARK_DAYS:
                by_id[pid].per_day[day] = n
        return problems

    def problem_conversations(self, problem_id: int) -> list[Conversation]:
        """The conversations linked to a problem, newest first."""
        return [
            rows.conversation(r)
            for r in self._db.conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM problem_links l "
                "JOIN conversations c ON c.id = l.conversation_id "
                "JOIN customers cu ON cu.id = c.customer_id WHERE l.problem_id = ? "
                "ORDER BY c.created_at DESC, c.id DESC",
                (problem_id,),
            )
        ]

    def problem_reports(self, problem_id: int) -> list[ProblemReport]:
        """Each linked conversation with its customer's language and first message, oldest
        first, and whether that customer was told of the fix already."""
        found = self._db.conn.execute(
            f"SELECT {CONVERSATION_COLUMNS}, cu.language AS language, l.notified_at, "
            "(SELECT body FROM messages m WHERE m.conversation_id = c.id "
            " AND m.author_kind = 'customer' ORDER BY m.created_at, m.id LIMIT 1) AS first_body "
            "FROM problem_links l JOIN conversations c ON c.id = l.conversation_id "
            "JOIN customers cu ON cu.id = c.customer_id WHERE l.problem_id = ? "
            "ORDER BY c.created_at, c.id",
            (problem_id,),
        ).fetchall()
        return [
            ProblemReport(
                conversation=rows.conversation(r),
                language=r["language"],
                first_message=r["first_body"] or "",
                notified=r["notified_at"] is not None,
            )
            for r in found
        ]

    def problems_of_conversation(self, conversation_id: int) -> list[Problem]:
        """The problems a conversation is linked to, the latest linked first."""
        return [
            _problem(r)
            for r in self._db.conn.execute(
                "SELECT p.* FROM problem_links l JOIN problems p ON p.id = l.problem_id "
                "WHERE l.conversation_id = ? ORDER BY l.linked_at DESC, p.id DESC",
                (conversation_id,),
            )
        ]

    def problem_examples(self, per_problem: int = EXAMPLES_PER_PROBLEM) -> list[tuple[int, str]]:
        """(problem id, the first customer message of a linked conversation) for the latest
        ``per_problem`` links of each problem still open: what suggesting a problem for a
        conversation learns from (the latest reports say it as customers say it now)."""
        marks = ",".join("?" * len(ACTIVE))
        return [
            (r[0], r[1] or "")
            for r in self._db.conn.execute(
                "SELECT problem_id, (SELECT body FROM messages m WHERE m.conversation_id = "
                "latest.conversation_id AND m.author_kind = 'customer' "
                "ORDER BY m.created_at, m.id LIMIT 1) FROM ("
                "  SELECT l.problem_id, l.conversation_id, row_number() OVER ("
                "    PARTITION BY l.problem_id ORDER BY l.linked_at DESC, l.conversation_id DESC"
                "  ) AS n FROM problem_links l JOIN problems p ON p.id = l.problem_id "
                f"  WHERE p.status IN ({marks})"
                ") AS latest WHERE n <= ?",
                (*(str(s) for s in ACTIVE), per_problem),
            )
        ]

    def problems_key(self) -> tuple[int, int, int]:
        """Changes whenever a problem or a link does: whether suggestions must learn again."""
        r = self._db.conn.execute(
            "SELECT (SELECT count(*) FROM problem_links), (SELECT count(*) FROM problems), "
            "(SELECT coalesce(sum(version) + max(updated_at), 0) FROM problems)"
        ).fetchone()
        return int(r[0]), int(r[1]), int(r[2])


def _problem(r: sqlite3.Row) -> Problem:
    keys = r.keys()
    return Problem(
        id=r["id"],
        title=r["title"],
        kind=ProblemKind(r["kind"]),
        status=ProblemStatus(r["status"]),
        description=r["description"],
        tracker_url=r["tracker_url"],
        created_at=dt(r["created_at"]),
        updated_at=dt(r["updated_at"]),
        notified=r["notified"],
        version=r["version"],
        conversations=r["n_conversations"] if "n_conversations" in keys else 0,
        customers=r["n_customers"] if "n_customers" in keys else 0,
        customers_week=r["n_week"] if "n_week" in keys else 0,
        first_report=dt(r["first_report"]) if "first_report" in keys else None,
        last_report=dt(r["last_report"]) if "last_report" in keys else None,
    )
