"""In-process fakes of the remote services deskterm talks to, for the tests."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.fakes.zendesk.server import FakeZendesk, RecordedRequest

#: The fake Zendesk's clock in the tests that share its fixtures (tests/integration/conftest.py).
ZENDESK_NOW = datetime(2024, 5, 1, 12, 0, 30, tzinfo=UTC)

__all__ = ["ZENDESK_NOW", "FakeZendesk", "RecordedRequest"]
