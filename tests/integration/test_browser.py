"""``deskterm serve`` in a real browser: Debian's Chromium, headless, driven by Selenium
through Debian's chromedriver (no browser is downloaded). The page's websocket frames are
recorded as the browser receives them and replayed into a terminal emulator (pyte), so the
test reads the screen the browser draws; a screenshot is saved under test-results/browser/.

scripts/test installs Chromium and its driver; elsewhere these tests skip (fail on CI).
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deskterm.backend.demo import generate_demo
from tests.integration.conftest import PROJECT_ROOT, _unavailable

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = PROJECT_ROOT / "test-results" / "browser"

#: Keeps every binary frame the page's websocket receives, before the page's terminal does.
RECORD_FRAMES = """
(() => {
  const Real = window.WebSocket;
  window.__frames = [];
  const keep = (bytes) => {
    let text = '';
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    window.__frames.push(btoa(text));
  };
  function Recorded(url, protocols) {
    const ws = protocols === undefined ? new Real(url) : new Real(url, protocols);
    ws.addEventListener('message', (e) => {
      if (e.data instanceof ArrayBuffer) keep(new Uint8Array(e.data));
      else if (e.data instanceof Blob) e.data.arrayBuffer().then((b) => keep(new Uint8Array(b)));
    });
    return ws;
  }
  Recorded.prototype = Real.prototype;
  Object.assign(Recorded, Real);
  window.WebSocket = Recorded;
})();
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"deskterm serve ended: {proc.stdout.read() if proc.stdout else ''}"
            )
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"deskterm serve did not listen on {port}")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        _unavailable("Chromium and chromedriver are not installed (scripts/test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,860"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_FRAMES})
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    """Starts ``deskterm serve`` on a small demo store; returns a function giving its URL."""
    folder = tmp_path_factory.mktemp("serve")
    store = folder / "desk.db"
    generate_demo(store, conversations=40, seed=3)
    procs: list[subprocess.Popen[str]] = []
    env = {"HOME": str(folder), "XDG_STATE_HOME": str(folder / "state"),
           "XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data"),
           "PATH": "/usr/bin:/bin", "TERM": "xterm-256color"}  # fmt: skip

    def start(*extra: str) -> str:
        port = _free_port()
        argv = [sys.executable, "-m", "deskterm", "--db", str(store), "serve", "--port",
                str(port), *extra]  # fmt: skip
        proc = subprocess.Popen(  # a session of its own: its tabs' apps go with it
            argv,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        procs.append(proc)
        _wait_for_port(port, proc)
        return f"http://127.0.0.1:{port}/"

    yield start
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _screen(driver) -> str:
    import pyte

    screen = pyte.Screen(240, 80)
    stream = pyte.ByteStream(screen)
    for frame in driver.execute_script("return window.__frames || []"):
        stream.feed(base64.b64decode(frame))
    return "\n".join(line.rstrip() for line in screen.display)


def _wait_for_text(driver, text: str, timeout: float = 40) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = _screen(driver)
        if text in shown:
            return shown
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared; the browser shows:\n{shown}")


def _type(driver, keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(keys).perform()


def test_the_workstation_in_a_browser(browser, served) -> None:
    browser.get(served())
    shown = _wait_for_text(browser, "Inbox")
    assert "Suggested" in _wait_for_text(browser, "Suggested")  # the thread pane opened
    assert "orders" in shown or "Order" in _screen(browser)  # the customer pane
    browser.find_element("css selector", ".xterm-helper-textarea").click()
    _type(browser, "?")
    shown = _wait_for_text(browser, "keymap")  # the cheat sheet: same keys as the terminal
    SHOTS.mkdir(parents=True, exist_ok=True)
    _type(browser, "\ue00c")  # Escape
    _wait_for_text(browser, "Inbox")
    time.sleep(1)
    assert browser.save_screenshot(str(SHOTS / "workstation.png"))
    assert (SHOTS / "workstation.png").stat().st_size > 10_000


def test_a_token_is_asked_before_any_app_starts(browser, served) -> None:
    import urllib.error
    import urllib.request

    url = served("--token", "s3cret-token")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 403
    with pytest.raises(urllib.error.HTTPError) as socket_refused:
        urllib.request.urlopen(url + "ws", timeout=10)
    assert socket_refused.value.code == 403
    browser.get(url + "?token=s3cret-token")
    _wait_for_text(browser, "Inbox")
