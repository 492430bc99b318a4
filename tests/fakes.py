"""Fakes for the edges of the program, shared by every test package."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FrozenClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, at: datetime | None = None) -> None:
        self._now = at or datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """The frozen instant (aware, UTC)."""
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new instant."""
        self._now += timedelta(**delta)
        return self._now

    def set(self, at: datetime) -> None:
        """Jump to an instant (forward or back, as a wall clock can)."""
        self._now = at.astimezone(UTC)


# --- FakeDaemonLink: the TUI's line to a daemon, answered in-process ------------------------------------------
# Its imports sit with it (not at the top of the file) so that it stays one block that other fakes can be
# appended around.

import queue  # noqa: E402
import threading  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from truyenthanh.domain.enums import Priority  # noqa: E402
from truyenthanh.errors import DaemonError, PermissionDeniedError  # noqa: E402
from truyenthanh.protocol import (  # noqa: E402
    DaemonEvent,
    DaemonStatus,
    DeviceState,
    EmergencyCancelled,
    EmergencyStarted,
    EmergencyState,
    NowPlaying,
    encode,
)

ALERT_TITLE = "Tín hiệu khẩn cấp"
"""What the fake reports on air while an emergency plays (the real daemon's alert tone item)."""


class FakeDaemonLink:
    """A :class:`truyenthanh.tui.backend.DaemonLink` that answers as the playout daemon would, in-process.

    It keeps a :class:`~truyenthanh.protocol.DaemonStatus` and answers ``ping``, ``status``, ``now_playing``,
    ``play_now``, ``emergency``, ``cancel``, ``stop`` and ``skip`` in the daemon's wire form (the same dicts the
    control socket carries), records every request, and publishes events to subscribers: the ones its commands
    cause (an emergency started or cancelled) and any a test pushes. Thread-safe: the TUI calls it from workers.

    Args:
        clock: the clock the status reports as ``now`` (the system clock's ``now`` if ``None``).
        running: ``False``: answers like a daemon that is not running (every request raises DaemonError).
        device: the sound output as the daemon reports it (default: working).
    """

    def __init__(
        self, *, clock: FrozenClock | None = None, running: bool = True, device: DeviceState | None = None
    ) -> None:
        self.clock = clock
        self.running = running
        self.requests: list[tuple[str, dict[str, Any]]] = []
        """Every request as ``(command, arguments)``, oldest first (refused ones too)."""
        started = self._now()
        self.status = DaemonStatus(
            pid=4242,
            started_at=started,
            output="file",
            device=device or DeviceState(ok=True, name="Tệp (thử nghiệm)"),
            now=started,
        )
        """What ``status`` answers (``now`` is filled in at each request); tests may replace it."""
        self._lock = threading.Lock()
        self._subscribers: list[queue.SimpleQueue[dict[str, Any] | None]] = []
        self._subscribed = threading.Condition(self._lock)
        self._emergencies = 0
        self._permits: set[int] = set()

    def _now(self) -> datetime:
        return self.clock.now() if self.clock is not None else datetime.now(UTC)

    def commands(self) -> list[str]:
        """The names of the commands received, oldest first."""
        with self._lock:
            return [command for command, _ in self.requests]

    def request(self, command: str, **arguments: Any) -> Any:
        """Answer one command as the daemon would (its wire form).

        Raises:
            DaemonError: not running, an unknown command, nothing to cancel, or an invalid emergency.
            PermissionDeniedError: an emergency without an unused permit.
        """
        with self._lock:
            self.requests.append((command, dict(arguments)))
        if not self.running:
            raise DaemonError("Dịch vụ phát của đài này không chạy (giả lập). Hãy chạy «truyenthanh daemon».")
        answers = {
            "ping": lambda: "pong",
            "status": lambda: replace(self.status, now=self._now()).to_json(),
            "now_playing": lambda: self.status.playing.to_json() if self.status.playing else None,
            "play_now": lambda: self._play_now(str(arguments.get("programme", ""))),
            "stop": self._stop,
            "skip": self._stop,
            "emergency": lambda: self._emergency(arguments),
            "cancel": self._cancel,
        }
        answer = answers.get(command)
        if answer is None:
            raise DaemonError(f"Lệnh «{command}» không có. Các lệnh: {', '.join(answers)}.")
        return answer()

    @contextmanager
    def events(self) -> Iterator[Iterator[dict[str, Any]]]:
        """Subscribe: yields the events published from now on, in their wire form, until :meth:`close`.

        Raises:
            DaemonError: not running.
        """
        if not self.running:
            raise DaemonError("Dịch vụ phát của đài này không chạy (giả lập).")
        inbox: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        with self._lock:
            self._subscribers.append(inbox)
            self._subscribed.notify_all()

        def read() -> Iterator[dict[str, Any]]:
            while (event := inbox.get()) is not None:
                yield event

        try:
            yield read()
        finally:
            with self._lock:
                self._subscribers.remove(inbox)

    def wait_for_subscriber(self, timeout: float = 5.0) -> bool:
        """Block until someone subscribed to events (the TUI's listener starts in its own thread)."""
        with self._lock:
            return self._subscribed.wait_for(lambda: bool(self._subscribers), timeout)

    def push(self, event: DaemonEvent) -> None:
        """Publish an event to every subscriber, encoded as the daemon encodes it."""
        wire = encode(event, sent_at=self._now())
        with self._lock:
            inboxes = list(self._subscribers)
        for inbox in inboxes:
            inbox.put(wire)

    def close(self) -> None:
        """End every subscription (as a daemon that stops does)."""
        with self._lock:
            inboxes = list(self._subscribers)
        for inbox in inboxes:
            inbox.put(None)

    def _play_now(self, programme: str) -> dict[str, Any]:
        now = self._now()
        key = f"now:{programme}@{now.isoformat(timespec='milliseconds')}"
        self.status = replace(
            self.status,
            playing=NowPlaying(key, programme, programme, Priority.NORMAL, now, position_s=0.0, duration_s=None),
        )
        return {"airing": key}

    def _stop(self) -> None:
        self.status = replace(self.status, playing=None)

    def _emergency(self, arguments: dict[str, Any]) -> dict[str, Any]:
        text, file = arguments.get("text"), arguments.get("file")
        repeat, every_min = int(arguments.get("repeat", 1)), float(arguments.get("every_min", 120))
        permit = arguments.get("permit")
        if permit is None or int(permit) in self._permits:
            raise PermissionDeniedError("Lệnh phát khẩn cấp cần được cấp phép (giả lập).")
        if bool(text) == bool(file):
            raise DaemonError("Cần đúng một trong hai: nội dung cần đọc, hoặc --file TỆP.")
        if repeat < 1 or every_min <= 0:
            raise DaemonError("Số lần phát phải từ 1 trở lên và khoảng cách phải lớn hơn 0 phút.")
        self._permits.add(int(permit))
        self._emergencies += 1
        now = self._now()
        until_cancelled = bool(arguments.get("until_cancelled"))
        more = until_cancelled or repeat > 1
        state = EmergencyState(
            id=self._emergencies,
            title=(text or "")[:60] or Path(str(file)).stem,
            source=str(file or ""),
            gain_db=0.0,
            every_s=every_min * 60,
            remaining=None if until_cancelled else repeat - 1,
            operator=None,
            engine=None,
            next_at=now + timedelta(minutes=every_min) if more else None,
            count=1,
            keys=(f"emergency:{self._emergencies}#1",),
        )
        playing = NowPlaying(state.keys[0], state.title, ALERT_TITLE, Priority.EMERGENCY, now, 0.0, 3.0)
        self.status = replace(self.status, emergency=state, playing=playing)
        self.push(EmergencyStarted(id=state.id, count=state.count, title=state.title))
        return state.to_json()

    def _cancel(self) -> dict[str, Any]:
        state = self.status.emergency
        if state is None:
            raise DaemonError("Không có phát khẩn cấp nào đang chạy.")
        self.status = replace(self.status, emergency=None, playing=None)
        self.push(EmergencyCancelled(id=state.id))
        return state.to_json()
