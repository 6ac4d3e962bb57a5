"""The store's reads, by concern: :mod:`.inbox` (views, pages, counts, search words),
:mod:`.threads` (a conversation, its messages and events), :mod:`.people` (agents, groups,
customers, orders), :mod:`.desk` (macros, drafts, presence). Metrics are in
:mod:`deskterm.backend.metrics`. :class:`~deskterm.backend.store.Store` composes them.
"""
