"""What an agent sends is cleaned of what a terminal would act on, and nothing else."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from deskterm.domain.safety import clean_outgoing

FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
ESCAPES = ["\x1b[31m", "\x1b[0m", "\x1b]0;title\x07", "\x1b]8;;https://x\x1b\\", "\x1b", "\x9b2J"]
CONTROLS = ["\u202e", "\u2066", "\x00", "\x07", "\x7f", "\r\n", "\r", "\u2028", "\ud800"]
PIECES = st.sampled_from([*ESCAPES, *CONTROLS])
TEXT = st.lists(st.text(max_size=8) | PIECES, max_size=20).map("".join)
PLAIN = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"),
        blacklist_characters="\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    )
    | st.sampled_from("\n\t"),
)


def test_a_pasted_reply_loses_escapes_bidi_overrides_and_nul() -> None:
    pasted = "Bonjour \x1b[31mLéa\x1b[0m\x1b]0;title\x07, \u202evotre\x00 commande\tarrive.\nMerci"
    assert clean_outgoing(pasted) == "Bonjour Léa, votre commande\tarrive.\nMerci"


def test_line_ends_become_newlines_and_nothing_is_cut() -> None:
    assert clean_outgoing("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    long = "é" * 300_000
    assert clean_outgoing(long) == long


@given(text=TEXT)
def test_outgoing_text_is_inert_and_cleaned_once_for_all(text: str) -> None:
    clean = clean_outgoing(text)
    assert not FORBIDDEN.search(clean)
    assert "\x1b" not in clean and "\r" not in clean
    assert clean_outgoing(clean) == clean


@given(text=PLAIN)
def test_what_an_agent_types_goes_out_as_typed(text: str) -> None:
    assert clean_outgoing(text) == text
