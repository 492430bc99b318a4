"""The base every station screen shares: access to the backend, blocking calls in thread workers, and a
Vietnamese error path."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from textual.message import Message
from textual.screen import Screen

from truyenthanh.errors import TruyenthanhError
from truyenthanh.tui.messages import ActionFailed

if TYPE_CHECKING:  # annotations only: the app imports the screens, so importing it here would be a cycle
    from textual.worker import Worker

    from truyenthanh.tui.app import TruyenthanhApp
    from truyenthanh.tui.backend import StationBackend

ResultT = TypeVar("ResultT")
BackendT = TypeVar("BackendT")


def reported(error: TruyenthanhError) -> Iterable[Message]:
    """What a failed call posts by default: :class:`ActionFailed` with the error's title and message."""
    return (ActionFailed.of(error),)


class CallingScreen(Screen[None], Generic[BackendT]):
    """A full screen of the station's or the hub's app: subclasses give :attr:`backend`, call it from thread
    workers with :meth:`run_call` and render the result; an error no handler took is shown here."""

    @property
    def backend(self) -> BackendT:
        """The facade the app was built with."""
        raise NotImplementedError

    def run_call(
        self,
        call: Callable[[BackendT], ResultT],
        done: Callable[[ResultT], Message | None] | None = None,
        *,
        group: str,
        failed: Callable[[TruyenthanhError], Iterable[Message]] = reported,
    ) -> Worker[None]:
        """Run a blocking call (the backend, a service) in a thread worker, then post what happened.

        ``call`` runs in the worker thread with the backend (which it may have waited for while the station or hub
        was being opened); its result goes to ``done``, also in the worker, which returns the past-tense message to
        post (``None``: nothing to post). When ``call`` raises one of our errors, the messages of
        ``failed(error)`` are posted instead (by default :class:`ActionFailed`, which this screen shows). Like
        ``@work(exclusive=True)``, a new call in the same ``group`` cancels the one still running. Only
        ``post_message`` crosses threads here, as Textual asks.
        """

        def work() -> None:
            try:
                result = call(self.backend)
            except TruyenthanhError as exc:
                for message in failed(exc):
                    self.post_message(message)
                return
            succeeded = done(result) if done is not None else None
            if succeeded is not None:
                self.post_message(succeeded)

        return self.run_worker(work, name=group, group=group, exclusive=True, thread=True)

    def on_action_failed(self, message: ActionFailed) -> None:
        """Show the error to the operator; what they typed stays where it was."""
        message.stop()  # the app shows errors no screen handled; this one is handled
        self.notify(message.text, title=message.title, severity="error", timeout=8)


class StationScreen(CallingScreen["StationBackend"]):
    """A full screen of the station's app."""

    @property
    def station_app(self) -> TruyenthanhApp:
        """The running app, typed."""
        return cast("TruyenthanhApp", self.app)

    @property
    def backend(self) -> StationBackend:
        """The station facade the app was built with."""
        return self.station_app.backend
