"""Fakes for the edges of the program, shared by every test package."""

from __future__ import annotations

import queue
import threading
import wave
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from truyenthanh.domain.accounts import Permission
from truyenthanh.domain.enums import Priority
from truyenthanh.domain.playout import EndReason, ItemEnded, ItemStarted, PlayItem, PlayoutEvent, PlayoutStatus
from truyenthanh.errors import AudioError, DaemonError, PermissionDeniedError
from truyenthanh.protocol import (
    DaemonEvent,
    DaemonStatus,
    DeviceState,
    EmergencyCancelled,
    EmergencyStarted,
    EmergencyState,
    NowPlaying,
    encode,
)

if TYPE_CHECKING:
    from truyenthanh.bootstrap import Container


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


# ------------------------------------------------------------------------------------------ FakePlayout


FAKE_OUTPUT = "loa giả (bộ nhớ)"
"""What :meth:`FakePlayout.describe` says."""


@dataclass
class _FakeVoice:
    """One item in the fake engine: how far it got and how long it lasts."""

    item: PlayItem
    length_s: float
    """Seconds it sounds from its start offset (what the real engine would decode)."""
    not_before: datetime | None = None
    replaced: PlayItem | None = None
    played_s: float = 0.0

    @property
    def position_s(self) -> float:
        """Seconds into the item, counting its start offset (as the real engine reports it)."""
        return self.item.start_offset_s + self.played_s

    @property
    def left_s(self) -> float:
        return max(0.0, self.length_s - self.played_s)


def wav_seconds(path: Path) -> float | None:
    """Length of a WAV file from its header (``None`` for anything else)."""
    try:
        with wave.open(str(path), "rb") as audio:
            return audio.getnframes() / audio.getframerate()
    except (OSError, EOFError, wave.Error):
        return None


class FakePlayout:
    """The :class:`~truyenthanh.services.ports.Playout` port in memory, on a :class:`FrozenClock`.

    Nothing sounds and no thread runs: time passes only in :meth:`advance`, which starts and ends items at the
    instants the real engine would and delivers the same events (``ItemStarted``, ``ItemEnded``) to every
    listener, synchronously, in order. Commands take effect at once (the real engine: within one block).
    An item lasts its ``duration_s``, else its WAV file's length, else ``default_length_s``; an item whose
    file is missing is replaced by its fallback, else the filler (``ItemEnded(FAILED)`` then ``ItemStarted``
    with ``replaced``), as the real engine does.

    Tests may lose the device (:meth:`lose_device`: ``alive`` turns false, :meth:`open` and :meth:`wake`
    raise ``AudioError`` until :meth:`restore_device`) and read :attr:`commands` (what was asked, in order).
    """

    def __init__(self, clock: FrozenClock, *, filler: PlayItem | None = None, default_length_s: float = 5.0) -> None:
        self.clock = clock
        self.filler = filler
        self.default_length_s = default_length_s
        self.commands: list[tuple[str, tuple[str, ...]]] = []
        """Every command with the item keys it named: ``("enqueue", keys)``, ``("preempt", keys)``, ..."""
        self.events: list[PlayoutEvent] = []
        """Every event delivered so far."""
        self.open_error: str | None = None
        """While set, :meth:`open` and :meth:`wake` raise ``AudioError`` with it."""
        self._listeners: list[Callable[[PlayoutEvent], None]] = []
        self._queue: list[_FakeVoice] = []
        self._current: _FakeVoice | None = None
        self._opened = False
        self._lost = False
        self._standing_by = False
        self._paused = False

    # --------------------------------------------------------------------------------- the test's levers

    def lose_device(self, message: str = "Thiết bị âm thanh bị rút ra.") -> None:
        """The sound device goes away: ``alive`` turns false and it cannot be opened until restored."""
        self._lost = True
        self.open_error = message

    def restore_device(self) -> None:
        """The sound device is back (it opens again)."""
        self._lost = False
        self.open_error = None

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass on the clock, starting and ending items on the way."""
        target = self.clock.now() + timedelta(seconds=seconds)
        while True:
            self._start_due()
            step = self._next_change()
            if step is None or step > target:
                break
            self._pass(step)
            current = self._current
            if current is not None and current.left_s <= 1e-9:
                self._current = None
                self._emit(ItemEnded(current.item, step, EndReason.FINISHED, current.position_s))
        self._pass(target)
        self._start_due()

    # ------------------------------------------------------------------------------------------ the port

    def open(self) -> None:
        """Open the fake output (raises ``AudioError`` while :attr:`open_error` is set)."""
        if self._opened:
            return
        if self.open_error is not None:
            raise AudioError(self.open_error)
        self._opened = True
        self._lost = False

    def close(self) -> None:
        """Stop what sounds (``ItemEnded(STOPPED)``) and forget the queue."""
        if not self._opened:
            return
        self._opened = False
        self._standing_by = False
        self._end_current(EndReason.STOPPED)
        self._queue.clear()
        self._paused = False

    @property
    def alive(self) -> bool:
        """Open, and the device not lost (or given back in standby)."""
        return self._opened and (self._standing_by or not self._lost)

    def standby(self) -> bool:
        """Give the output back while nothing plays or waits; returns whether it did."""
        if not self._opened or self._standing_by or self._current or self._queue:
            return False
        self._standing_by = True
        self.commands.append(("standby", ()))
        return True

    def wake(self) -> None:
        """Take the output again after :meth:`standby`."""
        if self._standing_by:
            if self.open_error is not None:
                raise AudioError(self.open_error)
            self._standing_by = False
            self.commands.append(("wake", ()))

    @property
    def standing_by(self) -> bool:
        """The output is given back."""
        return self._standing_by

    def describe(self) -> str:
        """Where the sound goes (nowhere)."""
        return FAKE_OUTPUT

    def subscribe(self, listener: Callable[[PlayoutEvent], None]) -> None:
        """Receive every event, synchronously, from the thread that caused it."""
        self._listeners.append(listener)

    def enqueue(self, items: Sequence[PlayItem], *, start_at: datetime | None = None) -> None:
        """Queue items after what is queued; the first one starts no earlier than ``start_at``."""
        self.wake()
        self.commands.append(("enqueue", tuple(item.key for item in items)))
        voices = [self._voice(item) for item in items]
        if voices and start_at is not None:
            voices[0].not_before = start_at
        self._queue.extend(voices)
        self._start_due()

    def preempt(self, items: Sequence[PlayItem], *, resume: bool) -> None:
        """Cut in now; the interrupted item resumes (``resume``) or restarts afterwards."""
        self.wake()
        self.commands.append(("preempt", tuple(item.key for item in items)))
        back: list[_FakeVoice] = []
        current = self._current
        if current is not None:
            self._emit(ItemEnded(current.item, self.clock.now(), EndReason.PREEMPTED, current.position_s))
            self._current = None
            if not resume:
                current = self._voice(current.item, replaced=current.replaced)
            back = [current]
        self._paused = False
        self._queue[:0] = [*(self._voice(item) for item in items), *back]
        self._start_due()

    def stop(self) -> None:
        """Silence now and clear the queue."""
        self.commands.append(("stop", ()))
        self._end_current(EndReason.STOPPED)
        self._queue.clear()
        self._paused = False

    def skip(self, key: str | None = None) -> None:
        """End the current item (with ``key``: only if it is that item) and go on with the next."""
        self.commands.append(("skip", (key,) if key else ()))
        if self._current is None or (key is not None and self._current.item.key != key):
            return
        self._end_current(EndReason.SKIPPED)
        self._paused = False
        self._start_due()

    def pause(self) -> None:
        """Hold the current item."""
        self.commands.append(("pause", ()))
        self._paused = True

    def resume(self) -> None:
        """Continue after :meth:`pause`."""
        self.commands.append(("resume", ()))
        self._paused = False

    def status(self) -> PlayoutStatus:
        """What is playing and what waits."""
        current = self._current
        return PlayoutStatus(
            playing=current.item if current else None,
            position_s=current.position_s if current else 0.0,
            duration_s=(current.item.start_offset_s + current.length_s) if current else None,
            level_dbfs=-20.0 if current and not self._paused else -120.0,
            paused=self._paused,
            queued=tuple(voice.item for voice in self._queue),
        )

    # ------------------------------------------------------------------------------------------ inside

    def _voice(self, item: PlayItem, *, replaced: PlayItem | None = None) -> _FakeVoice:
        if item.duration_s is not None:
            length = item.duration_s
        elif item.source is not None:
            length = wav_seconds(item.source) or self.default_length_s
        else:
            length = self.default_length_s
        return _FakeVoice(item, max(0.0, length - item.start_offset_s), replaced=replaced)

    def _emit(self, event: PlayoutEvent) -> None:
        self.events.append(event)
        for listener in list(self._listeners):
            listener(event)

    def _end_current(self, reason: EndReason) -> None:
        current, self._current = self._current, None
        if current is not None:
            self._emit(ItemEnded(current.item, self.clock.now(), reason, current.position_s))

    def _next_change(self) -> datetime | None:
        """When the next item ends or the next one may start (``None``: nothing will change)."""
        now = self.clock.now()
        if self._current is not None:
            return None if self._paused else now + timedelta(seconds=self._current.left_s)
        if self._queue and self._queue[0].not_before is not None:
            return self._queue[0].not_before
        return None

    def _pass(self, until: datetime) -> None:
        """Move the clock to ``until`` (never back), the current item playing meanwhile."""
        now = self.clock.now()
        if until <= now:
            return
        if self._current is not None and not self._paused:
            self._current.played_s = min(self._current.length_s, self._current.played_s + (until - now).total_seconds())
        self.clock.set(until)

    def _start_due(self) -> None:
        """Start the head of the queue if nothing sounds and its time has come (replacing a missing file)."""
        while self._current is None and self._queue and self._opened and not self._standing_by:
            head = self._queue[0]
            if head.not_before is not None and head.not_before > self.clock.now():
                return
            self._queue.pop(0)
            item = head.item
            if item.source is not None and not item.source.is_file() and head.replaced is None:
                stand_in = item.fallback or self.filler
                detail = f"Không phát được «{item.title}»: không tìm thấy tệp {item.source}"
                if stand_in is None:
                    self._emit(ItemEnded(item, self.clock.now(), EndReason.FAILED, 0.0,
                                         f"{detail}; không còn gì để phát thay."))  # fmt: skip
                    continue
                self._emit(ItemEnded(item, self.clock.now(), EndReason.FAILED, 0.0,
                                     f"{detail}; đã phát «{stand_in.title}» thay."))  # fmt: skip
                head = self._voice(stand_in, replaced=item)
            self._current = head
            self._emit(ItemStarted(head.item, self.clock.now(), head.replaced))


# --- FakeDaemonLink: the TUI's line to a daemon, answered in-process ------------------------------------------


ALERT_TITLE = "Tín hiệu khẩn cấp"
"""What the fake reports on air while an emergency plays (the real daemon's alert tone item)."""


class FakeDaemonLink:
    """A :class:`truyenthanh.tui.backend.DaemonLink` that answers as the playout daemon would, in-process.

    It keeps a :class:`~truyenthanh.protocol.DaemonStatus` and answers ``ping``, ``status``, ``now_playing``,
    ``play_now``, ``emergency``, ``cancel``, ``stop`` and ``skip`` in the daemon's wire form (the same dicts the
    control socket carries), records every request, and publishes events to subscribers: the ones its commands
    cause (an emergency started or cancelled) and any a test pushes. Thread-safe: the TUI calls it from workers.

    Like the daemon, it refuses an on-air command without its pass: ``play_now``, ``stop``, ``skip`` and
    ``cancel`` need a ``session`` token, ``emergency`` (and ``play_now`` at emergency priority) a ``permit``
    used once. Given the station's ``container`` it checks them exactly as the daemon does (the services'
    :meth:`~truyenthanh.services.accounts.AccountService.authorise` and
    :meth:`~truyenthanh.services.approvals.ApprovalService.emergency_permit`); without one it refuses only
    missing or reused ones.

    Args:
        clock: the clock the status reports as ``now`` (the system clock's ``now`` if ``None``).
        running: ``False``: answers like a daemon that is not running (every request raises DaemonError).
        device: the sound output as the daemon reports it (default: working).
        container: the station whose services check the passes.
    """

    def __init__(
        self,
        *,
        clock: FrozenClock | None = None,
        running: bool = True,
        device: DeviceState | None = None,
        container: Container | None = None,
    ) -> None:
        self.clock = clock
        self.running = running
        self.container = container
        self.operators: list[tuple[str, str]] = []
        """``(command, full name)`` of every on-air command accepted, as the daemon logs who gave it."""
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
        self._permits: set[str] = set()

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
        answers: dict[str, Callable[[], Any]] = {
            "ping": lambda: "pong",
            "status": lambda: replace(self.status, now=self._now()).to_json(),
            "now_playing": lambda: self.status.playing.to_json() if self.status.playing else None,
            "play_now": lambda: self._play_now(arguments),
            "stop": lambda: self._stop(arguments, "stop"),
            "skip": lambda: self._stop(arguments, "skip"),
            "emergency": lambda: self._emergency(arguments),
            "cancel": lambda: self._cancel(arguments),
        }
        answer = answers.get(command)
        if answer is None:
            raise DaemonError(f"Lệnh «{command}» không có. Các lệnh: {', '.join(answers)}.")
        return answer()

    def _session(self, command: str, arguments: dict[str, Any], *permissions: Permission) -> None:
        """Refuse a command without a valid session token, as the daemon does; note who gave it."""
        token = arguments.get("session")
        if self.container is not None:
            actor = self.container.accounts.authorise(str(token) if token else None, *permissions)
            name = actor.full_name
        elif not token:
            raise PermissionDeniedError("Lệnh này cần đăng nhập (giả lập).")
        else:
            name = "?"
        with self._lock:
            self.operators.append((command, name))

    def _permit(self, arguments: dict[str, Any]) -> str:
        """Refuse a command without an unused permit, as the daemon does; spend it."""
        permit = arguments.get("permit")
        sender = "?"
        if self.container is not None:
            sender = self.container.approvals.emergency_permit(str(permit) if permit else None).sender
        if not permit or str(permit) in self._permits:
            raise PermissionDeniedError("Lệnh phát khẩn cấp cần được cấp phép (giả lập).")
        self._permits.add(str(permit))
        return sender

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

    def _play_now(self, arguments: dict[str, Any]) -> dict[str, Any]:
        if arguments.get("priority") == Priority.EMERGENCY.value:
            self.operators.append(("play_now", self._permit(arguments)))
        else:
            self._session("play_now", arguments, Permission.OPERATE)
        programme = str(arguments.get("programme", ""))
        now = self._now()
        key = f"now:{programme}@{now.isoformat(timespec='milliseconds')}"
        self.status = replace(
            self.status,
            playing=NowPlaying(key, programme, programme, Priority.NORMAL, now, position_s=0.0, duration_s=None),
        )
        return {"airing": key}

    def _stop(self, arguments: dict[str, Any], command: str) -> None:
        self._session(command, arguments, Permission.OPERATE)
        self.status = replace(self.status, playing=None)

    def _emergency(self, arguments: dict[str, Any]) -> dict[str, Any]:
        text, file = arguments.get("text"), arguments.get("file")
        repeat, every_min = int(arguments.get("repeat", 1)), float(arguments.get("every_min", 120))
        if bool(text) == bool(file):
            raise DaemonError("Cần đúng một trong hai: nội dung cần đọc, hoặc --file TỆP.")
        if repeat < 1 or every_min <= 0:
            raise DaemonError("Số lần phát phải từ 1 trở lên và khoảng cách phải lớn hơn 0 phút.")
        self.operators.append(("emergency", self._permit(arguments)))
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

    def _cancel(self, arguments: dict[str, Any]) -> dict[str, Any]:
        self._session("cancel", arguments, Permission.SEND_EMERGENCY, Permission.OPERATE)
        state = self.status.emergency
        if state is None:
            raise DaemonError("Không có phát khẩn cấp nào đang chạy.")
        self.status = replace(self.status, emergency=None, playing=None)
        self.push(EmergencyCancelled(id=state.id))
        return state.to_json()
