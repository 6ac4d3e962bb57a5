"""What keeps a month's report quick at any size: each day's generation and digests, the
reason tags counted per quarter hour, and indexes for the report's other reads.

- ``report_days``: a counter per UTC day (epoch seconds // 86400), counted up whenever a
  wait that started that day is written again (every message or close recomputes its
  conversation's waits: :mod:`deskterm.backend.schema_waits` calls :data:`BUMP_WAIT_DAYS`)
  or its conversation changes channel, group, assignee or tags. A day's digest is kept
  with the generations it was folded at (see :mod:`deskterm.backend.metrics.digests`).
- ``report_digests``: the digests (a cache: deleting them loses nothing).
- ``tag_quarters``: how many conversations opened in each quarter hour carry each tag, kept
  by triggers like the volume, so the top tags of two months are a range, not a join.
"""

from __future__ import annotations

from deskterm.backend.schema_waits import QUARTER, WAITS_TABLE, bump_wait_days


def _tag(row: str, sign: str) -> str:
    """Add (sign +) or take away (sign -) one conversation's tag in its quarter hour."""
    return f"""
  INSERT INTO tag_quarters(quarter, tag, conversations)
    SELECT created_at / {QUARTER}, {row}.tag, {sign}1 FROM conversations
    WHERE id = {row}.conversation_id
    ON CONFLICT(quarter, tag) DO UPDATE SET conversations = conversations + excluded.conversations;
"""


def _conversation_tags(row: str, sign: str) -> str:
    """Add or take away every tag of a conversation (its row is *row*)."""
    return f"""
  INSERT INTO tag_quarters(quarter, tag, conversations)
    SELECT {row}.created_at / {QUARTER}, tag, {sign}1 FROM conversation_tags
    WHERE conversation_id = {row}.id
    ON CONFLICT(quarter, tag) DO UPDATE SET conversations = conversations + excluded.conversations;
"""


REPORT_TABLES = f"""
CREATE TABLE report_days (
  day INTEGER PRIMARY KEY,          -- UTC day: epoch seconds / 86400
  generation INTEGER NOT NULL
);
CREATE TABLE report_digests (
  tz TEXT NOT NULL,
  day TEXT NOT NULL,                -- the local day, ISO
  by TEXT NOT NULL,                 -- the breakdown
  rules TEXT NOT NULL,              -- the SLA policies' fingerprint
  generations TEXT NOT NULL,        -- of the UTC days the local day covers, when folded
  body BLOB NOT NULL,
  PRIMARY KEY (tz, by, rules, day)
) WITHOUT ROWID;
CREATE TABLE tag_quarters (
  quarter INTEGER NOT NULL,         -- epoch seconds / {QUARTER} of the conversation's opening
  tag TEXT NOT NULL,
  conversations INTEGER NOT NULL,
  PRIMARY KEY (quarter, tag)
) WITHOUT ROWID;

CREATE TRIGGER report_conversation_changed
AFTER UPDATE OF channel, group_id, assignee_id, tags ON conversations BEGIN
{bump_wait_days("NEW.id")}END;

CREATE TRIGGER tag_quarters_insert AFTER INSERT ON conversation_tags BEGIN
{_tag("NEW", "+")}END;
CREATE TRIGGER tag_quarters_delete AFTER DELETE ON conversation_tags BEGIN
{_tag("OLD", "-")}END;
CREATE TRIGGER tag_quarters_update AFTER UPDATE OF tag, conversation_id ON conversation_tags
BEGIN
{_tag("OLD", "-")}{_tag("NEW", "+")}END;
-- The conversation's row is gone when its tags are deleted with it: take them away first.
CREATE TRIGGER tag_quarters_conversation_delete BEFORE DELETE ON conversations BEGIN
{_conversation_tags("OLD", "-")}END;
CREATE TRIGGER tag_quarters_conversation_moved AFTER UPDATE OF created_at ON conversations
BEGIN
{_conversation_tags("OLD", "-")}{_conversation_tags("NEW", "+")}END;

-- Waits still open (the report folds them at each run: they change with the clock).
CREATE INDEX waits_open ON waits(started) WHERE ended IS NULL;
-- Customers told of a fix, and the goodwill given, in a period.
CREATE INDEX events_notified ON events(created_at) WHERE kind = 'problem:notified';
CREATE INDEX gestures_created ON gestures(created_at, state, agent_id, amount_cents);
"""

#: The tags counted again from the conversations (after a bulk load that set the triggers
#: aside, and once for an older store); the digests of what was loaded are forgotten.
REBUILD_TAG_QUARTERS = f"""
DELETE FROM tag_quarters;
INSERT INTO tag_quarters(quarter, tag, conversations)
  SELECT c.created_at / {QUARTER}, ct.tag, count(*)
  FROM conversation_tags ct JOIN conversations c ON c.id = ct.conversation_id
  GROUP BY 1, 2;
DELETE FROM report_digests;
"""


def _wait_triggers() -> str:
    """The waits' triggers dropped and created again (their bodies now count the days up)."""
    names = [
        line.split()[2] for line in WAITS_TABLE.splitlines() if line.startswith("CREATE TRIGGER")
    ]
    drops = "".join(f"DROP TRIGGER IF EXISTS {name};\n" for name in names)
    creates = WAITS_TABLE[WAITS_TABLE.index("CREATE TRIGGER") :]
    return drops + creates


#: Version 9 (in ``schema``): the tables, triggers and indexes above, for an existing store.
V9_REPORTS = _wait_triggers() + REPORT_TABLES + REBUILD_TAG_QUARTERS
