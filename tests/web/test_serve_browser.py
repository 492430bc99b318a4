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
from selenium.webdriver.common.keys import Keys

from tests.people import ADMIN, PASSWORD
from tests.tui.conftest import daemon_running
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Announcement
from truyenthanh.config import load_settings
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import ContentStatus

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
        log_path = tmp_path / "serve.log"
        # A free port is only free when probed: another run on this machine may take it first, and then serve
        # exits. A few fresh ports make that race harmless.
        for _attempt in range(3):
            port = _free_port()
            with log_path.open("w", encoding="utf-8") as log:
                server = subprocess.Popen(
                    [*command, "serve", "--port", str(port)], env=_child_env(), stdout=log, stderr=subprocess.STDOUT
                )
            if _serving(server, log_path):
                break
            server.wait(20)
        try:
            if server.poll() is not None:
                raise AssertionError("serve did not start:\n" + log_path.read_text(encoding="utf-8"))
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(20)


def _serving(server: subprocess.Popen[bytes], log_path: Path) -> bool:
    """Wait up to 30 s for ``serve`` to say it is open; False when it exited first (its port was taken)."""
    deadline = time.monotonic() + 30
    while "Đang mở giao diện" not in log_path.read_text(encoding="utf-8"):
        if server.poll() is not None:
            return False
        if time.monotonic() > deadline:
            server.terminate()
            server.wait(20)
            raise AssertionError("serve did not start:\n" + log_path.read_text(encoding="utf-8"))
        time.sleep(0.1)
    return True


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


ROW_COLOURS = """
const terminal = window.__ttTerminal;
const buffer = terminal.buffer.active;
const line = buffer.getLine(buffer.viewportY + arguments[0]);
const colours = [];
for (let column = 0; column < terminal.cols; column++) {
  const cell = line.getCell(column);
  colours.push(cell.getFgColor() + "/" + cell.getBgColor());
}
return colours.join(",");
"""


def _focus_moved(driver: webdriver.Chrome, below: str, timeout: float = 60) -> None:
    """Wait until the colours of the line under the one holding ``below`` change: the field there got the focus.

    Enter moves the focus by a message that keys typed right after it would overtake; its colours show when the
    move is done."""
    lines = _screen(driver, re.escape(below)).splitlines()
    row = next(index for index, line in enumerate(lines) if below in line)
    before = driver.execute_script(ROW_COLOURS, row + 1)
    deadline = time.monotonic() + timeout
    while driver.execute_script(ROW_COLOURS, row + 1) == before:
        assert time.monotonic() < deadline, f"the field under «{below}» never got the focus"
        time.sleep(0.1)


def _type(driver: webdriver.Chrome, *keys: str) -> None:
    """Key events into the terminal (xterm.js reads them from its hidden textarea), as a person types."""
    driver.find_element(By.CSS_SELECTOR, "textarea.xterm-helper-textarea").send_keys(*keys)


def _control(driver: webdriver.Chrome, letter: str) -> None:
    """Ctrl + ``letter`` pressed in the terminal (Keys.NULL lets go of Ctrl)."""
    _type(driver, Keys.CONTROL, letter, Keys.NULL)


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

    assert browser.current_url.endswith("?fontsize=16")  # a PC's width keeps textual-serve's usual font

    # A phone opens the page: the font is picked for its width, and the TUI gets its narrow layout.
    browser.set_window_size(390, 844)
    browser.get(served + "/")
    screen = _screen(browser, r"F9 KHẨN CẤP[\s\S]*Phát: đang chạy │ Chưa đăng nhập[\s\S]*Tiếp theo")
    columns = browser.execute_script("return window.__ttTerminal.cols")
    assert 48 <= columns < 60, f"{columns} columns at 390 px (font {browser.current_url})"
    assert "Lịch phát hôm nay" in screen

    # A login and an announcement typed through the browser, saved in the station's database.
    _control(browser, "l")
    _screen(browser, r"Tên đăng nhập")
    # Letters with diacritics reach xterm.js as text input, a moment after plain keys: the next key waits until
    # they are on screen; and Enter's move to the next field is waited for (see _focus_moved).
    _type(browser, ADMIN.username)
    _screen(browser, re.escape(ADMIN.username))
    _type(browser, Keys.ENTER)
    _focus_moved(browser, "Mật khẩu")
    _type(browser, PASSWORD)
    _screen(browser, "•" * len(PASSWORD))
    _type(browser, Keys.ENTER)
    _screen(browser, r"Phát: đang chạy │ " + re.escape(ADMIN.full_name))
    _type(browser, Keys.F6)
    _screen(browser, r"Tiêu đề thông báo")
    _type(browser, "Thông báo họp thôn Đông")
    _screen(browser, "Thông báo họp thôn Đông")
    _type(browser, Keys.ENTER)  # on to the text
    _focus_moved(browser, "Nội dung")
    _type(browser, "Mời bà con dự họp lúc 19 giờ tại nhà văn hóa.")
    _screen(browser, re.escape("Mời bà con dự họp lúc 19 giờ tại nhà văn hóa."))
    _screen(browser, "Mời bà con dự họp lúc mười chín giờ tại nhà văn")  # the spoken form, under the text
    _control(browser, "s")
    _screen(browser, r"Thông báo họp thôn Đông.*Bản nháp")
    container = bootstrap.build(load_settings(station_dir))
    try:
        [saved] = container.approvals.list(ContentKind.ANNOUNCEMENT)
        with container.db.session() as session:
            text = session.get(Announcement, saved.id).text  # type: ignore[union-attr]
    finally:
        container.close()
    assert (saved.title, saved.status, saved.created_by) == (
        "Thông báo họp thôn Đông",
        ContentStatus.DRAFT,
        ADMIN.username,
    )
    assert text == "Mời bà con dự họp lúc 19 giờ tại nhà văn hóa."

    _type(browser, Keys.F2)
    _screen(browser, r"F2 Hôm nay[\s\S]*│ Lê Văn Quản[\s\S]*Tiếp theo")
    time.sleep(1)  # the frame is painted a moment after the buffer holds it
    shot = tmp_path / "serve-phone-390x844.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
