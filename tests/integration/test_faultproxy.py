"""The fault proxy against a tiny local HTTP server: it forwards faithfully and fails on cue."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.integration.faultproxy import CHAOS_MODES, FaultProxy


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with what it received, and counts them."""

    server: _EchoServer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.hits += 1
        payload = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "body": body.decode(),
                "connection": self.headers.get("Connection"),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class _EchoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Echo)
        self.lock = threading.Lock()
        self.hits = 0


@pytest.fixture(scope="module")
def echo() -> Iterator[_EchoServer]:
    server = _EchoServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(echo: _EchoServer) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", echo.server_address[1]) as running:
        yield running


@pytest.fixture
def client(proxy: FaultProxy) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=proxy.url, timeout=5.0) as http:
        yield http


def test_forwards_requests_and_bodies_unchanged(
    proxy: FaultProxy, client: httpx.Client, echo: _EchoServer
) -> None:
    before = echo.hits
    sent = '{"Subject": "pain manquant é"}'
    got = client.post("/ticket?x=1", content=sent.encode())
    assert got.status_code == 200
    assert got.json() == {
        "method": "POST",
        "path": "/ticket?x=1",
        "body": sent,
        "connection": "close",
    }
    assert got.headers["connection"] == "close"
    assert (proxy.seen, proxy.forwarded, echo.hits - before) == (1, 1, 1)


def test_keep_alive_client_makes_many_requests(proxy: FaultProxy, client: httpx.Client) -> None:
    # httpx pools connections; the proxy closes each one, so the pool must reconnect.
    for i in range(5):
        assert client.get(f"/n/{i}").json()["path"] == f"/n/{i}"
    assert proxy.outcomes() == ["ok"] * 5


def test_chunked_request_body_is_forwarded_whole(proxy: FaultProxy, client: httpx.Client) -> None:
    def parts() -> Iterator[bytes]:
        yield b"hello "
        yield b"world"

    got = client.post("/chunked", content=parts())
    assert got.json()["body"] == "hello world"


def test_drop_never_reaches_the_upstream(
    proxy: FaultProxy, client: httpx.Client, echo: _EchoServer
) -> None:
    before = echo.hits
    proxy.fail_next(1, "drop")
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/dropped")
    assert (proxy.seen, proxy.forwarded, echo.hits - before) == (1, 0, 0)
    assert client.get("/after").status_code == 200


def test_drop_after_reaches_the_upstream_but_loses_the_answer(
    proxy: FaultProxy, client: httpx.Client, echo: _EchoServer
) -> None:
    before = echo.hits
    proxy.fail_next(1, "drop_after")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/ticket", json={"Subject": "twice?"})
    assert (proxy.seen, proxy.forwarded, echo.hits - before) == (1, 1, 1)
    assert proxy.log[0].forwarded


@pytest.mark.parametrize(("mode", "status"), [("500", 500), ("429", 429)])
def test_canned_answers_are_not_forwarded(
    proxy: FaultProxy, client: httpx.Client, echo: _EchoServer, mode: str, status: int
) -> None:
    before = echo.hits
    proxy.fail_next(2, mode)  # type: ignore[arg-type]
    answers = [client.get(f"/{i}") for i in range(3)]
    assert [a.status_code for a in answers] == [status, status, 200]
    if status == 429:
        assert answers[0].headers["retry-after"] == "1"
    assert (proxy.forwarded, echo.hits - before) == (1, 1)
    assert proxy.outcomes() == [mode, mode, "ok"]


def test_delay_trips_a_client_timeout(proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.fail_next(1, "delay", seconds=1.5)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/slow", timeout=0.3)
    assert client.get("/fast").status_code == 200


def test_delay_then_forwards_when_the_client_waits(proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.fail_next(1, "delay", seconds=0.3)
    assert client.get("/patient").status_code == 200
    assert proxy.forwarded == 1


def test_unknown_mode_is_refused(proxy: FaultProxy) -> None:
    with pytest.raises(ValueError):
        proxy.fail_next(1, "teleport")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        proxy.chaos(1.5, seed=1)


def test_concurrent_requests_are_counted_once_each(proxy: FaultProxy, echo: _EchoServer) -> None:
    before = echo.hits

    def call(i: int) -> int:
        return httpx.get(f"{proxy.url}/c/{i}", timeout=5.0).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(call, range(24)))
    assert codes == [200] * 24
    assert (proxy.seen, proxy.forwarded, echo.hits - before) == (24, 24, 24)


def test_calm_forgets_faults(proxy: FaultProxy, client: httpx.Client) -> None:
    proxy.fail_next(3, "500")
    proxy.chaos(1.0, seed=3)
    proxy.calm()
    assert client.get("/").status_code == 200


def _chaos_run(echo: _EchoServer, rate: float, seed: int, requests: int) -> list[str]:
    with FaultProxy("127.0.0.1", echo.server_address[1]) as proxy:
        proxy.chaos(rate, seed)
        with httpx.Client(base_url=proxy.url, timeout=5.0) as http:
            for i in range(requests):
                try:
                    http.get(f"/chaos/{i}")
                except httpx.TransportError:
                    pass
        return proxy.outcomes()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32), rate=st.floats(0.0, 1.0))
def test_chaos_is_replayable_from_its_seed(echo: _EchoServer, seed: int, rate: float) -> None:
    first = _chaos_run(echo, rate, seed, 8)
    assert first == _chaos_run(echo, rate, seed, 8)
    assert set(first) <= {"ok", *CHAOS_MODES}


def test_chaos_rate_bounds(echo: _EchoServer) -> None:
    assert _chaos_run(echo, 0.0, 7, 10) == ["ok"] * 10
    assert "ok" not in _chaos_run(echo, 1.0, 7, 10)
