"""What the receiver owes the station, kept on disk until the broker has it: as-played records and command
acknowledgements.

A SQLite file (``outbox.sqlite``, synchronous writes): a message stays ``pending`` until an MQTT publish of it was
acknowledged by the broker (QoS 1), then it is marked sent and kept a while so that the receiver knows which
airings it already handled after a restart (a record is never written twice: ``record_id`` is the key). The
station stores each ``record_id`` once, so a message sent twice (the broker's acknowledgement lost on the way
back) is harmless; one never sent is what this file prevents.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

KEEP_SENT_S = 8 * 24 * 3600.0
"""How long a sent message is remembered (longer than a schedule reaches)."""


@dataclass(frozen=True)
class Message:
    """One pending message: where it goes and its bytes."""

    key: str
    """``record_id`` of an as-played record, ``ack:<command_id>`` of an acknowledgement."""
    leaf: str
    """The receiver topic's leaf: ``played`` or ``ack``."""
    payload: bytes


class Outbox:
    """The on-disk queue of messages for the station. Thread-safe.

    Args:
        path: the SQLite file (created if missing).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS outbox (n INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, "
            "leaf TEXT NOT NULL, payload BLOB NOT NULL, created REAL NOT NULL, sent REAL)"
        )

    def add(self, key: str, leaf: str, payload: bytes) -> bool:
        """Queue a message; ``False`` (nothing written) if one with this key was ever queued."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO outbox (key, leaf, payload, created) VALUES (?, ?, ?, ?)",
                (key, leaf, payload, time.time()),
            )
            return cursor.rowcount == 1

    def has(self, key: str) -> bool:
        """Whether a message with this key was ever queued (sent or not)."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM outbox WHERE key = ?", (key,)).fetchone() is not None

    def pending(self, limit: int = 100) -> list[Message]:
        """The oldest unsent messages, in the order they were queued."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, leaf, payload FROM outbox WHERE sent IS NULL ORDER BY n LIMIT ?", (limit,)
            ).fetchall()
        return [Message(str(key), str(leaf), bytes(payload)) for key, leaf, payload in rows]

    def count(self) -> int:
        """How many messages wait for the broker."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM outbox WHERE sent IS NULL").fetchone()
        return int(row[0])

    def mark_sent(self, key: str) -> None:
        """The broker acknowledged the message: it leaves the queue (and old sent ones are forgotten)."""
        now = time.time()
        with self._lock:
            self._db.execute("UPDATE outbox SET sent = ? WHERE key = ?", (now, key))
            self._db.execute("DELETE FROM outbox WHERE sent IS NOT NULL AND sent < ?", (now - KEEP_SENT_S,))

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()


__all__ = ["Message", "Outbox"]
