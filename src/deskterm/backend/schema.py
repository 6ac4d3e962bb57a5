"""The store's schema version and its forward migrations (version 1 is in ``schema_v1``).

Times are integer epoch seconds (UTC). Two columns exist only to make the inbox fast:

- ``bucket`` says which family of views a conversation belongs to (inbox, snoozed, pending,
  done), so every view is one index range;
- ``urgency`` is the inbox sort key: the SLA due time when a clock runs, else a number past any
  due time that grows with how long the customer has waited, moved sooner by what is at stake
  (priority, an instant channel, a VIP, an order out for delivery: ``sla.stake_seconds``).
  Most urgent first is ascending.

Both are recomputed by the store on every write; nothing else writes them.
"""

from __future__ import annotations

import sqlite3

from deskterm.backend.schema_reports import REBUILD_TAG_QUARTERS, V9_REPORTS
from deskterm.backend.schema_v1 import V1  # and why its full-text triggers are hand-written
from deskterm.backend.schema_waits import REBUILD_WAITS, TRAFFIC_TABLE, WAITS_TABLE
from deskterm.domain import sla

SCHEMA_VERSION = 10

#: Added to a waiting-since time so that conversations without a due time sort after all
#: conversations with one (epoch seconds stay below 10**10 until the year 2286).
NO_DUE_OFFSET = 10**10

#: Recount ``view_counts`` from the conversations (after a bulk load that set triggers aside).
REBUILD_VIEW_COUNTS = """
DELETE FROM view_counts;
INSERT INTO view_counts(bucket, channel, assignee_id, n)
  SELECT bucket, channel, coalesce(assignee_id, 0), count(*) FROM conversations
  GROUP BY 1, 2, 3;
"""

# Version 2: counts of every built-in view kept by triggers, so that a view's count costs the
# same at a million conversations as at ten (count(*) over 930,000 done ones takes 1.7 s);
# and an index for the Snoozed view's order.
_V2 = (
    """
CREATE INDEX conv_bucket_snoozed ON conversations(bucket, snoozed_until, id);

CREATE TABLE view_counts (
  bucket TEXT NOT NULL,
  channel TEXT NOT NULL,
  assignee_id INTEGER NOT NULL,  -- 0: nobody
  n INTEGER NOT NULL,
  PRIMARY KEY (bucket, channel, assignee_id)
) WITHOUT ROWID;

CREATE TRIGGER view_counts_insert AFTER INSERT ON conversations BEGIN
  INSERT INTO view_counts VALUES (NEW.bucket, NEW.channel, coalesce(NEW.assignee_id, 0), 1)
  ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER view_counts_delete AFTER DELETE ON conversations BEGIN
  UPDATE view_counts SET n = n - 1
  WHERE bucket = OLD.bucket AND channel = OLD.channel
    AND assignee_id = coalesce(OLD.assignee_id, 0);
END;

CREATE TRIGGER view_counts_update AFTER UPDATE OF bucket, channel, assignee_id ON conversations
WHEN OLD.bucket IS NOT NEW.bucket OR OLD.channel IS NOT NEW.channel
  OR OLD.assignee_id IS NOT NEW.assignee_id
BEGIN
  UPDATE view_counts SET n = n - 1
  WHERE bucket = OLD.bucket AND channel = OLD.channel
    AND assignee_id = coalesce(OLD.assignee_id, 0);
  INSERT INTO view_counts VALUES (NEW.bucket, NEW.channel, coalesce(NEW.assignee_id, 0), 1)
  ON CONFLICT DO UPDATE SET n = n + 1;
END;
"""
    + REBUILD_VIEW_COUNTS
)

#: Every word of every message and subject, as the full-text index spells them (lowercase,
#: accents dropped). A search word typed as a prefix is looked up here and searched as the
#: words it starts ("refund" → refund OR refunded OR refunding): FTS5 answers such an OR
#: newest first reading only as far as it needs, where a prefix query merges every posting
#: of every word it matches first (50 ms for "app" at a million conversations, 5 ms as an
#: OR). Filled from the index itself, then by triggers that let FTS5 tokenize each new
#: text in a scratch table, so that the words are exactly the index's words.
REBUILD_SEARCH_TERMS = """
DELETE FROM search_terms;
CREATE VIRTUAL TABLE temp.rebuild_message_terms USING fts5vocab(main, 'messages_fts', 'row');
CREATE VIRTUAL TABLE temp.rebuild_subject_terms USING fts5vocab(main, 'subjects_fts', 'row');
INSERT OR IGNORE INTO search_terms(term) SELECT term FROM temp.rebuild_message_terms;
INSERT OR IGNORE INTO search_terms(term) SELECT term FROM temp.rebuild_subject_terms;
DROP TABLE temp.rebuild_message_terms;
DROP TABLE temp.rebuild_subject_terms;
"""


def _words_trigger(name: str, event: str, text: str) -> str:
    """A trigger adding the words of ``text`` (as FTS5 spells them) to search_terms."""
    return f"""
CREATE TRIGGER search_terms_{name} AFTER {event} BEGIN
  INSERT INTO search_scratch(rowid, text) VALUES (1, {text});
  INSERT OR IGNORE INTO search_terms(term) SELECT term FROM search_scratch_terms;
  INSERT INTO search_scratch(search_scratch) VALUES ('delete-all');
END;
"""


_V3 = (
    """
CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;

CREATE VIRTUAL TABLE search_scratch USING fts5(
  text, content='', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE search_scratch_terms USING fts5vocab(search_scratch, 'row');
"""
    + _words_trigger("message_insert", "INSERT ON messages", "new.body")
    + _words_trigger("message_update", "UPDATE OF body ON messages", "new.body")
    + _words_trigger("subject_insert", "INSERT ON conversations", "new.subject")
    + _words_trigger("subject_update", "UPDATE OF subject ON conversations", "new.subject")
    + REBUILD_SEARCH_TERMS
)

# Version 4: problems (known bugs, outages, suggestions) and the conversations that report
# them. ``notified`` counts the customers told of the fix; a link's ``notified_at`` says that
# conversation's customer was told, so a second round never tells them twice.
_V4_PROBLEMS = """
CREATE TABLE problems (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'bug' CHECK (kind IN ('bug', 'incident', 'suggestion')),
  status TEXT NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'in_progress', 'fixed', 'wont_fix')),
  description TEXT NOT NULL DEFAULT '',
  tracker_url TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  notified INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX problems_status ON problems(status, updated_at);

CREATE TABLE problem_links (
  problem_id INTEGER NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  linked_at INTEGER NOT NULL,
  agent_id INTEGER,
  notified_at INTEGER,
  PRIMARY KEY (problem_id, conversation_id)
) WITHOUT ROWID;
CREATE INDEX problem_links_conversation ON problem_links(conversation_id, problem_id);
"""

# Version 5: a mirrored conversation whose ticket left the remote (deleted there, or moved
# out of the mirrored queues) is kept with its thread but leaves every view: ``gone_at`` says
# since when, and its bucket is ``gone``, which no view lists.
_V5_GONE = """
ALTER TABLE conversations ADD COLUMN gone_at INTEGER;
"""


def _cases(column: str, values: dict[str, int]) -> str:
    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in values.items())
    return f"CASE {column} {whens} ELSE 0 END"


#: ``backend.rows.stake_of`` in SQL, over ``conversations c``: what is at stake, in seconds.
STAKE_SQL = (
    f"({_cases('c.priority', sla.PRIORITY_STAKES)} "
    f"+ CASE WHEN c.channel IN ({', '.join(repr(str(ch)) for ch in sorted(sla.INSTANT_CHANNELS))})"
    f" THEN {sla.INSTANT_STAKE} ELSE 0 END "
    f"+ {sla.VIP_STAKE} * "
    "coalesce((SELECT cu.vip FROM customers cu WHERE cu.id = c.customer_id), 0) "
    "+ CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id "
    f"AND o.status = 'out_for_delivery') THEN {sla.DELIVERY_LIVE_STAKE} ELSE 0 END)"
)

#: Every open conversation's urgency (and its tags' copy) computed again, with its stakes.
RECOMPUTE_URGENCY = f"""
UPDATE conversations AS c SET urgency = (CASE WHEN c.sla_due_at IS NOT NULL THEN c.sla_due_at
  ELSE {NO_DUE_OFFSET} + coalesce(c.last_customer_message_at, c.created_at) END) - {STAKE_SQL}
WHERE c.bucket != 'done';
UPDATE conversation_tags AS t SET urgency = (
  SELECT c.urgency FROM conversations c WHERE c.id = t.conversation_id
) WHERE t.bucket != 'done';
"""

#: One customer's open conversations' urgency computed again: after a change to what is at
#: stake for all of them (an order of theirs out for delivery).
RECOMPUTE_CUSTOMER_URGENCY = f"""
UPDATE conversations AS c SET urgency = (CASE WHEN c.sla_due_at IS NOT NULL THEN c.sla_due_at
  ELSE {NO_DUE_OFFSET} + coalesce(c.last_customer_message_at, c.created_at) END) - {STAKE_SQL}
WHERE c.customer_id = :customer AND c.bucket != 'done';
UPDATE conversation_tags AS t SET urgency = (
  SELECT c.urgency FROM conversations c WHERE c.id = t.conversation_id
) WHERE t.bucket != 'done' AND t.conversation_id IN (
  SELECT id FROM conversations WHERE customer_id = :customer AND bucket != 'done'
);
"""


def recompute_customer_urgency(conn: sqlite3.Connection, customer_id: int) -> None:
    """See :data:`RECOMPUTE_CUSTOMER_URGENCY` (inside the caller's transaction)."""
    for statement in _split(RECOMPUTE_CUSTOMER_URGENCY):
        conn.execute(statement, {"customer": customer_id})


#: Version 6: urgency weighs what is at stake (the columns stay; their values change), so it
#: no longer tells which conversations are late: an index of the open ones' due times does,
#: for the header's breaching count.
_V6_URGENCY_STAKES = (
    RECOMPUTE_URGENCY
    + """
CREATE INDEX IF NOT EXISTS conv_open_due ON conversations(sla_due_at)
  WHERE bucket IN ('inbox', 'snoozed');
"""
)

#: Version 7: every customer
#: wait and every quarter hour's volume kept as they happen, so that a report reads ranges
#: instead of recomputing them from the messages. The tables and their triggers are in
#: ``schema_waits``; an existing store's waits and volume are computed once here.
_V7_WAITS = (
    WAITS_TABLE
    + TRAFFIC_TABLE
    + REBUILD_WAITS
    # The period's closes by agent (the reopen rate), read without the events' rows.
    + "CREATE INDEX events_closes ON events(created_at, agent_id, conversation_id) "
    "WHERE kind = 'status:done';\n"
)

#: Version 8: macros an agent proposes to the team, for a lead to publish or decline.
_V8_PROPOSALS = """
CREATE TABLE macro_proposals (
  id INTEGER PRIMARY KEY,
  macro_id INTEGER REFERENCES macros(id) ON DELETE SET NULL,         -- the agent's own macro
  shared_macro_id INTEGER REFERENCES macros(id) ON DELETE SET NULL,  -- the one it changes
  agent_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  variants TEXT NOT NULL DEFAULT '{}',
  actions TEXT NOT NULL DEFAULT '[]',
  note TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'proposed',  -- proposed, published, declined
  decided_by INTEGER,
  decision_note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  decided_at INTEGER
);
CREATE INDEX macro_proposals_state ON macro_proposals(state, id);
"""

#: Version 9: each day's report digests, the tags counted per quarter hour, and indexes for
#: the report's other reads (see ``schema_reports``).
_V9_REPORTS = V9_REPORTS

#: Version 10: a macro's titles per language (as ``variants`` has its bodies), and the
#: language its title and body are written in (a personal macro saved from a reply).
_V10_MACRO_TITLES = """
ALTER TABLE macros ADD COLUMN titles TEXT NOT NULL DEFAULT '{}';
ALTER TABLE macros ADD COLUMN language TEXT;
"""

#: Each entry upgrades the schema from version ``i`` to ``i + 1`` (index 0 creates it).
MIGRATIONS: list[str] = [
    V1,
    _V2,
    _V3,
    _V4_PROBLEMS,
    _V5_GONE,
    _V6_URGENCY_STAKES,
    _V7_WAITS,
    _V8_PROPOSALS,
    _V9_REPORTS,
    _V10_MACRO_TITLES,
]


def current_version(conn: sqlite3.Connection) -> int:
    """The schema version stored in the file; 0 for an empty database."""
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if not has_meta:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to ``SCHEMA_VERSION``; returns the version found before.

    Each step runs in its own transaction, so an interrupted upgrade leaves a consistent
    (older) store that the next start continues from.
    """
    found = current_version(conn)
    for version in range(found, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(version + 1),),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite rolls back by itself on a full disk or I/O error
                conn.execute("ROLLBACK")
            raise
    return found


def rebuild_view_counts(conn: sqlite3.Connection) -> None:
    """Recount the built-in views (inside the caller's transaction)."""
    for statement in _split(REBUILD_VIEW_COUNTS):
        conn.execute(statement)


def rebuild_waits(conn: sqlite3.Connection) -> None:
    """Compute every conversation's waits again (inside the caller's transaction): after
    writing with the triggers set aside."""
    for statement in _split(REBUILD_WAITS + REBUILD_TAG_QUARTERS):
        conn.execute(statement)


def rebuild_search_terms(conn: sqlite3.Connection) -> None:
    """Read the search words again from the full-text indexes (inside the caller's
    transaction): after writing with the triggers set aside."""
    for statement in _split(REBUILD_SEARCH_TERMS):
        conn.execute(statement)


def _split(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
