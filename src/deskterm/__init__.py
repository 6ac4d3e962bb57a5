"""deskterm: a keyboard-first terminal workstation for customer-support agents."""

from __future__ import annotations

__version__ = "0.1.0"
