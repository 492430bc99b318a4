"""``truyenthanh serve`` driven in a real headless browser (Debian's chromium and chromium-driver, Selenium).

The station's daemon runs as a real subprocess; ``truyenthanh serve`` runs as another, and starts one TUI process
per browser session. xterm.js paints the terminal on a canvas, so the screen's text is read from xterm's own
buffer: a script added before the page loads keeps the page's ``Terminal`` object in ``window.__ttTerminal``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.people import ADMIN, PASSWORD
from tests.tui.conftest import daemon_running
from truyenthanh import bootstrap
from truyenthanh.config import load_settings

pytestmark = pytest.mark.slow


CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip(
        "Debian's chromium and chromium-driver are needed (scripts/setup.sh installs them)", allow_module_level=True
    )

ACCESS_PASSWORD = "cổng-vào-đài-xã"

# Runs before the page's own scripts: textual.js assigns ``this.terminal = new Terminal(...)``; an accessor on
# Object.prototype catches that one assignment and keeps the terminal where the test can read its buffer.
KEEP_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && value.write) { window.__ttTerminal = value; }
  },
});
"""

SCREEN_TEXT = """
const terminal = window.__ttTerminal;
if (!terminal) { return null; }
const buffer = terminal.buffer.active;
const lines = [];
for (let row = 0; row < terminal.rows; row++) {
  const line = buffer.getLine(buffer.viewportY + row);
  lines.push(line ? line.translateToString(true) : "");
}
return lines.join("\\n");
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _child_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRUYENTHANH_")}
    env["TRUYENTHANH_TTS_ENGINE"] = "espeak"
    return env


@pytest.fixture
def served(station_dir: Path, tmp_path: Path) -> Iterator[str]:
    """A station with its daemon, an admin and an access password, served on a free loopback port: its URL."""
    with daemon_running(station_dir, tmp_path, TRUYENTHANH_OUTPUT=f"file:{tmp_path / 'on-air.wav'}") as container:
        container.accounts.add(
            None, username=ADMIN.username, full_name=ADMIN.full_name, role=ADMIN.role, password=PASSWORD
        )
        env = _child_env() | {"TRUYENTHANH_USER": ADMIN.username, "TRUYENTHANH_PASSWORD": PASSWORD}
        command = [sys.executable, "-m", "truyenthanh", "--data-dir", str(station_dir)]
        subprocess.run(
            [*command, "serve", "password", "--stdin"], input=ACCESS_PASSWORD + "\n", env=env, text=True, check=True
        )
        port = _free_port()
        log_path = tmp_path / "serve.log"
        with log_path.open("w", encoding="utf-8") as log:
            server = subprocess.Popen(
                [*command, "serve", "--port", str(port)], env=_child_env(), stdout=log, stderr=subprocess.STDOUT
            )
        try:
            deadline = time.monotonic() + 30
            while "Đang mở giao diện" not in log_path.read_text(encoding="utf-8"):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("serve did not start:\n" + log_path.read_text(encoding="utf-8"))
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(20)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Headless chromium at desktop size, with a fresh profile, keeping the page's terminal readable."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": KEEP_TERMINAL})
    try:
        yield driver
    finally:
        driver.quit()


def _screen(driver: webdriver.Chrome, pattern: str, timeout: float = 60) -> str:
    """The terminal's text once it matches ``pattern`` (fails with the last screen seen)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = driver.execute_script(SCREEN_TEXT) or ""
        if re.search(pattern, text):
            return str(text)
        time.sleep(0.25)
    raise AssertionError(f"{pattern!r} never appeared; last screen:\n{text}")


def _audit_actions(station_dir: Path) -> list[tuple[str, str, dict[str, object] | None]]:
    container = bootstrap.build(load_settings(station_dir))
    try:
        return [(line.actor, line.action, line.after) for line in container.audit.entries(limit=20)]
    finally:
        container.close()


def test_the_tui_in_a_browser_behind_the_access_password(
    served: str, browser: webdriver.Chrome, station_dir: Path, tmp_path: Path
) -> None:
    browser.get(served + "/")
    assert browser.current_url.endswith("/vao")
    assert "Nhập mật khẩu truy cập của đài" in browser.find_element(By.TAG_NAME, "main").text

    browser.find_element(By.ID, "password").send_keys("sai-mật-khẩu")
    browser.find_element(By.ID, "enter").click()
    assert browser.find_element(By.ID, "error").text == "Sai mật khẩu truy cập đài."
    assert ("web", "serve.access_failed", {"address": "127.0.0.1", "failures": 1}) in _audit_actions(station_dir)

    browser.find_element(By.ID, "password").send_keys(ACCESS_PASSWORD)
    browser.find_element(By.ID, "enter").click()
    screen = _screen(browser, r"Hôm nay")
    assert "Hôm nay" in screen
    assert ("web", "serve.access", {"address": "127.0.0.1"}) in _audit_actions(station_dir)

    browser.set_window_size(390, 844)
    _screen(browser, r"Hôm nay")
    time.sleep(1)  # the resized frame is painted a moment after the buffer holds it
    shot = tmp_path / "serve-phone-390x844.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
