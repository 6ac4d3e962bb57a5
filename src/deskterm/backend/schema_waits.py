"""Every customer wait, kept as it happens: the table, its triggers, and the rebuild.

A **wait** starts with a customer message that follows a public agent reply, a close, or
nothing (a run of consecutive customer messages is one wait, timed from its first message).
It ends at the next public agent reply (answered) or when the conversation is marked done
without one (closed); internal notes and system messages do not end it. The conversation's
first wait is the one its first customer message starts: its answer is the first response.
Steps of the same second are taken customer message, then reply, then close, then by id.

The triggers recompute a conversation's waits from its messages and closes whenever one of
them is written, moved or removed, in the same transaction as that write: the reply or the
close that ends a wait, the customer message that starts one, an undo, the sync mirror's
upserts and the demo's arrivals all keep the table right without knowing about it. A
conversation holds a handful of messages, so the recomputation is a few index reads.
"""

from __future__ import annotations

#: A step's kind, in the order steps of the same second are taken.
CUSTOMER, REPLY, CLOSE = 0, 1, 2


def _waits_of(where_messages: str, where_events: str) -> str:
    """The waits of the conversations the two conditions select, as one SELECT (no CTE:
    a trigger's statements cannot have one)."""
    return f"""
SELECT cid, min(at),
  max(CASE WHEN next_kind != {CUSTOMER} THEN next_at END),
  coalesce(max(next_kind = {REPLY}), 0),
  max(CASE WHEN next_kind = {REPLY} THEN next_who END),
  min(nth) = 1
FROM (
  SELECT cid, at, kind,
    sum(kind != {CUSTOMER}) OVER w AS run,
    sum(kind = {CUSTOMER}) OVER w AS nth,
    LEAD(kind) OVER w AS next_kind, LEAD(at) OVER w AS next_at, LEAD(who) OVER w AS next_who
  FROM (
    SELECT conversation_id AS cid, created_at AS at, id AS seq,
      CASE WHEN author_kind = 'customer' THEN {CUSTOMER} ELSE {REPLY} END AS kind,
      author_id AS who
    FROM messages
    WHERE ({where_messages})
      AND (author_kind = 'customer' OR (author_kind = 'agent' AND public = 1))
    UNION ALL
    SELECT conversation_id, created_at, id, {CLOSE}, agent_id FROM events
    WHERE ({where_events}) AND kind = 'status:done'
  )
  WINDOW w AS (PARTITION BY cid ORDER BY at, kind, seq)
)
WHERE kind = {CUSTOMER}
GROUP BY cid, run"""


_COLUMNS = "waits(conversation_id, started, ended, answered, responder_id, first)"


def bump_wait_days(cid: str) -> str:
    """A trigger statement: count up the generation of the days the conversation's waits
    started on and of the days it was closed on (a close's reopening is in the digest of
    its day), so that the reports' digests of those days are folded again (see
    :mod:`deskterm.backend.schema_reports`)."""
    return f"""
  INSERT INTO report_days(day, generation)
    SELECT day, 1 FROM (
      SELECT started / 86400 AS day FROM waits WHERE conversation_id = {cid}
      UNION SELECT created_at / 86400 FROM events
      WHERE conversation_id = {cid} AND kind = 'status:done'
    ) WHERE true
    ON CONFLICT(day) DO UPDATE SET generation = generation + 1;
"""


def _refresh(cid: str) -> str:
    """A trigger body's statements: forget the conversation's waits, compute them, and
    count up the days of the waits before and after."""
    where = f"conversation_id = {cid}"
    return (
        bump_wait_days(cid)
        + f"  DELETE FROM waits WHERE conversation_id = {cid};\n"
        + f"  INSERT INTO {_COLUMNS} {_waits_of(where, where)};\n"
        + bump_wait_days(cid)
    )


_COUNTS = "(author_kind = 'customer' OR (author_kind = 'agent' AND public = 1))"


def _counts(row: str) -> str:
    """The condition under which a message row (NEW or OLD) takes part in the waits."""
    return _COUNTS.replace("author_kind", f"{row}.author_kind").replace("public", f"{row}.public")


WAITS_TABLE = f"""
CREATE TABLE waits (
  conversation_id INTEGER NOT NULL,
  started INTEGER NOT NULL,
  ended INTEGER,              -- the reply or close that ended it; NULL while it lasts
  answered INTEGER NOT NULL,  -- 1: a public agent reply ended it
  responder_id INTEGER,       -- the agent who replied
  first INTEGER NOT NULL      -- 1: the conversation's first wait
);
CREATE INDEX waits_conv ON waits(conversation_id, started);
-- A period's waits in one index range, without reading the table.
CREATE INDEX waits_started
  ON waits(started, conversation_id, ended, answered, responder_id, first);

CREATE TRIGGER waits_message_insert AFTER INSERT ON messages WHEN {_counts("NEW")} BEGIN
{_refresh("NEW.conversation_id")}END;

CREATE TRIGGER waits_message_delete AFTER DELETE ON messages WHEN {_counts("OLD")} BEGIN
{_refresh("OLD.conversation_id")}END;

CREATE TRIGGER waits_message_update
AFTER UPDATE OF conversation_id, created_at, author_kind, author_id, public ON messages BEGIN
{_refresh("OLD.conversation_id")}{_refresh("NEW.conversation_id")}END;

CREATE TRIGGER waits_close_insert AFTER INSERT ON events WHEN NEW.kind = 'status:done' BEGIN
{_refresh("NEW.conversation_id")}END;

CREATE TRIGGER waits_close_delete AFTER DELETE ON events WHEN OLD.kind = 'status:done' BEGIN
{_refresh("OLD.conversation_id")}END;

CREATE TRIGGER waits_close_update
AFTER UPDATE OF conversation_id, created_at, kind, agent_id ON events
WHEN OLD.kind = 'status:done' OR NEW.kind = 'status:done' BEGIN
{_refresh("OLD.conversation_id")}{_refresh("NEW.conversation_id")}END;

CREATE TRIGGER waits_conversation_delete AFTER DELETE ON conversations BEGIN
{bump_wait_days("OLD.id")}  DELETE FROM waits WHERE conversation_id = OLD.id;
END;
"""

#: Quarter hours (as the metrics count them: every time zone's midnight and hour fall on one).
QUARTER = 900


def _traffic(row: str, sign: str) -> str:
    """Add (sign +) or take away (sign -) one message's counts in its quarter hour."""
    return f"""
  INSERT INTO traffic(quarter, messages_in, replies_out, notes, new_conversations)
  VALUES ({row}.created_at / {QUARTER},
    {sign}({row}.author_kind = 'customer'),
    {sign}({row}.author_kind = 'agent' AND {row}.public = 1),
    {sign}({row}.author_kind = 'agent' AND {row}.public = 0), 0)
  ON CONFLICT(quarter) DO UPDATE SET
    messages_in = messages_in + excluded.messages_in,
    replies_out = replies_out + excluded.replies_out,
    notes = notes + excluded.notes;
"""


def _opened(row: str, sign: str) -> str:
    return f"""
  INSERT INTO traffic(quarter, messages_in, replies_out, notes, new_conversations)
  VALUES ({row}.created_at / {QUARTER}, 0, 0, 0, {sign}1)
  ON CONFLICT(quarter) DO UPDATE SET
    new_conversations = new_conversations + excluded.new_conversations;
"""


#: Messages in and out and conversations opened, counted per quarter hour as they are
#: written: a period's volume is a range of a few thousand rows, not a pass over its
#: million messages.
TRAFFIC_TABLE = f"""
CREATE TABLE traffic (
  quarter INTEGER PRIMARY KEY,  -- epoch seconds / {QUARTER}
  messages_in INTEGER NOT NULL,
  replies_out INTEGER NOT NULL,
  notes INTEGER NOT NULL,
  new_conversations INTEGER NOT NULL
);

CREATE TRIGGER traffic_message_insert AFTER INSERT ON messages BEGIN
{_traffic("NEW", "+")}END;

CREATE TRIGGER traffic_message_delete AFTER DELETE ON messages BEGIN
{_traffic("OLD", "-")}END;

CREATE TRIGGER traffic_message_update
AFTER UPDATE OF created_at, author_kind, public ON messages BEGIN
{_traffic("OLD", "-")}{_traffic("NEW", "+")}END;

CREATE TRIGGER traffic_conversation_insert AFTER INSERT ON conversations BEGIN
{_opened("NEW", "+")}END;

CREATE TRIGGER traffic_conversation_delete AFTER DELETE ON conversations BEGIN
{_opened("OLD", "-")}END;

CREATE TRIGGER traffic_conversation_update AFTER UPDATE OF created_at ON conversations BEGIN
{_opened("OLD", "-")}{_opened("NEW", "+")}END;
"""

#: Every conversation's waits and every quarter hour's counts computed again from the
#: messages (after a bulk load that set the triggers aside, and once for an older store).
REBUILD_WAITS = f"""
DELETE FROM waits;
INSERT INTO {_COLUMNS} {_waits_of("1", "conversation_id IS NOT NULL")};
DELETE FROM traffic;
INSERT INTO traffic(quarter, messages_in, replies_out, notes, new_conversations)
  SELECT created_at / {QUARTER}, sum(author_kind = 'customer'),
    sum(author_kind = 'agent' AND public = 1), sum(author_kind = 'agent' AND public = 0), 0
  FROM messages GROUP BY 1;
INSERT INTO traffic(quarter, messages_in, replies_out, notes, new_conversations)
  SELECT created_at / {QUARTER}, 0, 0, 0, count(*) FROM conversations WHERE true GROUP BY 1
  ON CONFLICT(quarter) DO UPDATE SET new_conversations = excluded.new_conversations;
"""
