"""Customer text is untrusted: make it inert before it reaches the terminal.

Messages, names and subjects come from strangers and from remote helpdesks. Shown as they
are, an escape sequence could clear the screen, retitle the window, write to the clipboard
(OSC 52) or hide a link (OSC 8); a bidi override could make text read differently from what
it is ("Trojan source"); Rich markup like ``[link=...]`` could style or link it. Everything
here turns such text into plain characters, and never into markup.

Pure functions: no I/O, no Textual (Rich is only used for its Text and cell widths).
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from rich.cells import cell_len, set_cell_size
from rich.text import Text

__all__ = [
    "NAME_CELLS",
    "SUBJECT_CELLS",
    "escape_markup",
    "html_to_text",
    "one_line",
    "sanitize",
    "to_text",
]

#: The most cells a name (customer, agent, author, item, tag) takes wherever it is shown:
#: with :func:`one_line`, a 5 MB name costs and shows as much as a long one.
NAME_CELLS = 60
#: The most cells a subject takes on its one line.
SUBJECT_CELLS = 120

# Control strings (OSC, DCS, SOS, PM, APC) up to their terminator. The payload stops at any
# ESC or C1 character so that a string without terminator costs one short scan, not one scan
# to the end of the text per introducer.
_CONTROL_STRING = (
    r"(?:\x1b[P\]X^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x80-\x9f]*(?:\x07|\x1b\\|\x9c)"
)
_CSI = r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
# Any other ESC sequence (ESC 7, ESC ( B, ESC c...), or a lone ESC; an unterminated ESC ]
# loses only its introducer and its payload shows as text.
_ESC = r"\x1b[ -/]*[0-~]?"
_ESCAPES = re.compile(f"{_CONTROL_STRING}|{_CSI}|{_ESC}")
_HAS_ESCAPE = re.compile(r"[\x1b\x90-\x9f]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029]")
# C0 but newline and tab, DEL, C1, bidi embeddings/overrides/isolates, lone surrogates.
# LRM/RLM stay: they are ordinary in Arabic and Hebrew text and cannot reorder other text.
_DROP = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# Only the exact shape _truncate writes, so that a fake marker cannot smuggle in more text.
_MARKER = re.compile(
    r"\n… \[truncated: \d{1,12}(?:\.\d)? (?:MB|kB|bytes) message, "
    r"first \d{1,3}(?:,\d{3}){0,6} characters shown\]\Z"
)
# How much raw text to read per character shown: room for markup-heavy or escape-heavy text.
_WINDOW_FACTOR = 4


def sanitize(text: str, *, max_chars: int = 100_000) -> str:
    """Return ``text`` as inert characters, at most ``max_chars`` of them plus a marker line.

    Removes terminal escape sequences (7-bit and 8-bit), control characters but newline
    and tab, bidi overrides and isolates, and lone surrogates; turns CR LF and CR into
    newlines. Longer text is cut, with a last line saying how much was shown. Only the
    first ``4 * max_chars`` (plus a little) characters of a long text are read, so a huge
    message costs no more than a long one; when that part is mostly escape sequences,
    fewer than ``max_chars`` characters are shown. Idempotent: sanitizing twice changes
    nothing.
    """
    max_chars = max(max_chars, 0)
    window = max_chars * _WINDOW_FACTOR + 4096
    if len(text) > window:
        return _truncate(_clean(text[:window]), _utf8_size(text), max_chars)
    clean = _clean(text)
    if len(clean) <= max_chars:
        return clean
    marker = _MARKER.search(clean)
    if marker is not None and marker.start() <= max_chars:
        return clean  # already cut by an earlier call
    return _truncate(clean, _utf8_size(text), max_chars)


def clean_outgoing(text: str) -> str:
    """Text an agent sends (a reply, a note), without what a terminal or a reader's screen
    would act on: escape sequences, control characters but newline and tab, bidi overrides
    and isolates, lone surrogates; CR LF and CR become newlines. Nothing is cut, unlike
    :func:`sanitize`. Idempotent.
    """
    return _clean(text)


def _clean(text: str) -> str:
    if _HAS_ESCAPE.search(text):
        text = _ESCAPES.sub("", text)
    if "\r" in text or "\u2028" in text or "\u2029" in text:
        text = _NEWLINES.sub("\n", text)
    return _DROP.sub("", text)


def _truncate(clean: str, size: int, max_chars: int) -> str:
    shown = clean[:max_chars]
    note = f"{human_size(size)} message, first {len(shown):,} characters shown"
    return f"{shown}\n… [truncated: {note}]"


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def human_size(size: int) -> str:
    """``230 bytes``, ``12.4 kB``, ``3.1 MB``."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} kB"
    return f"{size} bytes"


def to_text(text: str, style: str = "") -> Text:
    """A Rich Text of sanitized ``text``: brackets stay brackets, never markup."""
    return Text(sanitize(text), style=style)


def escape_markup(text: str) -> str:
    """Sanitize ``text`` and escape it for Textual content markup.

    Textual opens a tag at any ``[`` not preceded by a backslash (``[$accent]`` and ``[B]``
    included, which ``rich.markup.escape`` leaves alone), so every bracket is escaped.
    Prefer :func:`to_text` or plain strings with markup off; this is for UI code that must
    build a markup string around customer text.
    """
    return sanitize(text).replace("[", "\\[")


def one_line(text: str, width: int | None = None) -> str:
    """Sanitized ``text`` on one line, whitespace collapsed, cut to ``width`` cells with "…".

    For every name, subject and preview a pane shows (:data:`NAME_CELLS`,
    :data:`SUBJECT_CELLS`): widths count terminal cells, so wide characters count double,
    and only the start of a huge text is read.
    """
    if width is not None:
        if width <= 0:
            return ""
        # A preview needs the start of the message only; don't sanitize megabytes for it.
        text = text[: width * 4 + 4096]
    line = " ".join(sanitize(text, max_chars=len(text)).split())
    if width is None or cell_len(line) <= width:
        return line
    return set_cell_size(line, width - 1).rstrip() + "…"


# -- HTML email -------------------------------------------------------------------------------

_SKIPPED = frozenset({"script", "style", "title", "template", "noscript"})
_PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "pre", "dl"}
)
_BLOCKS = frozenset(
    {
        "div", "tr", "li", "hr", "section", "article", "header", "footer", "nav", "aside",
        "main", "address", "figure", "figcaption", "dt", "dd", "center", "form", "fieldset",
        "tbody", "thead", "tfoot", "body", "html",
    }
)  # fmt: skip
# HTML read per character shown: inline styles make email markup many times its text.
_HTML_WINDOW_FACTOR = 10
_CELLS = frozenset({"td", "th"})
_SPACE_RUN = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>?")
_BLANK_LINES = re.compile(r"\n{4,}")


class _TextExtractor(HTMLParser):
    """Collects readable text; block elements become line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0
        self.lists = 0
        self.links: list[tuple[str, int]] = []

    def _tail(self) -> str:
        return self.out[-1][-1:] if self.out and self.out[-1] else "\n"

    def _newline(self, count: int = 1) -> None:
        """End the current line and leave ``count - 1`` blank lines, without stacking."""
        have = 0
        for chunk in reversed(self.out):
            stripped = chunk.rstrip("\n")
            have += len(chunk) - len(stripped)
            if stripped or have >= count:
                break
        if self.out and have < count:
            self.out.append("\n" * (count - have))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("ul", "ol"):
            self._newline(1 if self.lists else 2)  # a nested list continues its item
            self.lists += 1
        elif tag in _PARAGRAPHS:
            self._newline(2)
            self.pre += tag == "pre"
        elif tag == "li":
            self._newline()
            self.out.append("  " * max(self.lists - 1, 0) + "• ")
        elif tag in _BLOCKS:
            self._newline()
        elif tag in _CELLS:
            if self._tail() not in "\n ":
                self.out.append("  ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.out)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.handle_data(alt)

    def parse_html_declaration(self, i: int) -> int:
        if self.rawdata.startswith("<![", i):
            # html.parser asserts on "<![junk"; browsers read any "<![" in HTML as a bogus
            # comment (Outlook's "<![if !mso]>" included), so do the same.
            return self.parse_bogus_comment(i)
        return super().parse_html_declaration(i)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip = max(self.skip - 1, 0)
        elif tag in ("ul", "ol"):
            self.lists = max(self.lists - 1, 0)
            self._newline(1 if self.lists else 2)
        elif tag in _PARAGRAPHS:
            self._newline(2)
            self.pre = max(self.pre - (tag == "pre"), 0)
        elif tag in _BLOCKS or tag == "li":
            self._newline()
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            self._close_link(href.strip(), "".join(self.out[start:]).strip())

    def _close_link(self, href: str, label: str) -> None:
        if not href or href.startswith("#") or href.lower().startswith("javascript:"):
            return
        shown = href[7:] if href.lower().startswith("mailto:") else href
        if label.rstrip("/") == shown.rstrip("/"):
            return
        # The real address next to the words is what lets an agent spot a phishing link.
        self.out.append(f" ({href})" if label else href)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            self.out.append(data)
            return
        data = _SPACE_RUN.sub(" ", data)
        if self._tail() in "\n ":
            data = data.lstrip(" ")
        if data:
            self.out.append(data)


def html_to_text(html: str, *, max_chars: int = 100_000) -> str:
    """Readable, sanitized text from an HTML email; never raises on broken HTML.

    Paragraphs and headings are separated by a blank line, ``<br>``, ``<div>`` and rows
    break lines, list items start with "• ", links read "text (url)" when the address is
    not the text itself, scripts and styles vanish, entities are decoded. Only the first
    ``10 * max_chars`` characters of HTML are read: beyond that the text is marked as cut.
    """
    window = max(max_chars, 0) * _HTML_WINDOW_FACTOR + 4096
    source = html[:window]
    parser = _TextExtractor()
    try:
        parser.feed(source)
        parser.close()
        text = "".join(parser.out)
    except Exception:
        # html.parser still raises AssertionError on some malformed markup ("<![ x"):
        # fall back to stripping the tags, which loses the layout but not the words.
        text = unescape(_TAG.sub(" ", source))
    clean = _clean(text)
    lines = [line.rstrip() for line in clean.split("\n")]
    readable = _BLANK_LINES.sub("\n\n\n", "\n".join(lines)).strip("\n")
    if len(html) > window:
        return _truncate(readable, _utf8_size(html), max(max_chars, 0))
    return sanitize(readable, max_chars=max_chars)
