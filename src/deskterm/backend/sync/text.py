"""Small pure helpers the engine and the connectors share: comparing texts, saying when."""

from __future__ import annotations

from datetime import datetime


def normalised(text: str | None) -> str:
    """Text with its whitespace folded, for comparing a message with the remote's copy."""
    return " ".join((text or "").split())


def same_text(a: str | None, b: str | None) -> bool:
    """True when two message bodies are the same words (remotes re-wrap and trim)."""
    return normalised(a) == normalised(b)


def ago(moment: datetime, now: datetime) -> str:
    """``just now``, ``1 min ago``, ``5 min ago``, ``2 h ago``, ``3 days ago``."""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 45:
        return "just now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(minutes / 60)
    if hours < 48:
        return f"{hours} h ago"
    return f"{round(hours / 24)} days ago"
