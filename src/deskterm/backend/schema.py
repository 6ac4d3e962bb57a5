"""The store's schema and its forward migrations.

Times are integer epoch seconds (UTC). Two columns exist only to make the inbox fast:

- ``bucket`` says which family of views a conversation belongs to (inbox, snoozed, pending,
  done), so every view is one index range;
- ``urgency`` is the inbox sort key: the SLA due time when a clock runs, else a number past any
  due time that grows with how long the customer has waited. Most urgent first is ascending.

Both are recomputed by the store on every write; nothing else writes them.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 3

#: Added to a waiting-since time so that conversations without a due time sort after all
#: conversations with one (epoch seconds stay below 10**10 until the year 2286).
NO_DUE_OFFSET = 10**10

# The full-text tables and their six triggers are written out here rather than made by
# sqlite-utils' ``Table.enable_fts(..., create_triggers=True)``, which would give a different
# schema and different behaviour (checked against sqlite-utils 4.2):
# - its update trigger fires on an UPDATE of *any* column. Conversations are updated on every
#   status, assignee, snooze or read change, and each would delete and re-add the subject in
#   the index: a status change took 7 to 13 times as long (3 µs -> 24 µs at 10,000
#   conversations, 45 µs at 50,000; ``bench/bench_sqlite_utils.py``). Ours fire on
#   ``UPDATE OF subject`` and ``UPDATE OF body`` only;
# - it names the index ``<table>_fts`` and its triggers ``<table>_ai/_ad/_au`` (an existing
#   store has ``subjects_fts`` and ``subjects_fts_insert``...), so it cannot reproduce today's
#   schema;
# - it runs through ``executescript``, which commits the open transaction first: a migration
#   would no longer be all or nothing.
_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE groups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE agents (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  group_id INTEGER REFERENCES groups(id),
  external_id TEXT
);

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT 'en',
  vip INTEGER NOT NULL DEFAULT 0,
  notes TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  external_id TEXT
);
CREATE INDEX customers_name ON customers(name COLLATE NOCASE);
CREATE UNIQUE INDEX customers_external ON customers(external_id) WHERE external_id IS NOT NULL;

CREATE TABLE customer_handles (
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (customer_id, channel, value)
) WITHOUT ROWID;
CREATE INDEX customer_handles_value ON customer_handles(value COLLATE NOCASE);

CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  subject TEXT NOT NULL,
  channel TEXT NOT NULL,
  status TEXT NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  assignee_id INTEGER REFERENCES agents(id),
  group_id INTEGER REFERENCES groups(id),
  tags TEXT NOT NULL DEFAULT '',
  priority TEXT NOT NULL DEFAULT 'normal',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  first_response_at INTEGER,
  last_customer_message_at INTEGER,
  last_agent_message_at INTEGER,
  last_message_at INTEGER,
  preview TEXT NOT NULL DEFAULT '',
  message_count INTEGER NOT NULL DEFAULT 0,
  unread INTEGER NOT NULL DEFAULT 0,
  snoozed_until INTEGER,
  snoozed_at INTEGER,
  snooze_reason TEXT,
  woken_at INTEGER,
  sla_due_at INTEGER,
  bucket TEXT NOT NULL,
  urgency INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  external_id TEXT
);
CREATE INDEX conv_bucket ON conversations(bucket, urgency, id);
CREATE INDEX conv_assignee ON conversations(assignee_id, bucket, urgency, id);
CREATE INDEX conv_channel ON conversations(channel, bucket, urgency, id);
CREATE INDEX conv_group ON conversations(group_id, bucket, urgency, id);
CREATE INDEX conv_snoozed ON conversations(snoozed_until, id) WHERE snoozed_until IS NOT NULL;
CREATE INDEX conv_updated ON conversations(bucket, updated_at, id);
CREATE INDEX conv_customer ON conversations(customer_id, created_at);
CREATE INDEX conv_status ON conversations(status, urgency, id);
CREATE INDEX conv_created ON conversations(created_at);
CREATE INDEX conv_recent ON conversations(updated_at, id);
CREATE UNIQUE INDEX conv_external ON conversations(external_id) WHERE external_id IS NOT NULL;

-- One row per tag of a conversation, carrying the conversation's sort key so that a tag view
-- is an index range too.
CREATE TABLE conversation_tags (
  tag TEXT NOT NULL,
  bucket TEXT NOT NULL,
  urgency INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  PRIMARY KEY (tag, bucket, urgency, conversation_id)
) WITHOUT ROWID;
CREATE INDEX conversation_tags_conv ON conversation_tags(conversation_id);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  author_kind TEXT NOT NULL,
  author_id INTEGER,
  author_name TEXT NOT NULL DEFAULT '',
  public INTEGER NOT NULL DEFAULT 1,
  body TEXT NOT NULL,
  html TEXT,
  attachments TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  external_id TEXT
);
CREATE INDEX messages_conv ON messages(conversation_id, created_at, id);
CREATE INDEX messages_created ON messages(created_at);
CREATE UNIQUE INDEX messages_external ON messages(external_id) WHERE external_id IS NOT NULL;

CREATE VIRTUAL TABLE messages_fts USING fts5(
  body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
  INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;

CREATE VIRTUAL TABLE subjects_fts USING fts5(
  subject, content='conversations', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER subjects_fts_insert AFTER INSERT ON conversations BEGIN
  INSERT INTO subjects_fts(rowid, subject) VALUES (new.id, new.subject);
END;
CREATE TRIGGER subjects_fts_delete AFTER DELETE ON conversations BEGIN
  INSERT INTO subjects_fts(subjects_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
END;
CREATE TRIGGER subjects_fts_update AFTER UPDATE OF subject ON conversations BEGIN
  INSERT INTO subjects_fts(subjects_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
  INSERT INTO subjects_fts(rowid, subject) VALUES (new.id, new.subject);
END;

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  status TEXT NOT NULL,
  placed_at INTEGER NOT NULL,
  delivery_slot_start INTEGER,
  delivery_slot_end INTEGER,
  total_cents INTEGER NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT 'EUR',
  parent_order_id INTEGER REFERENCES orders(id),
  external_id TEXT
);
CREATE INDEX orders_customer ON orders(customer_id, placed_at);

CREATE TABLE order_items (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  quantity INTEGER NOT NULL DEFAULT 1,
  unit_price_cents INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX order_items_order ON order_items(order_id);

CREATE TABLE macros (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  variants TEXT NOT NULL DEFAULT '{}',
  actions TEXT NOT NULL DEFAULT '[]',
  owner_agent_id INTEGER REFERENCES agents(id),
  usage_count INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  external_id TEXT
);

CREATE TABLE macro_usage (
  macro_id INTEGER NOT NULL REFERENCES macros(id) ON DELETE CASCADE,
  agent_id INTEGER,
  conversation_id INTEGER,
  used_at INTEGER NOT NULL
);
CREATE INDEX macro_usage_macro ON macro_usage(macro_id, agent_id);
CREATE INDEX macro_usage_conv ON macro_usage(conversation_id);

CREATE TABLE drafts (
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  agent_id INTEGER NOT NULL,
  body TEXT NOT NULL,
  note INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, agent_id)
);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER,
  agent_id INTEGER,
  kind TEXT NOT NULL,
  before TEXT NOT NULL DEFAULT '{}',
  after TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  undo_group TEXT
);
CREATE INDEX events_conv ON events(conversation_id, id);
CREATE INDEX events_created ON events(created_at, kind);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  state TEXT NOT NULL DEFAULT 'pending',
  last_error TEXT
);
CREATE INDEX outbox_pending ON outbox(state, id);

CREATE TABLE sla_policies (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  channel TEXT,
  group_id INTEGER,
  first_response_minutes INTEGER NOT NULL,
  next_response_minutes INTEGER NOT NULL,
  business_hours TEXT
);

CREATE TABLE presence (
  conversation_id INTEGER NOT NULL,
  agent_id INTEGER NOT NULL,
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (conversation_id, agent_id)
);

CREATE TABLE gestures (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  conversation_id INTEGER,
  order_id INTEGER,
  agent_id INTEGER,
  amount_cents INTEGER NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'applied',
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX gestures_customer ON gestures(customer_id, created_at);

CREATE TABLE saved_views (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  query TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE sync_state (
  connector TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (connector, key)
);
"""

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

#: Each entry upgrades the schema from version ``i`` to ``i + 1`` (index 0 creates it).
MIGRATIONS: list[str] = [_V1, _V2, _V3]


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
