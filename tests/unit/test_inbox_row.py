"""The inbox row: two lines that fit the width, say how urgent, and never carry markup."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

from deskterm.backend.rows import InboxRow
from deskterm.domain.models import UNTIL_REPLY, Channel, Priority, Status
from deskterm.widgets.inbox_row import RowStyles, row_lines, snooze_label
from tests.conftest import T0

PARIS = ZoneInfo("Europe/Paris")


def row(**changes) -> InboxRow:
    values = dict(
        id=1, channel=Channel.WHATSAPP, status=Status.OPEN, customer_name="Léa Martin",
        subject="Il manque le pain", preview="Bonjour, il manque le pain",
        last_message_at=T0 - timedelta(minutes=3), created_at=T0 - timedelta(minutes=3),
        sla_due_at=T0 + timedelta(minutes=2), assignee_id=None, unread=True,
        snoozed_until=None, woken=False, tags=("missing-item",), priority=Priority.NORMAL,
        vip=True, version=1, sort_value=0,
    )  # fmt: skip
    values.update(changes)
    return InboxRow(**values)


def lines(r: InboxRow, width: int = 50, **kw) -> tuple[Text, Text]:
    return row_lines(
        r, width=width, now=T0, tz=PARIS, initials=kw.pop("initials", ""),
        selected=kw.pop("selected", False), styles=RowStyles.plain(),
    )  # fmt: skip


def test_first_line_says_who_and_how_urgent():
    first, second = lines(row(), initials="CM")
    assert "WA" in first.plain and "Léa Martin ★" in first.plain
    assert first.plain.rstrip().endswith("2m  3m CM")
    assert "Il manque le pain" in second.plain and "#missing-item" in second.plain


def test_a_breached_clock_is_negative_and_styled_as_breached():
    first, _ = lines(row(sla_due_at=T0 - timedelta(minutes=12)))
    assert "-12m" in first.plain
    styles = RowStyles.plain()
    spans = [s for s in first.spans if first.plain[s.start : s.end].strip() == "-12m"]
    assert spans and spans[0].style == styles.breached


def test_snooze_and_woken_marks():
    _, second = lines(row(snoozed_until=UNTIL_REPLY))
    assert "⏰ reply" in second.plain
    _, second = lines(row(woken=True))
    assert "↻ woken" in second.plain
    assert snooze_label(T0 + timedelta(hours=2), T0, PARIS) == "⏰ 12:00"


def test_customer_markup_and_escapes_stay_inert():
    first, second = lines(
        row(customer_name="[bold red]Mallory[/]\x1b[2J", subject="\x1b]0;x\x07Hi")
    )
    assert "[bold red]Mallory[/]" in first.plain
    assert "\x1b" not in first.plain + second.plain
    # Parsed markup would have become a red span; it stays text.
    assert not any("red" in str(span.style) for span in first.spans)


@given(
    name=st.text(max_size=80),
    subject=st.text(max_size=200),
    tags=st.lists(st.text(min_size=1, max_size=30), max_size=6),
    width=st.integers(min_value=1, max_value=160),
    selected=st.booleans(),
    open_of_customer=st.sampled_from([0, 2, 3, 12]),
)
def test_both_lines_always_fill_the_width_exactly(
    name, subject, tags, width, selected, open_of_customer
):
    r = row(customer_name=name, subject=subject, preview=subject, tags=tuple(tags),
            open_of_customer=open_of_customer, woken=open_of_customer == 3)  # fmt: skip
    for line in lines(r, width=width, selected=selected, initials="PR"):
        assert line.cell_len == width
        assert "\n" not in line.plain


def test_a_customer_with_several_open_is_marked_on_the_second_line_keeping_the_name_whole():
    # 36 cells: the inbox pane of a 100-column terminal.
    first, second = lines(row(priority=Priority.HIGH, open_of_customer=3, woken=True), width=36)
    assert "Léa Martin ★" in first.plain and "⧉" not in first.plain
    assert "⧉3 ↻ woken" in second.plain
    first, second = lines(row(open_of_customer=0), width=36)
    assert "⧉" not in first.plain + second.plain
