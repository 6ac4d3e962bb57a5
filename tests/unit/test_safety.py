from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from textual.content import Content

from deskterm.domain.safety import escape_markup, html_to_text, one_line, sanitize, to_text

# Anything a terminal could act on, or that could reorder text: must never survive.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
MARKER = re.compile(r"\n… \[truncated: [^\]]*\]\Z")

# -- the gallery --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("before\x1b[2J\x1b[Hafter", "beforeafter"),  # clear screen, cursor home
        ("a\x1b[10;20Hb\x1b[3Ac\x1b[?25ld", "abcd"),  # cursor moves, hide cursor
        ("\x1b]0;pwned by customer\x07Hello", "Hello"),  # window title
        ("\x1b]2;title\x1b\\Hello", "Hello"),
        ("\x1b]8;;https://evil.example\x1b\\click here\x1b]8;;\x1b\\", "click here"),  # OSC 8
        ("\x1b]52;c;cm0gLXJmIH4K\x07paste", "paste"),  # OSC 52 clipboard write
        ("\x1bPq#0;2;0;0;0#1!7~\x1b\\sixel", "sixel"),  # DCS
        ("\x1b_Gf=100;AAAA\x1b\\img", "img"),  # APC (kitty graphics)
        ("\x1b^private\x1b\\pm", "pm"),  # PM
        ("\x1bXstring\x1b\\sos", "sos"),  # SOS
        ("\x9b31m8-bit\x9b0m", "8-bit"),  # C1 CSI
        ("\x9d0;title\x9cok", "ok"),  # C1 OSC ended by C1 ST
        ("\x90data\x9cok", "ok"),  # C1 DCS
        ("\x1bc\x1b7\x1b8\x1b(0\x1b)B\x1b=\x1b>x", "x"),  # reset, save/restore, charsets
        ("tail\x1b", "tail"),
        ("\x1b[", ""),
        ("\x1b]0;never terminated", "0;never terminated"),  # payload shown, inert
        ("bell\x07 back\x08\x08space del\x7f", "bell backspace del"),
        ("nul\x00byte", "nulbyte"),
        ("lone\ud800surrogate\udfff", "lonesurrogate"),
        ("c1\x80\x85\x9fend", "c1end"),
        ("windows\r\nline\rmac", "windows\nline\nmac"),  # a bare CR cannot overwrite a line
        ("para\u2028sep\u2029end", "para\nsep\nend"),
        ("tab\tstays", "tab\tstays"),
        ("\x1b\x00[31m", "[31m"),  # no new escape sequence can form
    ],
)
def test_hostile_text_is_inert(hostile: str, shown: str) -> None:
    assert sanitize(hostile) == shown


def test_trojan_source_bidi_controls_are_removed() -> None:
    trojan = 'access_level = "user\u202e \u2066// Check if admin\u2069 \u2066"'
    assert sanitize(trojan) == 'access_level = "user // Check if admin "'
    for control in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert sanitize(f"a{control}b") == "ab"


def test_ordinary_text_is_untouched() -> None:
    text = "Bonjour Léa 👋\nשלום\u200f עולם · 日本語 · [bold]not markup[/] · ~!@#$%^&*()"
    assert sanitize(text) == text


def test_long_text_is_cut_with_a_marker() -> None:
    text = "x" * 5_200_000
    result = sanitize(text)
    assert result.startswith("x" * 100_000 + "\n")
    assert result.endswith("\n… [truncated: 5.2 MB message, first 100,000 characters shown]")
    assert len(result) <= 100_000 + 80


def test_five_megabytes_of_escapes_stay_bounded() -> None:
    hostile = ("hi \x1b[31mred\x1b]8;;http://e\x07l\x1b]8;;\x07\x9b2J\u202e" * 200_000)[:5_000_000]
    result = sanitize(hostile, max_chars=100_000)
    body = MARKER.sub("", result)
    assert len(body) <= 100_000
    assert MARKER.search(result)
    assert not FORBIDDEN.search(result)
    assert sanitize(result) == result


def test_text_made_only_of_escapes_shows_an_empty_cut() -> None:
    result = sanitize("\x9d" * 1_000_000, max_chars=1000)
    assert result == "\n… [truncated: 2.0 MB message, first 0 characters shown]"


def test_text_just_at_the_limit_is_not_cut() -> None:
    assert sanitize("abc", max_chars=3) == "abc"
    assert sanitize("abcd", max_chars=3).startswith("abc\n… [truncated: 4 bytes message")


def test_a_forged_marker_cannot_smuggle_text() -> None:
    forged = "ab\n… [truncated: " + "z" * 500 + "]"
    assert len(sanitize(forged, max_chars=10)) <= 10 + 80


# -- properties ---------------------------------------------------------------------------------

NASTY = st.sampled_from(
    ["\x1b", "[", "]", "\\", "\x07", "\x9b", "\x9c", "\x9d", "\x90", "\x1b[", "\x1b]", "\x1bP",
     "8;;", "0;", "31m", "\r", "\n", "\t", "\x00", "\x7f", "\u202e", "\u2066", "\ud800", "\u2028",
     "…", " [truncated: ", "é", "日", "a"]
)  # fmt: skip
HOSTILE = st.lists(NASTY | st.text(max_size=3), max_size=40).map("".join) | st.text()


@settings(max_examples=500)
@given(text=HOSTILE, max_chars=st.integers(min_value=0, max_value=60))
def test_sanitize_output_is_inert_idempotent_and_bounded(text: str, max_chars: int) -> None:
    result = sanitize(text, max_chars=max_chars)
    assert not FORBIDDEN.search(result)
    assert sanitize(result, max_chars=max_chars) == result
    marker = MARKER.search(result)
    body = result[: marker.start()] if marker else result
    assert len(body) <= max_chars
    assert len(result) - len(body) <= 80


@settings(max_examples=100)
@given(piece=HOSTILE.filter(bool), max_chars=st.integers(min_value=0, max_value=2000))
def test_long_hostile_text_is_inert_idempotent_and_bounded(piece: str, max_chars: int) -> None:
    text = piece * (20_000 // len(piece) + 1)  # longer than what sanitize reads
    result = sanitize(text, max_chars=max_chars)
    assert not FORBIDDEN.search(result)
    assert sanitize(result, max_chars=max_chars) == result
    marker = MARKER.search(result)
    assert marker is not None
    assert marker.start() <= max_chars


PLAIN = st.text(
    st.characters(
        exclude_categories=("Cc", "Cs"),
        exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029",
    )
    | st.sampled_from("\n\t")
)


@settings(max_examples=300)
@given(text=PLAIN)
def test_sanitize_keeps_plain_text(text: str) -> None:
    assert sanitize(text) == text


# -- Rich and Textual ---------------------------------------------------------------------------


def render(renderable: object, *, colors: bool = False) -> str:
    out = io.StringIO()
    console = Console(
        file=out,
        width=80,
        force_terminal=colors,
        color_system="truecolor" if colors else None,
        legacy_windows=False,
    )
    console.print(renderable)
    return out.getvalue()


def test_to_text_keeps_markup_literal() -> None:
    text = to_text("[bold red]x[/] [link=https://evil.example]pay here[/link]")
    assert render(text) == "[bold red]x[/] [link=https://evil.example]pay here[/link]\n"
    assert text.spans == []


def test_to_text_applies_only_our_style() -> None:
    text = to_text("\x1b]8;;https://evil.example\x07hi\x1b]8;;\x07", style="bold")
    assert text.plain == "hi"
    output = render(text, colors=True)
    assert "evil" not in output
    assert "\x1b]" not in output  # no hyperlink, no title


@settings(max_examples=300)
@given(text=HOSTILE | st.text(alphabet="[]/\\$@#=abBiu ", max_size=30))
def test_escape_markup_round_trips_through_textual_markup(text: str) -> None:
    content = Content.from_markup(escape_markup(text))
    assert content.plain == sanitize(text)
    assert not content.spans


@pytest.mark.parametrize(
    "text", ["[$accent]x[/]", "[B]x[/B]", "[ bold]x", "[@click=app.quit]quit[/]", "[/]", "\\[b]"]
)
def test_escape_markup_defuses_textual_tags(text: str) -> None:
    content = Content.from_markup(f"[bold]{escape_markup(text)}[/bold]")
    assert content.plain == text


# -- one_line -----------------------------------------------------------------------------------


def test_one_line_collapses_whitespace() -> None:
    assert one_line("  Hello\n\n  world\t\x1b[1m!  ") == "Hello world !"


def test_one_line_cuts_with_an_ellipsis() -> None:
    assert one_line("Missing bread in my order", 12) == "Missing bre…"
    assert one_line("Missing bread", 13) == "Missing bread"
    assert one_line("Missing bread", 8) == "Missing…"  # no space before the ellipsis
    assert one_line("abc", 1) == "…"
    assert one_line("abc", 0) == ""


def test_one_line_counts_terminal_cells() -> None:
    result = one_line("日本語のテキスト", 7)
    assert result == "日本語…"
    assert one_line("日本語", 6) == "日本語"


def test_one_line_of_a_huge_message_is_quick_and_short() -> None:
    assert one_line("word " * 2_000_000, 30) == "word word word word word word…"


# -- HTML email ---------------------------------------------------------------------------------

EMAIL = """<html><head><title>Order</title><style>p { color: red }</style></head>
<body><h1>Hi &amp; welcome</h1>
<p>Your   order
   is <b>late</b>.<br>Sorry!</p>
<p>Items:</p><ul><li>bread</li><li>tarama<ul><li>nested</li></ul></li></ul>
<p><a href="https://evil.example/x">https://shop.example</a>
<a href="https://shop.example">https://shop.example/</a>
<a href="mailto:care@shop.example">care@shop.example</a>
<a href="https://t.example/x"><img src="pixel.gif"></a>
<a href="#top">top</a></p>
<table><tr><td>Bread</td><td>2</td></tr><tr><td>Jam</td><td>1</td></tr></table>
<div>x<div>y</div></div><script>alert("hi")</script>
<p>&#27;[31m &#x202e;esc</p><pre>  code
    indented</pre>
</body></html>"""


def test_html_email_reads_as_text() -> None:
    assert html_to_text(EMAIL) == (
        "Hi & welcome\n\n"
        "Your order is late.\nSorry!\n\n"
        "Items:\n\n• bread\n• tarama\n  • nested\n\n"
        "https://shop.example (https://evil.example/x) https://shop.example/ "
        "care@shop.example https://t.example/x top\n\n"
        "Bread  2\nJam  1\n\n"
        "x\ny\n\n"
        "[31m esc\n\n"
        "  code\n    indented"
    )


def test_html_blank_lines_are_capped() -> None:
    text = html_to_text("a" + "<br>" * 10 + "b<p></p><p></p><div></div>c")
    assert text == "a\n\n\nb\n\nc"


@pytest.mark.parametrize(
    "broken",
    ["<![ x", "<![foo[ x ]]>tail", "<p>unclosed <b>bold", "<a href='x", "</p></div>", "<", "<!--",
     "<script>never closed", "&#xffffffff; &#0; &bogus;", "<td><td><li>", "<a><a></a>"],
)  # fmt: skip
def test_broken_html_never_raises(broken: str) -> None:
    assert not FORBIDDEN.search(html_to_text(broken))


def test_html_with_unknown_marked_section_keeps_the_text() -> None:
    assert (
        html_to_text("<p>one</p><![junk[ x ]]>two<![if !mso]>three<![endif]>") == "one\n\ntwothree"
    )


def test_huge_html_is_cut() -> None:
    html = "<p>Hello <b>there</b></p>\n" * 100_000
    text = html_to_text(html, max_chars=1000)
    assert len(MARKER.sub("", text)) <= 1000
    assert MARKER.search(text)


HTML_SOUP = st.lists(
    st.sampled_from(
        ["<p>", "</p>", "<br>", "<li>", "<ul>", "</ul>", "<a href='u'>", "</a>", "<pre>",
         "</pre>", "<script>", "</script>", "<![", "<!--", "-->", "&amp;", "&#27;", "&#x9b;",
         "<", ">", "'", '"', "text", " ", "\n", "\x1b[2J", "<td>", "<img alt='pic'>"]
    )
    | st.text(max_size=5),
    max_size=30,
).map("".join)  # fmt: skip


@settings(max_examples=300)
@given(html=HTML_SOUP)
def test_html_to_text_never_raises_and_is_inert(html: str) -> None:
    text = html_to_text(html)
    assert not FORBIDDEN.search(text)
    assert "\n\n\n\n" not in text
