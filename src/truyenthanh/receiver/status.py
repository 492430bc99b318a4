"""What the receiver tells the station about itself: its retained status, and how far its clock is from the
station's.

The status is published retained on every connection, every :data:`STATUS_EVERY_S` seconds and soon after any
change (at most one per :data:`MIN_GAP_S`); the broker publishes the offline status (the MQTT last will) when
the link drops without a goodbye.

The clock offset is measured NTP-style against the station's ``GET /time``: ``t0`` the box's time when the
request leaves, ``t1 = t2`` the station's answer, ``t3`` the box's time when the answer arrives;
the box's clock minus the station's is ``((t0 - t1) + (t3 - t2)) / 2``, taken from the quickest of three
exchanges (the one whose round trip leaves the least room for error).
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from truyenthanh.domain.fleet import ReceiverStatus, read_when
from truyenthanh.errors import FleetError

STATUS_EVERY_S = 30.0
MIN_GAP_S = 0.5


def measure_offset(files_url: str, *, tries: int = 3, timeout: float = 5.0) -> tuple[float, float]:
    """``(offset_s, round_trip_s)``: the box's clock minus the station's, from the quickest of ``tries``.

    Raises:
        FleetError: the station's ``/time`` cannot be reached or read.
    """
    best: tuple[float, float] | None = None
    url = files_url.rstrip("/") + "/time"
    for _ in range(tries):
        t0 = time.time()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                body = response.read()
        except (OSError, urllib.error.URLError) as exc:
            raise FleetError(f"Không hỏi được giờ của đài tại {url}: {exc}.", field="files_url") from exc
        t3 = time.time()
        try:
            station = read_when(json.loads(body.decode("utf-8")).get("now"), "now").timestamp()
        except (ValueError, AttributeError) as exc:
            raise FleetError(f"Giờ của đài tại {url} không đọc được.", field="files_url") from exc
        offset = ((t0 - station) + (t3 - station)) / 2
        trip = t3 - t0
        if best is None or trip < best[1]:
            best = (offset, trip)
    assert best is not None
    return best


def free_disk(folder: Path) -> int | None:
    """Free bytes on the disk holding ``folder``."""
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


@dataclass
class Facts:
    """What the status reports that the receiver's parts learn over time (guarded by the board's lock)."""

    last_sync: datetime | None = None
    schedule_seq: int = 0
    schedule_valid_until: datetime | None = None
    clock_offset_ms: float | None = None
    refused: str | None = None
    missing_files: int = 0


class StatusBoard:
    """Keeps the receiver's status and publishes it. Thread-safe.

    Args:
        base: the identity part of every status (receiver, zone, version).
        publish: sends a status (retained); returns whether the broker took it.
        live: reads what changes by the moment: ``(playing, volume)``.
        folder: the state folder (for the free disk space).
    """

    def __init__(
        self,
        base: ReceiverStatus,
        publish: Callable[[ReceiverStatus], bool],
        live: Callable[[], tuple[str | None, int]],
        folder: Path,
    ) -> None:
        self._base = base
        self._publish = publish
        self._live = live
        self._folder = folder
        self._lock = threading.Lock()
        self.facts = Facts()
        self._changed = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="receiver-status", daemon=True)

    def update(self, **changes: object) -> None:
        """Change some :class:`Facts` and publish soon."""
        with self._lock:
            self.facts = replace(self.facts, **changes)  # type: ignore[arg-type]
        self._changed.set()

    def changed(self) -> None:
        """Something live changed (what plays, the volume): publish soon."""
        self._changed.set()

    def current(self, *, online: bool = True) -> ReceiverStatus:
        """The status as of now."""
        playing, volume = self._live()
        with self._lock:
            facts = self.facts
        return replace(
            self._base,
            online=online,
            at=datetime.now(UTC),
            playing=playing,
            volume=volume,
            last_sync=facts.last_sync,
            schedule_seq=facts.schedule_seq,
            schedule_valid_until=facts.schedule_valid_until,
            free_disk_bytes=free_disk(self._folder),
            clock_offset_ms=facts.clock_offset_ms,
            refused=facts.refused,
            missing_files=facts.missing_files,
        )

    def start(self) -> None:
        """Start publishing."""
        self._thread.start()

    def close(self) -> None:
        """Stop publishing."""
        self._stopping.set()
        self._changed.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        last = 0.0
        while not self._stopping.is_set():
            self._changed.wait(max(0.0, last + STATUS_EVERY_S - time.monotonic()))
            if self._stopping.is_set():
                return
            gap = last + MIN_GAP_S - time.monotonic()
            if gap > 0:
                time.sleep(gap)
            self._changed.clear()
            last = time.monotonic()
            self._publish(self.current())


__all__ = ["Facts", "StatusBoard", "free_disk", "measure_offset"]
