"""The daemon's files: the one-per-station lock and the state file that survives crashes.

The state file records what the daemon has dealt with and what is sounding, written atomically (temporary
file, fsync, rename) so a power cut or ``kill -9`` leaves either the old or the new version, never half.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from pathlib import Path
from typing import IO, Any

from truyenthanh.errors import DaemonError

LOCK_FILE = "daemon.lock"
STATE_FILE = "daemon-state.json"


class InstanceLock:
    """An exclusive lock held while the daemon runs; the operating system releases it when the process dies.

    Args:
        path: the lock file (its content is the holder's PID, for messages).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock.

        Raises:
            DaemonError: another daemon of this station holds it (the message names its PID).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held open while the daemon runs)
        try:
            _lock(handle)
        except OSError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise DaemonError(
                f"Dịch vụ phát của đài này đang chạy (PID {holder}); mỗi đài chỉ chạy một dịch vụ phát. "
                f"Dừng nó trước (ví dụ «systemctl stop truyenthanh») nếu muốn chạy lại. Tệp khóa: {self.path}."
            ) from exc
        # The PID is only for messages: on a full disk the lock still holds without it (the daemon must start).
        # Unbuffered, so a failed write leaves nothing pending for close() to fail on.
        with contextlib.suppress(OSError):
            os.ftruncate(handle.fileno(), 0)
            os.pwrite(handle.fileno(), str(os.getpid()).encode(), 0)
        self._handle = handle

    def release(self) -> None:
        """Let go of the lock."""
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.seek(0)
                self._handle.truncate()
            self._handle.close()
            self._handle = None


def _lock(handle: IO[str]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


class StateFile:
    """A small JSON document replaced atomically on every write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writing = threading.Lock()
        """Several threads save the state; they share one temporary file."""

    def read(self) -> dict[str, Any]:
        """The last document written, or ``{}`` if there is none (or it cannot be read)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write(self, data: dict[str, Any]) -> None:
        """Replace the document (durable once this returns)."""
        temporary = self.path.with_suffix(".tmp")
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with self._writing:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(descriptor, payload)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            os.replace(temporary, self.path)


__all__ = ["InstanceLock", "StateFile"]
