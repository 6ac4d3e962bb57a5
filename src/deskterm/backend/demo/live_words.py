"""What the live demo's customers say back: an answer that fits their thread as they see it.

A customer who has been answered never writes "still no answer"; one who was asked for a
photo sends it; one asked what went wrong tells the real story; one whose food has not come
says so. Pure choices from a random source, so they are tested without a store.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from deskterm.backend.demo.replies import (
    DETAILS,
    NOT_ARRIVED,
    STILL_WAITING,
    THANKS,
    UNDELIVERED_TAGS,
    follow_ups,
)
from deskterm.backend.demo.threads import REVEALED

#: What a customer may write to show the agent the order they mean.
ORDER_NUMBER = {
    "fr": ("C'est la commande {order}.", "Commande {order}", "Le numéro : {order}"),
    "en": ("It's order {order}.", "Order {order}", "The number is {order}"),
}

#: A short answer to an agent's question that fits most questions.
CONFIRM = {
    "fr": ("Oui, c'est bien ça.", "Oui, tout à fait.", "Non, rien d'autre, merci."),
    "en": ("Yes, that's right.", "Yes, exactly.", "No, nothing else, thanks."),
}

#: Chance that a customer writes back, by what the agent's last reply was.
ANSWER_ASKED = 0.9
ANSWER_PENDING = 0.55
ANSWER_DONE = 0.25
#: Chance that a customer nobody answered writes again to chase.
CHASE = 0.4


@dataclass(frozen=True)
class Seen:
    """A conversation as its customer sees it: only public messages."""

    language: str
    answered: bool
    """An agent has replied in public at least once."""
    last_reply: str = ""
    """The agent's last public reply ("" when none)."""
    waits_on_customer: bool = False
    """Snoozed until the customer replies: the agent asked for something."""
    done: bool = False
    tags: str = ""
    order: str = ""
    """The number of the customer's order ("" when they have none)."""
    vague: bool = False
    """The customer's first message said too little ("I have a problem with my order")."""


@dataclass(frozen=True)
class Said:
    """What the customer writes: a template (slots as the situations' texts), and whether
    it comes with a photo."""

    kind: str  # chase, photo, order, story, confirm, thanks, question, not-arrived
    template: str
    photo: bool = False


def asks_something(seen: Seen) -> bool:
    """Whether the agent's last reply waits on the customer: a question, or a snooze until
    the customer replies."""
    return seen.waits_on_customer or "?" in seen.last_reply


def chase(rng: Random, seen: Seen) -> Said | None:
    """A customer waiting on a first answer writes again ("still nothing…"), or not; never
    once an agent has answered."""
    if seen.answered or rng.random() >= CHASE:
        return None
    return Said("chase", rng.choice(STILL_WAITING[_lang(seen)]))


def answer(rng: Random, seen: Seen) -> Said | None:
    """What a customer writes after the agent's last public reply, or None (no word back)."""
    if not seen.answered:
        return None
    lang = _lang(seen)
    reply = seen.last_reply.lower()
    if asks_something(seen):
        if rng.random() >= ANSWER_ASKED:
            return None
        if "photo" in reply:
            return Said("photo", rng.choice(DETAILS[lang]), photo=True)
        if seen.order and ("numéro de commande" in reply or "order number" in reply):
            return Said("order", rng.choice(ORDER_NUMBER[lang]))
        if seen.vague and not _reason_tagged(seen):
            story = rng.choice(REVEALED)
            return Said("story", rng.choice(story.first[lang]), photo=story.photo)
        return Said("confirm", rng.choice(CONFIRM[lang]))
    if rng.random() >= (ANSWER_DONE if seen.done else ANSWER_PENDING):
        return None
    if seen.done:
        return Said("thanks", rng.choice(THANKS[lang]))
    roll = rng.random()
    if roll < 0.55:
        return Said("thanks", rng.choice(THANKS[lang]))
    if roll < 0.75 and any(tag in seen.tags.split() for tag in UNDELIVERED_TAGS):
        return Said("not-arrived", rng.choice(NOT_ARRIVED[lang]))
    table = follow_ups(seen.tags)
    return Said("thanks" if table is THANKS else "question", rng.choice(table[lang]))


def _lang(seen: Seen) -> str:
    return "fr" if seen.language == "fr" else "en"


def _reason_tagged(seen: Seen) -> bool:
    """Whether the conversation already says what it is about (a reason tag)."""
    reasons = {s.tag for s in REVEALED}
    return any(tag in reasons for tag in seen.tags.split())
