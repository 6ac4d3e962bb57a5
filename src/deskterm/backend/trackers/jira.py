"""Jira Cloud, through the REST API version 3.

- Looking for the problem's issue: "Search for issues using JQL enhanced search",
  ``GET /rest/api/3/search/jql`` with ``project = KEY AND labels = "…"``, answered with
  ``issues`` (each with ``id`` and ``key``)
  (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/).
  Atlassian documents this search as eventually consistent: an issue created a moment ago
  may be missing from it, which is why a failed round waits before the next.
- Creating it: "Create issue", ``POST /rest/api/3/issue`` with ``fields`` (project,
  summary, issue type, labels, and a description in the Atlassian Document Format), answered
  201 with ``id``, ``key`` and ``self``
  (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/).
- Authentication: the account's email and an API token, as HTTP basic auth
  (https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/).
- Rate limits: a 429 with ``Retry-After`` in seconds
  (https://developer.atlassian.com/cloud/jira/platform/rate-limiting/).
"""

from __future__ import annotations

from typing import Any

import httpx

from deskterm.backend.trackers.http import json_of, send, sort


def document(text: str) -> dict[str, Any]:
    """Plain text as an Atlassian Document: one paragraph per block of lines."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": p.strip()}]}
            for p in paragraphs
        ],
    }


class JiraCloud:
    """Files problems as issues of one Jira project."""

    name = "Jira"

    def __init__(
        self,
        site: str,
        project: str,
        email: str,
        token: str,
        *,
        issue_type: str = "Bug",
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.site = site.rstrip("/")
        self.project = project
        self.issue_type = issue_type
        self._client = httpx.Client(
            base_url=self.site,
            timeout=timeout,
            transport=transport,
            auth=(email, token),
            headers={"Accept": "application/json"},
        )

    def find(self, label: str) -> str | None:
        jql = f'project = "{self.project}" AND labels = "{label}"'
        response = sort(
            send(
                self._client,
                self.name,
                "GET",
                "/rest/api/3/search/jql",
                params={"jql": jql, "fields": "key", "maxResults": "5"},
            ),
            self.name,
        )
        issues = json_of(response, self.name).get("issues") or []
        return f"{self.site}/browse/{issues[0]['key']}" if issues else None

    def create(self, title: str, body: str, label: str) -> str:
        fields = {
            "project": {"key": self.project},
            "summary": title[:250],
            "issuetype": {"name": self.issue_type},
            "labels": [label, "deskterm"],
            "description": document(body),
        }
        response = sort(
            send(self._client, self.name, "POST", "/rest/api/3/issue", json={"fields": fields}),
            self.name,
        )
        return f"{self.site}/browse/{json_of(response, self.name)['key']}"

    def close(self) -> None:
        self._client.close()
