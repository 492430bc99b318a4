"""The control commands the daemon answers (``truyenthanh daemon status``, the TUI's buttons): a table from
command name to handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from truyenthanh.daemon.emergencies import EmergencyRequest
from truyenthanh.domain.enums import Priority
from truyenthanh.errors import DaemonError

if TYPE_CHECKING:
    from truyenthanh.daemon import Daemon

Handler = Callable[[dict[str, Any]], Any]
"""Answers one command from its arguments with a JSON-ready value (from a connection thread)."""


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
            "cancel": lambda _args: daemon.emergencies.cancel().to_json(),
            "reload": self._reload,
        }

    def __call__(self, name: str, args: dict[str, Any]) -> Any:
        """Answer one control command (from a connection thread).

        Raises:
            DaemonError: no such command (the message lists them), or the command failed.
        """
        handler = self.handlers.get(name)
        if handler is None:
            raise DaemonError(
                f"Lệnh «{name}» không có. Các lệnh: status, now_playing, play_now, stop, skip, emergency, cancel, "
                "reload."
            )
        return handler(args)

    def _now_playing(self, _args: dict[str, Any]) -> Any:
        playing = self._daemon.status().playing
        return playing.to_json() if playing else None

    def _play_now(self, args: dict[str, Any]) -> dict[str, Any]:
        priority = Priority(args.get("priority", Priority.NORMAL.value))
        key = self._daemon.airings.play_now(args.get("programme", ""), priority, args.get("operator"))
        return {"airing": key}

    def _stop(self, args: dict[str, Any]) -> None:
        why = f"Người vận hành {args.get('operator') or ''} dừng phát".replace("  ", " ")
        self._daemon.ledger.end_all(why)
        self._daemon.keeper.engine.stop()

    def _skip(self, args: dict[str, Any]) -> None:
        if args.get("operator"):
            self._daemon.ledger.end_all(f"Người vận hành {args['operator']} bỏ qua.")
        self._daemon.keeper.engine.skip()

    def _emergency(self, args: dict[str, Any]) -> dict[str, Any]:
        request = EmergencyRequest(
            text=args.get("text"),
            file=args.get("file"),
            repeat=int(args.get("repeat", 1)),
            every_min=float(args.get("every_min", 120)),
            until_cancelled=bool(args.get("until_cancelled", False)),
            permit=int(args["permit"]) if args.get("permit") is not None else None,
        )
        return self._daemon.emergencies.start(request).to_json()

    def _reload(self, _args: dict[str, Any]) -> dict[str, Any]:
        timer = self._daemon.timer
        timer.rebuild()
        return {"upcoming": len(timer.upcoming())}


__all__ = ["CommandTable", "Handler"]
