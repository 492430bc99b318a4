"""Airings: made ready ahead of air, handed to the engine a few seconds before their start (``enqueue(start_at=
...)``) with one database read per hand-over, or logged when their time has passed."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from truyenthanh.adapters import ffmpeg
from truyenthanh.adapters.platform import find_tool
from truyenthanh.bootstrap import Container
from truyenthanh.daemon.amplifier import Amplifier
from truyenthanh.daemon.clock_guard import ClockGuard
from truyenthanh.daemon.emergencies import Emergencies
from truyenthanh.daemon.journal import Journal
from truyenthanh.daemon.keeper import OutputKeeper
from truyenthanh.daemon.ledger import Ledger
from truyenthanh.daemon.records import KEY_SEPARATOR, ItemRecord
from truyenthanh.domain.approval import ItemState
from truyenthanh.domain.enums import ItemKind, Outcome, Priority
from truyenthanh.domain.playout import PlayItem
from truyenthanh.domain.schedule import Decision, Planned, Verdict, describe_moment
from truyenthanh.errors import TruyenthanhError
from truyenthanh.protocol import AiringQueued, Problem
from truyenthanh.services.playout import AiringPlan

logger = logging.getLogger(__name__)

JOIN_MARGIN_S = 1.5
"""A late join starts this far ahead, at the position the clock will say then, so the decoder (seeking into
the file) is ready and the join lands exactly on the schedule's timeline."""


@dataclass(frozen=True)
class AiringRequest:
    """One airing of a programme to hand to the engine."""

    airing: str
    """Its key (a schedule occurrence's, or ``now:...`` for a play-now)."""
    programme_id: int
    scheduled_start: datetime
    priority: Priority
    schedule_id: int | None = None
    misfire: str = "skip"
    """The schedule's misfire policy (kept in the state file to rejoin after a crash)."""
    offset_s: float = 0.0
    """Seconds into the airing to start at (a late join)."""
    start_at: datetime | None = None
    """When its first sample must sound (``None``: as soon as possible)."""
    outcome: Outcome = Outcome.PLAYED
    reason: str = ""
    operator: str | None = None


class Airings:
    """Prepares airings ahead of air, decides what to do with each one due, and hands it to the engine.

    Args:
        container: the station's services (play items, approvals, speech).
        ledger: the items handed to the engine.
        journal: the broadcast log, the airings dealt with, events.
        keeper: the speaker.
        amplifier: switched on ahead of prepared airings.
        emergencies: the alert tone (an emergency-priority airing cuts in with it).
        clock_guard: whether the clock can be aired by (scheduled airings are logged as skipped while it cannot;
            emergencies and play-now still go out).
    """

    def __init__(
        self,
        *,
        container: Container,
        ledger: Ledger,
        journal: Journal,
        keeper: OutputKeeper,
        amplifier: Amplifier,
        emergencies: Emergencies,
        clock_guard: ClockGuard,
    ) -> None:
        self._container = container
        self.clock_guard = clock_guard
        self._clock = container.clock
        self._ledger = ledger
        self._journal = journal
        self._keeper = keeper
        self._amplifier = amplifier
        self._emergencies = emergencies

    # ----------------------------------------------------------------------------------------- ahead of air

    def prepare(self, planned: list[Planned]) -> None:
        """Make the coming airings ready: announcements rendered, files present, relays reachable (only those on
        the station's own output: zone-only airings are the receivers' to prepare)."""
        local = [item for item in planned if on_local_output(item)]
        for item in local:
            self._prepare_one(item.occurrence.key, item.occurrence.programme_id, item.start)
        self._amplifier.schedule(local)

    def _prepare_one(self, airing: str, programme_id: int, start: datetime) -> None:
        """Problems are shown to the operator now; they are logged (skipped, fallback) at air time. Speech due
        sooner than gTTS could answer is read by the offline voice now (gTTS in the background, for next time)."""
        publish = self._journal.publish
        try:
            plan = self._container.playout.plan_airing(programme_id)
        except TruyenthanhError as exc:
            publish(Problem(message=exc.message, airing=airing))
            return
        check = plan.check
        problems = [check.reason] if not check.airable else [each.reason for each in check.blocked_items]
        for problem in problems:
            publish(Problem(message=problem, airing=airing))
        ids = [each.announcement_id for each in check.items if each.announcement_id is not None]
        if ids:
            try:
                for rendering in self._container.speech.ensure_rendered(ids, allow_network=True, due=start):
                    if rendering.notice:
                        publish(Problem(message=rendering.notice, airing=airing))
            except TruyenthanhError as exc:
                publish(Problem(message=exc.message, airing=airing))
        for play_item in plan.items:
            if play_item.source is not None:
                try:
                    ffmpeg.probe(play_item.source)
                except TruyenthanhError as exc:
                    message = f"«{play_item.title}»: {exc.message} Sẽ phát tệp dự phòng nếu có."
                    publish(Problem(message=message, airing=airing))
            if play_item.kind is ItemKind.RELAY and play_item.relay_url:
                problem = probe_relay(play_item.relay_url)
                if problem:
                    publish(Problem(message=problem, airing=airing))

    # --------------------------------------------------------------------------------------------- at air

    def on_due(self, decisions: list[Decision]) -> None:
        """Play or log each airing whose time has come (called by the timer); while the clock cannot be trusted,
        each is logged as skipped with the reason."""
        for decision in decisions:
            planned = decision.planned
            self._journal.mark_handled(planned)
            if not on_local_output(planned):
                continue  # zone-only: the receivers air it and report it; not a miss of this output
            if decision.verdict is Verdict.MISSED:
                self._journal.log_airing(planned, Outcome.MISSED, decision.reason)
                continue
            clock = self.clock_guard.verdict
            if not clock.trusted:  # a board back from a power cut without its time: this may be the wrong hour
                self._journal.log_airing(planned, Outcome.SKIPPED, clock.warning or "Giờ máy không đáng tin.")
                continue
            self.play(self._request(decision))
        self._journal.save()

    def _request(self, decision: Decision) -> AiringRequest:
        """What to hand to the engine for a verdict: on time at its start, late now, or joined in progress."""
        planned = decision.planned
        occurrence = planned.occurrence
        now = self._clock.now()
        start_at: datetime | None = planned.start
        offset = 0.0
        outcome = Outcome.PLAYED
        zone = self._container.settings.zone
        reason = (
            f"Đưa lên trước trong buổi (ưu tiên), lịch gốc {describe_moment(occurrence.start, zone)}."
            if planned.moved
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
        return AiringRequest(
            airing=occurrence.key,
            programme_id=occurrence.programme_id,
            scheduled_start=planned.start,
            priority=occurrence.priority,
            schedule_id=occurrence.schedule_id,
            misfire=str(occurrence.misfire),
            offset_s=offset,
            start_at=start_at,
            outcome=outcome,
            reason=reason,
        )

    def rejoin(self, record: ItemRecord, now: datetime) -> None:
        """Carry on with an airing a crashed run was playing, at the position the clock says."""
        assert record.programme_id is not None and record.scheduled_start is not None
        start_at = now + timedelta(seconds=JOIN_MARGIN_S)
        self.play(
            AiringRequest(
                airing=record.airing,
                programme_id=record.programme_id,
                scheduled_start=record.scheduled_start,
                priority=record.priority,
                schedule_id=record.schedule_id,
                misfire=record.misfire,
                offset_s=(start_at - record.scheduled_start).total_seconds(),
                start_at=start_at,
                reason="Phát tiếp từ vị trí đúng giờ sau khi dịch vụ phát khởi động lại.",
            )
        )

    def play_now(self, programme: int | str, priority: Priority, operator: str | None) -> str:
        """Put a programme on air now at the operator's command; returns the airing's key.

        Raises:
            NotFoundError: no such programme.
        """
        found = self._container.scheduling.find_programme(programme)
        assert found.id is not None
        now = self._clock.now()
        key = f"now:{found.id}@{now.isoformat(timespec='milliseconds')}"
        self.play(
            AiringRequest(
                airing=key,
                programme_id=found.id,
                scheduled_start=now,
                priority=priority,
                reason="Phát ngay theo lệnh của người vận hành.",
                operator=operator,
            )
        )
        return key

    def play(self, request: AiringRequest) -> None:
        """Hand one airing to the engine (read once from the database), logging what cannot play."""
        base = ItemRecord(
            airing=request.airing,
            programme_title="",
            item_title="",
            item_kind=ItemKind.AUDIO,
            priority=request.priority,
            schedule_id=request.schedule_id,
            programme_id=request.programme_id,
            scheduled_start=request.scheduled_start,
            misfire=request.misfire,
            operator=request.operator,
        )
        try:
            plan = self._container.playout.plan_airing(request.programme_id)
        except TruyenthanhError as exc:
            self._journal.log(base, Outcome.FAILED, reason=f"Không chuẩn bị được chương trình: {exc.message}")
            return
        if not self._may_air(request, base, plan):
            return
        queued = self._queue(request, base, plan)
        if queued:
            self._hand_over(request, base, queued)

    def _may_air(self, request: AiringRequest, base: ItemRecord, plan: AiringPlan) -> bool:
        """The speaker works and the programme is approved; else the airing is logged (and ``base`` is filled
        with what the log needs of the programme)."""
        self._keeper.take()
        error = self._keeper.error
        if error is not None:
            self._journal.log(base, Outcome.FAILED, reason=f"Không phát được: {error}", whole=True)
            self._journal.publish(Problem(message=error, airing=request.airing))
            return False
        check = plan.check
        base.programme_title = plan.title
        base.category = plan.category
        base.language = plan.language
        base.approver = check.approver
        if not check.airable:
            self._journal.log(base, Outcome.SKIPPED, reason=check.reason, whole=True)
            self._journal.publish(Problem(message=check.reason, airing=request.airing))
            return False
        return True

    def _queue(self, request: AiringRequest, base: ItemRecord, plan: AiringPlan) -> list[PlayItem]:
        """The items to hand over, each recorded in the ledger; blocked ones are logged as skipped and, for a
        late join, those wholly before the join point as missed."""
        items, check, offset_s = plan.items, plan.check, request.offset_s
        blocked = {each.position: each.reason for each in check.blocked_items}
        # Probing every file costs time at the moment of hand-over: only a late join needs item lengths.
        lengths = [item_length(item) for item in items] if offset_s > 0 else [0.0] * len(items)
        total = sum(lengths) if offset_s > 0 else plan.duration_s
        base.planned_end = request.scheduled_start + timedelta(seconds=total)
        reason, outcome = request.reason, request.outcome
        engines = self._speech_engines(check.items)
        queued: list[PlayItem] = []
        skipped_before = offset_s
        for index, (item, length, state) in enumerate(zip(items, lengths, check.items, strict=True)):
            record = replace(
                base,
                item_title=item.title,
                item_kind=item.kind,
                outcome=outcome,
                reason=reason,
                last=index == len(items) - 1,
                announcement_id=state.announcement_id,
                engine=engines.get(state.announcement_id) if state.announcement_id is not None else None,
            )
            if state.position in blocked:
                self._journal.log(record, Outcome.SKIPPED, reason=blocked[state.position])
                self._journal.publish(Problem(message=blocked[state.position], airing=request.airing))
                continue
            if skipped_before >= length > 0:
                skipped_before -= length
                self._journal.log(record, Outcome.MISSED, reason=f"Vào muộn, bỏ qua mục này. {reason}".strip())
                continue
            keyed = replace(item, key=f"{request.airing}{KEY_SEPARATOR}{item.key}")
            if skipped_before > 0:
                keyed = replace(keyed, start_offset_s=item.start_offset_s + skipped_before)
                record.offset_s = skipped_before
                record.outcome = Outcome.PARTIAL if outcome is Outcome.PLAYED else outcome
                record.reason = f"{reason} Bắt đầu từ giây {skipped_before:.1f} của mục.".strip()
                skipped_before = 0.0
            self._ledger.add(keyed.key, record)
            queued.append(keyed)
        return queued

    def _speech_engines(self, items: Sequence[ItemState]) -> dict[int, str]:
        """Which engine read each announcement of the airing (espeak-ng or gTTS), for the log; ``{}`` when the
        engines cannot be read (the airing goes out all the same)."""
        ids = [each.announcement_id for each in items if each.announcement_id is not None]
        if not ids:
            return {}
        try:
            return self._container.speech.engines(ids)
        except TruyenthanhError as exc:
            logger.warning("speech engines of announcements %s: %s", ids, exc.message)
            return {}

    def _hand_over(self, request: AiringRequest, base: ItemRecord, queued: list[PlayItem]) -> None:
        """Give the items to the engine: at their start, or cutting in behind the alert for an emergency."""
        engine = self._keeper.engine
        if request.priority is Priority.EMERGENCY:
            alert = self._emergencies.alert(f"{request.airing}{KEY_SEPARATOR}alert")
            self._ledger.add(alert.key, replace(base, item_title=alert.title, item_kind=ItemKind.JINGLE))
            engine.preempt([alert, *queued], resume=self._container.settings.resume_policy == "resume")
        else:
            engine.enqueue(queued, start_at=request.start_at)
        self._journal.publish(
            AiringQueued(
                airing=request.airing, programme=base.programme_title, start_at=request.start_at, items=len(queued)
            )
        )


def on_local_output(planned: Planned) -> bool:
    """Whether an airing plays on the station's own output (its schedule targets ``local``)."""
    return planned.occurrence.targets.local


def item_length(item: PlayItem) -> float:
    """Seconds an item will sound (probing its file when the item does not say)."""
    if item.duration_s is not None:
        return max(0.0, item.duration_s - item.start_offset_s)
    if item.source is not None and item.source.is_file():
        try:
            return max(0.0, ffmpeg.probe(item.source).duration_s - item.start_offset_s)
        except TruyenthanhError:
            return 0.0
    return 0.0


def probe_relay(url: str) -> str:
    """A Vietnamese problem description if the relay stream cannot be opened within 5 s, else ``""``."""
    try:
        result = subprocess.run(
            [find_tool("ffprobe", setting="ffmpeg") or "ffprobe", "-v", "error", "-rw_timeout", "5000000", "-i", url],
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


__all__ = ["JOIN_MARGIN_S", "AiringRequest", "Airings", "item_length", "on_local_output", "probe_relay"]
