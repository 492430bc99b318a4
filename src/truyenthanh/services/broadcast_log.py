"""The broadcast log (nhật ký phát thanh): append-only and hash-chained, and never lost.

Rows are appended through the unit of work's broadcast log repository (``prev_hash``/``row_hash`` over
:func:`truyenthanh.domain.records.broadcast_content`); they are never updated or deleted.

The daemon writes through a journal (:meth:`BroadcastLogService.keep`): each row is first appended to a small
fsync'd file in the station folder, then written to the database; a row the database refuses (locked by
another process, a full disk) stays in the journal and in memory and is retried by :meth:`flush`, in order,
until it is written. The journal is trimmed only after the commit, and each line is marked in the database in
the transaction that writes it, so no row is written twice. The same path records the use of an emergency
permit (:meth:`BroadcastLogService.keep_permit_use`), so a permit used before a restart stays used.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import uuid
from datetime import datetime
from typing import Any, Protocol

from truyenthanh.domain.broadcast_log import LogEntry, LoggedBroadcast
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store, UnitOfWork

logger = logging.getLogger(__name__)

_INSTANTS = ("scheduled_start", "actual_start", "end")


class JournalFile(Protocol):
    """Where journal lines wait for the database (``adapters.log_journal.FileLogJournal``). Thread-safe."""

    def append(self, line: dict[str, Any]) -> None:
        """Add one JSON-ready line, durable (fsync'd) on return. Raises ``OSError`` when it cannot."""
        ...

    def read(self) -> list[dict[str, Any]]:
        """Every whole line, oldest first."""
        ...

    def drop(self, journal_ids: Any) -> None:
        """Remove the lines with these ids. Raises ``OSError`` when the file cannot be rewritten."""
        ...


def entry_to_json(entry: LogEntry) -> dict[str, Any]:
    """A log entry as a journal line carries it."""
    data = dataclasses.asdict(entry)
    for name in _INSTANTS:
        data[name] = data[name].isoformat() if data[name] else None
    for name in ("outcome", "item_kind", "category", "priority"):
        data[name] = data[name].value if data[name] is not None else None
    data["outages"] = list(entry.outages)
    return data


def entry_from_json(data: dict[str, Any]) -> LogEntry:
    """Back from a journal line.

    Raises:
        ValueError: the line does not hold a log entry.
    """
    values: dict[str, Any] = {
        field.name: data[field.name] for field in dataclasses.fields(LogEntry) if field.name in data
    }
    for name in _INSTANTS:
        values[name] = datetime.fromisoformat(str(values[name])) if values.get(name) else None
    values["outcome"] = Outcome(values["outcome"])
    values["item_kind"] = ItemKind(values["item_kind"]) if values.get("item_kind") else None
    values["category"] = Category(values["category"]) if values.get("category") else None
    values["priority"] = Priority(values.get("priority") or Priority.NORMAL.value)
    values["outages"] = tuple(values.get("outages") or ())
    return LogEntry(**values)


class BroadcastLogService:
    """Appends to and reads the broadcast log. Thread-safe; several processes may append at once, and one (the
    daemon) writes through the journal.

    Args:
        store: the station's records.
        clock: when rows are recorded.
        journal: the journal file (``None``: :meth:`keep` holds pending rows in memory only).
    """

    def __init__(self, *, store: Store, clock: Clock, journal: JournalFile | None = None) -> None:
        self._store = store
        self._clock = clock
        self._journal = journal
        self._pending: list[dict[str, Any]] = []
        """Journal lines not committed yet, in order."""
        self._unjournalled: set[str] = set()
        """Ids of pending lines the journal file could not take (a full disk): retried with the database."""
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self.problem = ""
        """Why the last write of a pending line failed (``""`` once everything is written)."""

    def append(self, entry: LogEntry) -> LoggedBroadcast:
        """Write one row at the end of the chain now and return it (with its id and hashes).

        Several processes may append at once: the chain takes SQLite's write lock before reading its tail.

        Raises:
            StorageError: the database cannot be written.
        """
        recorded_at = self._clock.now()
        with self._store.transaction() as uow:
            return uow.broadcast_log.append(entry, recorded_at=recorded_at)

    # ------------------------------------------------------------------------------------ the journal

    def keep(self, entry: LogEntry) -> None:
        """Journal one row (fsync'd) and queue it for the database; :meth:`flush` writes it. Never raises: a
        row the journal file cannot take (a full disk) is kept in memory and journalled again on the next
        flush."""
        self._queue({"kind": "log", "recorded_at": self._clock.now().isoformat(), "entry": entry_to_json(entry)})

    def keep_permit_use(self, token_hash: str) -> None:
        """Journal the use of an emergency permit (by its token's digest) and queue it for the database, in
        order with the log rows. Never raises (see :meth:`keep`)."""
        self._queue({"kind": "permit", "at": self._clock.now().isoformat(), "permit": token_hash})

    def _queue(self, line: dict[str, Any]) -> None:
        line = {"id": uuid.uuid4().hex, **line}
        with self._lock:
            self._pending.append(line)
            if self._journal is not None:
                try:
                    self._journal.append(line)
                except OSError as exc:
                    self._unjournalled.add(line["id"])
                    logger.error("cannot write the log journal: %s", exc)

    def recover(self) -> int:
        """Queue the lines a previous run journalled and never committed (call once, at the daemon's start,
        before anything is kept); returns how many are still to write."""
        if self._journal is None:
            return 0
        lines = self._journal.read()
        with self._store.transaction() as uow:
            done = uow.journal_marks.known(line["id"] for line in lines)
        self._trim(sorted(done))  # committed by a run that died before trimming
        with self._lock:
            known = {line["id"] for line in self._pending}
            self._pending[:0] = [line for line in lines if line["id"] not in done and line["id"] not in known]
            return len(self._pending)

    @property
    def pending(self) -> int:
        """Log rows (and permit uses) kept but not yet in the database."""
        with self._lock:
            return len(self._pending)

    def pending_permit_uses(self) -> set[str]:
        """Digests of emergency permits whose use is kept but not yet in the database."""
        with self._lock:
            return {str(line.get("permit")) for line in self._pending if line.get("kind") == "permit"}

    def flush(self) -> int:
        """Write the pending lines to the database in order, each with its mark in one transaction, until one
        fails (it and those after it stay pending, for the next call); then trim the journal. Returns how many
        are still pending. Never raises: the reason of a failure is kept in :attr:`problem`."""
        with self._flushing:
            written: list[str] = []
            while True:
                with self._lock:
                    line = self._pending[0] if self._pending else None
                    unjournalled = line is not None and line["id"] in self._unjournalled
                if line is None:
                    self.problem = ""
                    break
                if unjournalled and self._journal is not None:
                    try:
                        self._journal.append(line)
                        with self._lock:
                            self._unjournalled.discard(line["id"])
                    except OSError as exc:
                        logger.warning("log journal still cannot be written: %s", exc)
                try:
                    with self._store.transaction() as uow:
                        self._commit(uow, line)
                except Exception as exc:  # a locked or full database: kept, retried later, in order
                    self.problem = getattr(exc, "message", None) or str(exc)
                    logger.error("cannot write the broadcast log (%s pending): %s", self.pending, self.problem)
                    break
                with self._lock:
                    self._pending.pop(0)
                    self._unjournalled.discard(line["id"])
                written.append(line["id"])
            self._trim(written)
            return self.pending

    def _commit(self, uow: UnitOfWork, line: dict[str, Any]) -> None:
        """Write one journal line and its mark (skipped if an earlier run committed it already)."""
        if uow.journal_marks.known([line["id"]]):
            return
        now = self._clock.now()
        log_id: int | None = None
        if line.get("kind") == "permit":
            uow.air_passes.use(str(line["permit"]), datetime.fromisoformat(str(line["at"])))
        else:
            try:
                entry = entry_from_json(dict(line["entry"]))
                recorded_at = datetime.fromisoformat(str(line["recorded_at"]))
            except (KeyError, TypeError, ValueError) as exc:
                logger.error("log journal line %s cannot be read, dropped: %s", line.get("id"), exc)
            else:
                log_id = uow.broadcast_log.append(entry, recorded_at=recorded_at).id
        uow.journal_marks.add(str(line["id"]), log_id, now)

    def _trim(self, written: list[str]) -> None:
        if not written or self._journal is None:
            return
        try:
            self._journal.drop(written)
        except OSError as exc:  # the marks say they are written: the next trim or start skips them
            logger.warning("cannot trim the log journal: %s", exc)

    def unwritten(self) -> int:
        """Log rows the journal file holds that the database does not (for ``audit verify``: a daemon that is
        stopped with rows still to write, or rows it has not been able to write yet)."""
        if self._journal is None:
            return 0
        lines = [line for line in self._journal.read() if line.get("kind", "log") == "log"]
        if not lines:
            return 0
        with self._store.transaction() as uow:
            done = uow.journal_marks.known(line["id"] for line in lines)
        return sum(1 for line in lines if line["id"] not in done)

    # ------------------------------------------------------------------------------------------ reading

    def rows(self, start: datetime | None = None, end: datetime | None = None) -> list[LoggedBroadcast]:
        """Rows in chain order whose scheduled (or, failing that, actual) start falls in ``[start, end)``."""
        with self._store.transaction() as uow:
            found = uow.broadcast_log.rows()
        if start is None and end is None:
            return found

        def moment(row: LoggedBroadcast) -> datetime | None:
            return row.scheduled_start or row.actual_start or row.recorded_at

        return [
            row
            for row in found
            if (m := moment(row)) is not None and (start is None or m >= start) and (end is None or m < end)
        ]

    def logged_keys(self, since: datetime) -> set[tuple[int, datetime]]:
        """``(schedule_id, scheduled_start)`` of every row about a scheduled airing since ``since``."""
        with self._store.transaction() as uow:
            return uow.broadcast_log.logged_keys(since)


__all__ = ["BroadcastLogService", "JournalFile", "LogEntry", "LoggedBroadcast", "entry_from_json", "entry_to_json"]
