"""The station's live commands on a receiver: emergency, cancel, stop, volume, test tone, re-sync.

Commands arrive on the MQTT thread and are carried out in order on a thread of their own; an emergency's alert
sounds at once and a bulletin that is not inline is fetched meanwhile, on another thread (see :meth:`CommandDesk.
_break_in`). Each one is checked by the :class:`~truyenthanh.receiver.link.Gate` and answered
with a :class:`~truyenthanh.domain.fleet.CommandAck` through the outbox: an emergency or a test tone when its
first sample reached the output (``heard_at``), the others once done.
"""

from __future__ import annotations

import hashlib
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

HEARD_WAIT_S = 5.0
"""How long a failed bulletin's answer waits for its alert to be heard (the answer then says when)."""


class _Heard:
    """Passes on the instant an emergency's alert was heard (to ``tell``, if any), and keeps it for a later
    answer."""

    def __init__(self, tell: Callable[[datetime], None] | None) -> None:
        self._tell = tell
        self._at: datetime | None = None
        self._done = threading.Event()

    def __call__(self, at: datetime) -> None:
        self._at = at
        if self._tell is not None:
            self._tell(at)
        self._done.set()

    def wait(self) -> datetime | None:
        """The instant the alert was heard (``None`` if not within :data:`HEARD_WAIT_S`)."""
        self._done.wait(HEARD_WAIT_S)
        return self._at


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
        """An emergency: the alert at once, never after a download.

        * no bulletin (no items, no inline): the alert alone, the emergency held for its bulletin;
        * ``ref`` naming the emergency on air: that emergency's bulletin, after its alert (no second alert);
        * otherwise a full break-in (a ``ref`` this box does not know: it missed the alert): the alert and the
          bulletin together when every file is here, else the alert now and the bulletin once fetched.
        """
        held = self._emergency
        bulletin, fetch = self._bulletin(command)
        if command.ref is not None and command.ref == held and (bulletin or fetch):
            self._follow_up(command, held, bulletin, fetch, heard=None)
            return
        self._emergency = command.command_id
        # The box answers a command once (the outbox keeps one answer per command): with a bulletin to fetch,
        # the answer waits for the fetch and says how it went, with the instant the alert was heard.
        heard = _Heard(None if fetch else self._heard(command))
        self._player.emergency(
            command.command_id,
            command.title or "Phát khẩn cấp",
            self._tunes.path("alert"),
            [] if fetch else bulletin,
            repeat=command.repeat,
            heard=heard,
        )
        if fetch:
            self._follow_up(command, command.command_id, bulletin, fetch, heard=heard)

    def _bulletin(self, command: Command) -> tuple[list[tuple[FileRef, Path]], list[FileRef]]:
        """The bulletin's files at hand (inline, or cached), and those still to fetch. Inline audio whose
        sha256 is that of an item stands for it (the station sends a small bulletin both ways)."""
        ready: list[tuple[FileRef, Path]] = []
        inline_sha = ""
        if command.inline is not None:
            inline_sha = hashlib.sha256(command.inline).hexdigest()
            path = self._cache.folder / "inline" / command.command_id
            write_atomic(path, command.inline)
            named = next((ref for ref in command.items if ref.sha256 == inline_sha), None)
            ready.append((named or FileRef(sha256="", size=len(command.inline), duration_s=0.0, name="inline"), path))
        fetch: list[FileRef] = []
        for ref in command.items:
            if ref.sha256 == inline_sha:
                continue
            if fetch or not self._cache.valid(ref):
                fetch.append(ref)
            else:
                ready.append((ref, self._cache.path(ref.sha256)))
        return ready, fetch

    def _follow_up(
        self,
        command: Command,
        emergency: str,
        ready: list[tuple[FileRef, Path]],
        fetch: list[FileRef],
        *,
        heard: _Heard | None,
    ) -> None:
        """The bulletin of held emergency ``emergency``: aired after its alert once every file is here (fetched
        on a thread of its own, so a cancel is obeyed meanwhile), then answered: not ok with the reason when a
        file could not be fetched (the alert sounded; its pad is cut), ``heard_at`` the alert's instant when
        this command started it."""

        def work() -> None:
            try:
                files = [*ready, *((ref, self._cache.fetch(ref)) for ref in fetch)]
            except FleetError as exc:
                why = f"không tải được bản tin khẩn cấp: {exc.message}"
                log.error("Lệnh %s: %s", command.command_id, why)
                self._player.abandon(emergency)
                at = heard.wait() if heard is not None else None
                self._ack(command, ok=False, heard_at=at, reason=why)
                return
            aired = self._player.bulletin(emergency, files, repeat=command.repeat)
            at = heard.wait() if heard is not None else None
            self._ack(command, ok=True, heard_at=at, reason="" if aired else "phát khẩn cấp này đã dừng")

        if fetch:
            threading.Thread(target=work, name="receiver-fetch", daemon=True).start()
        else:
            work()

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
