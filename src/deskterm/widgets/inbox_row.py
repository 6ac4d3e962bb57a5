"""How one conversation reads in the inbox: two lines of plain ``Text``, built from a row.

Line one says who and how urgent: selection mark, unread dot, channel, priority, customer,
VIP star, then on the right ``⧗`` when an action on it is not yet accepted by the remote
helpdesk, the SLA countdown, the age and the assignee's initials. Line two says what: the
subject (or the first line), then ``⧉2`` when its customer has two (or more) conversations
open, snooze clock or "woken", and tags.

Customer strings go through :func:`deskterm.domain.safety.one_line`: never markup, never escapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.style import Style
from rich.text import Text

from deskterm.backend.rows import InboxRow
from deskterm.domain.models import UNTIL_REPLY, Channel, Priority
from deskterm.domain.safety import one_line
from deskterm.domain.sla import SLAState, format_age, format_countdown, sla_state

CHANNEL_ICONS = {
    Channel.EMAIL: "EM",
    Channel.CHAT: "CH",
    Channel.WHATSAPP: "WA",
    Channel.SOCIAL: "SO",
    Channel.FORM: "FO",
    Channel.PHONE: "PH",
}

PRIORITY_MARKS = {Priority.URGENT: "‼", Priority.HIGH: "!", Priority.LOW: "↓"}
#: The mark of a conversation with an action not yet accepted by the remote helpdesk.
UNSENT_MARK = "⧗"
#: The mark of a conversation whose customer has others open, before how many are open.
SEVERAL_OPEN_MARK = "⧉"

#: What a row's marks and columns mean, for the ``?`` screen: (an example, its meaning).
LEGEND: tuple[tuple[str, str], ...] = (
    ("●", "unread: the customer wrote since you last opened it"),
    ("✓", "selected (x): the next action applies to every selected row"),
    ("WA CH EM SO FO PH", "channel: WhatsApp, chat, email, social, form, phone"),
    ("‼ ! ↓", "priority: urgent, high, low"),
    ("★", "VIP customer"),
    (UNSENT_MARK, "an action the remote helpdesk has not accepted yet: it waits to be sent"),
    (f"{SEVERAL_OPEN_MARK}2", "its customer has 2 conversations open: Merge (Triage) joins them"),
    ("-16m  1h05", "SLA: late by 16 min (red) / answer due in 1 h 05 (yellow when soon)"),
    ("20m", "how long the customer has waited (else since the last message)"),
    ("AB", "the assignee's initials (blank: unassigned)"),
    ("⏰ / ↻ woken", "snoozed until then / back from a snooze"),
    ("#tag", "its tags (three at most, then +n)"),
)


@dataclass(frozen=True)
class RowStyles:
    """The styles a row is painted with, read from the list's component classes."""

    base: Style
    unread: Style
    dim: Style
    breached: Style
    due_soon: Style
    ok: Style
    tag: Style
    vip: Style
    snoozed: Style
    channel: Style

    @classmethod
    def plain(cls) -> RowStyles:
        """Styles that need no theme (for tests and previews)."""
        return cls(
            base=Style(),
            unread=Style(bold=True),
            dim=Style(dim=True),
            breached=Style(color="red", bold=True),
            due_soon=Style(color="yellow", bold=True),
            ok=Style(color="green"),
            tag=Style(dim=True, italic=True),
            vip=Style(color="yellow"),
            snoozed=Style(italic=True),
            channel=Style(bold=True),
        )


def snooze_label(until: datetime, now: datetime, tz: ZoneInfo) -> str:
    """A snooze wake time in a few cells: "⏰ 14:35", "⏰ Tue 09:00", "⏰ 24 Nov", "⏰ reply"."""
    if until >= UNTIL_REPLY:
        return "⏰ reply"
    local, today = until.astimezone(tz), now.astimezone(tz)
    if local.date() == today.date():
        return f"⏰ {local:%H:%M}"
    if 0 < (local.date() - today.date()).days < 7:
        return f"⏰ {local:%a %H:%M}"
    return f"⏰ {local:%d %b}"


def _fit(left: Text, right: Text, width: int, style: Style) -> Text:
    """``left`` cut to leave room for ``right``, padded so ``right`` ends at ``width``."""
    room = width - right.cell_len - (1 if right.cell_len else 0)
    if room < 4:
        # Too narrow for both: the left side (who) matters more than the right.
        right, room = Text(), width
    line = left.copy()
    line.truncate(room, overflow="ellipsis", pad=True)
    if right.cell_len:
        line.append(" ", style)
        line.append_text(right)
    line.truncate(width, pad=True)
    return line


def row_lines(
    row: InboxRow,
    *,
    width: int,
    now: datetime,
    tz: ZoneInfo,
    initials: str,
    selected: bool,
    styles: RowStyles,
) -> tuple[Text, Text]:
    """The two lines of ``row`` at ``width`` cells."""
    s = styles
    who = Text(style=s.base)
    who.append("✓" if selected else " ", s.unread if selected else s.base)
    who.append("●" if row.unread else " ", s.unread)
    who.append(CHANNEL_ICONS.get(row.channel, "··"), s.channel)
    who.append(" ")
    mark = PRIORITY_MARKS.get(row.priority)
    if mark:
        who.append(mark + " ", s.breached if row.priority is Priority.URGENT else s.due_soon)
    who.append(one_line(row.customer_name, 60), s.unread if row.unread else s.base)
    if row.vip:
        who.append(" ★", s.vip)

    when = Text(style=s.base)
    if row.unsent:
        when.append(UNSENT_MARK + " ", s.due_soon)
    state = sla_state(row.sla_due_at, now)
    if row.sla_due_at is not None and state is not SLAState.NONE:
        clock_style = {
            SLAState.BREACHED: s.breached,
            SLAState.DUE_SOON: s.due_soon,
        }.get(state, s.ok)
        when.append(format_countdown(row.sla_due_at, now).rjust(5), clock_style)
        when.append(" ")
    # How long the customer has waited; else since the last public message (never a note).
    age_from = row.waiting_since or row.last_public_at or row.created_at
    when.append(format_age(age_from, now).rjust(3), s.dim)
    when.append(" " + initials.ljust(2)[:2], s.base)

    what = Text("   ", style=s.base)
    subject = one_line(row.subject, 120) or one_line(row.preview, 120)
    what.append(subject, s.base if row.unread else s.dim)
    if row.subject and row.preview:
        what.append(" — " + one_line(row.preview, 80), s.dim)

    extra = Text(style=s.base)
    if row.open_of_customer > 1:
        # First of the second line's marks: on the first, it would cut a name's ★ at 100
        # columns; here it costs the subject (or the last tag) three cells.
        extra.append(f"{SEVERAL_OPEN_MARK}{row.open_of_customer}", s.due_soon)
    if row.snoozed_until is not None or row.woken:
        if extra.cell_len:
            extra.append(" ")
        if row.snoozed_until is not None:
            extra.append(snooze_label(row.snoozed_until, now, tz), s.snoozed)
        else:
            extra.append("↻ woken", s.snoozed)
    if row.tags:
        if extra.cell_len:
            extra.append(" ")
        tags = " ".join("#" + one_line(t, 24) for t in row.tags[:3])
        if len(row.tags) > 3:
            tags += f" +{len(row.tags) - 3}"
        extra.append(tags, s.tag)
    # Tags may take at most half the line: the subject is what the agent reads.
    extra.truncate(max(0, width // 2), overflow="ellipsis")
    return _fit(who, when, width, s.base), _fit(what, extra, width, s.base)
