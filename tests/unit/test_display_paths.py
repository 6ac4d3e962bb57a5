"""Customer text through each path that puts it on screen (inbox row, thread message,
customer pane) never reaches the terminal as markup or escape codes, whatever it holds."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType
from rich.text import Text

from deskterm.backend.context import ConversationBundle
from deskterm.domain.models import (
    Attachment,
    AuthorKind,
    Channel,
    Conversation,
    Customer,
    Handle,
    Message,
)
from deskterm.domain.safety import NAME_CELLS, one_line, sanitize
from deskterm.widgets.conversation_view import message_text
from deskterm.widgets.customer_panel import CustomerPanel
from deskterm.widgets.inbox_row import RowStyles, row_lines
from tests.conftest import T0
from tests.unit.test_inbox_row import row

PARIS = ZoneInfo("Europe/Paris")
# C0 but newline and tab, DEL, C1, bidi embeddings/overrides/isolates, lone surrogates.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What a terminal may receive from us: our own colours (SGR), nothing else.
OUR_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")
NASTY = st.sampled_from(
    ["[bold]", "[/bold]", "[/]", "[link=https://evil.example]", "[/link]", "[@click=app.quit]",
     "[$accent]", "[red on blue]", "\\[", "\x1b[2J", "\x1b]0;title\x07", "\x1b]8;;http://e\x1b\\",
     "\x1b]52;c;cGF5\x07", "\x1bP", "\x9b31m", "\x9b", "\x9d", "\x90", "\x07", "\x00", "\x7f",
     "\r", "\n", "\t", "\u202e", "\u202d", "\u2066", "\u2069", "\u200d", "\u200b", "\u200f",
     "\ud800", "👩\u200d💻", "Léa", "日本", " ", "a"]
)  # fmt: skip
HOSTILE = st.lists(NASTY | st.text(max_size=4), max_size=30).map("".join)
LITERAL = st.lists(
    st.sampled_from(["[bold]", "[/]", "[link=https://evil.example]", "[$accent]", "x", " "]),
    min_size=1,
    max_size=8,
).map("".join)


def terminal_output(renderable: RenderableType) -> str:
    out = io.StringIO()
    console = Console(
        file=out, width=100, force_terminal=True, color_system="truecolor", legacy_windows=False
    )
    console.print(renderable)
    return out.getvalue()


def assert_inert(text: Text) -> None:
    assert not FORBIDDEN.search(text.plain)
    for span in text.spans:  # only our styles: a link or an action would come from markup
        style = str(span.style)
        assert "link" not in style and "@" not in style
    shown = OUR_ESCAPES.sub("", terminal_output(text))
    assert not FORBIDDEN.search(shown), repr(shown)


def bundle(name: str, subject: str, handle: str, notes: str) -> ConversationBundle:
    customer = Customer(
        id=1,
        name=name,
        notes=notes,
        created_at=T0 - timedelta(days=3),
        handles=[Handle(channel=Channel.EMAIL, value=handle)],
    )
    conversation = Conversation(
        id=1, subject=subject, channel=Channel.EMAIL, customer_id=1, customer_name=name,
        created_at=T0, updated_at=T0,
    )  # fmt: skip
    return ConversationBundle(conversation, [], customer, past=[conversation])


def profile(b: ConversationBundle) -> Text:
    panel = CustomerPanel(tz=PARIS, clock=lambda: T0)
    group = panel._profile(b)
    lines = list(group.renderables)  # type: ignore[attr-defined]
    return Text("\n").join(line for line in lines if isinstance(line, Text))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(name=HOSTILE, subject=HOSTILE, preview=HOSTILE, tag=HOSTILE.filter(str.strip))
def test_an_inbox_row_is_inert(name: str, subject: str, preview: str, tag: str) -> None:
    r = row(customer_name=name, subject=subject, preview=preview, tags=(tag,))
    for line in row_lines(
        r, width=100, now=T0, tz=PARIS, initials="PR", selected=False, styles=RowStyles.plain()
    ):
        assert_inert(line)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(author=HOSTILE, body=HOSTILE, filename=HOSTILE, html=st.none() | HOSTILE)
def test_a_thread_message_is_inert(author: str, body: str, filename: str, html: str | None) -> None:
    message = Message(
        id=1, conversation_id=1, author_kind=AuthorKind.CUSTOMER, author_name=author, body=body,
        html=html, attachments=[Attachment(filename=filename)], created_at=T0,
    )  # fmt: skip
    assert_inert(message_text(message, now=T0, tz=PARIS))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(name=HOSTILE, handle=HOSTILE, notes=HOSTILE, subject=HOSTILE)
def test_the_customer_pane_is_inert(name: str, handle: str, notes: str, subject: str) -> None:
    assert_inert(profile(bundle(name, subject, handle, notes)))


@given(name=LITERAL, body=LITERAL)
def test_markup_in_customer_text_is_shown_as_typed(name: str, body: str) -> None:
    message = Message(
        id=1, conversation_id=1, author_kind=AuthorKind.CUSTOMER, author_name=name, body=body,
        created_at=T0,
    )  # fmt: skip
    assert sanitize(body) in message_text(message, now=T0, tz=PARIS).plain
    assert one_line(name, NAME_CELLS) in profile(bundle(name, "s", "h", "")).plain
    first, _ = row_lines(
        row(customer_name=name), width=160, now=T0, tz=PARIS, initials="", selected=False,
        styles=RowStyles.plain(),
    )  # fmt: skip
    assert one_line(name, 60) in first.plain
