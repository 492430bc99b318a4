"""The station's live commands on a receiver: emergency, cancel, stop, volume, test tone, re-sync.

Commands arrive on the MQTT thread and are carried out in order on a thread of their own (an emergency may need
its bulletin fetched first). Each one is checked by the :class:`~truyenthanh.receiver.link.Gate` and answered
with a :class:`~truyenthanh.domain.fleet.CommandAck` through the outbox: an emergency or a test tone when its
first sample reached the output (``heard_at``), the others once done.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from truyenthanh.domain.fleet import Action, Command, CommandAck, FileRef, Kind
from truyenthanh.domain.tunes import TUNES, Tune
from truyenthanh.errors import FleetError
from truyenthanh.receiver.cache import FileCache
from truyenthanh.receiver.link import Gate
from truyenthanh.receiver.player import GainOutput, Player
from truyenthanh.receiver.state import ReceiverState, write_atomic
from truyenthanh.receiver.status import StatusBoard
from truyenthanh.receiver.sync import ScheduleKeeper

log = logging.getLogger(__name__)


class TuneRenderer:
    """Renders a named tune once into the state folder (the alert tone, the test tone)."""

    def __init__(self, folder: Path, render: Callable[[Tune, Path], None]) -> None:
        self._folder = folder
        self._render = render

    def path(self, name: str) -> Path:
        """The rendered file of tune ``name`` (rendered now if it is not there yet).

        Raises:
            AudioError: ffmpeg could not render it.
        """
        target = self._folder / f"{name}.wav"
        if not target.exists():
            self._render(TUNES[name], target)
        return target


class CommandDesk:
    """Carries out the station's commands in order.

    Args:
        receiver: this box's slug (the acknowledgements name it).
        parts: the receiver's state, cache, gate, player, status board and schedule keeper.
        gain: the output whose volume the ``volume`` command sets.
        tunes: the alert and test tones.
        answer: queues an acknowledgement for the station.
    """

    def __init__(
        self,
        receiver: str,
        parts: tuple[ReceiverState, FileCache, Gate, Player, StatusBoard, ScheduleKeeper],
        gain: GainOutput,
        tunes: TuneRenderer,
        answer: Callable[[CommandAck], None],
    ) -> None:
        self._receiver = receiver
        self._state, self._cache, self._gate, self._player, self._board, self._keeper = parts
        self._gain = gain
        self._tunes = tunes
        self._answer = answer
        self._emergency: str | None = None
        """The command id of the emergency on air."""
        self._inbox: queue.Queue[bytes | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="receiver-commands", daemon=True)

    def render_tunes(self) -> None:
        """Render the alert and test tones now, so an emergency does not wait for ffmpeg.

        Raises:
            AudioError: ffmpeg could not render them.
        """
        self._tunes.path("alert")
        self._tunes.path("tone")

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def offer(self, raw: bytes) -> None:
        """A command message arrived (any thread; returns at once)."""
        self._inbox.put(raw)

    def close(self) -> None:
        """Stop the thread."""
        self._inbox.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while (raw := self._inbox.get()) is not None:
            try:
                self.handle(raw)
            except Exception:  # one bad command must not deafen the box
                log.exception("Lỗi khi thực hiện lệnh của đài")

    def handle(self, raw: bytes) -> None:
        """Check and carry out one command message."""
        verdict = self._gate.check(raw, Kind.COMMAND)
        if verdict.refusal is not None:
            self._board.update(refused=verdict.refusal)
            return
        if verdict.envelope is None:
            return
        try:
            command = Command.from_dict(verdict.envelope.body)
        except FleetError as exc:
            self._board.update(refused=f"Lệnh số {verdict.envelope.seq} hỏng: {exc.message}")
            return
        log.info("Lệnh của đài: %s (%s)", command.action.value, command.command_id)
        try:
            self._dispatch(command)
        except FleetError as exc:
            self._ack(command, ok=False, reason=exc.message)

    def _dispatch(self, command: Command) -> None:
        action = command.action
        if action is Action.EMERGENCY:
            self._break_in(command)
        elif action is Action.CANCEL:
            if self._emergency is None or command.ref not in {None, self._emergency}:
                self._ack(command, ok=True, reason="không có phát khẩn cấp nào đang chạy")
                return
            self._emergency = None
            self._player.stop("phát khẩn cấp bị hủy")
            self._ack(command, ok=True)
        elif action is Action.STOP:
            self._emergency = None
            self._player.stop("dừng theo lệnh của đài")
            self._ack(command, ok=True)
        elif action is Action.VOLUME:
            volume = command.volume if command.volume is not None else self._gain.volume
            self._gain.volume = volume
            self._state.save_volume(volume)
            self._board.changed()
            self._ack(command, ok=True)
        elif action is Action.TEST_TONE:
            self._player.test_tone(command.command_id, self._tunes.path("tone"), self._heard(command))
        else:
            self._cache.forget()
            self._keeper.resync()
            self._ack(command, ok=True)

    def _break_in(self, command: Command) -> None:
        bulletin: list[tuple[FileRef, Path]] = []
        if command.inline is not None:
            path = self._cache.folder / "inline" / command.command_id
            write_atomic(path, command.inline)
            bulletin.append((FileRef(sha256="", size=len(command.inline), duration_s=0.0, name="inline"), path))
        for ref in command.items:
            bulletin.append((ref, self._cache.fetch(ref)))
        self._emergency = command.command_id
        self._player.emergency(
            command.command_id,
            command.title or "Phát khẩn cấp",
            self._tunes.path("alert"),
            bulletin,
            repeat=command.repeat,
            heard=self._heard(command),
        )

    def _heard(self, command: Command) -> Callable[[datetime], None]:
        return lambda at: self._ack(command, ok=True, heard_at=at)

    def _ack(self, command: Command, *, ok: bool, heard_at: datetime | None = None, reason: str = "") -> None:
        self._answer(
            CommandAck(
                command_id=command.command_id,
                receiver=self._receiver,
                at=datetime.now(UTC),
                ok=ok,
                heard_at=heard_at,
                reason=reason,
            )
        )


__all__ = ["CommandDesk", "TuneRenderer"]
