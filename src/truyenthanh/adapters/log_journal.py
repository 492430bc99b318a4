"""The daemon's log journal: a small file in the station folder where every broadcast-log row (and every use
of an emergency permit) is appended, one JSON line each and fsync'd, before it is written to the database.

A line stays until the database has committed it; then the file is rewritten without it (a new file replaces
the old one atomically). A torn last line (power cut mid-write) is ignored when reading.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

LOG_JOURNAL_FILE = "log-journal.jsonl"
"""The journal's name in the station's data folder."""


class FileLogJournal:
    """Journal lines in one file. Thread-safe within a process; one process (the daemon) writes it.

    Args:
        path: the journal file (created 0640 on the first append).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, line: dict[str, Any]) -> None:
        """Add one line and make it durable (fsync) before returning.

        Raises:
            OSError: the file cannot be written (a full or read-only disk); nothing is half-written that a
                reader would take for a line.
        """
        data = json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        with self._lock:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                size = os.fstat(descriptor).st_size
                try:
                    written = os.write(descriptor, data)
                    if written != len(data):
                        raise OSError(28, "short write to the log journal")
                    os.fsync(descriptor)
                except OSError:
                    # Leave no partial line behind: the next line must start on a line of its own.
                    try:
                        os.ftruncate(descriptor, size)
                    except OSError as truncate_failure:
                        logger.warning("cannot truncate the log journal: %s", truncate_failure)
                    raise
            finally:
                os.close(descriptor)

    def read(self) -> list[dict[str, Any]]:
        """Every whole line, oldest first (an empty list when there is no journal)."""
        with self._lock:
            return self._read()

    def _read(self) -> list[dict[str, Any]]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        lines: list[dict[str, Any]] = []
        for text in raw.split(b"\n"):
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except ValueError:
                logger.warning("unreadable line in the log journal %s ignored", self.path)
                continue
            if isinstance(value, dict) and isinstance(value.get("id"), str):
                lines.append(value)
        return lines

    def drop(self, journal_ids: Iterable[str]) -> None:
        """Rewrite the journal without the lines whose ``id`` is in ``journal_ids`` (committed ones); the file
        is removed when nothing is left.

        Raises:
            OSError: the new file cannot be written (the old one stays as it was).
        """
        done = set(journal_ids)
        if not done:
            return
        with self._lock:  # held from reading to replacing: no line appended meanwhile is lost
            keep = [line for line in self._read() if line["id"] not in done]
            if not keep:
                self.path.unlink(missing_ok=True)
                return
            temporary = self.path.with_name(self.path.name + ".tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    for line in keep:
                        handle.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
                        handle.write(b"\n")
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, self.path)
            except OSError:
                temporary.unlink(missing_ok=True)
                raise


__all__ = ["LOG_JOURNAL_FILE", "FileLogJournal"]
