"""In-process fakes of the remote services deskterm talks to, for the tests."""

from __future__ import annotations

from tests.fakes.zendesk_server import FakeZendesk, RecordedRequest

__all__ = ["FakeZendesk", "RecordedRequest"]
