"""The headless playout daemon: owns the station's schedule timer and its audio output.

One per station (an exclusive lock in the runtime folder). It hands every airing to the engine a few seconds
ahead with ``enqueue(start_at=...)`` so the first sample sounds at the scheduled instant, breaks in with
emergencies, writes a broadcast-log row for every item played and every airing missed, and keeps a state file
so that after a crash or a power cut it logs what was cut, accounts for the downtime and carries on.

The work is split into parts, a module each, wired here by :class:`Daemon`:

* :mod:`~truyenthanh.daemon.timer`: the APScheduler timer that says when each airing is due;
* :mod:`~truyenthanh.daemon.airings`: prepares airings ahead of air and hands them to the engine;
* :mod:`~truyenthanh.daemon.emergencies`: the alert, the bulletin, its repeats and its cancellation;
* :mod:`~truyenthanh.daemon.keeper`: the sound output (lost, reopened, standby) and
  :mod:`~truyenthanh.daemon.amplifier`: the amplifier relay;
* :mod:`~truyenthanh.daemon.journal`: the state file, recovery, the broadcast log and published events, with
  :mod:`~truyenthanh.daemon.ledger` (the items handed to the engine) and :mod:`~truyenthanh.daemon.listener`
  (the engine's events);
* :mod:`~truyenthanh.daemon.commands`: the control commands;
* :mod:`~truyenthanh.daemon.fleet`: the loudspeaker clusters (when ``fleet_enabled``): their schedules,
  commands and reports over MQTT, and the file server they fetch from;
* :mod:`~truyenthanh.daemon.upstream`: the station's hub (when enrolled with one): its packages and
  emergencies down, the station's health up.

Nothing here imports Textual; the TUI is a client of the control socket.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import timedelta
from typing import Any

from truyenthanh.adapters.control import ControlServer
from truyenthanh.adapters.platform import notify
from truyenthanh.adapters.runtime import LOCK_FILE, STATE_FILE, InstanceLock, StateFile
from truyenthanh.bootstrap import Container
from truyenthanh.daemon.airings import Airings
from truyenthanh.daemon.amplifier import Amplifier
from truyenthanh.daemon.clock_guard import ClockGuard
from truyenthanh.daemon.commands import CommandTable
from truyenthanh.daemon.emergencies import Emergencies, EmergencyRequest
from truyenthanh.daemon.fleet import Fleet
from truyenthanh.daemon.journal import Journal
from truyenthanh.daemon.keeper import OutputKeeper
from truyenthanh.daemon.ledger import Ledger
from truyenthanh.daemon.listener import EngineListener
from truyenthanh.daemon.timer import AirScheduler
from truyenthanh.daemon.upstream import DaemonHooks, Upstream, load_enrolment, upstream_dir
from truyenthanh.errors import TruyenthanhError
from truyenthanh.protocol import DaemonStatus, EmergencyState, NowPlaying, Problem, UpcomingAiring
from truyenthanh.services.ports import Playout

logger = logging.getLogger(__name__)

HEARTBEAT_S = 2.0
"""How often the state file records that the daemon is alive."""


class Daemon:
    """The station's playout daemon. Build it with a container, then :meth:`run` (blocks until SIGTERM).

    Args:
        container: the station's wired services.
        output: overrides the ``output`` setting (``device``, ``file:PATH``, ``icecast:URL``).
        playout: an engine to use instead of building one (tests of the daemon's logic).
    """

    def __init__(self, container: Container, *, output: str | None = None, playout: Playout | None = None) -> None:
        self.container = container
        settings = container.settings
        locations = container.locations
        self.commands = CommandTable(self)
        self._control = ControlServer(
            locations.runtime_dir, self.commands, force_tcp=settings.control_transport == "tcp"
        )
        self._stop = threading.Event()
        self._stopping_reason = ""
        self._started_at = container.clock.now()
        self.ledger = Ledger()
        self.journal = Journal(
            container, self.ledger, StateFile(locations.data_dir / STATE_FILE), self._control.publish
        )
        self.timer = AirScheduler(
            service=container.scheduling,
            clock=container.clock,
            on_due=lambda decisions: self.airings.on_due(decisions),  # noqa: PLW0108 (built below)
            on_prepare=lambda planned: self.airings.prepare(planned),  # noqa: PLW0108 (built below)
            handled=self.journal.is_handled,
            lead_s=settings.schedule_lead_s,
        )
        self.keeper = OutputKeeper(
            output=output or settings.output,
            standby_s=settings.output_standby_s,
            clock=container.clock,
            ledger=self.ledger,
            journal=self.journal,
            timer=self.timer,
        )
        self.keeper.playout = playout
        self.upstream: Upstream | None = None
        """The station's link to its hub (issue 19), when it is enrolled with one and started."""
        self.amplifier = Amplifier(settings, container.clock, self.ledger, self.journal, self.timer)
        self.emergencies = Emergencies(container, self.ledger, self.journal, self.keeper, self.timer)
        self.journal.emergency_snapshot = self.emergencies.snapshot
        self.airings = Airings(
            container=container,
            ledger=self.ledger,
            journal=self.journal,
            keeper=self.keeper,
            amplifier=self.amplifier,
            emergencies=self.emergencies,
            clock_guard=ClockGuard(
                clock=container.clock,
                max_jump=timedelta(minutes=settings.clock_max_jump_minutes),
                last_record=lambda: self.journal.last_alive,
                enabled=settings.clock_check,
                zone=settings.zone,
            ),
        )
        self.listener = EngineListener(
            resume_policy=settings.resume_policy,
            ledger=self.ledger,
            journal=self.journal,
            keeper=self.keeper,
            amplifier=self.amplifier,
            emergencies=self.emergencies,
        )

    @property
    def fleet(self) -> Fleet | None:
        """The loudspeaker clusters (``None`` unless ``fleet_enabled`` and started). The emergencies hold the
        part, as they fan out to it (one attribute fewer for the daemon)."""
        fan_out = self.emergencies.fan_out
        return fan_out if isinstance(fan_out, Fleet) else None

    @property
    def playout(self) -> Playout | None:
        """The engine (``None`` until :meth:`start` builds one, unless one was given)."""
        return self.keeper.playout

    # ------------------------------------------------------------------------------------------ lifecycle

    def run(self) -> int:
        """Run until SIGTERM or SIGINT; returns the exit code.

        A sound device that cannot be opened, or is lost later, does not stop the daemon: it says so in its
        status, logs the airings it cannot play, and opens the device again as soon as it is back.

        Raises:
            DaemonError: another daemon runs for this station.
        """
        # The lock is the run's alone (one attribute fewer for the daemon, which holds its hub link instead).
        lock_file = InstanceLock(self.container.locations.runtime_dir / LOCK_FILE)
        lock_file.acquire()
        try:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, self._on_signal)
            self.start()
            notify("READY=1")  # systemd (Type=notify): started; nothing happens without a service manager
            while not self._stop.wait(HEARTBEAT_S):
                self.heartbeat()
            notify("STOPPING=1")
            self.shutdown()
        finally:
            lock_file.release()
        return 0

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self._stopping_reason = f"dịch vụ phát dừng theo tín hiệu {signal.Signals(signum).name}"
        self._stop.set()

    def request_stop(self, reason: str = "dịch vụ phát dừng theo yêu cầu") -> None:
        """Ask :meth:`run` to shut down cleanly."""
        self._stopping_reason = reason
        self._stop.set()

    def heartbeat(self) -> None:
        """Every :data:`HEARTBEAT_S`: check the clock, watch the output, give it back or take it again, save the
        state, and tell systemd's watchdog the daemon is alive."""
        self.airings.clock_guard.check()
        self.keeper.watch()
        self.keeper.standby_or_wake()
        self.journal.save()
        notify("WATCHDOG=1")

    def start(self, *, threads: bool = True) -> None:
        """Recover from the last run, open the output, start the timer and the control socket.

        Args:
            threads: start the timer's and the event listener's threads (tests on a frozen clock drive
                :meth:`AirScheduler.dispatch` and :meth:`EngineListener.drain` instead).
        """
        now = self.container.clock.now()
        previous = self.journal.load()
        down_since = self.journal.last_alive
        self.airings.clock_guard.check()  # before the timer's first dispatch
        self.container.accounts.note_role_settings()
        if threads:
            self.journal.start_writer()
        self.journal.open_log()
        self.journal.recover(previous, now)
        self.emergencies.render_alert()
        if self.keeper.playout is None:
            self.keeper.playout = self.container.make_playout(self.keeper.output)
        self.keeper.engine.subscribe(self.listener)
        self.keeper.open()
        if threads:
            self.listener.start()
            self.timer.start(down_since=down_since)
        elif down_since is not None:
            self.timer.account_downtime(down_since)
        for record in self.journal.to_rejoin(previous, now):
            self.airings.rejoin(record, now)
        emergency = previous.get("emergency")
        if emergency:
            self.emergencies.restore(emergency)
        self._start_fleet(threads=threads)
        self._start_upstream()
        self._control.start()
        self.journal.save()
        logger.info("daemon started: output %s", self.keeper.output)

    def _start_fleet(self, *, threads: bool) -> None:
        """Drive the loudspeaker clusters, when the station has them; a fleet that cannot start (its file
        server's port is taken) is said and logged, and the station's own output airs on."""
        container = self.container
        if not container.settings.fleet_enabled:
            return
        fleet = Fleet(
            container.fleet,
            container.keys,
            container.settings,
            container.clock,
            self.journal.publish,
            change_counter=container.store.change_counter,
            broker_folder=container.locations.data_dir / "broker",
        )
        try:
            fleet.start(threads=threads)
        except TruyenthanhError as exc:
            logger.error("fleet not started: %s", exc.message)
            self.journal.publish(Problem(message=f"Không điều khiển được cụm loa: {exc.message}"))
            fleet.close()
            return
        self.emergencies.fan_out = fleet

    def _start_upstream(self) -> None:
        """Follow the station's hub, when it is enrolled with one (``upstream enrol``); a damaged enrolment is
        said and logged, and the station airs on."""
        folder = upstream_dir(self.container)
        try:
            enrolment = load_enrolment(folder)
            if enrolment is None:
                return
            self.upstream = Upstream(
                self.container,
                enrolment,
                folder,
                DaemonHooks(self.emergency, self.cancel_emergency, self.status),
            )
            self.upstream.start()
        except TruyenthanhError as exc:
            logger.error("upstream not started: %s", exc.message)
            self.journal.publish(Problem(message=f"Không nối được với tuyến trên: {exc.message}"))

    def shutdown(self) -> None:
        """Stop the timer and the output (logging what was cut), save the state, close the control socket."""
        self.timer.stop()
        if self.keeper.playout is not None:
            self.ledger.end_all(self._stopping_reason or "dịch vụ phát dừng", keep=True)
            self.keeper.playout.close()
        self.listener.close()
        self.amplifier.switch(False)
        left = self.journal.close_log()
        if left:
            logger.error("%s broadcast-log rows are still to write: they wait in the log journal", left)
        self.journal.save(clean=True)
        if self.fleet is not None:
            self.fleet.close()
        if self.upstream is not None:
            self.upstream.close()
        self._control.stop()

    # ------------------------------------------------------------------------------------------- control

    def status(self) -> DaemonStatus:
        """What the daemon is doing (the ``status`` command)."""
        engine = self.keeper.engine
        played = engine.status()
        playing = self.ledger.now_playing()
        with self.ledger.lock:
            emergency = self.emergencies.current.state() if self.emergencies.current else None
        return DaemonStatus(
            pid=os.getpid(),
            started_at=self._started_at,
            output=self.keeper.output,
            device=self.keeper.state(),
            now=self.container.clock.now(),
            playing=None
            if playing is None
            else NowPlaying(
                airing=playing.airing,
                programme=playing.programme_title,
                item=playing.item_title,
                priority=playing.priority,
                started_at=playing.actual_start,
                position_s=played.position_s,
                duration_s=played.duration_s,
            ),
            level_dbfs=played.level_dbfs,
            queued=len(played.queued),
            emergency=emergency,
            upcoming=tuple(
                UpcomingAiring(
                    schedule_id=p.occurrence.schedule_id or 0,  # the timer's airings are of saved schedules
                    programme=p.occurrence.title,
                    start=p.start,
                    priority=p.occurrence.priority,
                )
                for p in self.timer.upcoming()[:5]
            ),
            amplifier_on=self.amplifier.on,
            log_pending=self.journal.log_pending,
            clock_warning=self.airings.clock_guard.verdict.warning,
            fleet=self.fleet.summary() if self.fleet is not None else None,
        )

    def emergency(self, **request: Any) -> EmergencyState:
        """Cut in with an emergency bulletin (see :meth:`Emergencies.start` and :class:`EmergencyRequest`)."""
        return self.emergencies.start(EmergencyRequest(**request))

    def cancel_emergency(self) -> EmergencyState:
        """Stop the running emergency now and cancel its repeats (see :meth:`Emergencies.cancel`)."""
        return self.emergencies.cancel()


def run(container: Container, *, output: str | None = None) -> int:
    """Run the daemon for one station until SIGTERM (the ``truyenthanh daemon`` command)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return Daemon(container, output=output).run()


__all__ = ["HEARTBEAT_S", "Daemon", "run"]
