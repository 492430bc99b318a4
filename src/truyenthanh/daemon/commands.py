"""The control commands the daemon answers (``truyenthanh daemon status``, the TUI's buttons): a table from
command name to handler.

Every command that puts something on air or takes it off carries a pass the daemon checks against the
database: ``session`` (a session token the services issued after a login,
:meth:`~truyenthanh.services.accounts.AccountService.open_session`) for play-now, stop, skip and cancel, and
``permit`` (a single-use emergency permit, :meth:`~truyenthanh.services.approvals.ApprovalService.send_emergency`)
for an emergency and for play-now at emergency priority. Stopping the daemon (``shutdown``, where there are no
signals) and confirming the clock after a jump (``clock_ok``) need the session of someone who manages the
station. The person the pass names is the operator logged; an ``operator`` argument is ignored. ``ping``,
``status``, ``now_playing`` and ``reload`` stay open to the station's users (the socket's file mode guards them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from truyenthanh.daemon.emergencies import EmergencyRequest
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.enums import Priority
from truyenthanh.domain.fleet import Action
from truyenthanh.errors import DaemonError, PermissionDeniedError

if TYPE_CHECKING:
    from truyenthanh.daemon import Daemon
    from truyenthanh.daemon.fleet import Fleet

Handler = Callable[[dict[str, Any]], Any]
"""Answers one command from its arguments with a JSON-ready value (from a connection thread)."""

ON_AIR_COMMANDS = frozenset({"play_now", "stop", "skip", "emergency", "cancel", "shutdown", "clock_ok", "zone_command"})
"""The commands that need a pass (``session`` or ``permit``)."""


class CommandTable:
    """Every command the daemon answers, by name.

    Args:
        daemon: the daemon whose parts answer them.
    """

    def __init__(self, daemon: Daemon) -> None:
        self._daemon = daemon
        self.handlers: dict[str, Handler] = {
            "ping": lambda _args: "pong",
            "status": lambda _args: daemon.status().to_json(),
            "now_playing": self._now_playing,
            "play_now": self._play_now,
            "stop": self._stop,
            "skip": self._skip,
            "emergency": self._emergency,
            "cancel": self._cancel,
            "reload": self._reload,
            "shutdown": self._shutdown,
            "clock_ok": self._clock_ok,
            "zone_command": self._zone_command,
            "fleet": self._fleet,
        }

    def __call__(self, name: str, args: dict[str, Any]) -> Any:
        """Answer one control command (from a connection thread).

        Raises:
            DaemonError: no such command (the message lists them), or the command failed.
            PermissionDeniedError: an on-air command without a valid pass, or for someone whose role may not.
        """
        handler = self.handlers.get(name)
        if handler is None:
            raise DaemonError(f"Lệnh «{name}» không có. Các lệnh: {', '.join(self.handlers)}.")
        return handler(args)

    def _session(self, args: dict[str, Any], permission: Permission, *alternatives: Permission) -> Actor:
        """The person whose session token the command carries, if they may do ``permission`` (or one of the
        ``alternatives``)."""
        token = args.get("session")
        return self._daemon.container.accounts.authorise(str(token) if token else None, permission, *alternatives)

    def _now_playing(self, _args: dict[str, Any]) -> Any:
        playing = self._daemon.status().playing
        return playing.to_json() if playing else None

    def _play_now(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            priority = Priority(args.get("priority", Priority.NORMAL.value))
        except ValueError as exc:
            raise DaemonError(f"Mức ưu tiên «{args.get('priority')}» không có: normal, priority, emergency.") from exc
        programme = args.get("programme", "")
        airings = self._daemon.airings
        if priority is not Priority.EMERGENCY:
            actor = self._session(args, Permission.OPERATE)
            return {"airing": airings.play_now(programme, priority, actor.full_name)}
        # Emergency priority cuts in on anything, an emergency bulletin included: only with a permit for it.
        emergencies = self._daemon.emergencies
        token = args.get("permit")
        granted = emergencies.check_permit(str(token) if token else None)
        found = self._daemon.container.scheduling.find_programme(programme)
        if granted.programme_id is None or granted.programme_id != found.id:
            raise PermissionDeniedError(
                f"Giấy phép khẩn cấp này không dành cho chương trình «{found.title}»: hãy xin giấy phép cho đúng "
                "chương trình."
            )
        emergencies.use_permit(str(token))
        return {"airing": airings.play_now(programme, priority, granted.sender)}

    def _stop(self, args: dict[str, Any]) -> None:
        actor = self._session(args, Permission.OPERATE)
        self._daemon.ledger.end_all(f"Người vận hành {actor.full_name} dừng phát")
        self._daemon.keeper.engine.stop()

    def _skip(self, args: dict[str, Any]) -> None:
        actor = self._session(args, Permission.OPERATE)
        self._daemon.ledger.end_all(f"Người vận hành {actor.full_name} bỏ qua.")
        self._daemon.keeper.engine.skip()

    def _cancel(self, args: dict[str, Any]) -> dict[str, Any]:
        self._session(args, Permission.SEND_EMERGENCY, Permission.OPERATE)
        return self._daemon.emergencies.cancel().to_json()

    def _emergency(self, args: dict[str, Any]) -> dict[str, Any]:
        request = EmergencyRequest(
            text=args.get("text"),
            file=args.get("file"),
            repeat=int(args.get("repeat", 1)),
            every_min=float(args.get("every_min", 120)),
            until_cancelled=bool(args.get("until_cancelled", False)),
            permit=str(args["permit"]) if args.get("permit") is not None else None,
            zones=tuple(str(z) for z in args["zones"]) if isinstance(args.get("zones"), list) else None,
        )
        return self._daemon.emergencies.start(request).to_json()

    def _shutdown(self, args: dict[str, Any]) -> str:
        actor = self._session(args, Permission.MANAGE_STATION)
        self._daemon.request_stop(f"dịch vụ phát dừng theo lệnh của {actor.full_name}")
        return "ok"

    def _clock_ok(self, args: dict[str, Any]) -> str | None:
        """An operator confirms the clock after a jump; returns what still makes it untrustworthy, if anything."""
        self._session(args, Permission.MANAGE_STATION, Permission.OPERATE)
        return self._daemon.airings.clock_guard.accept().warning

    def _zone_command(self, args: dict[str, Any]) -> dict[str, Any]:
        """A live command to the loudspeaker clusters of a zone, or one cluster: ``action`` (``test_tone``,
        ``volume`` with ``volume`` 0–100, ``stop``, ``resync``) to ``target`` (a zone or receiver, by slug or
        name; empty: every zone)."""
        actor = self._session(args, Permission.OPERATE)
        fleet = self._fleet_part()
        try:
            action = Action(str(args.get("action")))
        except ValueError as exc:
            raise DaemonError(
                f"Lệnh cụm loa «{args.get('action')}» không có: test_tone, volume, stop, resync."
            ) from exc
        volume = args.get("volume")
        sent = fleet.control(actor.full_name, action, str(args.get("target") or ""),
                             int(volume) if volume is not None else None)  # fmt: skip
        return sent.to_json()

    def _fleet(self, args: dict[str, Any]) -> dict[str, Any]:
        """The loudspeaker clusters: the summary, every receiver, the command each emergency of this run went
        out under, and with ``command`` the receivers' answers to that command (``heard_at`` per receiver)."""
        fleet = self._fleet_part()
        answer = {
            "summary": fleet.summary().to_json(),
            "receivers": fleet.receivers_json(),
            "emergencies": {str(k): v for k, v in fleet.emergency_commands().items()},
        }
        if args.get("command"):
            answer["acks"] = self._daemon.container.fleet.command_acks(str(args["command"]))
        return answer

    def _fleet_part(self) -> Fleet:
        fleet = self._daemon.fleet
        if fleet is None:
            raise DaemonError("Dịch vụ phát chưa điều khiển cụm loa: hãy đặt fleet_enabled = true rồi khởi động lại.")
        return fleet

    def _reload(self, _args: dict[str, Any]) -> dict[str, Any]:
        timer = self._daemon.timer
        timer.rebuild()
        return {"upcoming": len(timer.upcoming())}


__all__ = ["ON_AIR_COMMANDS", "CommandTable", "Handler"]
