"""Routing rules: which group, priority, tags and agent a conversation gets as it arrives.

Rules are read from the settings file's ``[[rules]]`` tables, in order; the first rule whose
every condition holds is the one that fires (as Zendesk's triggers do), and a rule with no
condition fires for everything. A rule::

    [[rules]]
    name = "Refunds on WhatsApp"
    on = "arrival"                 # arrival, again (the customer writes again) or both
    when.channel = ["whatsapp"]    # one value or a list (any of them)
    when.language = ["fr"]
    when.text = 'refund -"gift card"'   # the search language's words, phrases, exclusions,
                                        # over the subject and the first message
    when.vip = true
    when.orders_at_least = 5       # and orders_at_most
    when.reason = ["missing-item"] # the reason tag the suggester is confident about
    set.group = "Seniors"
    set.priority = "high"
    set.tags = ["refund"]
    set.assignee = "round-robin"   # or least-loaded (agents of the group present now),
                                   # an agent's name, email or id, or "none"
    push = false                   # remote mode: also push the changes to the helpdesk

An unknown key is refused in one line naming it. Pure: no I/O; the backend gathers the
facts and applies the actions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from deskterm.domain.models import Channel, Priority
from deskterm.domain.query import PREFIX_MIN, Query, QueryError, parse_query
from deskterm.domain.suggest import fold

CONDITIONS = (
    "channel",
    "language",
    "text",
    "vip",
    "orders_at_least",
    "orders_at_most",
    "reason",
)
ACTIONS = ("group", "priority", "tags", "assignee")
RULE_KEYS = ("name", "on", "when", "set", "push")
EVENTS = ("arrival", "again", "both")
#: The assignee values that pick an agent of the group rather than name one.
PICKERS = ("round-robin", "least-loaded")


class RuleError(ValueError):
    """A rules file that cannot be used; the message is one line naming the culprit."""


@dataclass(frozen=True)
class Facts:
    """What a rule looks at, gathered by the backend for one conversation."""

    channel: str
    language: str = ""
    subject: str = ""
    first_message: str = ""
    vip: bool = False
    orders: int = 0
    reason: str | None = None
    """The reason tag of the macro the suggester ranks first with confidence, if any."""
    event: str = "arrival"
    """arrival, or again (the customer wrote again)."""


@dataclass(frozen=True)
class Actions:
    group: str | None = None
    priority: Priority | None = None
    tags: tuple[str, ...] = ()
    assignee: str | None = None


@dataclass(frozen=True)
class Rule:
    name: str
    on: str = "both"
    channels: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    text: Query | None = None
    text_source: str = ""
    vip: bool | None = None
    orders_at_least: int | None = None
    orders_at_most: int | None = None
    reasons: frozenset[str] = frozenset()
    actions: Actions = field(default_factory=Actions)
    push: bool = False


@dataclass(frozen=True)
class Verdict:
    """The rule that fired (None: none did) and, for each rule tried, why it did or not."""

    rule: Rule | None
    trail: tuple[str, ...]


def _strings(where: str, value: Any) -> frozenset[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise RuleError(f"{where}: a word or a list of words, not {value!r}")
    return frozenset(v.strip().lower() for v in values)


def _count(where: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RuleError(f"{where}: a whole number, not {value!r}")
    return value


def parse_rule(raw: Mapping[str, Any], index: int) -> Rule:
    """One ``[[rules]]`` table; raises RuleError naming an unknown key or a bad value."""
    where = f"rules[{index + 1}]"
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: a table, not {raw!r}")
    for key in raw:
        if key not in RULE_KEYS:
            raise RuleError(f"{where}: unknown key {key!r} (use {', '.join(RULE_KEYS)})")
    name = raw.get("name") or f"rule {index + 1}"
    if not isinstance(name, str):
        raise RuleError(f"{where}.name: a text, not {name!r}")
    where = f"rule {name!r}"
    on = raw.get("on", "both")
    if on not in EVENTS:
        raise RuleError(f"{where}: on = {on!r}: use one of {', '.join(EVENTS)}")
    when, then = raw.get("when", {}), raw.get("set", {})
    if not isinstance(when, Mapping) or not isinstance(then, Mapping):
        raise RuleError(f"{where}: when and set are tables")
    for key in when:
        if key not in CONDITIONS:
            raise RuleError(f"{where}: unknown condition {key!r} (use {', '.join(CONDITIONS)})")
    for key in then:
        if key not in ACTIONS:
            raise RuleError(f"{where}: unknown action {key!r} (use {', '.join(ACTIONS)})")
    channels = _strings(f"{where}: when.channel", when["channel"]) if "channel" in when else None
    if channels:
        known = {str(c) for c in Channel} | {"wa"}
        for c in sorted(channels - known):
            raise RuleError(f"{where}: unknown channel {c!r} (use {', '.join(map(str, Channel))})")
        channels = frozenset("whatsapp" if c == "wa" else c for c in channels)
    text, source = None, ""
    if "text" in when:
        source = when["text"]
        if not isinstance(source, str):
            raise RuleError(f"{where}: when.text: a search, not {source!r}")
        try:
            text = parse_query(source, now=datetime(2000, 1, 1, tzinfo=UTC))
        except QueryError as exc:
            raise RuleError(f"{where}: when.text: {exc.message}") from None
        if not text.has_text or text != Query(
            words=text.words, phrases=text.phrases, excluded=text.excluded
        ):
            raise RuleError(f'{where}: when.text takes words, "phrases" and -exclusions only')
    vip = when.get("vip")
    if vip is not None and not isinstance(vip, bool):
        raise RuleError(f"{where}: when.vip: true or false, not {vip!r}")
    priority = then.get("priority")
    if priority is not None:
        try:
            priority = Priority(str(priority).lower())
        except ValueError:
            raise RuleError(
                f"{where}: set.priority {priority!r}: use one of {', '.join(map(str, Priority))}"
            ) from None
    group = then.get("group")
    if group is not None and (not isinstance(group, str) or not group.strip()):
        raise RuleError(f"{where}: set.group: a group's name, not {group!r}")
    assignee = then.get("assignee")
    if assignee is not None and not isinstance(assignee, str | int):
        raise RuleError(f"{where}: set.assignee: an agent, none, {' or '.join(PICKERS)}")
    if assignee in PICKERS and group is None:
        raise RuleError(f"{where}: set.assignee = {assignee!r} needs set.group")
    push = raw.get("push", False)
    if not isinstance(push, bool):
        raise RuleError(f"{where}: push: true or false, not {push!r}")
    return Rule(
        name=name,
        on=on,
        channels=channels or frozenset(),
        languages=_strings(f"{where}: when.language", when["language"])
        if "language" in when
        else frozenset(),
        text=text,
        text_source=source,
        vip=vip,
        orders_at_least=_count(f"{where}: when.orders_at_least", when["orders_at_least"])
        if "orders_at_least" in when
        else None,
        orders_at_most=_count(f"{where}: when.orders_at_most", when["orders_at_most"])
        if "orders_at_most" in when
        else None,
        reasons=_strings(f"{where}: when.reason", when["reason"])
        if "reason" in when
        else frozenset(),
        actions=Actions(
            group=group.strip() if group else None,
            priority=priority,
            tags=tuple(sorted(_strings(f"{where}: set.tags", then["tags"])))
            if "tags" in then
            else (),
            assignee=str(assignee).strip() if assignee is not None else None,
        ),
        push=push,
    )


def parse_rules(raw: Sequence[Mapping[str, Any]]) -> list[Rule]:
    """Every rule, in order; raises RuleError on the first bad one."""
    return [parse_rule(r, i) for i, r in enumerate(raw)]


def _tokens(text: str) -> list[str]:
    return "".join(ch if ch.isalnum() else " " for ch in fold(text)).split()


def _has_word(tokens: Iterable[str], word: str, *, prefix: bool) -> bool:
    if prefix and len(word) >= PREFIX_MIN:
        return any(t.startswith(word) for t in tokens)
    return word in tokens


def _has_phrase(tokens: list[str], phrase: str) -> bool:
    wanted = _tokens(phrase)
    n = len(wanted)
    return n > 0 and any(tokens[i : i + n] == wanted for i in range(len(tokens) - n + 1))


def text_matches(q: Query, text: str) -> tuple[bool, str]:
    """Whether *text* has every word (as a prefix, like search) and phrase of *q* and none
    of its exclusions; and why, in a few words."""
    tokens = _tokens(text)
    for word in q.words:
        if not _has_word(tokens, fold(word), prefix=True):
            return False, f"no word starting {word!r}"
    for phrase in q.phrases:
        if not _has_phrase(tokens, phrase):
            return False, f'no "{phrase}"'
    for word in q.excluded:
        if (" " in word and _has_phrase(tokens, word)) or _has_word(
            tokens, fold(word), prefix=False
        ):
            return False, f"has excluded {word!r}"
    return True, "text matches"


def check(rule: Rule, facts: Facts) -> tuple[bool, str]:
    """Whether *rule* fires for *facts*, and the reason (the first failed condition, or
    every condition that held)."""
    held: list[str] = []
    if rule.on != "both" and rule.on != facts.event:
        return False, f"only on {rule.on}"
    if rule.channels:
        if facts.channel not in rule.channels:
            return False, f"channel is {facts.channel}"
        held.append(f"channel {facts.channel}")
    if rule.languages:
        if facts.language.lower() not in rule.languages:
            return False, f"language is {facts.language or 'unknown'}"
        held.append(f"language {facts.language}")
    if rule.text is not None:
        ok, why = text_matches(rule.text, f"{facts.subject}\n{facts.first_message}")
        if not ok:
            return False, why
        held.append(f"text matches {rule.text_source!r}")
    if rule.vip is not None:
        if facts.vip != rule.vip:
            return False, "customer is VIP" if facts.vip else "customer is not VIP"
        held.append("VIP" if facts.vip else "not VIP")
    if rule.orders_at_least is not None and facts.orders < rule.orders_at_least:
        return False, f"{facts.orders} orders < {rule.orders_at_least}"
    if rule.orders_at_most is not None and facts.orders > rule.orders_at_most:
        return False, f"{facts.orders} orders > {rule.orders_at_most}"
    if rule.orders_at_least is not None or rule.orders_at_most is not None:
        held.append(f"{facts.orders} orders")
    if rule.reasons:
        if facts.reason is None or facts.reason.lower() not in rule.reasons:
            return False, f"reason is {facts.reason or 'unsure'}"
        held.append(f"reason {facts.reason}")
    return True, ", ".join(held) or "no condition"


def first_match(rules: Sequence[Rule], facts: Facts) -> Verdict:
    """The first rule that fires, and the trail of every rule tried up to it."""
    trail: list[str] = []
    for rule in rules:
        ok, why = check(rule, facts)
        trail.append(f"{'✓' if ok else '✗'} {rule.name}: {why}")
        if ok:
            return Verdict(rule, tuple(trail))
    return Verdict(None, tuple(trail))


def describe(actions: Actions) -> str:
    """The actions in a few words: "group Seniors, priority high, tags vip, assignee …"."""
    parts = []
    if actions.group:
        parts.append(f"group {actions.group}")
    if actions.priority:
        parts.append(f"priority {actions.priority}")
    if actions.tags:
        parts.append("tags " + " ".join(actions.tags))
    if actions.assignee:
        parts.append(f"assignee {actions.assignee}")
    return ", ".join(parts) or "nothing"


#: The suggester is confident about a reason when its best macro with that reason scores
#: this many times the best macro with another reason…
CONFIDENT_RATIO = 1.25
#: …and at least this much (BM25 over a few shared words).
CONFIDENT_SCORE = 2.0


def confident_reason(
    ranked: Sequence[tuple[int, float]], reason_tags: Mapping[int, str]
) -> str | None:
    """The reason tag the suggester is confident about: *ranked* is (macro id, score), best
    first; *reason_tags* a macro's reason (macros without one are passed over). Several
    macros of the same reason agree rather than compete."""
    best: dict[str, float] = {}
    for macro_id, score in ranked:
        tag = reason_tags.get(macro_id)
        if tag is not None and tag not in best:
            best[tag] = score
    if not best:
        return None
    tags = sorted(best, key=lambda t: -best[t])
    top = best[tags[0]]
    if top < CONFIDENT_SCORE:
        return None
    if len(tags) > 1 and top < CONFIDENT_RATIO * best[tags[1]]:
        return None
    return tags[0]
