"""Version 1 of the store's schema: its tables, indexes and full-text indexes.

Later versions add to it through the migrations in ``schema.py``; a new store runs them all.
"""

from __future__ import annotations

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
V1 = """
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
