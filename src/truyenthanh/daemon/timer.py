"""The daemon's timer: the one place that imports APScheduler (one process owns a scheduler)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time as systime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from truyenthanh.domain.enums import Priority
from truyenthanh.domain.schedule import LOCAL_OUTPUT, Decision, Planned, decide, describe_moment
from truyenthanh.services.ports import Clock
from truyenthanh.services.scheduling import SchedulingService

logger = logging.getLogger(__name__)


DueHandler = Callable[[list[Decision]], None]
"""Receives the verdicts for airings whose time has come; must mark each one handled before returning."""
PrepareHandler = Callable[[list[Planned]], None]
"""Receives the airings of the coming hours so their content can be made ready ahead of air."""


@dataclass(frozen=True)
class TimerHandlers:
    """Who the timer calls: the daemon's airing part, and its record of airings already dealt with."""

    on_due: DueHandler
    on_prepare: PrepareHandler
    handled: Callable[[str], bool]
    """Whether an airing (by :attr:`Occurrence.key`) was already dealt with (by this or an earlier run)."""


@dataclass(frozen=True)
class TimerSettings:
    """How far ahead the timer looks and how often it checks."""

    lead_s: float = 3.0
    """Seconds before its start an airing is handed to the engine."""
    prepare_ahead: timedelta = timedelta(hours=2)
    horizon: timedelta = timedelta(hours=6)
    poll_s: float = 0.5
    refresh: timedelta = timedelta(minutes=10)


@dataclass
class DispatchBook:
    """What has been dispatched, and from when the timer is answerable (the timer's lock guards it)."""

    floor: datetime
    """Airings starting before this are never dispatched (older than the first run, or the gap)."""
    accounted_until: datetime
    """Every airing starting before this instant has been dispatched."""
    dispatched: set[str] = field(default_factory=set)
    gaps: list[Gap] = field(default_factory=list)


@dataclass
class JobBook:
    """The jobs as last built from the database, and what they were built from."""

    fingerprint: str = ""
    counter: int = -1
    built_at: datetime | None = None
    upcoming: list[Planned] = field(default_factory=list)


@dataclass(frozen=True)
class Gap:
    """A stretch of time in which airings could not be played at their time, and why (Vietnamese)."""

    start: datetime
    end: datetime
    cause: str


class AirScheduler:
    """The daemon's timer: one APScheduler job per airing of the coming hours, fired ``lead_s`` before its
    start (emergency-priority airings exactly at their start), plus a preparation job ahead of each.

    Jobs are rebuilt from the database whenever :meth:`SchedulingService.fingerprint` changes (looked at every
    ``poll_s`` when the store's change counter moved, which any commit does, this process's own included), when
    the wall clock jumps, and every ``refresh`` as the horizon moves. A watchdog thread on the monotonic clock
    detects jumps and dispatches anything a job did not (APScheduler sleeps on wall-clock
    deadlines). Every airing is dispatched once: :func:`decide` turns late ones into late, joined or missed
    verdicts, so a clock jump forward or downtime never passes silently and a jump back never plays twice.

    Args:
        service: where schedules come from.
        clock: the station's clock.
        on_due: receives verdicts (from scheduler threads, one call at a time).
        on_prepare: receives airings to prepare (from scheduler threads).
        handled: whether an airing (by :attr:`Occurrence.key`) was already dealt with (by this or an earlier run).
        lead_s: seconds before its start an airing is handed to the engine (which starts it to the sample).
        prepare_ahead: how long before its start an airing is prepared (and how far ahead jobs are built).
    """

    def __init__(
        self,
        *,
        service: SchedulingService,
        clock: Clock,
        on_due: DueHandler,
        on_prepare: PrepareHandler,
        handled: Callable[[str], bool],
        lead_s: float = 3.0,
        prepare_ahead: timedelta = timedelta(hours=2),
        horizon: timedelta = timedelta(hours=6),
        poll_s: float = 0.5,
        refresh: timedelta = timedelta(minutes=10),
    ) -> None:
        self._service = service
        self._clock = clock
        self._handlers = TimerHandlers(on_due=on_due, on_prepare=on_prepare, handled=handled)
        self._settings = TimerSettings(
            lead_s=lead_s, prepare_ahead=prepare_ahead, horizon=horizon, poll_s=poll_s, refresh=refresh
        )
        self._scheduler: Any = None
        self._lock = threading.RLock()
        self._book = DispatchBook(floor=clock.now() - timedelta(minutes=1), accounted_until=clock.now())
        self._jobs = JobBook()
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._offset = systime.time() - systime.monotonic()

    @property
    def lead_s(self) -> float:
        """Seconds before its start an airing is handed to the engine."""
        return self._settings.lead_s

    @property
    def accounted_until(self) -> datetime:
        """Every airing starting before this instant has been dispatched."""
        with self._lock:
            return self._book.accounted_until

    def start(self, *, down_since: datetime | None = None) -> None:
        """Start the timer. With ``down_since`` (when the previous run stopped), every airing in the gap is
        dispatched at once as late or missed with the reason."""
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        if down_since is not None:
            self.account_downtime(down_since)
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(4)},
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._scheduler.start()
        self.dispatch()
        self.rebuild()
        self._watchdog = threading.Thread(target=self._watch, name="air-watchdog", daemon=True)
        self._watchdog.start()

    def account_downtime(self, down_since: datetime) -> None:
        """Make the next :meth:`dispatch` deal with every airing since ``down_since`` (when the previous run
        stopped): each is logged missed or played late, with the downtime as the reason."""
        now = self._clock.now()
        if down_since >= now:
            return
        zone = self._service.zone
        cause = f"dịch vụ phát không chạy từ {describe_moment(down_since, zone)} đến {describe_moment(now, zone)}"
        with self._lock:
            self._book.floor = max(down_since, now - timedelta(days=31))
            self._book.gaps.append(Gap(self._book.floor, now, cause))

    def clock_jumped(self, seconds: float) -> None:
        """React to the wall clock having jumped by ``seconds`` (negative: back): airings jumped over are
        decided at once (late or missed, with the jump as the reason); nothing already dispatched plays again."""
        now = self._clock.now()
        zone = self._service.zone
        before = now - timedelta(seconds=seconds)
        with self._lock:
            if seconds > 0:
                cause = f"đồng hồ máy nhảy tới từ {describe_moment(before, zone)} lên {describe_moment(now, zone)}"
                self._book.gaps.append(Gap(before, now, cause))
            self._book.accounted_until = min(self._book.accounted_until, now)
        logger.warning("wall clock jumped by %.1f s", seconds)
        self.dispatch()
        self.rebuild()

    def stop(self) -> None:
        """Stop firing; running jobs finish first."""
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None

    def upcoming(self) -> list[Planned]:
        """Airings of the coming hours not yet dispatched, in order, as the database has them now (the jobs are
        brought up to date first if anything changed since the last poll)."""
        self.refresh()
        with self._lock:
            return [p for p in self._jobs.upcoming if p.occurrence.key not in self._book.dispatched]

    def refresh(self) -> bool:
        """Rebuild the jobs if what decides airings changed since they were built: any commit (another process's
        or this one's own, such as a package imported from the upstream) moves the store's change counter, and
        then the schedules' :meth:`~SchedulingService.fingerprint` says whether it matters. Returns whether it
        rebuilt. The watchdog calls it every ``poll_s``."""
        counter = self._service.change_counter()
        with self._lock:
            jobs = self._jobs
            if counter == jobs.counter:
                return False
            jobs.counter = counter
            if self._service.fingerprint() == jobs.fingerprint:
                return False
            self.rebuild()
            return True

    def rebuild(self) -> None:
        """Re-read the schedules and replace every job (the database is the source of truth)."""
        with self._lock:
            now = self._clock.now()
            self._jobs.fingerprint = self._service.fingerprint()
            self._jobs.built_at = now
            planned = [
                p
                for p in self._service.occurrences(
                    now - timedelta(minutes=1), now + self._settings.horizon, output=LOCAL_OUTPUT
                )
                if not self._is_handled(p)
            ]
            self._jobs.upcoming = planned
            horizon = (now - timedelta(days=2)).isoformat(timespec="seconds")
            self._book.dispatched = {key for key in self._book.dispatched if key.partition("@")[2] >= horizon}
            scheduler = self._scheduler
            if scheduler is None:
                return
            wanted: dict[str, tuple[datetime, Any]] = {}
            soon: list[Planned] = []
            for item in planned:
                fire = item.start - timedelta(seconds=self._lead(item))
                wanted[f"air:{item.occurrence.key}"] = (max(fire, now), self.dispatch)
                ready = item.start - self._settings.prepare_ahead
                if ready <= now:
                    soon.append(item)
                else:
                    wanted[f"prepare:{item.occurrence.key}"] = (ready, partial(self._handlers.on_prepare, [item]))
            for job in scheduler.get_jobs():
                if job.id.startswith(("air:", "prepare:")) and job.id not in wanted:
                    job.remove()
            for job_id, (when, func) in wanted.items():
                scheduler.add_job(func, "date", run_date=when, id=job_id, replace_existing=True)
            if soon:
                scheduler.add_job(partial(self._handlers.on_prepare, soon), "date", run_date=now, id="prepare:now",
                                  replace_existing=True)  # fmt: skip
            scheduler.wakeup()

    def at(self, when: datetime, job_id: str, func: Callable[[], None]) -> None:
        """Run ``func`` once at ``when`` (at once if past), replacing any job with the same id."""
        if self._scheduler is not None:
            self._scheduler.add_job(func, "date", run_date=max(when, self._clock.now()), id=job_id,
                                    replace_existing=True)  # fmt: skip

    def cancel(self, job_id: str) -> None:
        """Forget a job added with :meth:`at` (nothing happens if there is none)."""
        if self._scheduler is not None:
            with contextlib.suppress(Exception):
                self._scheduler.remove_job(job_id)

    def _lead(self, item: Planned) -> float:
        return 0.0 if item.occurrence.priority is Priority.EMERGENCY else self.lead_s

    def _is_handled(self, item: Planned) -> bool:
        return item.occurrence.key in self._book.dispatched or self._handlers.handled(item.occurrence.key)

    def _cause(self, item: Planned) -> str:
        for gap in self._book.gaps:
            if gap.start <= item.start < gap.end:
                return gap.cause
        return ""

    def dispatch(self) -> None:
        """Hand every airing whose time has come to ``on_due``, once, with the verdicts of :func:`decide`."""
        with self._lock:
            now = self._clock.now()
            book = self._book
            low = max(book.floor, min(book.accounted_until, now) - timedelta(hours=1))
            # Placement may move a priority airing ahead of ``low``: look further back for those.
            window = self._service.occurrences(
                low - timedelta(hours=2), now + timedelta(seconds=self.lead_s + 0.5), output=LOCAL_OUTPUT
            )
            due: list[Planned] = []
            for item in window:
                if item.start < low and not (item.moved and item.occurrence.start >= low):
                    continue
                if self._is_handled(item):
                    continue
                if item.start - timedelta(seconds=self._lead(item)) > now:
                    continue
                # Moved ahead of its own time by priority placement: not late, it plays next.
                due.append(
                    replace(item, start=now) if item.moved and item.start < now <= item.occurrence.start else item
                )
            book.accounted_until = max(book.accounted_until, now)
            if not due:
                return
            decisions = decide(due, now, self._service.zone, self._cause)
            for decision in decisions:
                book.dispatched.add(decision.planned.occurrence.key)
            self._handlers.on_due(decisions)

    def _watch(self) -> None:
        while not self._stop.wait(self._settings.poll_s):
            try:
                self._tick()
            except Exception:  # keep watching: a database hiccup must not stop the station
                logger.exception("air scheduler watchdog")

    def _tick(self) -> None:
        offset = systime.time() - systime.monotonic()
        jumped = offset - self._offset
        self._offset = offset
        if abs(jumped) > 1.0:
            self.clock_jumped(jumped)
            return
        now = self._clock.now()
        if not self.refresh():
            with self._lock:
                built_at = self._jobs.built_at
            if built_at is not None and now - built_at >= self._settings.refresh:
                self.rebuild()
        if self._next_due() <= now:
            self.dispatch()

    def _next_due(self) -> datetime:
        """When the next known airing must be handed over (a cheap check before querying the database)."""
        with self._lock:
            pending = [
                p.start - timedelta(seconds=self._lead(p))
                for p in self._jobs.upcoming
                if p.occurrence.key not in self._book.dispatched
            ]
        return min(pending, default=datetime.max.replace(tzinfo=UTC))


__all__ = [
    "AirScheduler",
    "DispatchBook",
    "DueHandler",
    "Gap",
    "JobBook",
    "PrepareHandler",
    "TimerHandlers",
    "TimerSettings",
]
