"""The search language an agent types after ``/``.

Free words are matched as prefixes (``bre`` finds "bread", so results follow the typing),
``"exact phrases"`` as written, and ``-word`` / ``-"a phrase"`` exclude. Filters narrow the
conversations::

    status:new|open|pending|done        channel:email|chat|whatsapp|wa|social|form|phone
    tag:NAME          (repeat for AND)  assignee:me|none|NAME    assignee:"Paul Roux"
    group:NAME|none   (the team it is routed to)
    from:NAME-OR-ADDRESS                is:snoozed|unread|breached|vip|woken
    before:DATE       after:DATE        DATE = YYYY-MM-DD, today, yesterday, 7d, 12h, 2w
    #32               the conversation numbered 32 (the helpdesk's number in remote mode)

Keys are case-insensitive. ``status:`` and ``channel:`` take comma-separated values meaning
OR (``channel:chat,wa``), and repeating them widens the same set. Dates read like Gmail's:
``after:2026-11-24`` keeps what happened on or after that day, ``before:2026-11-25``
what happened before that day, both in the agent's time zone; ``7d`` is the instant seven
days before now. There are no boolean operators: ``OR`` is just a word.

Everything here is pure: no I/O, no clock (the caller passes ``now``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from deskterm.domain.models import Channel, Status

__all__ = ["FLAGS", "KEYS", "Query", "QueryError", "format_query", "parse_query"]

#: The filter keys, in the order they are listed in errors and written by format_query.
KEYS = ("status", "channel", "tag", "assignee", "group", "from", "after", "before", "is")

#: The values of ``is:``.
FLAGS = ("snoozed", "unread", "breached", "vip", "woken")

#: Words this long or longer match as prefixes while they are typed; shorter ones exactly.
PREFIX_MIN = 3

_STATUS_ORDER = tuple(Status)
_CHANNEL_ORDER = tuple(Channel)
_CHANNEL_ALIASES = {"wa": Channel.WHATSAPP}

# A filter is letters then a colon; "https://..." stays a word so pasted links are searchable.
_FILTER = re.compile(r"([A-Za-z]+):(?!//)")
#: A conversation's number as the customer's mails show it (the remote's, in remote mode).
_NUMBER = re.compile(r"#[0-9]{1,18}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?"
)
_RELATIVE = re.compile(r"(\d{1,6})([hdw])")
_RELATIVE_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
# Lone surrogates cannot be encoded for SQLite: replace them one for one so error positions
# still point into what the agent typed.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class QueryError(ValueError):
    """A query that cannot be parsed; ``position`` is where to draw the caret."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Query:
    """A parsed search: text terms plus filters, all of which must hold (AND)."""

    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    statuses: frozenset[Status] = field(default_factory=frozenset)
    channels: frozenset[Channel] = field(default_factory=frozenset)
    tags: tuple[str, ...] = ()
    assignee: str | None = None
    group: str | None = None
    from_: str | None = None
    before: datetime | None = None
    after: datetime | None = None
    flags: frozenset[str] = field(default_factory=frozenset)
    numbers: tuple[int, ...] = ()  # ``#32``: the conversation numbered so (any of them)

    @property
    def has_text(self) -> bool:
        """True when the query searches message text (words, phrases or exclusions)."""
        return bool(self.words or self.phrases or self.excluded)

    @property
    def is_empty(self) -> bool:
        """True when the query neither searches text nor filters anything."""
        return self == _EMPTY

    def fts_expression(
        self, words_from: Callable[[str], Sequence[str] | None] | None = None
    ) -> str | None:
        """An SQLite FTS5 MATCH expression for the text part, or None without positive terms.

        Every term is double-quoted, so nothing the agent types is FTS5 syntax. Words of
        ``PREFIX_MIN`` letters or more match as prefixes (a one-letter prefix matches nearly
        every message: over a second at a million, typed on the way to a real word), shorter
        words, phrases and exclusions (through ``NOT``) exactly. FTS5 cannot express
        "NOT x" on its own: when the query has only exclusions this returns None and the
        caller filters with :meth:`fts_exclusion` instead.

        ``words_from(prefix)``, when given, names the indexed words a prefix stands for (or
        None when it cannot say): the prefix is then searched as those words joined by OR,
        which matches the same texts and which FTS5 reads newest first far faster.
        """
        positive = [self._fts_word(w, words_from) for w in self.words]
        positive += [_fts_quote(p) for p in self.phrases]
        if not positive:
            return None
        expression = " AND ".join(positive)
        if self.excluded:
            expression = f"({expression})" + "".join(f" NOT {_fts_quote(x)}" for x in self.excluded)
        return expression

    @staticmethod
    def _fts_word(word: str, words_from: Callable[[str], Sequence[str] | None] | None) -> str:
        if len(word) < PREFIX_MIN:
            return _fts_quote(word)
        spelled = words_from(word) if words_from is not None else None
        if not spelled:
            return _fts_quote(word) + "*"
        if len(spelled) == 1:
            return _fts_quote(spelled[0])
        return "(" + " OR ".join(_fts_quote(w) for w in spelled) + ")"

    def fts_exclusion(self) -> str | None:
        """An FTS5 expression matching any excluded term, or None without exclusions.

        For queries with exclusions only, keep rows whose rowid is NOT IN the rows that
        match this expression.
        """
        if not self.excluded:
            return None
        return " OR ".join(_fts_quote(x) for x in self.excluded)


_EMPTY = Query()


def _fts_quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def parse_query(text: str, *, now: datetime, tz: str | ZoneInfo = "UTC") -> Query:
    """Parse what the agent typed into a Query.

    ``now`` anchors ``today``, ``yesterday`` and ``7d`` (a naive ``now`` is taken as UTC);
    ``tz`` is the agent's time zone, where days start. Raises QueryError, and only
    QueryError, for anything it cannot understand.
    """
    return _Parser(text, now=now, tz=_zone(tz)).parse()


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def _join(values: list[str], last: str = "or") -> str:
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} {last} {values[-1]}"


class _Parser:
    """One pass over the text, collecting terms and filters; raises QueryError early."""

    def __init__(self, text: str, *, now: datetime, tz: ZoneInfo) -> None:
        # NUL would end an FTS5 string early; as a space it simply separates words.
        self.text = _SURROGATE.sub("\ufffd", text).replace("\x00", " ")
        self.now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        self.tz = tz
        self.words: list[str] = []
        self.phrases: list[str] = []
        self.excluded: list[str] = []
        self.statuses: set[Status] = set()
        self.channels: set[Channel] = set()
        self.tags: list[str] = []
        self.flags: set[str] = set()
        self.numbers: list[int] = []
        self.single: dict[str, tuple[str, int]] = {}
        self.before: datetime | None = None
        self.after: datetime | None = None

    def parse(self) -> Query:
        text, i, n = self.text, 0, len(self.text)
        while i < n:
            if text[i].isspace():
                i += 1
                continue
            negated = text[i] == "-"
            start = i + 1 if negated else i
            if negated and (start >= n or text[start].isspace()):
                i = start  # a lone "-" is punctuation, not an exclusion
                continue
            if text[start] == '"':
                value, i = self._quoted(start)
                (self.excluded if negated else self.phrases).append(value)
                continue
            raw, i = self._bare(start)
            if not negated and _NUMBER.fullmatch(raw):
                self.numbers.append(int(raw[1:]))
                continue
            match = _FILTER.match(raw)
            if match is None:
                (self.excluded if negated else self.words).append(raw)
                continue
            if negated:
                raise QueryError(
                    f'Filters cannot be excluded: "-{raw}" (quote it to exclude the text)',
                    start - 1,
                )
            key = match.group(1).lower()
            value_start = start + match.end()
            quoted = value_start == i and i < n and text[i] == '"'
            if quoted:
                value, i = self._quoted(i)
            else:
                value = raw[match.end() :]
            self._filter(key, value, start, value_start, quoted)
        return self._build()

    def _quoted(self, quote: int) -> tuple[str, int]:
        """Read a quoted string opened at ``quote``: its whitespace-collapsed content, end."""
        close = self.text.find('"', quote + 1)
        if close < 0:
            raise QueryError('Unclosed quote: add a closing "', quote)
        return " ".join(self.text[quote + 1 : close].split()), close + 1

    def _bare(self, start: int) -> tuple[str, int]:
        """Read a bare token: up to whitespace or a quote."""
        text, i = self.text, start
        while i < len(text) and not text[i].isspace() and text[i] != '"':
            i += 1
        return text[start:i], i

    def _filter(self, key: str, value: str, start: int, at: int, quoted: bool) -> None:
        if key not in KEYS:
            raise QueryError(
                f'Unknown filter "{self.text[start:at]}": expected {_join(list(KEYS))} '
                "(quote it to search for the text)",
                start,
            )
        if not value:
            raise QueryError(f"{key}: needs a value", at)
        if key in ("status", "channel"):
            self._enumerated(key, value, at)
        elif not quoted and "," in value:
            raise QueryError(f"{key}: takes one value; repeat {key}: to combine", at)
        elif key == "tag":
            if value not in self.tags:
                self.tags.append(value)
        elif key == "is":
            flag = value.lower()
            if flag not in FLAGS:
                raise QueryError(f'Unknown is: value "{value}": expected {_join(list(FLAGS))}', at)
            self.flags.add(flag)
        elif key in ("assignee", "group", "from"):
            if key == "assignee" and value.lower() in ("me", "none"):
                value = value.lower()
            if key == "group" and value.lower() == "none":
                value = "none"
            previous = self.single.get(key)
            if previous is not None and previous[0] != value:
                raise QueryError(f'{key}: given twice ("{previous[0]}" and "{value}")', at)
            self.single[key] = (value, at)
        else:
            self._bound(key, value, at)

    def _enumerated(self, key: str, value: str, at: int) -> None:
        offset = at
        for item in value.split(","):
            # Trailing or doubled commas are what typing "channel:chat," looks like mid-way.
            name = item.strip().lower()
            if key == "status" and name:
                if name not in Status._value2member_map_:
                    expected = _join([s.value for s in _STATUS_ORDER])
                    raise QueryError(f'Unknown status "{item}": expected {expected}', offset)
                self.statuses.add(Status(name))
            elif name:
                channel = _CHANNEL_ALIASES.get(name)
                if channel is None and name not in Channel._value2member_map_:
                    expected = _join([c.value for c in _CHANNEL_ORDER])
                    raise QueryError(f'Unknown channel "{item}": expected {expected}', offset)
                self.channels.add(channel or Channel(name))
            offset += len(item) + 1
        if not value.replace(",", "").strip():
            raise QueryError(f"{key}: needs a value", at)

    def _bound(self, key: str, value: str, at: int) -> None:
        moment = self._moment(value, at)
        if key == "before":
            self.before = moment if self.before is None else min(self.before, moment)
        else:
            self.after = moment if self.after is None else max(self.after, moment)

    def _moment(self, value: str, at: int) -> datetime:
        """The instant a date value stands for, in UTC."""
        lowered = value.lower()
        try:
            today = self.now.astimezone(self.tz).date()
            if lowered == "today":
                return _day_start(today, self.tz)
            if lowered == "yesterday":
                return _day_start(today - timedelta(days=1), self.tz)
            relative = _RELATIVE.fullmatch(lowered)
            if relative:
                step = _RELATIVE_UNITS[relative.group(2)]
                return (self.now - int(relative.group(1)) * step).astimezone(UTC)
            if _DATE.fullmatch(value):
                return _day_start(date.fromisoformat(value), self.tz)
            if _INSTANT.fullmatch(value):
                moment = datetime.fromisoformat(value)
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=self.tz)
                return moment.astimezone(UTC)
        except (ValueError, OverflowError) as error:
            raise QueryError(f'Date out of range or invalid: "{value}"', at) from error
        raise QueryError(
            f'Unknown date "{value}": expected YYYY-MM-DD, today, yesterday or an age like 7d',
            at,
        )

    def _build(self) -> Query:
        assignee = self.single.get("assignee")
        group = self.single.get("group")
        from_ = self.single.get("from")
        return Query(
            words=tuple(dict.fromkeys(self.words)),
            phrases=tuple(dict.fromkeys(p for p in self.phrases if p)),
            excluded=tuple(dict.fromkeys(x for x in self.excluded if x)),
            statuses=frozenset(self.statuses),
            channels=frozenset(self.channels),
            tags=tuple(self.tags),
            assignee=assignee[0] if assignee else None,
            group=group[0] if group else None,
            from_=from_[0] if from_ else None,
            before=self.before,
            after=self.after,
            flags=frozenset(self.flags),
            numbers=tuple(dict.fromkeys(self.numbers)),
        )


def _day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def format_query(q: Query, *, tz: str | ZoneInfo = "UTC") -> str:
    """The canonical text of a query: ``parse_query(format_query(q))`` gives back ``q``.

    Bounds that fall on the start of a day in ``tz`` are written as dates, other instants
    as ISO 8601 UTC times. Relative dates (``7d``, ``today``) come back absolute.
    """
    zone = _zone(tz)
    parts = [*q.words]
    parts += [f'"{p}"' for p in q.phrases]
    parts += [f"-{_value(x, quote_filters=True)}" for x in q.excluded]
    if q.statuses:
        parts.append("status:" + ",".join(s.value for s in _STATUS_ORDER if s in q.statuses))
    if q.channels:
        parts.append("channel:" + ",".join(c.value for c in _CHANNEL_ORDER if c in q.channels))
    parts += [f"tag:{_value(t, quote_commas=True)}" for t in q.tags]
    if q.assignee is not None:
        parts.append(f"assignee:{_value(q.assignee, quote_commas=True)}")
    if q.group is not None:
        parts.append(f"group:{_value(q.group, quote_commas=True)}")
    if q.from_ is not None:
        parts.append(f"from:{_value(q.from_, quote_commas=True)}")
    if q.after is not None:
        parts.append(f"after:{_format_moment(q.after, zone)}")
    if q.before is not None:
        parts.append(f"before:{_format_moment(q.before, zone)}")
    parts += [f"is:{flag}" for flag in FLAGS if flag in q.flags]
    parts += [f"#{n}" for n in q.numbers]
    return " ".join(parts)


def _value(text: str, *, quote_filters: bool = False, quote_commas: bool = False) -> str:
    """Write a value bare when it reads back the same, quoted otherwise."""
    needs_quotes = (
        not text
        or any(ch.isspace() for ch in text)
        or (quote_commas and "," in text)
        or (quote_filters and (_FILTER.match(text) is not None or text.startswith('"')))
    )
    return f'"{text}"' if needs_quotes else text


def _format_moment(moment: datetime, tz: ZoneInfo) -> str:
    utc = moment.astimezone(UTC)
    try:
        day = utc.astimezone(tz).date()
        if _day_start(day, tz) == utc:
            return day.isoformat()
    except OverflowError:
        pass  # at the edges of the calendar the local day does not exist: write the instant
    return utc.replace(tzinfo=None).isoformat() + "Z"
