"""``truyenthanh receiver``: the program of an IP loudspeaker cluster box (cụm loa, issue 18).

Enrolled to one station and one zone, it keeps its own copy of the zone's schedule and files and airs them on
its own clock through the same playout engine, with or without the link; see :mod:`truyenthanh.domain.fleet`.

Its parts, each on its own thread and each in its own module:

* :mod:`.state`: the state folder, written whole or not at all;
* :mod:`.cache`: the audio files, fetched over HTTP with ``Range`` resume and a sha256 check;
* :mod:`.player`: the timer that hands airings to the engine and the as-played records;
* :mod:`.outbox` and :mod:`.link`: the messages owed to the station, the guard on the station's messages;
* :mod:`.sync` and :mod:`.commands`: new schedules, live commands;
* :mod:`.status`: the retained status and the clock offset.

:class:`Receiver` wires them; :func:`truyenthanh.receiver.runtime.real_hardware` gives it the real engine and MQTT
link.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from truyenthanh.domain.fleet import CommandAck, Enrolment, ReceiverStatus, receiver_topic, zone_topic
from truyenthanh.receiver.cache import FileCache
from truyenthanh.receiver.commands import CommandDesk, TuneRenderer
from truyenthanh.receiver.link import Courier, Gate, Link, topic_of
from truyenthanh.receiver.outbox import Outbox
from truyenthanh.receiver.player import Engine, GainOutput, Identity, Player
from truyenthanh.receiver.state import ReceiverState
from truyenthanh.receiver.status import StatusBoard
from truyenthanh.receiver.sync import ScheduleKeeper

log = logging.getLogger(__name__)


class Speaker(Engine, Protocol):
    """What the receiver needs of its playout engine: the :class:`Engine` commands plus opening and closing."""

    def open(self) -> None:
        """Start the output."""

    def close(self) -> None:
        """Stop everything and release the output."""


@dataclass(frozen=True)
class Hardware:
    """The receiver's outside world, built by :func:`open_receiver` (tests build it with a recorded sink)."""

    engine: Speaker
    """A playout engine over :attr:`gain` (not yet opened)."""
    gain: GainOutput
    make_link: Callable[[Enrolment, tuple[str, bytes, bool], Callable[[bool], None]], Link]
    """Builds the MQTT link from the enrolment, the last will and the connection callback."""
    render_tune: Callable[..., None]
    """Renders a :class:`~truyenthanh.domain.tunes.Tune` to a WAV file (the ffmpeg adapter)."""
    version: str


class Receiver:
    """One cluster box: its state, its speaker, its link. :meth:`start` then :meth:`close`.

    Args:
        state: the state folder (the box must be enrolled).
        hardware: the engine, the volume, the link factory and the tune renderer.
    """

    def __init__(self, state: ReceiverState, hardware: Hardware) -> None:
        state.ensure()
        enrolment = state.require_enrolment()
        self.enrolment = enrolment
        self.state = state
        self._hardware = hardware
        hardware.gain.volume = state.volume()
        self.outbox = Outbox(state.outbox_path)
        self.cache = FileCache(state.cache_dir, enrolment.files_url)
        self._closed = threading.Event()
        base = ReceiverStatus(
            enrolment.receiver, enrolment.zone, online=False, at=datetime.now(UTC), version=hardware.version
        )
        self.board = StatusBoard(
            base, self._publish_status, lambda: (self.player.playing, hardware.gain.volume), state.folder
        )
        self.player = Player(
            hardware.engine,
            self.cache,
            self.outbox,
            Identity(enrolment.receiver, enrolment.zone),
            on_change=self._changed,
            on_missing=self._fetch_missing,
        )
        self.gate = Gate(enrolment, state, lambda: self.keeper.offset_s)
        self.keeper = ScheduleKeeper(
            enrolment.zone, (state, self.cache, self.gate, self.player, self.board), enrolment.files_url
        )
        self.desk = CommandDesk(
            enrolment.receiver,
            (state, self.cache, self.gate, self.player, self.board, self.keeper),
            hardware.gain,
            TuneRenderer(state.folder / "tunes", hardware.render_tune),
            self._answer,
        )
        self._topic = topic_of(enrolment)
        will = (self._topic("status"), base.encode(), True)
        self.link = hardware.make_link(enrolment, will, self._on_connection)
        self.courier = Courier(self.link, self.outbox, self._topic)

    def start(self) -> None:
        """Open the speaker, air the copy on disk, then connect (the box plays whether the link comes or not).

        Raises:
            AudioError: the sound output cannot be opened.
        """
        hardware = self._hardware
        hardware.engine.open()
        self.desk.render_tunes()
        self.keeper.load()
        for thread_part in (self.player, self.keeper, self.desk, self.board, self.courier):
            thread_part.start()
        enrolment = self.enrolment
        self.link.subscribe(zone_topic(enrolment.station, enrolment.zone, "schedule"), self._on_schedule)
        self.link.subscribe(zone_topic(enrolment.station, enrolment.zone, "command"), self._on_command)
        self.link.subscribe(receiver_topic(enrolment.station, enrolment.receiver, "inbox"), self._on_command)
        self.link.start()

    def close(self) -> None:
        """Say goodbye (offline status), stop every thread and the speaker; what is owed stays in the outbox."""
        if self._closed.is_set():
            return
        self._closed.set()
        if self.link.connected:
            self.link.publish(self._topic("status"), self.board.current(online=False).encode(), retain=True, timeout=2)
        for part in (self.courier, self.board, self.desk, self.keeper, self.player):
            part.close()
        self.link.close()
        self._hardware.engine.close()
        self.outbox.close()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until :meth:`close` (from a signal handler); ``False`` if ``timeout`` passed first."""
        return self._closed.wait(timeout)

    # -------------------------------------------------------------------------------------- callbacks

    def _on_schedule(self, _topic: str, payload: bytes) -> None:
        self.keeper.offer(payload)

    def _on_command(self, _topic: str, payload: bytes) -> None:
        self.desk.offer(payload)

    def _on_connection(self, up: bool) -> None:
        if up:
            self.board.changed()
            self.courier.nudge()

    def _fetch_missing(self) -> None:
        self.keeper.resync()  # the keeper is made after the player: looked up when called

    def _changed(self) -> None:
        self.board.changed()
        self.courier.nudge()

    def _answer(self, ack: CommandAck) -> None:
        self.outbox.add(f"ack:{ack.command_id}", "ack", ack.encode())
        self.courier.nudge()

    def _publish_status(self, status: ReceiverStatus) -> bool:
        if not self.link.connected:
            return False
        return self.link.publish(self._topic("status"), status.encode(), retain=True, timeout=5)


__all__ = ["Hardware", "Receiver", "Speaker"]
