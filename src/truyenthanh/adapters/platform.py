"""What differs between the platforms a station runs on (Linux boxes, ARM boards, Windows PCs), behind small
functions: telling systemd the daemon is alive, starting a process that outlives its parent, splitting a
command line the platform's way, and finding the external tools (ffmpeg, espeak-ng).

Nothing here touches a POSIX-only name at import: every such name is looked up when it is used, so the module
(and everything importing it) imports on Windows too.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

NOTIFY_SOCKET_ENV = "NOTIFY_SOCKET"

# Windows process-creation flags (``subprocess`` defines these names on Windows only).
_DETACHED_PROCESS = 0x00000008
_CREATE_NEW_PROCESS_GROUP = 0x00000200
_CREATE_NO_WINDOW = 0x08000000


def notify(message: str, *, environ: Mapping[str, str] | None = None) -> bool:
    """Tell the service manager something (``READY=1``, ``WATCHDOG=1``, ``STOPPING=1``, ``STATUS=...``).

    The ``sd_notify`` protocol with the standard library: one datagram to the Unix socket named in
    ``NOTIFY_SOCKET`` (a leading ``@`` names an abstract socket). Never raises: outside systemd, on Windows or
    when the socket is gone, nothing is sent.

    Args:
        message: newline-separated ``KEY=VALUE`` assignments.
        environ: where ``NOTIFY_SOCKET`` is read (the process environment by default).

    Returns:
        Whether the datagram was sent.
    """
    address = (os.environ if environ is None else environ).get(NOTIFY_SOCKET_ENV, "")
    family = getattr(socket, "AF_UNIX", None)
    if not address or family is None or address[0] not in "/@":
        return False
    target = "\0" + address[1:] if address.startswith("@") else address
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(1.0)
            sock.sendto(message.encode("utf-8"), target)
    except OSError:
        return False
    return True


def detached() -> dict[str, Any]:
    """Keyword arguments for :class:`subprocess.Popen` that let a child outlive its parent and its console.

    POSIX: a new session (no controlling terminal, so closing the terminal sends it no SIGHUP). Windows: a
    detached process in its own group without a console window (``start_new_session`` is ignored there and
    closing the console would end the child).
    """
    if sys.platform == "win32":
        return {"creationflags": _DETACHED_PROCESS | _CREATE_NEW_PROCESS_GROUP | _CREATE_NO_WINDOW}
    return {"start_new_session": True}


def split_command(command: str | Sequence[str], *, windows: bool | None = None) -> list[str]:
    """A command as an argument list, ready for :func:`subprocess.run` without a shell.

    A list is taken as it is. A string is split the platform's way: POSIX shell words (:func:`shlex.split`) on
    Linux; on Windows the rules programs use to read their command line (``CommandLineToArgvW``, the inverse
    of :func:`subprocess.list2cmdline`), so ``C:\\Tools\\relay.exe on`` keeps its backslashes.

    Args:
        command: the command as written in the settings.
        windows: split by Windows' rules (default: when running on Windows).

    Raises:
        ValueError: unbalanced quotes (POSIX) or an empty command.
    """
    if not isinstance(command, str):
        words = [str(word) for word in command]
    elif windows if windows is not None else sys.platform == "win32":
        words = _split_windows(command)
    else:
        words = shlex.split(command)
    if not words or not words[0]:
        raise ValueError("empty command")
    return words


def _split_windows(line: str) -> list[str]:
    """``CommandLineToArgvW``'s rules: backslashes are literal unless they precede a quote; 2n backslashes and a
    quote give n backslashes and toggle quoting, 2n+1 give n backslashes and a literal quote."""
    words: list[str] = []
    word: list[str] = []
    started = quoted = False
    backslashes = 0
    for char in line:
        if char == "\\":
            backslashes += 1
            continue
        if char == '"':
            word.append("\\" * (backslashes // 2))
            if backslashes % 2:
                word.append('"')
            else:
                quoted = not quoted
            backslashes, started = 0, True
            continue
        if backslashes:
            word.append("\\" * backslashes)
            backslashes, started = 0, True
        if char in " \t" and not quoted:
            if started:
                words.append("".join(word))
            word, started = [], False
            continue
        word.append(char)
        started = True
    word.append("\\" * backslashes)
    if started or backslashes:
        words.append("".join(word))
    return words


def _usual_folders(name: str) -> list[Path]:
    """Where installers put a tool when they do not add it to PATH (services also run with a short PATH)."""
    if sys.platform == "win32":
        roots = [os.environ.get(key, "") for key in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")]
        local = os.environ.get("LOCALAPPDATA", "")
        folders = [Path(root) / sub for root in roots if root for sub in ("eSpeak NG", "ffmpeg/bin", "FFmpeg/bin")]
        if local:
            folders.append(Path(local) / "Microsoft" / "WinGet" / "Links")
        folders.append(Path("C:/ffmpeg/bin"))
        return folders
    return [Path("/usr/bin"), Path("/usr/local/bin"), Path("/opt/homebrew/bin"), Path("/snap/bin")]


class ToolPaths:
    """Where the external programs are: the station's settings first, then PATH, then the usual install
    folders. Thread-safe; one per process, set from the settings by :func:`configure_tools`."""

    def __init__(self) -> None:
        self._configured: dict[str, str] = {}
        self._lock = threading.Lock()

    def configure(self, **paths: str | Path | None) -> None:
        """Set the configured path of each named tool (``None`` clears it), e.g. ``ffmpeg="/opt/ff/ffmpeg"``."""
        with self._lock:
            for name, path in paths.items():
                if path is None or str(path) == "":
                    self._configured.pop(name, None)
                else:
                    self._configured[name] = str(path)

    def configured(self, name: str) -> str | None:
        """The path the settings give for this tool, if any."""
        with self._lock:
            return self._configured.get(name)

    def find(self, program: str, *, setting: str | None = None) -> str | None:
        """The full path of ``program`` (e.g. ``ffprobe``, ``espeak-ng``), or ``None`` when it is nowhere.

        Args:
            program: the executable's name, without ``.exe``.
            setting: the tool whose configured path to try first (a file, or the folder holding ``program``).
        """
        configured = self.configured(setting or program)
        if configured:
            path = Path(configured).expanduser()
            if path.is_dir():
                candidate = path / program
            elif path.stem.lower() == program.lower():
                candidate = path
            else:  # ffprobe lives beside the configured ffmpeg
                candidate = path.with_name(program + path.suffix)
            found = shutil.which(str(candidate))
            if found:
                return found
        found = shutil.which(program)
        if found:
            return found
        for folder in _usual_folders(program):
            found = shutil.which(program, path=str(folder))
            if found:
                return found
        return None


TOOLS = ToolPaths()
"""The process's tool paths (empty until :func:`configure_tools`: PATH and the usual folders)."""


def configure_tools(*, ffmpeg_path: str | Path | None, espeak_path: str | Path | None) -> None:
    """Use the station's settings for the external tools (``ffmpeg_path`` also locates ``ffprobe``)."""
    TOOLS.configure(ffmpeg=ffmpeg_path, espeak=espeak_path)


def find_tool(program: str, *, setting: str | None = None) -> str | None:
    """:meth:`ToolPaths.find` on the process's tool paths."""
    return TOOLS.find(program, setting=setting)


__all__ = [
    "NOTIFY_SOCKET_ENV",
    "TOOLS",
    "ToolPaths",
    "configure_tools",
    "detached",
    "find_tool",
    "notify",
    "split_command",
]
