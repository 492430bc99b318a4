"""The base every station screen shares: access to the backend and a Vietnamese error path."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

from truyenthanh.tui.messages import ActionFailed

if TYPE_CHECKING:
    from truyenthanh.tui.app import TruyenthanhApp
    from truyenthanh.tui.backend import StationBackend


class StationScreen(Screen[None]):
    """A full screen of the app; subclasses call the backend from thread workers and render the result."""

    @property
    def station_app(self) -> TruyenthanhApp:
        """The running app, typed."""
        from truyenthanh.tui.app import TruyenthanhApp

        return cast(TruyenthanhApp, self.app)

    @property
    def backend(self) -> StationBackend:
        """The station facade the app was built with."""
        return self.station_app.backend

    def on_action_failed(self, message: ActionFailed) -> None:
        """Show the error to the operator; what they typed stays where it was."""
        message.stop()  # the app shows errors no screen handled; this one is handled
        self.notify(message.text, title=message.title, severity="error", timeout=8)
