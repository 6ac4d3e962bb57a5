"""Real servers for the integration tests, started once per test session.

Where a server cannot be installed (not root, not Debian) its tests are skipped, except
on CI (``CI=true``), where a missing server is a failure: CI must run them.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from deskterm.backend.connectors.rt_api import RTClient
from deskterm.backend.connectors.zendesk_api import ZendeskClient
from tests.fakes import ZENDESK_NOW, FakeZendesk

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RT_SCRIPT = PROJECT_ROOT / "scripts" / "rt-server"
#: The exit code of ``scripts/rt-server install`` when RT cannot be installed here.
CANNOT_INSTALL = 3


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    """Skip the tests that need a server, or fail them on CI."""
    if _on_ci():
        pytest.fail(f"{reason} (CI=true: integration servers must run on CI)", pytrace=False)
    pytest.skip(reason)


def _run(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return values


@dataclass(frozen=True)
class RTServer:
    """A running Request Tracker 5 on loopback, with root's credentials."""

    url: str
    token: str
    user: str
    password: str

    @property
    def host(self) -> str:
        """The host part of ``url`` (for a proxy in front of it)."""
        return self.url.split("://", 1)[1].rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        """The port part of ``url``."""
        return int(self.url.rsplit(":", 1)[1])


@pytest.fixture(scope="session")
def rt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RTServer]:
    """Install RT if needed, start it on a fresh database and stop it after the session."""
    env = {**os.environ, "DESKTERM_RT_DIR": str(tmp_path_factory.mktemp("rt"))}
    installed = _run([str(RT_SCRIPT), "install"], env, timeout=900)
    if installed.returncode == CANNOT_INSTALL:
        _unavailable(f"Request Tracker 5 is unavailable: {installed.stderr.strip()}")
    if installed.returncode != 0:
        pytest.fail(f"installing RT failed:\n{installed.stdout}\n{installed.stderr}")
    started = _run([str(RT_SCRIPT), "start"], env, timeout=180)
    try:
        if started.returncode != 0:
            pytest.fail(f"starting RT failed:\n{started.stdout}\n{started.stderr}")
        values = _read_env_file(Path(env["DESKTERM_RT_DIR"]) / "env")
        yield RTServer(
            url=values["RT_URL"],
            token=values["RT_TOKEN"],
            user=values["RT_USER"],
            password=values["RT_PASSWORD"],
        )
    finally:
        # Stop even after a failed start: the script may have left a half-started server.
        _run([str(RT_SCRIPT), "stop"], env, timeout=60)


# -- the local fake Zendesk, shared by its client, fault and export tests --------------------


@pytest.fixture(scope="module")
def rt(rt_server: RTServer) -> Iterator[RTClient]:
    """deskterm's own account on the test's Request Tracker."""
    with RTClient(rt_server.url, token=rt_server.token) as client:
        yield client


@pytest.fixture(scope="module")
def paul(rt_server: RTServer) -> Iterator[RTClient]:
    """A colleague, working in RT's own interface meanwhile."""
    with RTClient(rt_server.url, user="paul", password=rt_server.password) as client:
        yield client


@pytest.fixture
def queue(rt: RTClient) -> str:
    """A new queue of its own for each test."""
    name = f"deskterm-{uuid.uuid4().hex[:10]}"
    rt._request("POST", "queue", body={"Name": name})
    return name


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    """A fake Zendesk whose clock reads ``ZENDESK_NOW``; fails the test on a server error."""
    with FakeZendesk(now=ZENDESK_NOW) as server:
        yield server
    assert not server.errors, server.errors[0]


@pytest.fixture
def client(zendesk: FakeZendesk) -> Iterator[ZendeskClient]:
    """The client, logged in with the fake's agent and API token."""
    with ZendeskClient(
        base_url=zendesk.url, email=zendesk.agent["email"], api_token=zendesk.api_token
    ) as zendesk_client:
        yield zendesk_client


@pytest.fixture
def customer(zendesk: FakeZendesk) -> dict:
    return zendesk.add_user("Léa Martin", "lea@example.com")


# -- a real mail server: Dovecot (IMAP, LMTP) and an SMTP server delivering to it -----------

MAIL_SCRIPT = PROJECT_ROOT / "scripts" / "mail-server"


@dataclass(frozen=True)
class MailServer:
    """A running Dovecot and SMTP server on loopback; every address is a mailbox."""

    host: str
    imap_port: int
    smtp_port: int
    password: str
    ca_file: str
    env: dict[str, str]

    def restart(self) -> None:
        """Stop both servers and start them again on the same ports, mail kept."""
        done = _run([str(MAIL_SCRIPT), "restart"], self.env, timeout=60)
        assert done.returncode == 0, done.stderr

    def doveadm(self, *args: str) -> str:
        """Run ``doveadm`` against this instance; returns its output."""
        config = _read_env_file(Path(self.env["DESKTERM_MAIL_DIR"]) / "env")["MAIL_CONFIG"]
        done = _run(["doveadm", "-c", config, *args], self.env, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    """Install Dovecot if needed, start fresh mailboxes and stop them after the session."""
    import shutil
    import sys
    import tempfile

    # Not under pytest's private temporary folder: Dovecot's mail user must reach it.
    state = Path(tempfile.mkdtemp(prefix="deskterm-mail-"))
    state.chmod(0o755)
    env = {**os.environ, "DESKTERM_MAIL_DIR": str(state), "DESKTERM_MAIL_PYTHON": sys.executable}
    installed = _run([str(MAIL_SCRIPT), "install"], env, timeout=900)
    if installed.returncode == CANNOT_INSTALL:
        _unavailable(f"the test mail server is unavailable: {installed.stderr.strip()}")
    if installed.returncode != 0:
        pytest.fail(f"installing Dovecot failed:\n{installed.stdout}\n{installed.stderr}")
    started = _run([str(MAIL_SCRIPT), "start"], env, timeout=120)
    try:
        if started.returncode == CANNOT_INSTALL:
            _unavailable(f"the test mail server cannot start: {started.stderr.strip()}")
        if started.returncode != 0:
            pytest.fail(f"starting the mail server failed:\n{started.stdout}\n{started.stderr}")
        values = _read_env_file(Path(env["DESKTERM_MAIL_DIR"]) / "env")
        yield MailServer(
            host=values["MAIL_HOST"],
            imap_port=int(values["MAIL_IMAP_PORT"]),
            smtp_port=int(values["MAIL_SMTP_PORT"]),
            password=values["MAIL_PASSWORD"],
            ca_file=values["MAIL_CA_FILE"],
            env=env,
        )
    finally:
        _run([str(MAIL_SCRIPT), "stop"], env, timeout=60)
        shutil.rmtree(state, ignore_errors=True)
