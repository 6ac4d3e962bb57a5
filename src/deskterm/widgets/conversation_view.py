"""The thread of one conversation: newest at the bottom, notes set apart, long threads lazy.

The thread is one Line-API widget, like the inbox: each message is wrapped to the pane's
width once (again only when the width changes) and only the lines on screen are rendered,
so opening a conversation mounts nothing. The newest messages are read when a conversation
opens; older ones are read in batches when the agent scrolls to the top (or presses ``[``
there). Customer text goes through ``safety`` and is shown as plain ``Text``: never markup,
never escape codes.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message as TMessage
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from deskterm.domain.models import AuthorKind, Conversation, Message
from deskterm.domain.safety import NAME_CELLS, html_to_text, one_line, to_text

#: The bar drawn down the left of a message, in the colour of who wrote it.
BAR = "▌"
#: Columns before the text: the bar and a space; one space is kept free on the right.
GUTTER = 2
MAX_STRIPS = 2_000


def _when(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return local.strftime("%H:%M")
    if local.year == now.astimezone(tz).year:
        return local.strftime("%a %d %b %H:%M")
    return local.strftime("%d %b %Y %H:%M")


def message_kind(message: Message) -> str:
    """How a message is drawn: ``note``, ``customer``, ``agent`` or ``system``."""
    return "note" if not message.public else str(message.author_kind)


def message_text(message: Message, *, now: datetime, tz: ZoneInfo) -> Text:
    """The inert text of one message: a heading (author, note, time), the body, attachments."""
    m = message
    text = Text()
    name = m.author_name or ("Customer" if m.author_kind is AuthorKind.CUSTOMER else "Agent")
    text.append(one_line(name, NAME_CELLS), style="bold")
    if not m.public:
        text.append("  internal note", style="italic")
    text.append(f"  {_when(m.created_at, now, tz)}", style="dim")
    text.append("\n")
    body = m.body if m.body.strip() or not m.html else html_to_text(m.html)
    text.append_text(to_text(body))
    if m.attachments:
        names = ", ".join(
            one_line(a.filename, NAME_CELLS) + (f" ({file_size(a.size)})" if a.size > 0 else "")
            for a in m.attachments[:20]
        )
        more = len(m.attachments) - 20
        text.append("\n")
        text.append(f"📎 {names}" + (f" and {more} more" if more > 0 else ""), style="dim")
    return text


def file_size(size: int) -> str:
    """``950 bytes``, ``48 kB``, ``2.5 MB``: an attachment's size as the thread shows it."""
    if size < 1000:
        return f"{size} bytes"
    if size < 999_500:  # what would round to "1000 kB" reads as "1.0 MB"
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"


@dataclass
class _Block:
    """One message of the thread, or a line of the widget's own (``kind`` says which)."""

    kind: str
    text: Text
    lines: list[Text] | None = None
    width: int = 0


class ThreadView(ScrollView, can_focus=True):
    """The messages of the open conversation."""

    BINDINGS = [
        Binding("j,down", "scroll_down", "Scroll down", show=False),
        Binding("k,up", "scroll_up", "Scroll up", show=False),
        Binding("left_square_bracket", "load_older", "Older messages", show=False),
    ]

    COMPONENT_CLASSES = {
        "thread--customer",
        "thread--agent",
        "thread--note",
        "thread--note-body",
        "thread--system",
        "thread--muted",
    }

    DEFAULT_CSS = """
    ThreadView { height: 1fr; padding: 0 1; overflow-x: hidden; }
    ThreadView > .thread--customer { color: $secondary; }
    ThreadView > .thread--agent { color: $primary; }
    ThreadView > .thread--note { color: $warning; }
    ThreadView > .thread--note-body { background: $warning 10%; }
    ThreadView > .thread--system { color: $text-muted; }
    ThreadView > .thread--muted { color: $text-muted; text-style: italic; }
    """

    class NeedOlder(TMessage):
        """The agent asked for messages older than ``before_id``."""

        def __init__(self, conversation_id: int, before_id: int) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.before_id = before_id

    def __init__(self, *, tz: ZoneInfo, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tz = tz
        self.conversation: Conversation | None = None
        self._now = datetime.now(tz)
        self._oldest_id: int | None = None
        self._remaining = 0
        self._loading = False
        self._blocks: list[_Block] = []
        self._starts: list[int] = []
        """The first line of each block, for finding the block under a line."""
        self._strips: dict[tuple[int, int, int, bool], Strip] = {}
        self._styles: dict[str, Style] | None = None
        self._layout_width = 0
        self._set_notice("Open a conversation with enter.")

    # -- what is shown ---------------------------------------------------------------------

    def show(self, conversation: Conversation, messages: list[Message], *, now: datetime) -> None:
        """Replace the thread with the newest ``messages`` of ``conversation``."""
        self.conversation = conversation
        self._now = now
        self._loading = False
        self._remaining = max(0, conversation.message_count - len(messages))
        self._oldest_id = messages[0].id if messages else None
        blocks = [self._message_block(m) for m in messages]
        if not messages:
            blocks.append(_Block("muted", Text("No messages yet.")))
        self._blocks = self._with_marker(blocks)
        self._relayout()
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    def clear(self, text: str = "Open a conversation with enter.") -> None:
        """Show ``text`` instead of a conversation."""
        self.conversation = None
        self._set_notice(text)
        self._relayout()
        self.scroll_home(animate=False, immediate=True)

    def prepend_older(self, messages: list[Message]) -> None:
        """Put older messages above the current ones, keeping the view where it was."""
        self._loading = False
        if not messages or self.conversation is None:
            return
        self._remaining = max(0, self._remaining - len(messages))
        self._oldest_id = messages[0].id
        before = self.virtual_size.height
        current = [b for b in self._blocks if b.kind != "older"]
        self._blocks = self._with_marker([self._message_block(m) for m in messages] + current)
        self._relayout()
        self.scroll_to(y=self.scroll_y + self.virtual_size.height - before, animate=False)

    @property
    def message_count(self) -> int:
        """How many messages are read into the thread (not counting older unread ones)."""
        return sum(1 for b in self._blocks if b.kind in ("customer", "agent", "note", "system"))

    def plain_text(self) -> str:
        """Every line of the thread as plain text, as wrapped on screen."""
        return "\n".join(line.plain for block in self._blocks for line in self._lines_of(block))

    def _set_notice(self, text: str) -> None:
        self._blocks = [_Block("muted", Text(text))]

    def _message_block(self, message: Message) -> _Block:
        return _Block(message_kind(message), message_text(message, now=self._now, tz=self.tz))

    def _with_marker(self, blocks: list[_Block]) -> list[_Block]:
        if not self._remaining:
            return blocks
        marker = Text(f"↑ {self._remaining} older messages — scroll up or press [")
        return [_Block("older", marker), *blocks]

    # -- layout ----------------------------------------------------------------------------

    @property
    def _text_width(self) -> int:
        return max(1, self.scrollable_content_region.width - GUTTER - 1)

    def _lines_of(self, block: _Block) -> list[Text]:
        width = self._text_width
        if block.lines is None or block.width != width:
            console = self.app.console
            block.lines = list(block.text.wrap(console, width, overflow="fold"))
            block.width = width
            if block.kind in ("customer", "agent", "note", "system"):
                block.lines.append(Text())  # the gap below a message
        return block.lines

    def _relayout(self) -> None:
        self._measure()
        self.refresh()

    def _measure(self) -> None:
        self._strips.clear()
        self._layout_width = self._text_width
        starts: list[int] = []
        total = 0
        for block in self._blocks:
            starts.append(total)
            total += len(self._lines_of(block))
        self._starts = starts
        self.virtual_size = Size(0, total)

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def _style(self, name: str) -> Style:
        if self._styles is None:
            get = self.get_component_rich_style
            self._styles = {
                kind: get(f"thread--{kind}", partial=True)
                for kind in ("customer", "agent", "note", "system", "muted")
            }
            # A translucent background is blended here: a Rich style has no alpha.
            tint = self.get_component_styles("thread--note-body").background
            under = self.background_colors[1]
            self._styles["note-body"] = Style(bgcolor=(under + tint).rich_color)
        return self._styles[name]

    # -- rendering -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self._text_width != self._layout_width:
            self._measure()  # the pane changed width since the last layout (shown again)
        index = int(self.scroll_offset.y) + y
        base = self.rich_style
        if not self._starts or index >= self.virtual_size.height or index < 0:
            return Strip.blank(width, base)
        b = bisect_right(self._starts, index) - 1
        block = self._blocks[b]
        line_no = index - self._starts[b]
        selection = self.text_selection
        key = (b, line_no, width, selection is not None)
        strip = None if selection is not None else self._strips.get(key)
        if strip is None:
            line = self._lines_of(block)[line_no]
            strip = self._render_strip(block, line, width, index, selection)
            if selection is None:
                if len(self._strips) > MAX_STRIPS:
                    self._strips.clear()
                self._strips[key] = strip
        return strip.apply_offsets(0, index)

    def _render_strip(
        self, block: _Block, line: Text, width: int, index: int, selection: Selection | None
    ) -> Strip:
        base = self.rich_style
        console = self.app.console
        if block.kind in ("older", "muted"):
            text = line.copy()
            text.stylize(self._style("muted"))
            return self._strip(Text(" ") + text, width, base, index, selection)
        if self._is_gap(block, line):
            return Strip.blank(width, base)
        background = base + self._style("note-body") if block.kind == "note" else base
        bar = Segment(BAR + " ", background + self._style(block.kind))
        body = line.copy()
        if block.kind == "system":
            body.stylize(self._style("system"))
        if selection is not None:
            self._select(body, index, selection)
        segments = [bar, *body.render(console, end="")]
        return Strip(segments).apply_style(background).adjust_cell_length(width, background)

    def _is_gap(self, block: _Block, line: Text) -> bool:
        """The blank line below a message (the last of its lines)."""
        return block.kind not in ("older", "muted") and line is self._lines_of(block)[-1]

    def _strip(
        self, text: Text, width: int, base: Style, index: int, selection: Selection | None
    ) -> Strip:
        if selection is not None:
            self._select(text, index, selection, offset=0)
        strip = Strip(list(text.render(self.app.console, end="")))
        return strip.apply_style(base).adjust_cell_length(width, base)

    def _select(self, text: Text, index: int, selection: Selection, offset: int = GUTTER) -> None:
        span = selection.get_span(index)
        if span is None:
            return
        start, end = span
        start = max(0, start - offset)
        end = len(text) if end == -1 else max(0, end - offset)
        text.stylize(self.screen.get_component_rich_style("screen--selection"), start, end)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text, read from the lines as wrapped on screen."""
        lines = []
        for block in self._blocks:
            for line in self._lines_of(block):
                if block.kind in ("older", "muted"):
                    lines.append(" " + line.plain)
                else:
                    lines.append("" if self._is_gap(block, line) else BAR + " " + line.plain)
        return selection.extract("\n".join(lines)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips.clear()
        self.refresh()

    # -- older messages --------------------------------------------------------------------

    def action_load_older(self) -> None:
        if self.conversation is None or not self._remaining or self._loading:
            return
        if self._oldest_id is None:
            return
        self._loading = True
        self.post_message(self.NeedOlder(self.conversation.id, self._oldest_id))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 0 and old > 0:
            self.action_load_older()
