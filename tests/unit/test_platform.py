"""The platform adapter: sd_notify over a real datagram socket, command splitting the POSIX and the Windows
way, detaching, and finding tools from settings, PATH and the usual folders."""

from __future__ import annotations

import socket
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truyenthanh.adapters.platform import ToolPaths, detached, notify, split_command

unix_only = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="sd_notify needs Unix sockets")


@unix_only
def test_notify_sends_one_datagram_to_the_socket_in_notify_socket(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as manager:
        manager.bind(str(path))
        manager.settimeout(2)
        assert notify("READY=1", environ={"NOTIFY_SOCKET": str(path)})
        assert manager.recv(256) == b"READY=1"
        assert notify("WATCHDOG=1\nSTATUS=Đang phát", environ={"NOTIFY_SOCKET": str(path)})
        assert manager.recv(256).decode("utf-8") == "WATCHDOG=1\nSTATUS=Đang phát"


@unix_only
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract sockets are Linux's")
def test_notify_reaches_an_abstract_socket_named_with_an_at_sign() -> None:
    # Abstract names are machine-wide: other test runs (and workers) on this machine must not pick the same one.
    name = f"truyenthanh-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as manager:
        manager.bind("\0" + name)
        manager.settimeout(2)
        assert notify("READY=1", environ={"NOTIFY_SOCKET": "@" + name})
        assert manager.recv(64) == b"READY=1"


def test_notify_outside_a_service_manager_sends_nothing_and_never_raises(tmp_path: Path) -> None:
    assert not notify("READY=1", environ={})
    assert not notify("READY=1", environ={"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})
    assert not notify("READY=1", environ={"NOTIFY_SOCKET": "relative/path"})


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (r"C:\Tools\relay.exe on", [r"C:\Tools\relay.exe", "on"]),
        (
            r'"C:\Program Files\Relay\relay.exe" --port COM3 on',
            [r"C:\Program Files\Relay\relay.exe", "--port", "COM3", "on"],
        ),
        (r'relay.exe "a\"b" c\\"d e"', ["relay.exe", 'a"b', r"c\d e"]),
        (r'x.exe "" end\\', ["x.exe", "", "end\\\\"]),
    ],
)
def test_windows_command_lines_keep_their_backslashes(line: str, words: list[str]) -> None:
    assert split_command(line, windows=True) == words


@given(st.lists(st.text(alphabet='ab \\"\tC:.', min_size=1), min_size=1, max_size=5))
def test_windows_splitting_undoes_list2cmdline(words: list[str]) -> None:
    assert split_command(subprocess.list2cmdline(words), windows=True) == words


def test_posix_command_lines_are_shell_words_and_lists_pass_as_they_are() -> None:
    assert split_command("/usr/local/bin/relay --on 'kênh 1'", windows=False) == [
        "/usr/local/bin/relay",
        "--on",
        "kênh 1",
    ]
    assert split_command(["C:\\Tools\\relay.exe", "on"]) == ["C:\\Tools\\relay.exe", "on"]
    with pytest.raises(ValueError, match="empty"):
        split_command("   ", windows=False)


@pytest.mark.skipif(sys.platform == "win32", reason="the POSIX form")
def test_detached_children_start_a_new_session() -> None:
    assert detached() == {"start_new_session": True}


def _program(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_a_configured_tool_path_wins_and_ffprobe_is_found_beside_ffmpeg(tmp_path: Path) -> None:
    ffmpeg = _program(tmp_path / "ff", "ffmpeg")
    ffprobe = _program(tmp_path / "ff", "ffprobe")
    tools = ToolPaths()
    tools.configure(ffmpeg=ffmpeg)
    assert tools.find("ffmpeg", setting="ffmpeg") == str(ffmpeg)
    assert tools.find("ffprobe", setting="ffmpeg") == str(ffprobe)
    tools.configure(ffmpeg=tmp_path / "ff")  # a folder holding the programs
    assert tools.find("ffprobe", setting="ffmpeg") == str(ffprobe)


def test_without_a_setting_the_tool_comes_from_path_or_is_missing(tmp_path: Path) -> None:
    tools = ToolPaths()
    found = tools.find("ffmpeg")
    assert found is not None and Path(found).name == "ffmpeg"
    tools.configure(espeak=tmp_path / "nowhere" / "espeak-ng")  # a wrong setting falls back to PATH
    assert tools.find("espeak-ng", setting="espeak") is not None
    assert tools.find("truyenthanh-no-such-tool") is None
