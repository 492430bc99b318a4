"""The headless playout daemon: owns the station's schedule timer and its audio output.

One per station (an exclusive lock in the runtime folder). It hands every airing to the engine a few seconds
ahead with ``enqueue(start_at=...)`` so the first sample sounds at the scheduled instant, breaks in with
emergencies, writes a broadcast-log row for every item played and every airing missed, and keeps a state file
so that after a crash or a power cut it logs what was cut, accounts for the downtime and carries on.

Nothing here imports Textual; the TUI is a client of the control socket.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shlex
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from truyenthanh.adapters import ffmpeg
from truyenthanh.adapters.control import ControlServer
from truyenthanh.adapters.runtime import LOCK_FILE, STATE_FILE, InstanceLock, StateFile
from truyenthanh.bootstrap import Container
from truyenthanh.daemon.timer import AirScheduler
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.domain.playout import EndReason, ItemEnded, ItemStarted, PlayItem, PlayoutEvent, RelayOutage
from truyenthanh.domain.schedule import Decision, Misfire, MisfireKind, Planned, Verdict, describe_moment
from truyenthanh.domain.tunes import TUNES
from truyenthanh.errors import AudioError, DaemonError, PermissionDeniedError, TruyenthanhError
from truyenthanh.services.broadcast_log import LogEntry
from truyenthanh.services.ports import Playout
from truyenthanh.services.scheduling import programme_duration

logger = logging.getLogger(__name__)

HEARTBEAT_S = 2.0
"""How often the state file records that the daemon is alive."""
EMERGENCY_TITLE = "Phát khẩn cấp"
JOIN_MARGIN_S = 1.5
"""A late join starts this far ahead, at the position the clock will say then, so the decoder (seeking into
the file) is ready and the join lands exactly on the schedule's timeline."""
WAKE_AHEAD_S = 15.0
"""How long before an airing is handed to the engine the daemon takes back a sound device it gave back."""
KEY_SEPARATOR = "|"


@dataclass
class _ItemInfo:
    """What the log needs to know about one queued item."""

    airing: str
    """Key of the airing (or emergency) it belongs to."""
    programme_title: str
    item_title: str
    item_kind: ItemKind
    priority: Priority
    schedule_id: int | None = None
    programme_id: int | None = None
    category: Category | None = None
    language: str = "vi"
    scheduled_start: datetime | None = None
    outcome: Outcome = Outcome.PLAYED
    """Outcome when it plays to its end (``late`` for an airing played late)."""
    reason: str = ""
    engine: str | None = None
    operator: str | None = None
    approver: str | None = None
    misfire: str = "late:5"
    planned_end: datetime | None = None
    """End of the whole airing as planned (to rejoin it after a crash)."""
    last: bool = False
    """The last item of its airing."""
    actual_start: datetime | None = None
    offset_s: float = 0.0
    resumed: bool = False
    announcement_id: int | None = None
    """The announcement this item reads (marked as aired once it has played)."""

    def to_json(self) -> dict[str, Any]:
        """For the state file."""
        data = dict(self.__dict__)
        for name in ("scheduled_start", "planned_end", "actual_start"):
            value = data[name]
            data[name] = value.isoformat() if value else None
        for name in ("item_kind", "priority", "outcome", "category"):
            data[name] = data[name].value if data[name] is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _ItemInfo:
        """Back from the state file."""
        values = dict(data)
        for name in ("scheduled_start", "planned_end", "actual_start"):
            values[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
        values["item_kind"] = ItemKind(values["item_kind"])
        values["priority"] = Priority(values["priority"])
        values["outcome"] = Outcome(values["outcome"])
        values["category"] = Category(values["category"]) if values.get("category") else None
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})


@dataclass
class _Emergency:
    """The emergency bulletin being repeated."""

    id: int
    title: str
    source: str
    """The combined alert-and-bulletin file."""
    gain_db: float
    every_s: float
    remaining: int | None
    """Airings still to go (``None``: until cancelled)."""
    operator: str | None
    engine: str | None
    announcement_id: int | None = None
    next_at: datetime | None = None
    count: int = 0
    keys: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """For the state file and the status command."""
        data = dict(self.__dict__)
        data["next_at"] = self.next_at.isoformat() if self.next_at else None
        return data


class Daemon:
    """The station's playout daemon. Build it with a container, then :meth:`run` (blocks until SIGTERM).

    Args:
        container: the station's wired services.
        output: overrides the ``output`` setting (``device``, ``file:PATH``, ``icecast:URL``).
        playout: an engine to use instead of building one (tests of the daemon's logic).
    """

    def __init__(self, container: Container, *, output: str | None = None, playout: Playout | None = None) -> None:
        self.container = container
        self.settings = container.settings
        self.clock = container.clock
        self.zone = container.settings.zone
        self.output = output or container.settings.output
        locations = container.locations
        self._lock_file = InstanceLock(locations.runtime_dir / LOCK_FILE)
        self._state = StateFile(locations.data_dir / STATE_FILE)
        self._playout_given = playout
        self.playout: Playout | None = playout
        self._control = ControlServer(locations.runtime_dir, self._command)
        self._air: AirScheduler | None = None
        self._events: queue.SimpleQueue[PlayoutEvent | None] = queue.SimpleQueue()
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._stopping_reason = ""
        self._handled: dict[str, str] = {}
        self._items: dict[str, _ItemInfo] = {}
        self._failed: dict[str, _ItemInfo] = {}
        self._playing: dict[str, _ItemInfo] = {}
        self._emergency: _Emergency | None = None
        self._emergency_seq = 0
        self._cancelled: set[str] = set()
        self._pending_end: dict[str, str] = {}
        """Why an item is about to end by our own command (stop, supersede), by item key."""
        self._alert: PlayItem | None = None
        self._pads_started: set[str] = set()
        """Emergencies whose silence pad (held while the bulletin is prepared) has started."""
        self._ready: dict[str, PlayItem] = {}
        """Emergency bulletins prepared while their alert sounds, by emergency key."""
        self._drain_done = threading.Event()
        self._amp_on = False
        self._used_permits: set[int] = set()
        self._device_error: str | None = None
        """Why the output is not playing (``None`` while it works)."""
        standby = self.settings.output_standby_s
        self._standby_after = standby if self.output == "device" and standby > 0 else None
        """Seconds of quiet after which the sound device is given back (``None``: never)."""
        self._quiet_since = time.monotonic()
        self._started_at = self.clock.now()
        self._logged_keys: set[str] | None = None

    # ------------------------------------------------------------------------------------------ lifecycle

    def run(self) -> int:
        """Run until SIGTERM or SIGINT; returns the exit code.

        A sound device that cannot be opened, or is lost later, does not stop the daemon: it says so in its
        status, logs the airings it cannot play, and opens the device again as soon as it is back.

        Raises:
            DaemonError: another daemon runs for this station.
        """
        self._lock_file.acquire()
        try:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, self._on_signal)
            self.start()
            while not self._stop.wait(HEARTBEAT_S):
                self._watch_device()
                self._standby_or_wake()
                self._save_state()
            self.shutdown()
        finally:
            self._lock_file.release()
        return 0

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self._stopping_reason = f"dịch vụ phát dừng theo tín hiệu {signal.Signals(signum).name}"
        self._stop.set()

    def request_stop(self, reason: str = "dịch vụ phát dừng theo yêu cầu") -> None:
        """Ask :meth:`run` to shut down cleanly."""
        self._stopping_reason = reason
        self._stop.set()

    def start(self) -> None:
        """Recover from the last run, open the output, start the timer and the control socket."""
        previous = self._state.read()
        now = self.clock.now()
        self._handled = dict(previous.get("handled", {}))
        self._prune_handled(now)
        down_since = _parse(previous.get("alive_at")) if previous else None
        self._recover(previous, now)
        self._alert = self._render_alert()
        if self.playout is None:
            self.playout = self.container.make_playout(self.output)
        self.playout.subscribe(self._on_engine_event)
        self._open_device()
        threading.Thread(target=self._event_loop, name="daemon-events", daemon=True).start()
        self._air = AirScheduler(
            service=self.container.scheduling,
            clock=self.clock,
            on_due=self._on_due,
            on_prepare=self._prepare,
            handled=self._is_handled,
            lead_s=self.settings.schedule_lead_s,
        )
        self._air.start(down_since=down_since)
        self._rejoin(previous, now)
        emergency = previous.get("emergency")
        if emergency:
            self._restore_emergency(emergency)
        self._control.start()
        self._save_state()
        logger.info("daemon started: output %s", self.output)

    def shutdown(self) -> None:
        """Stop the timer and the output (logging what was cut), save the state, close the control socket."""
        if self._air is not None:
            self._air.stop()
        if self.playout is not None:
            with self._lock:
                for key in list(self._playing):
                    self._pending_end.setdefault(key, self._stopping_reason or "dịch vụ phát dừng")
            self.playout.close()
        self._events.put(None)
        self._drain_done.wait(10)
        self._amplifier(False)
        self._save_state(clean=True)
        self._control.stop()

    # ------------------------------------------------------------------------------------------- device

    def _open_device(self) -> None:
        """Open the output; on failure remember why (shown in the status)."""
        assert self.playout is not None
        try:
            self.playout.open()
        except AudioError as exc:
            if self._device_error != exc.message:
                logger.error("output unavailable: %s", exc.message)
                self._publish({"type": "problem", "message": exc.message})
            self._device_error = exc.message
            return
        if self._device_error is not None:
            logger.info("output back: %s", self.playout.describe())
            self._publish({"type": "device", "ok": True, "message": f"Đã có lại {self.playout.describe()}."})
        self._device_error = None

    def _lost_message(self) -> str:
        assert self.playout is not None
        return f"Mất {self.playout.describe()}: không phát ra được âm thanh."

    def _watch_device(self) -> None:
        """Every heartbeat: notice a lost output (its airings are logged as failed) and reopen it when back."""
        assert self.playout is not None
        if self._device_error is None and self.playout.alive:
            return
        if self._device_error is None:
            self._device_error = self._lost_message()
            logger.error("output lost: %s", self.playout.describe())
            self._publish({"type": "problem", "message": self._device_error})
            with self._lock:
                for key in self._playing:
                    self._pending_end[key] = self._device_error
                waiting = [info for key, info in self._items.items() if key not in self._playing]
                self._items = {key: info for key, info in self._items.items() if key in self._playing}
            self.playout.close()
            for info in waiting:
                self._log(info, Outcome.FAILED, reason=self._device_error)
        self._open_device()

    def _standby_or_wake(self) -> None:
        """Every heartbeat: give the sound device back after a quiet spell, take it again before an airing."""
        assert self.playout is not None and self._air is not None
        if self._standby_after is None or self._device_error is not None:
            return
        horizon = self.clock.now() + timedelta(seconds=self._air.lead_s + WAKE_AHEAD_S)
        soon = any(planned.start <= horizon for planned in self._air.upcoming())
        if self.playout.standing_by:
            if soon and self._take_output():
                logger.info("output taken for the next airing")
            return
        with self._lock:
            active = bool(self._playing or self._items)  # a repeating emergency takes the device when it is due
        if active or soon:
            self._quiet_since = time.monotonic()
        elif time.monotonic() - self._quiet_since >= self._standby_after and self.playout.standby():
            logger.info("output on standby")

    def _take_output(self) -> bool:
        """Take the output back after a standby; if it cannot be opened, say so and retry at each heartbeat."""
        assert self.playout is not None
        try:
            self.playout.wake()
        except AudioError as exc:
            logger.error("output unavailable: %s", exc.message)
            self._device_error = exc.message
            self._publish({"type": "problem", "message": exc.message})
            self.playout.close()
            return False
        self._quiet_since = time.monotonic()
        return True

    # -------------------------------------------------------------------------------------------- state

    def _save_state(self, *, clean: bool = False) -> None:
        with self._lock:
            data = {
                "pid": os.getpid(),
                "alive_at": self.clock.now().isoformat(),
                "clean": clean,
                "handled": dict(self._handled),
                "playing": {key: info.to_json() for key, info in self._playing.items()},
                "emergency": self._emergency.to_json() if self._emergency else None,
                "emergency_seq": self._emergency_seq,
            }
        try:
            self._state.write(data)
        except OSError as exc:
            logger.error("cannot write the state file: %s", exc)

    def _prune_handled(self, now: datetime) -> None:
        horizon = (now - timedelta(days=3)).isoformat()
        self._handled = {key: at for key, at in self._handled.items() if at >= horizon}

    def _is_handled(self, key: str) -> bool:
        with self._lock:
            if key in self._handled:
                return True
        schedule_id = key.partition("@")[0]
        if not schedule_id.isdigit():
            return False
        if self._logged_keys is None:
            since = self.clock.now() - timedelta(days=3)
            self._logged_keys = {
                f"{sid}@{at.astimezone(UTC).isoformat(timespec='seconds')}"
                for sid, at in self.container.broadcast_log.logged_keys(since)
            }
        return key in self._logged_keys

    def _mark_handled(self, planned: Planned) -> None:
        with self._lock:
            self._handled[planned.occurrence.key] = planned.occurrence.start.isoformat()

    def _recover(self, previous: dict[str, Any], now: datetime) -> None:
        """Log every item that was sounding when the previous run died without a clean stop."""
        alive_at = _parse(previous.get("alive_at")) or now
        for data in previous.get("playing", {}).values():
            info = _ItemInfo.from_json(data)
            played = (alive_at - info.actual_start).total_seconds() if info.actual_start else 0.0
            self._log(
                info,
                Outcome.PARTIAL,
                end=alive_at,
                reason=f"Dịch vụ phát bị dừng đột ngột (mất điện, treo máy hoặc bị tắt cưỡng bức) sau khoảng "
                f"{max(0.0, played):.0f} giây; lần cuối còn chạy lúc {describe_moment(alive_at, self.zone)}.",
            )

    def _rejoin(self, previous: dict[str, Any], now: datetime) -> None:
        """Carry on with an airing the previous run was playing when it died, at the position the clock says."""
        seen: set[str] = set()
        for data in previous.get("playing", {}).values():
            info = _ItemInfo.from_json(data)
            if info.airing in seen or info.schedule_id is None or info.programme_id is None:
                continue
            seen.add(info.airing)
            misfire = Misfire.parse(info.misfire)
            if misfire.kind is MisfireKind.SKIP or info.planned_end is None or info.planned_end <= now:
                continue
            if info.scheduled_start is None:
                continue
            start_at = now + timedelta(seconds=JOIN_MARGIN_S)
            self._play_programme(
                airing=info.airing,
                schedule_id=info.schedule_id,
                programme_id=info.programme_id,
                scheduled_start=info.scheduled_start,
                misfire=info.misfire,
                priority=info.priority,
                offset_s=(start_at - info.scheduled_start).total_seconds(),
                start_at=start_at,
                outcome=Outcome.PLAYED,
                reason="Phát tiếp từ vị trí đúng giờ sau khi dịch vụ phát khởi động lại.",
            )

    # ------------------------------------------------------------------------------------------- airing

    def _prepare(self, planned: list[Planned]) -> None:
        """Make the coming airings ready: announcements rendered, files present, relays reachable."""
        for item in planned:
            try:
                items = self.container.playout.programme_items(item.occurrence.programme_id)
            except TruyenthanhError as exc:
                self._publish({"type": "problem", "airing": item.occurrence.key, "message": exc.message})
                continue
            check = self.container.approvals.check_air(item.occurrence.programme_id)
            problems = [check.reason] if not check.airable else [each.reason for each in check.blocked_items]
            for problem in problems:  # shown to the operator now; logged as skipped at air time
                self._publish({"type": "problem", "airing": item.occurrence.key, "message": problem})
            ids = [each.announcement_id for each in check.items if each.announcement_id is not None]
            if ids:
                try:
                    for rendering in self.container.speech.ensure_rendered(ids, allow_network=True):
                        if rendering.notice:
                            self._publish({"type": "problem", "airing": item.occurrence.key,
                                           "message": rendering.notice})  # fmt: skip
                except TruyenthanhError as exc:
                    self._publish({"type": "problem", "airing": item.occurrence.key, "message": exc.message})
            for play_item in items:
                if play_item.source is not None:
                    try:
                        ffmpeg.probe(play_item.source)
                    except TruyenthanhError as exc:
                        self._publish(
                            {
                                "type": "problem",
                                "airing": item.occurrence.key,
                                "message": f"«{play_item.title}»: {exc.message} Sẽ phát tệp dự phòng nếu có.",
                            }
                        )
                if play_item.kind is ItemKind.RELAY and play_item.relay_url:
                    problem = _probe_relay(play_item.relay_url)
                    if problem:
                        self._publish({"type": "problem", "airing": item.occurrence.key, "message": problem})
        self._schedule_amplifier(planned)

    def _on_due(self, decisions: list[Decision]) -> None:
        """Play or log each airing whose time has come (called by the air scheduler)."""
        for decision in decisions:
            planned = decision.planned
            occurrence = planned.occurrence
            self._mark_handled(planned)
            if decision.verdict is Verdict.MISSED:
                self._log_airing(planned, Outcome.MISSED, decision.reason)
                continue
            now = self.clock.now()
            start_at: datetime | None = planned.start
            offset = 0.0
            outcome = Outcome.PLAYED
            reason = (
                f"Đưa lên trước trong buổi (ưu tiên), lịch gốc {describe_moment(occurrence.start, self.zone)}."
                if (planned.moved)
                else ""
            )
            if decision.verdict is Verdict.LATE:
                start_at, outcome, reason = None, Outcome.LATE, decision.reason
            elif decision.verdict is Verdict.JOIN:
                start_at = now + timedelta(seconds=JOIN_MARGIN_S)
                offset = (start_at - planned.start).total_seconds()
                outcome, reason = Outcome.LATE, decision.reason
            elif start_at is not None and start_at < now:
                start_at = None
            self._play_programme(
                airing=occurrence.key,
                schedule_id=occurrence.schedule_id,
                programme_id=occurrence.programme_id,
                scheduled_start=planned.start,
                misfire=str(occurrence.misfire),
                priority=occurrence.priority,
                offset_s=offset,
                start_at=start_at,
                outcome=outcome,
                reason=reason,
            )
        self._save_state()

    def _play_programme(
        self,
        *,
        airing: str,
        schedule_id: int | None,
        programme_id: int,
        scheduled_start: datetime,
        misfire: str,
        priority: Priority,
        offset_s: float,
        start_at: datetime | None,
        outcome: Outcome,
        reason: str,
        operator: str | None = None,
    ) -> None:
        assert self.playout is not None
        base = _ItemInfo(
            airing=airing,
            programme_title="",
            item_title="",
            item_kind=ItemKind.AUDIO,
            priority=priority,
            schedule_id=schedule_id,
            programme_id=programme_id,
            scheduled_start=scheduled_start,
            misfire=misfire,
            operator=operator,
        )
        try:
            programme = self.container.scheduling.find_programme(programme_id)
            items = self.container.playout.programme_items(programme_id)
            check = self.container.approvals.check_air(programme_id)
        except TruyenthanhError as exc:
            self._log(base, Outcome.FAILED, reason=f"Không chuẩn bị được chương trình: {exc.message}")
            return
        self._take_output()
        if self._device_error is not None:
            self._log(base, Outcome.FAILED, reason=f"Không phát được: {self._device_error}", whole=True)
            self._publish({"type": "problem", "airing": airing, "message": self._device_error})
            return
        if len(check.items) != len(items):
            self._log(base, Outcome.FAILED, reason="Chương trình vừa bị sửa đúng lúc chuẩn bị phát.", whole=True)
            return
        base.programme_title = programme.title
        base.category = programme.category
        base.language = programme.language
        base.approver = check.approver
        if not check.airable:
            self._log(base, Outcome.SKIPPED, reason=check.reason, whole=True)
            self._publish({"type": "problem", "airing": airing, "message": check.reason})
            return
        blocked = {each.position: each.reason for each in check.blocked_items}
        # Probing every file costs time at the moment of hand-over: only a late join needs item lengths.
        lengths = [_length(item) for item in items] if offset_s > 0 else [0.0] * len(items)
        if offset_s > 0:
            total = sum(lengths)
        else:
            with self.container.db.session() as session:
                total = programme_duration(session, programme_id)
        base.planned_end = scheduled_start + timedelta(seconds=total)
        queued: list[PlayItem] = []
        skipped_before = offset_s
        for index, (item, length, state) in enumerate(zip(items, lengths, check.items, strict=True)):
            info = replace(
                base,
                item_title=item.title,
                item_kind=item.kind,
                outcome=outcome,
                reason=reason,
                last=index == len(items) - 1,
                announcement_id=state.announcement_id,
            )
            if state.position in blocked:
                self._log(info, Outcome.SKIPPED, reason=blocked[state.position])
                self._publish({"type": "problem", "airing": airing, "message": blocked[state.position]})
                continue
            if skipped_before >= length > 0:
                skipped_before -= length
                self._log(info, Outcome.MISSED, reason=f"Vào muộn, bỏ qua mục này. {reason}".strip())
                continue
            key = f"{airing}{KEY_SEPARATOR}{item.key}"
            keyed = replace(item, key=key)
            if skipped_before > 0:
                keyed = replace(keyed, start_offset_s=item.start_offset_s + skipped_before)
                info.offset_s = skipped_before
                info.outcome = Outcome.PARTIAL if outcome is Outcome.PLAYED else outcome
                info.reason = f"{reason} Bắt đầu từ giây {skipped_before:.1f} của mục.".strip()
                skipped_before = 0.0
            with self._lock:
                self._items[key] = info
            queued.append(keyed)
        if not queued:
            return
        if priority is Priority.EMERGENCY:
            alert = replace(self._alert_item(), key=f"{airing}{KEY_SEPARATOR}alert")
            with self._lock:
                self._items[alert.key] = replace(base, item_title=alert.title, item_kind=ItemKind.JINGLE,
                                                 programme_title=base.programme_title)  # fmt: skip
            self.playout.preempt([alert, *queued], resume=self.settings.resume_policy == "resume")
        else:
            self.playout.enqueue(queued, start_at=start_at)
        self._publish(
            {
                "type": "queued",
                "airing": airing,
                "programme": base.programme_title,
                "start_at": start_at.isoformat() if start_at else None,
                "items": len(queued),
            }
        )

    def _log_airing(self, planned: Planned, outcome: Outcome, reason: str) -> None:
        occurrence = planned.occurrence
        info = _ItemInfo(
            airing=occurrence.key,
            programme_title=occurrence.title,
            item_title="",
            item_kind=ItemKind.AUDIO,
            priority=occurrence.priority,
            schedule_id=occurrence.schedule_id,
            programme_id=occurrence.programme_id,
            scheduled_start=planned.start,
        )
        with contextlib.suppress(TruyenthanhError):
            programme = self.container.scheduling.find_programme(occurrence.programme_id)
            info.category = programme.category
            info.language = programme.language
        self._log(info, outcome, reason=reason, whole=True)

    # ---------------------------------------------------------------------------------------------- events

    def _on_engine_event(self, event: PlayoutEvent) -> None:
        """From the engine's thread: queue the event; a silence pad starting is answered at once (the bulletin
        waiting behind it must not wait for the log to be written)."""
        if isinstance(event, ItemStarted) and event.item.key.endswith("/pad"):
            airing = event.item.key.rsplit("/", 1)[0]
            with self._lock:
                self._pads_started.add(airing)
            threading.Thread(target=self._bulletin_after_pad, args=(airing,), daemon=True).start()
        self._events.put(event)

    def _event_loop(self) -> None:
        while True:
            event = self._events.get()
            if event is None:
                self._drain_done.set()
                return
            try:
                self._handle_event(event)
            except Exception:  # one bad event must not stop the log
                logger.exception("playout event %r", event)

    def _handle_event(self, event: PlayoutEvent) -> None:
        if isinstance(event, ItemStarted):
            self._on_started(event)
        elif isinstance(event, ItemEnded):
            self._on_ended(event)
        elif isinstance(event, RelayOutage):
            with self._lock:
                info = self._playing.get(event.item.key)
            self._publish(
                {
                    "type": "relay_outage",
                    "item": event.item.title,
                    "start": event.start.isoformat(),
                    "end": event.end.isoformat(),
                    "cause": event.cause,
                    "airing": info.airing if info else None,
                }
            )
            if info is not None:
                info.reason = (info.reason + f" Mất tín hiệu tiếp sóng {event.cause}.").strip()

    def _info_for(self, item: PlayItem, replaced: PlayItem | None = None) -> _ItemInfo:
        with self._lock:
            info = self._items.get(item.key)
            if info is None and replaced is not None:
                info = self._items.get(replaced.key) or self._failed.get(replaced.key)
        if info is None:
            info = _ItemInfo(airing=item.key, programme_title="", item_title=item.title, item_kind=item.kind,
                             priority=Priority.NORMAL)  # fmt: skip
        if replaced is not None:
            info = replace(info, item_title=f"{item.title} (thay cho «{replaced.title}»)", item_kind=item.kind)
        return info

    def _on_started(self, event: ItemStarted) -> None:
        info = self._info_for(event.item, event.replaced)
        with self._lock:
            previous = self._playing.get(event.item.key)
            info.resumed = previous is not None or info.actual_start is not None
            info.actual_start = event.at
            self._playing[event.item.key] = info
            cancelled = info.airing in self._cancelled or event.item.key in self._cancelled
        if cancelled and self.playout is not None:
            with self._lock:
                self._pending_end.setdefault(event.item.key, "Đã hủy hoặc bị thay bằng phát khẩn cấp mới")
            self.playout.skip(event.item.key)

        self._amplifier(True)
        self._save_state()
        self._publish(
            {
                "type": "started",
                "airing": info.airing,
                "programme": info.programme_title,
                "item": info.item_title,
                "priority": info.priority.value,
                "scheduled_start": info.scheduled_start.isoformat() if info.scheduled_start else None,
                "at": event.at.isoformat(timespec="milliseconds"),
            }
        )

    def _on_ended(self, event: ItemEnded) -> None:
        with self._lock:
            info = self._playing.pop(event.item.key, None)
            why = self._pending_end.pop(event.item.key, "")
            if event.reason is not EndReason.PREEMPTED:
                # Forget finished items (a 24/7 process must not grow); a failed one may still be named by
                # the fallback that replaces it, so it is kept among the last few.
                ended = self._items.pop(event.item.key, None)
                if ended is not None and event.reason is EndReason.FAILED:
                    self._failed[event.item.key] = ended
                    while len(self._failed) > 50:
                        self._failed.pop(next(iter(self._failed)))
        if info is None:
            info = self._info_for(event.item)
            if event.reason is not EndReason.FAILED:
                return
        if why == "pad" or (event.item.key.endswith("/pad") and event.item.kind is ItemKind.SILENCE):
            return  # the silence held while the bulletin was prepared is not a broadcast
        reason = event.reason
        seconds = f"{event.position_s:.1f}"
        if reason is EndReason.FINISHED:
            outcome = info.outcome
            text = info.reason + (" Phát tiếp sau khi bị ngắt." if info.resumed else "")
        elif reason is EndReason.PREEMPTED:
            outcome = Outcome.PREEMPTED
            text = f"Bị ngắt ở giây {seconds} để phát khẩn cấp; sẽ phát tiếp ({self.settings.resume_policy})."
        elif reason is EndReason.SKIPPED:
            outcome = Outcome.SKIPPED if event.position_s < 0.5 else Outcome.PARTIAL
            text = why or f"Người vận hành bỏ qua ở giây {seconds}."
        elif reason is EndReason.STOPPED:
            outcome = Outcome.PREEMPTED if why.startswith("Bị thay") else Outcome.PARTIAL
            text = f"{why or 'Người vận hành dừng phát'} (ở giây {seconds})."
        else:
            outcome = Outcome.FAILED
            text = event.detail or "Lỗi khi phát."
        self._log(info, outcome, end=event.at, reason=text.strip())
        if outcome in (Outcome.PLAYED, Outcome.LATE, Outcome.PARTIAL):
            self._mark_aired(info)
        if event.item.key.endswith("/bulletin") and reason is not EndReason.PREEMPTED:
            with self._lock:
                current = self._emergency
                if current is not None and current.next_at is None and current.keys[-1:] == [info.airing]:
                    self._emergency = None  # its last airing is over: no longer shown as running
        self._save_state()
        self._publish(
            {
                "type": "ended",
                "airing": info.airing,
                "programme": info.programme_title,
                "item": info.item_title,
                "outcome": outcome.value,
                "reason": text.strip(),
                "at": event.at.isoformat(timespec="milliseconds"),
            }
        )
        if info.last or reason is not EndReason.FINISHED:
            self._maybe_amplifier_off()

    def _mark_aired(self, info: _ItemInfo) -> None:
        """Approved content that went on air moves to «đã phát» (the programme once its last item has played)."""
        done = [(ContentKind.ANNOUNCEMENT, info.announcement_id)]
        if info.last and info.programme_id is not None:
            done.append((ContentKind.PROGRAMME, info.programme_id))
        for kind, ident in done:
            if ident is None:
                continue
            try:
                self.container.approvals.mark_aired(kind, ident)
            except TruyenthanhError as exc:
                logger.warning("cannot mark %s %s as aired: %s", kind.value, ident, exc.message)

    def _log(
        self, info: _ItemInfo, outcome: Outcome, *, end: datetime | None = None, reason: str = "", whole: bool = False
    ) -> None:
        try:
            self.container.broadcast_log.append(
                LogEntry(
                    outcome=outcome,
                    programme_title=info.programme_title,
                    item_title="" if whole else info.item_title,
                    item_kind=None if whole else info.item_kind,
                    schedule_id=info.schedule_id,
                    programme_id=info.programme_id,
                    category=info.category,
                    language=info.language,
                    priority=info.priority,
                    scheduled_start=info.scheduled_start,
                    actual_start=info.actual_start,
                    end=end,
                    reason=reason,
                    engine=info.engine,
                    operator=info.operator,
                    approver=info.approver,
                )
            )
        except TruyenthanhError as exc:
            logger.error("cannot write the broadcast log: %s", exc.message)

    def _publish(self, event: dict[str, Any]) -> None:
        self._control.publish({**event, "sent_at": self.clock.now().isoformat(timespec="milliseconds")})

    # ----------------------------------------------------------------------------------------- emergencies

    def _render_alert(self) -> PlayItem:
        """The alert tune, rendered once into the cache and measured, ready to cut in at any moment."""
        target = self.container.locations.cache_dir / "tunes" / "alert.wav"
        if not target.is_file():
            ffmpeg.render_tune(TUNES["alert"], target)
        item = self.container.playout.file_items([target])[0]
        return replace(item, key="alert", title=TUNES["alert"].title, kind=ItemKind.JINGLE)

    def emergency(
        self,
        *,
        text: str | None = None,
        file: str | None = None,
        repeat: int = 1,
        every_min: float = 120.0,
        until_cancelled: bool = False,
        permit: int | None = None,
    ) -> dict[str, Any]:
        """Cut in at once with the alert tone, then the bulletin (spoken ``text`` or ``file``) as soon as it is
        ready; repeat it ``repeat`` times (or until cancelled) every ``every_min`` minutes, superseding any
        running emergency. Returns at once; the bulletin is prepared while the alert sounds.

        ``permit`` is the authorisation :meth:`ApprovalService.send_emergency` recorded (its audit entry id):
        only an authorised person's bulletin cuts in, each authorisation once; the sender is logged.

        Raises:
            DaemonError: neither text nor file, the file is missing, or the repeat settings are invalid.
            PermissionDeniedError: no valid, unused authorisation.
        """
        if permit is None:
            raise PermissionDeniedError(
                "Lệnh phát khẩn cấp cần được cấp phép: gửi qua «truyenthanh emergency» hoặc màn hình Khẩn cấp."
            )
        granted = self.container.approvals.emergency_permit(permit)
        self._take_output()
        if self._device_error is not None:
            raise DaemonError(f"Không phát khẩn cấp được: {self._device_error}")
        if bool(text) == bool(file):
            raise DaemonError("Cần đúng một trong hai: nội dung cần đọc, hoặc --file TỆP.")
        if repeat < 1 or every_min <= 0:
            raise DaemonError("Số lần phát phải từ 1 trở lên và khoảng cách phải lớn hơn 0 phút.")
        source = Path(file).expanduser() if file else None
        if source is not None and not source.is_file():
            raise DaemonError(f"Không thấy tệp {source}.")
        with self._lock:
            if permit in self._used_permits:
                raise PermissionDeniedError("Giấy phép phát khẩn cấp này đã được dùng: hãy gửi lại lệnh khẩn cấp.")
            self._used_permits.add(permit)
            self._emergency_seq += 1
            previous = self._emergency
            current = _Emergency(
                id=self._emergency_seq,
                title=(text or "")[:60] or (source.stem if source else ""),
                source="",
                gain_db=0.0,
                every_s=every_min * 60,
                remaining=None if until_cancelled else repeat,
                operator=granted.sender,
                engine=None,
                announcement_id=granted.announcement_id,
            )
            self._emergency = current
        if previous is not None:
            self._cancel_keys(previous, "Bị thay bằng bản tin khẩn cấp mới")
        if self._air is not None:
            self._air.cancel("emergency:repeat")
        key = self._next_emergency_key(current)
        pad = PlayItem(key=f"{key}/pad", title="Chờ bản tin", kind=ItemKind.SILENCE, duration_s=30.0)
        self._queue_emergency(current, key, [replace(self._alert_item(), key=f"{key}/alert"), pad])
        threading.Thread(
            target=self._prepare_bulletin, args=(current, key, text, source), name="emergency", daemon=True
        ).start()
        return current.to_json()

    def _alert_item(self) -> PlayItem:
        assert self._alert is not None
        return self._alert

    def _next_emergency_key(self, current: _Emergency) -> str:
        with self._lock:
            current.count += 1
            if current.remaining is not None:
                current.remaining -= 1
            key = f"emergency:{current.id}:{current.count}"
            current.keys.append(key)
            again = current.remaining is None or current.remaining > 0
            current.next_at = self.clock.now() + timedelta(seconds=current.every_s) if again else None
        return key

    def _queue_emergency(self, current: _Emergency, key: str, items: list[PlayItem]) -> None:
        """Cut in with ``items``; an emergency still sounding is ended first so it never resumes afterwards."""
        assert self.playout is not None
        total = f"/{current.count + current.remaining}" if current.remaining is not None else ""
        with self._lock:
            for item in items:
                self._items[item.key] = _ItemInfo(
                    airing=key,
                    programme_title=EMERGENCY_TITLE,
                    item_title=item.title if item.kind is not ItemKind.SILENCE else "",
                    item_kind=item.kind,
                    priority=Priority.EMERGENCY,
                    category=Category.EMERGENCY,
                    scheduled_start=self.clock.now(),
                    engine=current.engine if item.kind is ItemKind.ANNOUNCEMENT else None,
                    announcement_id=current.announcement_id if item.kind is ItemKind.ANNOUNCEMENT else None,
                    operator=current.operator,
                    approver=current.operator,
                    reason=f"Khẩn cấp, lần {current.count}{total}.",
                )
            # An emergency item still sounding is cut by this one; it must not resume afterwards, so it is
            # skipped the moment it starts again (the engine has no "drop": a skip before the cut-in would let
            # the interrupted programme sound while the cut-in's decoder opens).
            own = {item.key for item in items}
            for k, info in self._playing.items():
                if info.airing.startswith("emergency:") and k not in own and not k.endswith("/pad"):
                    self._cancelled.add(k)
        self.playout.preempt(items, resume=self.settings.resume_policy == "resume")
        self._publish({"type": "emergency", "id": current.id, "count": current.count, "title": current.title})

    def _prepare_bulletin(self, current: _Emergency, key: str, text: str | None, source: Path | None) -> None:
        """Render or measure the bulletin while the alert sounds, then put it on air in place of the pad."""
        try:
            if text:
                speech = self.container.speech
                rendering = (
                    speech.render_announcement(current.announcement_id)
                    if current.announcement_id is not None
                    else speech.synthesize(text, title=f"Khẩn cấp: {text[:40]}", category=Category.EMERGENCY)
                )
                asset = rendering.asset
                path = self.container.locations.media_dir / asset.path
                current.engine = asset.engine
                current.title = asset.title
                if rendering.notice:
                    self._publish({"type": "problem", "message": rendering.notice})
            else:
                assert source is not None
                path = source.resolve()
            bulletin = self.container.playout.file_items([path])[0]
        except TruyenthanhError as exc:
            self._publish({"type": "problem", "message": f"Không chuẩn bị được bản tin khẩn cấp: {exc.message}"})
            self._log(self._bulletin_info(current, key), Outcome.FAILED,
                      reason=f"Không chuẩn bị được bản tin khẩn cấp: {exc.message}")  # fmt: skip
            self._skip_pad(key)
            return
        with self._lock:
            current.source = str(path)
            current.gain_db = bulletin.gain_db
            self._ready[key] = replace(bulletin, key=f"{key}/bulletin", title=current.title,
                                       kind=ItemKind.ANNOUNCEMENT)  # fmt: skip
            pad_on_air = key in self._pads_started
        if pad_on_air:
            self._bulletin_after_pad(key)
        if current.next_at is not None and self._air is not None and self._emergency is current:
            self._air.at(current.next_at, "emergency:repeat", self._repeat_emergency)
        self._save_state()

    @staticmethod
    def _bulletin_info(current: _Emergency, key: str) -> _ItemInfo:
        """The log entry of an emergency airing that did not reach the speaker."""
        return _ItemInfo(airing=key, programme_title=EMERGENCY_TITLE, item_title=current.title,
                         item_kind=ItemKind.ANNOUNCEMENT, priority=Priority.EMERGENCY, category=Category.EMERGENCY,
                         operator=current.operator)  # fmt: skip

    def _bulletin_after_pad(self, key: str) -> None:
        """Replace the silence pad with the ready bulletin (called when both are there)."""
        assert self.playout is not None
        with self._lock:
            bulletin = self._ready.pop(key, None)
            current = self._emergency
            if bulletin is None or key in self._cancelled or current is None:
                return
            self._cancelled.add(f"{key}/pad")  # it resumes after the bulletin: skipped at once (silence)
        self._queue_emergency(current, key, [bulletin])

    def _skip_pad(self, key: str) -> None:
        assert self.playout is not None
        with self._lock:
            self._cancelled.add(key)
            on_air = f"{key}/pad" in self._playing
            if on_air:
                self._pending_end[f"{key}/pad"] = "pad"
        if on_air:
            self.playout.skip(f"{key}/pad")

    def _repeat_emergency(self) -> None:
        """The next airing of the running emergency: alert and bulletin together (already prepared)."""
        with self._lock:
            current = self._emergency
            if current is None or not current.source:
                return
        key = self._next_emergency_key(current)
        bulletin = PlayItem(key=f"{key}/bulletin", title=current.title, kind=ItemKind.ANNOUNCEMENT,
                            source=Path(current.source), gain_db=current.gain_db)  # fmt: skip
        self._take_output()
        if self._device_error is not None:
            self._log(self._bulletin_info(current, key), Outcome.FAILED,
                      reason=f"Không phát được: {self._device_error}")  # fmt: skip
        else:
            self._queue_emergency(current, key, [replace(self._alert_item(), key=f"{key}/alert"), bulletin])
        if current.next_at is not None and self._air is not None:
            self._air.at(current.next_at, "emergency:repeat", self._repeat_emergency)
        else:
            with self._lock:
                if self._emergency is current:
                    self._emergency = None
        self._save_state()

    def _cancel_keys(self, old: _Emergency, why: str) -> None:
        assert self.playout is not None
        with self._lock:
            self._cancelled.update(old.keys)
            sounding = [k for k, info in self._playing.items() if info.airing in old.keys]
            for k in sounding:
                self._pending_end[k] = why
        if sounding and why.startswith("Đã hủy"):
            self.playout.skip()  # a cancel cuts it now; a superseded one is cut by the new emergency

    def cancel_emergency(self) -> dict[str, Any]:
        """Stop the running emergency now and cancel its repeats.

        Raises:
            DaemonError: there is no emergency running.
        """
        with self._lock:
            current, self._emergency = self._emergency, None
        if current is None:
            raise DaemonError("Không có phát khẩn cấp nào đang chạy.")
        if self._air is not None:
            self._air.cancel("emergency:repeat")
        self._cancel_keys(current, "Đã hủy phát khẩn cấp")
        self._save_state()
        self._publish({"type": "emergency_cancelled", "id": current.id})
        return current.to_json()

    def _restore_emergency(self, data: dict[str, Any]) -> None:
        """Carry on repeating the emergency of the previous run (day and night until done or cancelled)."""
        assert self._air is not None
        emergency = _Emergency(**{k: v for k, v in data.items() if k in _Emergency.__dataclass_fields__})
        emergency.next_at = _parse(data.get("next_at"))
        self._emergency_seq = max(self._emergency_seq, emergency.id)
        if emergency.next_at is None or not emergency.source:
            return
        self._emergency = emergency
        self._air.at(max(emergency.next_at, self.clock.now()), "emergency:repeat", self._repeat_emergency)

    # ----------------------------------------------------------------------------------------- amplifier

    def _schedule_amplifier(self, planned: list[Planned]) -> None:
        if not self.settings.amplifier_on_command or self._air is None:
            return
        lead = timedelta(seconds=self.settings.amplifier_lead_s)
        for item in planned:
            when = item.start - lead
            if when > self.clock.now():
                self._air.at(when, f"amplifier:{item.occurrence.key}", lambda: self._amplifier(True))

    def _amplifier(self, on: bool) -> None:
        command = self.settings.amplifier_on_command if on else self.settings.amplifier_off_command
        with self._lock:
            if self._amp_on == on:
                return
            self._amp_on = on
        if not command:
            return
        try:
            subprocess.run(shlex.split(command), check=True, timeout=30, capture_output=True)
        except (OSError, subprocess.SubprocessError) as exc:
            logger.error("amplifier command %r failed: %s", command, exc)
            self._publish({"type": "problem", "message": f"Lệnh bật/tắt âm ly lỗi: {exc}"})

    def _maybe_amplifier_off(self) -> None:
        if not self.settings.amplifier_off_command or self._air is None:
            return
        lead = timedelta(seconds=self.settings.amplifier_lead_s)
        upcoming = self._air.upcoming()
        with self._lock:
            busy = bool(self._playing)
        soon = upcoming and upcoming[0].start - self.clock.now() < 2 * lead + timedelta(seconds=60)
        if not busy and not soon:
            self._air.at(self.clock.now() + lead, "amplifier:off", self._amplifier_off_if_idle)

    def _amplifier_off_if_idle(self) -> None:
        with self._lock:
            busy = bool(self._playing)
        if not busy:
            self._amplifier(False)

    # ------------------------------------------------------------------------------------------- control

    def status(self) -> dict[str, Any]:
        """What the daemon is doing, JSON-ready (the ``status`` command)."""
        assert self.playout is not None
        engine = self.playout.status()
        with self._lock:
            playing = next(iter(self._playing.values()), None)
            emergency = self._emergency.to_json() if self._emergency else None
        upcoming = self._air.upcoming()[:5] if self._air else []
        problem = self._device_error or (None if self.playout.alive else self._lost_message())
        return {
            "running": True,
            "pid": os.getpid(),
            "started_at": self._started_at.isoformat(),
            "output": self.output,
            "device": {
                "ok": problem is None,
                "name": self.playout.describe(),
                "error": problem,
                "standby": self.playout.standing_by,
            },
            "now": self.clock.now().isoformat(timespec="milliseconds"),
            "playing": None
            if playing is None
            else {
                "airing": playing.airing,
                "programme": playing.programme_title,
                "item": playing.item_title,
                "priority": playing.priority.value,
                "started_at": playing.actual_start.isoformat(timespec="milliseconds") if playing.actual_start else None,
                "position_s": round(engine.position_s, 3),
                "duration_s": engine.duration_s,
            },
            "level_dbfs": round(engine.level_dbfs, 1),
            "queued": len(engine.queued),
            "emergency": emergency,
            "upcoming": [
                {
                    "schedule_id": p.occurrence.schedule_id,
                    "programme": p.occurrence.title,
                    "start": p.start.isoformat(),
                    "priority": p.occurrence.priority.value,
                }
                for p in upcoming
            ],
            "amplifier_on": self._amp_on,
        }

    def _command(self, name: str, args: dict[str, Any]) -> Any:
        """Answer one control command (from a connection thread)."""
        assert self.playout is not None and self._air is not None
        if name == "ping":
            return "pong"
        if name == "status":
            return self.status()
        if name == "now_playing":
            return self.status()["playing"]
        if name == "stop":
            with self._lock:
                for key in self._playing:
                    self._pending_end[key] = f"Người vận hành {args.get('operator') or ''} dừng phát".replace("  ", " ")
            self.playout.stop()
            return None
        if name == "skip":
            if args.get("operator"):
                with self._lock:
                    for key in self._playing:
                        self._pending_end[key] = f"Người vận hành {args['operator']} bỏ qua."
            self.playout.skip()
            return None
        if name == "reload":
            self._air.rebuild()
            return {"upcoming": len(self._air.upcoming())}
        if name == "play_now":
            programme = self.container.scheduling.find_programme(args.get("programme", ""))
            assert programme.id is not None
            now = self.clock.now()
            key = f"now:{programme.id}@{now.isoformat(timespec='milliseconds')}"
            self._play_programme(
                airing=key,
                schedule_id=None,
                programme_id=programme.id,
                scheduled_start=now,
                misfire="skip",
                priority=Priority(args.get("priority", Priority.NORMAL.value)),
                offset_s=0.0,
                start_at=None,
                outcome=Outcome.PLAYED,
                reason="Phát ngay theo lệnh của người vận hành.",
                operator=args.get("operator"),
            )
            return {"airing": key}
        if name == "emergency":
            return self.emergency(
                text=args.get("text"),
                file=args.get("file"),
                repeat=int(args.get("repeat", 1)),
                every_min=float(args.get("every_min", 120)),
                until_cancelled=bool(args.get("until_cancelled", False)),
                permit=int(args["permit"]) if args.get("permit") is not None else None,
            )
        if name == "cancel":
            return self.cancel_emergency()
        raise DaemonError(
            f"Lệnh «{name}» không có. Các lệnh: status, now_playing, play_now, stop, skip, emergency, cancel, reload."
        )


def _length(item: PlayItem) -> float:
    """Seconds an item will sound (probing its file when the item does not say)."""
    if item.duration_s is not None:
        return max(0.0, item.duration_s - item.start_offset_s)
    if item.source is not None and item.source.is_file():
        try:
            return max(0.0, ffmpeg.probe(item.source).duration_s - item.start_offset_s)
        except TruyenthanhError:
            return 0.0
    return 0.0


def _probe_relay(url: str) -> str:
    """A Vietnamese problem description if the relay stream cannot be opened within 5 s, else ``""``."""
    try:
        result = subprocess.run(
            ["ffprobe", "-v", "error", "-rw_timeout", "5000000", "-i", url],
            capture_output=True,
            text=True,
            timeout=8,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Không kiểm tra được luồng tiếp sóng {url}: {exc}."
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "không mở được"
        return f"Luồng tiếp sóng {url} hiện không vào được ({detail}); sẽ phát tệp dự phòng nếu mất tín hiệu."
    return ""


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).astimezone(UTC)
    except ValueError:
        return None


def run(container: Container, *, output: str | None = None) -> int:
    """Run the daemon for one station until SIGTERM (the ``truyenthanh daemon`` command)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return Daemon(container, output=output).run()


__all__ = ["Daemon", "run"]
