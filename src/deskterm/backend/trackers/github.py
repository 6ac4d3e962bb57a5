"""GitHub Issues, through the REST API (version 2022-11-28).

- Looking for the problem's issue: "List repository issues" with ``labels`` and
  ``state=all`` (https://docs.github.com/en/rest/issues/issues#list-repository-issues). Not
  the search API: its index lags behind a creation, and a lost answer must be found at once.
- Creating it: "Create an issue", ``POST /repos/{owner}/{repo}/issues`` with ``title``,
  ``body`` and ``labels``, answered 201 with the issue and its ``html_url``
  (https://docs.github.com/en/rest/issues/issues#create-an-issue).
- Labels are set only by accounts with push (or triage) access; GitHub drops them silently
  for others, and then a lost answer could not be found again: the token must have it.
- Rate limits: a 403 or 429, with ``retry-after`` for a secondary limit or
  ``x-ratelimit-remaining: 0`` and ``x-ratelimit-reset`` for the primary one
  (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
"""

from __future__ import annotations

from typing import Any

import httpx

from deskterm.backend.trackers.http import (
    Refused,
    TrackerError,
    json_of,
    retry_after,
    send,
    sort,
)

API_VERSION = "2022-11-28"


class GitHubIssues:
    """Files problems as issues of one repository."""

    name = "GitHub"

    def __init__(
        self,
        repository: str,
        token: str,
        *,
        api: str = "https://api.github.com",
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if repository.count("/") != 1:
            raise TrackerError(f"GitHub repository {repository!r}: write it as owner/name")
        self.repository = repository
        self._client = httpx.Client(
            base_url=api.rstrip("/"),
            timeout=timeout,
            transport=transport,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {token}",
                "X-GitHub-Api-Version": API_VERSION,
            },
        )

    def find(self, label: str) -> str | None:
        response = self._request(
            "GET",
            f"/repos/{self.repository}/issues",
            params={"labels": label, "state": "all", "per_page": "5"},
        )
        for issue in json_of(response, self.name):
            if any(lb.get("name") == label for lb in issue.get("labels", [])):
                return str(issue["html_url"])
        return None

    def create(self, title: str, body: str, label: str) -> str:
        response = self._request(
            "POST",
            f"/repos/{self.repository}/issues",
            json={"title": title, "body": body, "labels": [label, "deskterm"]},
        )
        return str(json_of(response, self.name)["html_url"])

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; GitHub's 403 for a rate limit counts as a 429."""
        response = send(self._client, self.name, method, path, **kwargs)
        headers = response.headers
        if response.status_code == 403 and (
            headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
        ):
            raise Refused(f"{self.name} rate limit", retry_after(response))
        return sort(response, self.name)

    def close(self) -> None:
        self._client.close()
