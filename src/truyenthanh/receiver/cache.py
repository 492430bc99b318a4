"""The receiver's copy of the audio files its schedule and commands need, fetched from the station's file server.

A file is downloaded into ``cache/.partial/<sha256>`` (an interrupted download resumes with an HTTP ``Range``
request), checked for its size and sha256, and only then renamed to ``cache/<sha256>``: a file in the cache is
whole. A cached file can still be damaged later (a bad SD card, a stray write), so :meth:`FileCache.valid`
checks size and sha256 again; it hashes a file once and remembers the result for that file's size and
modification time, so checking a week of files before every airing costs a ``stat`` each.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from truyenthanh.adapters.files import sha256_file
from truyenthanh.adapters.fleet_http import download
from truyenthanh.domain.fleet import FileRef
from truyenthanh.errors import FleetError
from truyenthanh.receiver.state import sync_folder

log = logging.getLogger(__name__)


class FileCache:
    """Audio files by sha256 under ``folder``, fetched from ``files_url`` (``http://host:port``).

    Thread-safe: one download at a time per file; different files download side by side (an emergency's
    bulletin does not wait behind a week of schedule files).

    Args:
        folder: the cache folder (``<state>/cache``).
        files_url: the station's file server, from the enrolment.
        timeout: seconds without data before a download is abandoned (it resumes at the next attempt).
    """

    def __init__(self, folder: Path, files_url: str, *, timeout: float = 30.0) -> None:
        self.folder = folder
        self.partial_dir = folder / ".partial"
        self.files_url = files_url.rstrip("/")
        self.timeout = timeout
        self.downloaded_bytes = 0
        """Bytes received over HTTP since the cache was made (a resumed download counts only its rest)."""
        self._checked: dict[str, tuple[int, int, bool]] = {}
        """sha256 -> (size, mtime_ns, whole) of the last check."""
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def path(self, sha256: str) -> Path:
        """Where the file with this digest lives once cached."""
        return self.folder / sha256

    def valid(self, ref: FileRef) -> bool:
        """The file is cached with the right size and sha256 (hashed once per size and mtime)."""
        path = self.path(ref.sha256)
        try:
            info = path.stat()
        except FileNotFoundError:
            return False
        if info.st_size != ref.size:
            return False
        known = self._checked.get(ref.sha256)
        if known is not None and known[:2] == (info.st_size, info.st_mtime_ns):
            return known[2]
        whole = sha256_file(path) == ref.sha256
        self._checked[ref.sha256] = (info.st_size, info.st_mtime_ns, whole)
        if not whole:
            log.warning("Tệp %s trong bộ nhớ đệm bị hỏng (sai sha256)", path)
        return whole

    def forget(self) -> None:
        """Hash every file again at its next check (a ``resync`` command: trust nothing remembered)."""
        self._checked.clear()

    def missing(self, refs: Iterable[FileRef]) -> list[FileRef]:
        """Those of ``refs`` not (or no longer) whole in the cache."""
        return [ref for ref in refs if not self.valid(ref)]

    def ensure(self, refs: Iterable[FileRef]) -> list[FileRef]:
        """Fetch every one of ``refs`` not whole in the cache; returns those still missing (logged)."""
        failed = []
        for ref in refs:
            if self.valid(ref):
                continue
            try:
                self.fetch(ref)
            except FleetError as exc:
                log.warning("%s", exc.message)
                failed.append(ref)
        return failed

    def fetch(self, ref: FileRef) -> Path:
        """Download ``ref`` (resuming a partial download), check it and move it into the cache.

        Raises:
            FleetError: the station cannot be reached, does not have the file, or sent wrong bytes (the partial
                file is then discarded so the next attempt starts over).
        """
        with self._locks_lock:
            lock = self._locks.setdefault(ref.sha256, threading.Lock())
        with lock:
            if self.valid(ref):
                return self.path(ref.sha256)
            self.partial_dir.mkdir(parents=True, exist_ok=True)
            partial = self.partial_dir / ref.sha256
            self._download(ref, partial)
            size = partial.stat().st_size
            digest = sha256_file(partial)
            if size != ref.size or digest != ref.sha256:
                partial.unlink(missing_ok=True)
                raise FleetError(
                    f"Tệp «{ref.name or ref.sha256}» tải về bị sai ({size} byte, sha256 {digest[:12]}…; "
                    f"cần {ref.size} byte, sha256 {ref.sha256[:12]}…); sẽ tải lại.",
                    field="sha256",
                )
            target = self.path(ref.sha256)
            os.replace(partial, target)
            sync_folder(self.folder)
            info = target.stat()
            self._checked[ref.sha256] = (info.st_size, info.st_mtime_ns, True)
            return target

    def prune(self, keep: Iterable[str]) -> int:
        """Delete cached files whose digest is not in ``keep``; returns how many."""
        wanted = set(keep)
        removed = 0
        for path in self.folder.iterdir():
            if path.is_file() and path.name not in wanted and len(path.name) == 64:
                path.unlink(missing_ok=True)
                self._checked.pop(path.name, None)
                removed += 1
        return removed

    def _download(self, ref: FileRef, partial: Path) -> None:
        self.downloaded_bytes += download(self.files_url, ref, partial, timeout=self.timeout)


__all__ = ["FileCache"]
