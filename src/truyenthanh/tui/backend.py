"""What the TUI asks of the station, in one small facade over the bootstrap container.

Screens call these methods from thread workers (every method may block on the database or the daemon) and
render the plain data they return. Nothing here imports Textual, so the facade can be driven from tests and
benchmarks on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from sqlmodel import col, select

from truyenthanh.adapters import files
from truyenthanh.adapters.db.models import AudioAsset, BroadcastLog, Programme, ProgrammeItem, Schedule, Station
from truyenthanh.domain.enums import ContentStatus, ItemKind, Outcome
from truyenthanh.domain.playout import PlayoutStatus
from truyenthanh.domain.rundown import AirState, air_state
from truyenthanh.errors import DaemonError

if TYPE_CHECKING:
    from truyenthanh.bootstrap import Container
    from truyenthanh.services.programmes import ProgrammeService

DISK_LOW_MB = 1024
"""Below this much free space on the station's disk the operator is warned."""


class DaemonLink(Protocol):
    """The TUI's line to the playout daemon (the daemon owns the speaker; the TUI never plays)."""

    def status(self) -> PlayoutStatus:
        """What is on air now.

        Raises:
            DaemonError: the daemon is not running or did not answer.
        """
        ...


@dataclass(frozen=True)
class Alert:
    """Something the operator should act on, in Vietnamese."""

    text: str
    severity: str = "warning"
    """``warning`` or ``error``."""


@dataclass(frozen=True)
class RundownEntry:
    """One broadcast due today."""

    schedule_id: int
    programme_id: int
    title: str
    session_name: str
    start: datetime
    """Due time, in the station's zone."""
    duration_s: float
    state: AirState
    approved: bool

    @property
    def end(self) -> datetime:
        """When it is due to end."""
        return self.start + timedelta(seconds=self.duration_s)


@dataclass(frozen=True)
class OnAir:
    """What the daemon is playing."""

    title: str
    position_s: float
    duration_s: float | None


@dataclass(frozen=True)
class TodayView:
    """Everything the "Hôm nay" screen shows."""

    now: datetime
    """The current instant in the station's zone."""
    station_name: str
    entries: tuple[RundownEntry, ...]
    on_air: OnAir | None
    daemon_up: bool
    warnings: tuple[Alert, ...] = field(default_factory=tuple)

    @property
    def next_entry(self) -> RundownEntry | None:
        """The first broadcast still waiting."""
        return next((e for e in self.entries if e.state is AirState.WAITING), None)


class StationBackend:
    """The facade the TUI is built on: the container's services plus the daemon link."""

    def __init__(self, container: Container, *, daemon: DaemonLink | None = None) -> None:
        self.container = container
        self.daemon = daemon

    @property
    def programmes(self) -> ProgrammeService:
        """Building programmes and their items."""
        return self.container.programmes

    @property
    def zone(self) -> ZoneInfo:
        """The station's time zone."""
        return self.container.settings.zone

    def now(self) -> datetime:
        """The current instant in the station's zone."""
        return self.container.clock.now().astimezone(self.zone)

    def station_name(self) -> str:
        """The station's name (empty before ``init``)."""
        with self.container.db.session() as session:
            station = session.exec(select(Station)).first()
        return station.name if station else ""

    def today(self) -> TodayView:
        """Today's rundown, what is on air and the warnings that matter."""
        now = self.now()
        on_air, daemon_up = self._on_air()
        entries = self._rundown(now, on_air)
        warnings = list(self._warnings(entries, daemon_up))
        return TodayView(
            now=now,
            station_name=self.station_name(),
            entries=entries,
            on_air=on_air,
            daemon_up=daemon_up,
            warnings=tuple(warnings),
        )

    def _on_air(self) -> tuple[OnAir | None, bool]:
        if self.daemon is None:
            return None, False
        try:
            status = self.daemon.status()
        except DaemonError:
            return None, False
        if status.playing is None:
            return None, True
        return OnAir(status.playing.title, status.position_s, status.duration_s), True

    def _rundown(self, now: datetime, on_air: OnAir | None) -> tuple[RundownEntry, ...]:
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        day_end = day_start + timedelta(days=1)
        with self.container.db.session() as session:
            rows = session.exec(
                select(Schedule, Programme)
                .join(Programme, col(Programme.id) == col(Schedule.programme_id))
                .where(col(Schedule.enabled))
            ).all()
            durations = self._durations(session, [p.id for _, p in rows if p.id is not None])
            logged = session.exec(
                select(BroadcastLog).where(
                    col(BroadcastLog.scheduled_start) >= day_start, col(BroadcastLog.scheduled_start) < day_end
                )
            ).all()
        outcomes: dict[tuple[int | None, datetime], Outcome] = {}
        for row in logged:
            if row.scheduled_start is not None:
                outcomes[(row.schedule_id, row.scheduled_start)] = row.outcome
        entries = []
        for schedule, programme in rows:
            assert schedule.id is not None and programme.id is not None
            for start in _occurrences(schedule, day_start, day_end, self.zone):
                duration = durations.get(programme.id, 0.0)
                playing = on_air is not None and start <= now < start + timedelta(seconds=max(duration, 1))
                entries.append(
                    RundownEntry(
                        schedule_id=schedule.id,
                        programme_id=programme.id,
                        title=programme.title,
                        session_name=schedule.session_name or "",
                        start=start,
                        duration_s=duration,
                        state=air_state(
                            start=start,
                            now=now,
                            outcome=outcomes.get((schedule.id, start)),
                            on_air=playing,
                        ),
                        approved=programme.status in (ContentStatus.APPROVED, ContentStatus.AIRED),
                    )
                )
        return tuple(sorted(entries, key=lambda e: e.start))

    @staticmethod
    def _durations(session: object, programme_ids: list[int]) -> dict[int, float]:
        from sqlmodel import Session

        assert isinstance(session, Session)
        totals: dict[int, float] = dict.fromkeys(programme_ids, 0.0)
        items = session.exec(
            select(ProgrammeItem, AudioAsset)
            .join(AudioAsset, col(AudioAsset.id) == col(ProgrammeItem.asset_id), isouter=True)
            .where(col(ProgrammeItem.programme_id).in_(programme_ids))
        ).all()
        for item, asset in items:
            if item.kind in (ItemKind.SILENCE, ItemKind.RELAY) or asset is None:
                totals[item.programme_id] += item.duration_s or 0.0
            else:
                totals[item.programme_id] += asset.duration_s
        return totals

    def _warnings(self, entries: tuple[RundownEntry, ...], daemon_up: bool) -> list[Alert]:
        found = []
        if not daemon_up:
            found.append(Alert("Dịch vụ phát (daemon) không chạy: lịch hôm nay sẽ không được phát.", "error"))
        free = files.disk_free_mb(self.container.locations.data_dir)
        if free < DISK_LOW_MB:
            found.append(Alert(f"Đĩa sắp đầy: chỉ còn {free} MB trống."))
        if self.container.settings.tts_engine == "espeak":
            found.append(Alert("Đang dùng giọng đọc ngoại tuyến (espeak-ng): giọng máy, kém tự nhiên."))
        pending = sorted({e.title for e in entries if not e.approved and e.state is AirState.WAITING})
        if pending:
            found.append(Alert("Chưa được duyệt nhưng phát hôm nay: " + ", ".join(pending) + "."))
        return found


def _occurrences(schedule: Schedule, day_start: datetime, day_end: datetime, zone: ZoneInfo) -> list[datetime]:
    """Starts of a schedule within one local day, expanded in the station's zone."""
    first = schedule.start_at.astimezone(zone)
    if not schedule.rrule:
        return [first] if day_start <= first < day_end else []
    # Expand on naive local wall-clock times so 05:30 stays 05:30 whatever the UTC offset does.
    rule = rrulestr(schedule.rrule, dtstart=first.replace(tzinfo=None))
    naive = rule.between(day_start.replace(tzinfo=None), day_end.replace(tzinfo=None), inc=True)
    excluded = set(schedule.exdates)
    starts = []
    for local in naive:
        aware = local.replace(tzinfo=zone)
        if aware >= day_end or aware.astimezone(ZoneInfo("UTC")).isoformat() in excluded:
            continue
        starts.append(aware)
    return starts
