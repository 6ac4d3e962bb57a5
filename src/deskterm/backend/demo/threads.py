"""Planning a conversation: where it ends up (its fate), the steps that get it there, and when.

A plan is a skeleton: who writes, which template or macro, which action, and the time of
each step. Texts are filled in later (:mod:`deskterm.backend.demo.playback`), once the order
the conversation is about exists, so that times, slots and numbers agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from random import Random
from typing import Any

from deskterm.backend.demo.catalog import AGENTS, group_for
from deskterm.backend.demo.library import LIBRARY, PREFERRED
from deskterm.backend.demo.macrospec import MacroSpec
from deskterm.backend.demo.replies import (
    ASK_PHOTO,
    STILL_WAITING,
    THANKS,
    VAGUE,
    follow_ups,
)
from deskterm.backend.demo.situation import Situation
from deskterm.backend.demo.situations import ORDER_SITUATIONS
from deskterm.backend.demo.situations_more import SERVICE_SITUATIONS
from deskterm.domain.models import Channel

NEW, OPEN_FIRST, OPEN_FOLLOWUP = "new", "open-first", "open-followup"
PENDING, SNOOZED_REPLY, SNOOZED_TIME, DONE = "pending", "snoozed-reply", "snoozed-time", "done"
#: Fates that leave the customer waiting in the inbox: their last message is timed from now.
INBOX_FATES = (NEW, OPEN_FIRST, OPEN_FOLLOWUP)

#: Conversations of the last day: a live inbox (about half of them wait on the team).
LIVE_FATES = ((NEW, 22), (OPEN_FIRST, 14), (OPEN_FOLLOWUP, 22), (PENDING, 12),
              (SNOOZED_REPLY, 5), (SNOOZED_TIME, 4), (DONE, 21))  # fmt: skip
#: Older conversations: nearly all done, a few still waiting on the customer or snoozed.
OLD_FATES = ((DONE, 95), (PENDING, 2.5), (SNOOZED_REPLY, 2), (SNOOZED_TIME, 0.5))
#: Share of waiting conversations already past their SLA.
BREACHING_SHARE = 0.15
MACRO_SHARE = 0.65

CHANNELS = ((Channel.EMAIL, 30), (Channel.CHAT, 25), (Channel.WHATSAPP, 25),
            (Channel.SOCIAL, 10), (Channel.FORM, 7), (Channel.PHONE, 3))  # fmt: skip

SITUATIONS: tuple[Situation, ...] = ORDER_SITUATIONS + SERVICE_SITUATIONS
#: What a vague complaint turns out to be about.
REVEALED = tuple(
    s for s in SITUATIONS if s.key in ("missing-item", "wrong-item", "damaged-packaging", "refund")
)
MACROS: dict[str, MacroSpec] = {m.key: m for m in LIBRARY}
_GROUP_AGENTS = tuple(tuple(i for i, a in enumerate(AGENTS) if a[1] == g) for g in range(3))
_ALL_SITUATIONS = (*SITUATIONS, VAGUE)
_WEIGHTS = tuple(
    math.fsum(s.weight for s in _ALL_SITUATIONS[: i + 1]) for i in range(len(_ALL_SITUATIONS))
)


@dataclass(slots=True)
class Step:
    """One thing that happens in a conversation."""

    op: str  # C customer writes, R agent replies, N internal note, X a change, U mark read
    gap: float  # seconds after the previous step
    text: str = ""  # a template, a macro key for R steps with a macro
    wrap: str = ""  # how the text is dressed: first, follow, free, short, macro, note
    agent: int | None = None  # index into AGENTS
    status_after: str | None = None
    macro: MacroSpec | None = None
    kind: str = ""  # for X: assign, status, tags, priority, snooze
    value: Any = None
    attach: bool = False
    at: int = 0  # epoch seconds, set once the plan is timed


@dataclass(slots=True)
class Plan:
    """The skeleton of one conversation."""

    fate: str
    channel: Channel
    customer: int
    language: str
    vip: bool
    situation: Situation  # what the first message is about (may be VAGUE)
    topic: Situation  # what the conversation is really about
    steps: list[Step] = field(default_factory=list)
    created: int = 0
    group: int = 0  # index into GROUPS
    macro_keys: list[str] = field(default_factory=list)


def weighted(rng: Random, table: tuple[tuple[Any, float], ...]) -> Any:
    """One value of a (value, weight) table."""
    total = math.fsum(w for _, w in table)
    pick = rng.random() * total
    for value, weight in table:
        pick -= weight
        if pick < 0:
            return value
    return table[-1][0]


def pick_situation(rng: Random) -> Situation:
    pick = rng.random() * _WEIGHTS[-1]
    for situation, bound in zip(_ALL_SITUATIONS, _WEIGHTS, strict=True):
        if pick < bound:
            return situation
    return _ALL_SITUATIONS[-1]


def _lognormal(rng: Random, median: float, sigma: float, low: float, high: float) -> float:
    return min(high, max(low, median * math.exp(rng.gauss(0.0, sigma))))


def response_gap(rng: Random, channel: Channel) -> float:
    """How long an agent takes to answer: minutes on instant channels, hours by email."""
    if channel.instant:
        return _lognormal(rng, 150, 0.8, 20, 1800)
    if channel is Channel.PHONE:
        return rng.uniform(30, 300)
    return _lognormal(rng, 2400, 1.0, 180, 20 * 3600)


def customer_gap(rng: Random, channel: Channel) -> float:
    """How long a customer takes to write back."""
    if channel.instant:
        return _lognormal(rng, 120, 0.9, 15, 3600)
    return _lognormal(rng, 3 * 3600, 1.0, 300, 2 * 86400)


class Planner:
    """Turns a fate into steps; one per generator, drawing from its random source."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng

    def plan(
        self,
        fate: str,
        channel: Channel,
        customer: int,
        language: str,
        vip: bool,
        *,
        breaching: bool = False,
    ) -> Plan:
        """The steps of one conversation that ends in ``fate``; a ``breaching`` one whose
        customer waits too long may write again to chase."""
        rng = self.rng
        if fate == SNOOZED_REPLY and rng.random() < 0.75:
            situation = VAGUE
        else:
            situation = pick_situation(rng)
            while fate == NEW and situation is VAGUE and rng.random() < 0.5:
                situation = pick_situation(rng)
        topic = rng.choice(REVEALED) if situation is VAGUE else situation
        plan = Plan(fate, channel, customer, language, vip, situation, topic)
        plan.group = group_for(channel)
        agent = rng.choice(_GROUP_AGENTS[plan.group])
        steps = plan.steps
        self._customer(plan, rng.choice(situation.first[language]), "first", 0.0)
        steps[0].attach = situation.photo and rng.random() < 0.5
        if fate == NEW:
            if rng.random() < 0.2:
                self._change(plan, "assign", agent, response_gap(rng, channel) * 0.3)
            if breaching and rng.random() < 0.5:
                self._customer(plan, rng.choice(STILL_WAITING[language]), "follow", 0.0)
            return plan
        self._change(plan, "assign", agent, response_gap(rng, channel) * 0.4)
        self._triage(plan, agent)
        if fate == OPEN_FIRST:
            self._change(plan, "status", agent, rng.uniform(5, 60), "open")
            steps.append(Step("U", 1.0))
            if rng.random() < 0.4:
                self._note(plan, agent)
            if breaching and rng.random() < 0.5:
                self._customer(plan, rng.choice(STILL_WAITING[language]), "follow", 0.0)
            return plan
        if fate == SNOOZED_REPLY and situation is not VAGUE:
            self._reply_free(plan, agent, rng.choice(ASK_PHOTO[language]), None)
            self._change(plan, "snooze", agent, rng.uniform(3, 30), "until reply")
            return plan
        if situation is VAGUE:
            self._macro_reply(plan, agent, rng.choice(VAGUE.macros))
            if fate == SNOOZED_REPLY:
                return plan
            self._customer(plan, rng.choice(topic.first[language]), "follow", 0.0)
            steps[-1].attach = topic.photo and rng.random() < 0.6
            if fate == OPEN_FOLLOWUP:
                return plan
            self._change(plan, "tags", agent, rng.uniform(20, 120), (topic.tag,))
        if fate in (PENDING, SNOOZED_TIME):
            self._respond(plan, agent, want="pending")
            if fate == SNOOZED_TIME:
                self._note(plan, agent, snooze=True)
                self._change(plan, "snooze", agent, rng.uniform(5, 60), "time")
            return plan
        status = self._respond(plan, agent, want="any")
        if fate == OPEN_FOLLOWUP:
            # Answered: whatever the customer says next, it is not "still no answer".
            table = follow_ups((topic.tag,))
            self._customer(plan, rng.choice(table[language]), "follow", 0.0)
            return plan
        self._close(plan, agent, status)
        return plan

    # -- building blocks ---------------------------------------------------------------

    def _customer(self, plan: Plan, text: str, wrap: str, gap: float) -> None:
        if plan.steps:
            gap = customer_gap(self.rng, plan.channel)
        plan.steps.append(Step("C", gap, text, wrap))

    def _change(self, plan: Plan, kind: str, agent: int, gap: float, value: Any = None) -> None:
        plan.steps.append(Step("X", gap, agent=agent, kind=kind, value=value))

    def _note(self, plan: Plan, agent: int, *, snooze: bool = False) -> None:
        plan.steps.append(
            Step("N", self.rng.uniform(20, 240), "snooze" if snooze else "", "note", agent)
        )

    def _triage(self, plan: Plan, agent: int) -> None:
        rng = self.rng
        tags: list[str] = []
        if plan.vip:
            tags.append("vip")
        if plan.situation is not VAGUE and rng.random() < 0.5:
            tags.append(plan.topic.tag)
        if tags:
            self._change(plan, "tags", agent, rng.uniform(2, 20), tuple(tags))
        priority = plan.topic.priority if plan.situation is not VAGUE else "normal"
        if plan.vip and rng.random() < 0.6:
            priority = "high"
        if plan.topic.key == "allergens" and rng.random() < 0.2:
            priority = "urgent"
        if priority != "normal":
            self._change(plan, "priority", agent, rng.uniform(1, 10), priority)

    def _reply_free(self, plan: Plan, agent: int, text: str, status_after: str | None) -> None:
        gap = response_gap(self.rng, plan.channel) * 0.6
        plan.steps.append(Step("R", gap, text, "free", agent, status_after))

    def _macro_reply(self, plan: Plan, agent: int, key: str) -> str | None:
        """Answer with a macro and apply its actions; returns the status it leaves."""
        rng = self.rng
        personal = PREFERRED.get(key)
        if personal and MACROS[personal].owner == agent and rng.random() < 0.7:
            key = personal
        macro = MACROS[key]
        plan.macro_keys.append(key)
        gap = response_gap(rng, plan.channel) * 0.6
        plan.steps.append(Step("R", gap, key, "macro", agent, macro.status, macro))
        if macro.tags:
            self._change(plan, "tags", agent, 1.0, macro.tags)
        if macro.priority:
            self._change(plan, "priority", agent, 1.0, macro.priority)
        if macro.snooze:
            self._change(plan, "snooze", agent, 1.0, macro.snooze)
        return macro.status

    def _respond(self, plan: Plan, agent: int, *, want: str) -> str | None:
        """The answer to the real question; ``want`` "pending" keeps the conversation open
        on the customer's side. Returns the status the reply leaves ("done" or None)."""
        rng, topic = self.rng, plan.topic
        if rng.random() < (0.5 if topic.key in ("bug", "refund") else 0.25):
            if topic.key in ("bug", "refund") and rng.random() < 0.4:
                senior = rng.choice(_GROUP_AGENTS[2])
                self._change(plan, "escalate", senior, rng.uniform(30, 600))
                agent = senior
            self._note(plan, agent)
        candidates = [k for k in topic.macros if want != "pending" or not MACROS[k].status]
        if candidates and rng.random() < MACRO_SHARE:
            return self._macro_reply(plan, agent, rng.choice(candidates))
        status = "done" if want != "pending" and rng.random() < 0.6 else None
        self._reply_free(plan, agent, rng.choice(topic.replies[plan.language]), status)
        return status

    def _close(self, plan: Plan, agent: int, status: str | None) -> None:
        """From an answer to done: thanks, a last question, a fix announced days later."""
        rng, language = self.rng, plan.language
        agent = next((s.agent for s in reversed(plan.steps) if s.op == "R"), agent) or agent
        if status == "done":
            if rng.random() < 0.35:
                self._customer(plan, rng.choice(THANKS[language]), "follow", 0.0)
                self._change(plan, "status", agent, rng.uniform(20, 300), "done")
            return
        if "bug_logged" in plan.macro_keys:
            if rng.random() < 0.4:
                self._customer(plan, rng.choice(THANKS[language]), "follow", 0.0)
            self._macro_reply(plan, agent, "bug_fixed")
            fixed = max(i for i, s in enumerate(plan.steps) if s.op == "R")
            plan.steps[fixed].gap = rng.uniform(2, 10) * 86400
            return
        roll = rng.random()
        if roll < 0.5:
            self._customer(plan, rng.choice(THANKS[language]), "follow", 0.0)
            if rng.random() < 0.5:
                self._change(plan, "status", agent, rng.uniform(20, 300), "done")
            else:
                plan.steps.append(Step("R", rng.uniform(20, 300), "", "closing", agent, "done"))
        elif roll < 0.8:
            table = follow_ups((plan.topic.tag,))
            self._customer(plan, rng.choice(table[language]), "follow", 0.0)
            gap = response_gap(rng, plan.channel)
            plan.steps.append(Step("R", gap, "", "answer", agent, "done"))
        else:
            self._change(plan, "status", agent, rng.uniform(3600, 2 * 86400), "done")
