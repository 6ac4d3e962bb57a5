"""The guided lesson (``deskterm demo --learn``): eight steps on a small helpdesk of its own,
each one real action that is checked in the store (or, for reading, on the screen) before
the next is shown. Its progress is kept in the state folder: leave, come back, resume.

No Textual here: ``screens/workstation/lesson.py`` shows the steps and asks these checks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from deskterm import locations
from deskterm.backend.lesson.stage import Targets, build
from deskterm.backend.store import Store
from deskterm.domain.models import UNTIL_REPLY, AuthorKind, Status

__all__ = ["STEPS", "Progress", "Step", "Targets", "build", "forget", "load", "save", "start"]

#: ``keys(binding_id)``: the key to teach for an action, as the agent has it (remapped).
Keys = Callable[[str], str]


@dataclass(frozen=True)
class Step:
    """One step: what to do (``say``), and how deskterm knows it was done: ``done`` reads the
    store; a step without one is checked on the screen by the workstation (``id``)."""

    id: str
    say: Callable[[Targets, Keys], str]
    done: Callable[[Store, Targets], bool] | None = None


def _answered(store: Store, cid: int) -> bool:
    return any(
        m.author_kind == AuthorKind.AGENT and m.public for m in store.messages(cid, limit=20)
    )


def _macro_used(store: Store, cid: int) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM macro_usage WHERE conversation_id = ? LIMIT 1", (cid,)
    ).fetchone()
    return row is not None


def _status(store: Store, cid: int) -> Status | None:
    found = store.conversation(cid)
    return found.status if found else None


STEPS: tuple[Step, ...] = (
    Step(
        "open",
        lambda t, k: (
            f"The inbox is ordered by urgency: {t.names['promo']}'s conversation is "
            f"first. Press {k('inbox.open')} to open it."
        ),
    ),
    Step(
        "customer",
        lambda t, k: (
            f"On the right, what deskterm knows of {t.names['promo']}: orders, past "
            f"conversations. Press {k('desk.next_pane')} until that pane is framed "
            f"({k('customer.next_order')} shows the next order)."
        ),
    ),
    Step(
        "macro",
        lambda t, k: (
            f"deskterm suggests answers. Press {k('desk.suggestion_1')} for the "
            f"first suggestion, read it, change what you like, then "
            f"{k('composer.send')} to send it."
        ),
        lambda s, t: _macro_used(s, t.promo) and _answered(s, t.promo),
    ),
    Step(
        "resend",
        lambda t, k: (
            f"{t.names['missing']} is missing {t.item}. Open that conversation, go to "
            f"the customer pane ({k('desk.next_pane')} until it is framed), press "
            f"{k('customer.resend')} to send the item again, pick it, confirm with y."
        ),
        lambda s, t: any(e.kind == "order.resend" for e in s.events(t.missing)),
    ),
    Step(
        "resend_reply",
        lambda t, k: (
            f"Its sentence for {t.names['missing']} waits in your reply. Press "
            f"{k('desk.reply')} to go to it, read it, then {k('composer.send_done')} to "
            "send it and close the conversation: the customer knows it is on its way."
        ),
        lambda s, t: _answered(s, t.missing),
    ),
    Step(
        "snooze",
        lambda t, k: (
            f"{t.names['photo']} will send a photo tonight. Open that conversation, "
            f"press {k('desk.snooze')} and choose “Until the customer replies”: it leaves "
            "the inbox and comes back when they write."
        ),
        lambda s, t: getattr(s.conversation(t.photo), "snoozed_until", None) == UNTIL_REPLY,
    ),
    Step(
        "send_done",
        lambda t, k: (
            f"{t.names['thanks']} says thank you. Open it, press "
            f"{k('desk.reply')}, write a few words, then "
            f"{k('composer.send_done')}: send and done in one key."
        ),
        lambda s, t: _status(s, t.thanks) == Status.DONE and _answered(s, t.thanks),
    ),
    Step(
        "undo",
        lambda t, k: (
            f"Changed your mind? {k('desk.undo')} takes back what you just "
            f"did: press it to reopen {t.names['thanks']}'s conversation (your reply stays sent)."
        ),
        lambda s, t: _status(s, t.thanks) not in (Status.DONE, None),
    ),
)


@dataclass
class Progress:
    """Where a lesson stands: the store it runs on, its conversations, the next step."""

    store: str
    targets: Targets
    step: int = 0
    started_at: float = 0.0
    finished_at: float | None = None

    @property
    def finished(self) -> bool:
        return self.step >= len(STEPS)


def _file() -> Path:
    return locations.state_dir() / "lesson.json"


def load(store_path: Path) -> Progress | None:
    """The lesson saved for this store, or None (none yet, another store, or unreadable)."""
    try:
        data = json.loads(_file().read_text(encoding="utf-8"))
        if data.get("store") != str(store_path):
            return None
        return Progress(
            store=data["store"],
            targets=Targets(**data["targets"]),
            step=int(data["step"]),
            started_at=float(data.get("started_at", 0.0)),
            finished_at=data.get("finished_at"),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(progress: Progress) -> None:
    path = _file()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "store": progress.store,
        "targets": json.loads(progress.targets.to_json()),
        "step": progress.step,
        "started_at": progress.started_at,
        "finished_at": progress.finished_at,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def forget() -> None:
    _file().unlink(missing_ok=True)


def start(store_path: Path, *, now: datetime | None = None) -> Progress:
    """A new lesson: its helpdesk built at ``store_path`` (replacing it) and step one."""
    from deskterm.backend import db

    db.remove(store_path)
    when = now or datetime.now(UTC)
    progress = Progress(str(store_path), build(store_path, now=when), 0, when.timestamp())
    save(progress)
    return progress
