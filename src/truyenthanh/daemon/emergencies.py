"""Emergencies: the alert tone cuts in at once, the bulletin follows as soon as it is ready, and it repeats
(every two hours by default, day and night) until done, cancelled, or superseded by a newer one.

A spoken bulletin never waits on the network: it is rendered as due now, so the offline voice reads it at once
unless a gTTS rendering of the same text is already cached; gTTS is asked in the background and, if it
answers, its rendering is used for the repeats (:meth:`~truyenthanh.services.speech.SpeechService.synthesize`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from truyenthanh.adapters import ffmpeg
from truyenthanh.bootstrap import Container
from truyenthanh.daemon.journal import Journal
from truyenthanh.daemon.keeper import OutputKeeper
from truyenthanh.daemon.ledger import Ledger
from truyenthanh.daemon.records import EMERGENCY_TITLE, ItemRecord
from truyenthanh.daemon.timer import AirScheduler
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.domain.passes import token_digest
from truyenthanh.domain.playout import PlayItem
from truyenthanh.domain.tunes import TUNES
from truyenthanh.errors import DaemonError, PermissionDeniedError, TruyenthanhError
from truyenthanh.protocol import EmergencyCancelled, EmergencyStarted, EmergencyState, Problem

if TYPE_CHECKING:
    from truyenthanh.services.approvals import EmergencyPermit
    from truyenthanh.services.speech import Rendering

logger = logging.getLogger(__name__)

REPEAT_JOB = "emergency:repeat"
PAD_S = 30.0
"""Silence held after the alert while the bulletin is prepared (replaced by the bulletin once it is ready)."""


@dataclass
class Emergency:
    """The emergency bulletin being repeated (the mutable form of :class:`~truyenthanh.protocol.EmergencyState`,
    changed under the ledger's lock)."""

    id: int
    title: str
    source: str
    """The bulletin's audio file (empty while it is being prepared)."""
    gain_db: float
    every_s: float
    remaining: int | None
    """Airings still to go (``None``: until cancelled)."""
    operator: str | None
    engine: str | None
    announcement_id: int | None = None
    next_at: datetime | None = None
    """When it airs again (``None``: no more)."""
    count: int = 0
    keys: list[str] = field(default_factory=list)

    def state(self) -> EmergencyState:
        """A snapshot for the status and the state file."""
        return EmergencyState(**{**self.__dict__, "keys": tuple(self.keys)})

    @classmethod
    def from_state(cls, state: EmergencyState) -> Emergency:
        """Back from a snapshot (the state file of an earlier run)."""
        return cls(**{**state.__dict__, "keys": list(state.keys)})


class FanOut(Protocol):
    """Where an emergency goes besides the station's own output: its loudspeaker clusters (the daemon's fleet
    part). Its methods never raise: the local emergency goes on whatever happens there."""

    def alert(self, emergency_id: int, title: str, zones: tuple[str, ...] | None, actor: str) -> None:
        """Emergency ``emergency_id`` starts: sound the alert on ``zones`` (``None``: all) now, before its
        bulletin exists."""
        ...

    def bulletin(self, emergency_id: int, title: str, path: Path, zones: tuple[str, ...] | None, actor: str) -> None:
        """The bulletin of airing ``emergency_id`` is ready at ``path``: send it to ``zones`` (``None``: all)."""
        ...

    def cancelled(self, emergency_id: int, actor: str) -> None:
        """Emergency ``emergency_id`` was cancelled."""
        ...


@dataclass(frozen=True)
class EmergencyRequest:
    """What the ``emergency`` command asks for."""

    text: str | None = None
    file: str | None = None
    repeat: int = 1
    every_min: float = 120.0
    until_cancelled: bool = False
    permit: str | None = None
    """The secret of the authorisation :meth:`ApprovalService.send_emergency` recorded (its ``token``)."""
    zones: tuple[str, ...] | None = None
    """The loudspeaker-cluster zones (slugs) it goes to as well (``None``: every zone) when the fleet is on."""


class Emergencies:
    """The emergency lifecycle: start (with its permit), cut-in, bulletin preparation, repeats, cancel, and
    carrying a running emergency on after a restart.

    Args:
        container: the station's services (approvals, speech, play items, cache folder).
        ledger: the items handed to the engine (and the lock).
        journal: the broadcast log and events.
        keeper: the speaker.
        timer: runs the repeats.
    """

    def __init__(
        self, container: Container, ledger: Ledger, journal: Journal, keeper: OutputKeeper, timer: AirScheduler
    ) -> None:
        self._container = container
        self._clock = container.clock
        self._ledger = ledger
        self._journal = journal
        self._keeper = keeper
        self._timer = timer
        self.current: Emergency | None = None
        """The emergency running now."""
        self._seq = 0
        self._used_permits: set[str] = set()
        """Digests of the permits this run used (the database and the log journal keep them for good)."""
        self._pads_started: set[str] = set()
        """Emergencies whose silence pad (held while the bulletin is prepared) has started."""
        self._ready: dict[str, PlayItem] = {}
        """Emergency bulletins prepared while their alert sounds, by emergency key."""
        self._alert: PlayItem | None = None
        self.spawn: Callable[[Callable[[], None]], None] = _in_thread
        self.fan_out: FanOut | None = None
        """The loudspeaker clusters, when the fleet is enabled."""
        self._zones: dict[int, tuple[str, ...] | None] = {}
        """The zones each emergency of this run goes to (a restored one goes to every zone)."""
        """Runs background work (preparing a bulletin, replacing a pad); tests on a frozen clock run it inline."""

    # ----------------------------------------------------------------------------------------- the alert

    def render_alert(self) -> None:
        """The alert tune, rendered once into the cache and measured, ready to cut in at any moment."""
        target = self._container.locations.cache_dir / "tunes" / "alert.wav"
        if not target.is_file():
            ffmpeg.render_tune(TUNES["alert"], target)
        item = self._container.playout.file_items([target])[0]
        self._alert = replace(item, key="alert", title=TUNES["alert"].title, kind=ItemKind.JINGLE)

    def alert(self, key: str) -> PlayItem:
        """The alert tone as an item with this key."""
        assert self._alert is not None
        return replace(self._alert, key=key)

    @property
    def _resume(self) -> bool:
        return self._container.settings.resume_policy == "resume"

    # -------------------------------------------------------------------------------------- state file

    def snapshot(self) -> tuple[dict[str, Any] | None, int]:
        """The running emergency as the state file keeps it, and the last emergency number."""
        with self._ledger.lock:
            return (self.current.state().to_json() if self.current else None), self._seq

    def restore(self, data: dict[str, Any]) -> None:
        """Carry on repeating the emergency of the previous run (day and night until done or cancelled)."""
        emergency = Emergency.from_state(EmergencyState.from_json(data))
        if emergency.next_at is not None:
            emergency.next_at = emergency.next_at.astimezone(UTC)
        self._seq = max(self._seq, emergency.id)
        if emergency.next_at is None or not emergency.source:
            return
        self.current = emergency
        self._timer.at(max(emergency.next_at, self._clock.now()), REPEAT_JOB, self.repeat)

    # ------------------------------------------------------------------------------------------ start

    def check_permit(self, token: str | None) -> EmergencyPermit:
        """The permit behind ``token`` if it may still be used: recorded, within its 10 minutes, and never used
        (by this run, or by an earlier one: its use is in the database or still in the log journal).

        Raises:
            PermissionDeniedError: no permit, an unknown or expired one, or one used already.
        """
        granted = self._container.approvals.emergency_permit(token)
        digest = token_digest(str(token))
        with self._ledger.lock:
            used = digest in self._used_permits
        if used or self._journal.permit_pending(digest):
            raise PermissionDeniedError("Giấy phép phát khẩn cấp này đã được dùng: hãy gửi lại lệnh khẩn cấp.")
        return granted

    def use_permit(self, token: str) -> None:
        """Spend a checked permit for good, before anything plays: remembered, journalled (fsync'd) and written
        to the database in order with the log rows (see :meth:`Journal.use_permit`).

        Raises:
            PermissionDeniedError: it was used meanwhile (two commands with the same permit at once).
        """
        digest = token_digest(token)
        with self._ledger.lock:
            if digest in self._used_permits:
                raise PermissionDeniedError("Giấy phép phát khẩn cấp này đã được dùng: hãy gửi lại lệnh khẩn cấp.")
            self._used_permits.add(digest)
        self._journal.use_permit(digest)

    def start(self, request: EmergencyRequest) -> EmergencyState:
        """Cut in at once with the alert tone, then the bulletin (spoken ``text`` or ``file``) as soon as it is
        ready; repeat it ``repeat`` times (or until cancelled) every ``every_min`` minutes, superseding any
        running emergency. Returns at once; the bulletin is prepared while the alert sounds.

        Only an authorised person's bulletin cuts in, each authorisation once; the sender is logged.

        Raises:
            DaemonError: neither text nor file, the file is missing, or the repeat settings are invalid.
            PermissionDeniedError: no valid, unused authorisation.
        """
        granted = self.check_permit(request.permit)
        if granted.programme_id is not None:
            raise PermissionDeniedError("Giấy phép này dành cho việc phát ngay một chương trình, không phải bản tin.")
        self._keeper.take()
        if self._keeper.error is not None:
            raise DaemonError(f"Không phát khẩn cấp được: {self._keeper.error}")
        text, file = request.text, request.file
        if bool(text) == bool(file):
            raise DaemonError("Cần đúng một trong hai: nội dung cần đọc, hoặc --file TỆP.")
        if request.repeat < 1 or request.every_min <= 0:
            raise DaemonError("Số lần phát phải từ 1 trở lên và khoảng cách phải lớn hơn 0 phút.")
        source = Path(file).expanduser() if file else None
        if source is not None and not source.is_file():
            raise DaemonError(f"Không thấy tệp {source}.")
        assert request.permit is not None  # checked above
        self.use_permit(request.permit)
        with self._ledger.lock:
            self._seq += 1
            previous = self.current
            current = Emergency(
                id=self._seq,
                title=(text or "")[:60] or (source.stem if source else ""),
                source="",
                gain_db=0.0,
                every_s=request.every_min * 60,
                remaining=None if request.until_cancelled else request.repeat,
                operator=granted.sender,
                engine=None,
                announcement_id=granted.announcement_id,
            )
            self.current = current
        if previous is not None:
            self._cancel_keys(previous, "Bị thay bằng bản tin khẩn cấp mới")
        self._timer.cancel(REPEAT_JOB)
        self._zones[current.id] = request.zones
        key = self._next_key(current)
        pad = PlayItem(key=f"{key}/pad", title="Chờ bản tin", kind=ItemKind.SILENCE, duration_s=PAD_S)
        self._cut_in(current, key, [self.alert(f"{key}/alert"), pad])
        self.spawn(partial(self._prepare_bulletin, current, key, text, source))
        return current.state()

    def _next_key(self, current: Emergency) -> str:
        with self._ledger.lock:
            current.count += 1
            if current.remaining is not None:
                current.remaining -= 1
            key = f"emergency:{current.id}:{current.count}"
            current.keys.append(key)
            again = current.remaining is None or current.remaining > 0
            current.next_at = self._clock.now() + timedelta(seconds=current.every_s) if again else None
        return key

    def _cut_in(self, current: Emergency, key: str, items: list[PlayItem]) -> None:
        """Cut in with ``items``; an emergency still sounding is ended first so it never resumes afterwards."""
        total = f"/{current.count + current.remaining}" if current.remaining is not None else ""
        with self._ledger.lock:
            for item in items:
                self._ledger.items[item.key] = ItemRecord(
                    airing=key,
                    programme_title=EMERGENCY_TITLE,
                    item_title=item.title if item.kind is not ItemKind.SILENCE else "",
                    item_kind=item.kind,
                    priority=Priority.EMERGENCY,
                    category=Category.EMERGENCY,
                    scheduled_start=self._clock.now(),
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
            for k, record in self._ledger.playing.items():
                if record.airing.startswith("emergency:") and k not in own and not k.endswith("/pad"):
                    self._ledger.cancelled.add(k)
        self._keeper.engine.preempt(items, resume=self._resume)
        self._journal.publish(EmergencyStarted(id=current.id, count=current.count, title=current.title))

    # ------------------------------------------------------------------------------------- the bulletin

    def _prepare_bulletin(self, current: Emergency, key: str, text: str | None, source: Path | None) -> None:
        """Render or measure the bulletin while the alert sounds, then put it on air in place of the pad (the
        clusters' alert goes out first: it must not wait for the rendering)."""
        if self.fan_out is not None:
            self.fan_out.alert(current.id, current.title, self._zones.get(current.id), current.operator or "")
        try:
            path, upgrade = self._bulletin_file(current, text, source)
            self._send_out(current, path)
            bulletin = self._container.playout.file_items([path])[0]
        except TruyenthanhError as exc:
            why = f"Không chuẩn bị được bản tin khẩn cấp: {exc.message}"
            self._journal.publish(Problem(message=why))
            self._journal.log(self._bulletin_record(current, key), Outcome.FAILED, reason=why)
            self._skip_pad(key)
            return
        with self._ledger.lock:
            current.source = str(path)
            current.gain_db = bulletin.gain_db
            self._ready[key] = replace(bulletin, key=f"{key}/bulletin", title=current.title,
                                       kind=ItemKind.ANNOUNCEMENT)  # fmt: skip
            pad_on_air = key in self._pads_started
        if pad_on_air:
            self.bulletin_after_pad(key)
        if current.next_at is not None and self.current is current:
            self._timer.at(current.next_at, REPEAT_JOB, self.repeat)
        self._journal.save()
        if upgrade is not None:
            # Only now: a rendering that arrived already must not be overwritten by the offline one above.
            upgrade.add_done_callback(partial(self._use_online, current))

    def _bulletin_file(
        self, current: Emergency, text: str | None, source: Path | None
    ) -> tuple[Path, Future[Rendering] | None]:
        """The bulletin's audio: the spoken text rendered at once (its title and engine noted), or the given
        file; and the better rendering still to come, if any."""
        if not text:
            assert source is not None
            return source.resolve(), None
        speech = self._container.speech
        now = self._clock.now()
        rendering = (
            speech.render_announcement(current.announcement_id, due=now)
            if current.announcement_id is not None
            else speech.synthesize(text, title=f"Khẩn cấp: {text[:40]}", category=Category.EMERGENCY, due=now)
        )
        asset = rendering.asset
        current.engine = asset.engine
        current.title = asset.title
        if rendering.notice:
            self._journal.publish(Problem(message=rendering.notice))
        return self._container.locations.media_dir / asset.path, rendering.upgrade

    def _use_online(self, current: Emergency, upgrade: Future[Rendering]) -> None:
        """From the speech service's background thread: the gTTS rendering arrived; the repeats use it."""
        failure = upgrade.exception()
        if failure is not None:
            logger.info("emergency %s keeps its offline voice: %s", current.id, getattr(failure, "message", failure))
            return
        asset = upgrade.result().asset
        path = self._container.locations.media_dir / asset.path
        try:
            item = self._container.playout.file_items([path])[0]
        except TruyenthanhError as exc:
            logger.warning("emergency %s keeps its offline voice: %s", current.id, exc.message)
            return
        with self._ledger.lock:
            if self.current is not current:
                return
            current.source = str(path)
            current.gain_db = item.gain_db
            current.engine = asset.engine
        self._journal.save()

    def _send_out(self, current: Emergency, path: Path) -> None:
        """The bulletin to the loudspeaker clusters too, as soon as its audio exists."""
        if self.fan_out is not None:
            zones = self._zones.get(current.id)
            self.fan_out.bulletin(current.id, current.title, path, zones, current.operator or "")

    @staticmethod
    def _bulletin_record(current: Emergency, key: str) -> ItemRecord:
        """The log entry of an emergency airing that did not reach the speaker."""
        return ItemRecord(airing=key, programme_title=EMERGENCY_TITLE, item_title=current.title,
                          item_kind=ItemKind.ANNOUNCEMENT, priority=Priority.EMERGENCY, category=Category.EMERGENCY,
                          operator=current.operator)  # fmt: skip

    def pad_started(self, key: str) -> None:
        """From the engine's thread: the silence pad of emergency airing ``key`` is on air; the bulletin waiting
        behind it is put on air from another thread (it must not wait for the log to be written)."""
        with self._ledger.lock:
            self._pads_started.add(key)
        self.spawn(partial(self.bulletin_after_pad, key))

    def bulletin_after_pad(self, key: str) -> None:
        """Replace the silence pad with the ready bulletin (called when both are there)."""
        with self._ledger.lock:
            bulletin = self._ready.pop(key, None)
            current = self.current
            if bulletin is None or key in self._ledger.cancelled or current is None:
                return
            self._ledger.cancelled.add(f"{key}/pad")  # it resumes after the bulletin: skipped at once (silence)
        self._cut_in(current, key, [bulletin])

    def _skip_pad(self, key: str) -> None:
        with self._ledger.lock:
            self._ledger.cancelled.add(key)
            on_air = f"{key}/pad" in self._ledger.playing
            if on_air:
                self._ledger.pending_end[f"{key}/pad"] = "pad"
        if on_air:
            self._keeper.engine.skip(f"{key}/pad")

    def bulletin_ended(self, airing: str) -> None:
        """A bulletin played out: once the last airing's is over, the emergency is no longer running."""
        with self._ledger.lock:
            current = self.current
            if current is not None and current.next_at is None and current.keys[-1:] == [airing]:
                self.current = None

    # ---------------------------------------------------------------------------------- repeat, cancel

    def repeat(self) -> None:
        """The next airing of the running emergency: alert and bulletin together (already prepared). The
        timer runs it at :attr:`Emergency.next_at`."""
        with self._ledger.lock:
            current = self.current
            if current is None or not current.source:
                return
        key = self._next_key(current)
        bulletin = PlayItem(key=f"{key}/bulletin", title=current.title, kind=ItemKind.ANNOUNCEMENT,
                            source=Path(current.source), gain_db=current.gain_db)  # fmt: skip
        self._keeper.take()
        if self._keeper.error is not None:
            self._journal.log(self._bulletin_record(current, key), Outcome.FAILED,
                              reason=f"Không phát được: {self._keeper.error}")  # fmt: skip
        else:
            self._cut_in(current, key, [self.alert(f"{key}/alert"), bulletin])
        self._send_out(current, Path(current.source))
        if current.next_at is not None:
            self._timer.at(current.next_at, REPEAT_JOB, self.repeat)
        else:
            with self._ledger.lock:
                if self.current is current:
                    self.current = None
        self._journal.save()

    def _cancel_keys(self, old: Emergency, why: str) -> None:
        with self._ledger.lock:
            self._ledger.cancelled.update(old.keys)
            sounding = [k for k, record in self._ledger.playing.items() if record.airing in old.keys]
            for k in sounding:
                self._ledger.pending_end[k] = why
        if sounding and why.startswith("Đã hủy"):
            self._keeper.engine.skip()  # a cancel cuts it now; a superseded one is cut by the new emergency

    def cancel(self) -> EmergencyState:
        """Stop the running emergency now and cancel its repeats.

        Raises:
            DaemonError: there is no emergency running.
        """
        with self._ledger.lock:
            current, self.current = self.current, None
        if current is None:
            raise DaemonError("Không có phát khẩn cấp nào đang chạy.")
        self._timer.cancel(REPEAT_JOB)
        self._cancel_keys(current, "Đã hủy phát khẩn cấp")
        self._journal.save()
        self._journal.publish(EmergencyCancelled(id=current.id))
        if self.fan_out is not None:
            self.fan_out.cancelled(current.id, current.operator or "")
        return current.state()


def _in_thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="emergency", daemon=True).start()


__all__ = ["PAD_S", "REPEAT_JOB", "Emergencies", "Emergency", "EmergencyRequest", "FanOut"]
