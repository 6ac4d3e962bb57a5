"""The parts behind :mod:`deskterm.domain.macros`: Liquid environment, context, actions, TOML.

Import from :mod:`deskterm.domain.macros`; these modules are split out only to keep each one small.
"""

from __future__ import annotations

#: What a placeholder without a value shows as in a rendered macro: ⟦customer.first_name⟧.
MARK_OPEN = "⟦"
MARK_CLOSE = "⟧"


class MacroError(ValueError):
    """A macro, an action or a macro library that cannot be used as written.

    The message is always one line, fit for the status bar.
    """
