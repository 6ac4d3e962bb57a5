"""deskterm's pure logic: the support domain's rules with no UI and no I/O.

Snooze phrases, SLA clocks, the search language, macros (Liquid and actions),
suggestions, urgency, figures, time zones, fuzzy matching, and the cleaning of customer
text for the terminal. Every module here is tested without a store or a screen; the import
contracts in ``pyproject.toml`` keep Textual, SQLite, HTTP and the settings file out.
"""
