"""The fake Zendesk's attached files: their records in a comment, and their download.

A comment's attachment record has the keys of the recorded real one
(``tests/fixtures/zendesk/comments_page.json``). Its ``content_url`` is on the account's host,
``/attachments/token/{token}/?name=…``, and answers as Zendesk's "Accessing end user uploaded
attachments" page describes: a 302 to a temporary download address (Zendesk's is on
``zdusercontent.com``; the fake's is on its own host, ``/download/{token}``), which answers
the bytes. Neither asks for credentials (Zendesk's default, without secure downloads).
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

TOKEN_PATH = "/attachments/token/"
DOWNLOAD_PATH = "/download/"


@dataclass
class FakeFile:
    id: int
    token: str
    file_name: str
    content_type: str
    data: bytes
    inline: bool = False
    deleted: bool = False


class FileStore:
    """The account's files, by id and by token."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_id: dict[int, FakeFile] = {}
        self._ids = itertools.count(90_001)

    def add(self, file_name: str, data: bytes, content_type: str, inline: bool) -> FakeFile:
        with self.lock:
            file = FakeFile(
                next(self._ids), secrets.token_urlsafe(18), file_name, content_type, data, inline
            )
            self.by_id[file.id] = file
            return file

    def record(self, file_id: int, base: str) -> dict[str, Any]:
        """The attachment as a comment lists it."""
        file = self.by_id[file_id]
        content_url = f"{base}{TOKEN_PATH}{file.token}/?name={quote(file.file_name)}"
        return {
            "url": f"{base}/api/v2/attachments/{file.id}.json",
            "id": file.id,
            "file_name": file.file_name,
            "content_url": content_url,
            "mapped_content_url": content_url,
            "content_type": file.content_type,
            "size": len(file.data),
            "width": None,
            "height": None,
            "inline": file.inline,
            "deleted": file.deleted,
            "malware_access_override": False,
            "malware_scan_result": "not_scanned",
            "thumbnails": [],
        }

    def answer(self, path: str, base: str) -> tuple[int, dict[str, str], bytes] | None:
        """The answer to a file address (status, headers, bytes); None for any other path."""
        for prefix in (TOKEN_PATH, DOWNLOAD_PATH):
            if path.startswith(prefix):
                token = path[len(prefix) :].strip("/")
                break
        else:
            return None
        with self.lock:
            file = next((f for f in self.by_id.values() if f.token == token), None)
        if file is None or file.deleted:
            return 404, {"Content-Type": "text/plain"}, b"Not Found"
        if prefix == TOKEN_PATH:
            return 302, {"Location": f"{base}{DOWNLOAD_PATH}{token}"}, b""
        return 200, {"Content-Type": file.content_type}, file.data
