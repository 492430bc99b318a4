"""TruyenthanhApp: the operator's TUI. It receives its backend through its constructor and never plays audio."""

from __future__ import annotations

import getpass
import importlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from truyenthanh.adapters.preview import PreviewPlayer
from truyenthanh.domain.accounts import Actor
from truyenthanh.errors import DaemonError, LoginError, TruyenthanhError
from truyenthanh.protocol import DaemonEvent, DeviceChanged, EmergencyCancelled, EmergencyStarted, Problem
from truyenthanh.tui.keys import describe_key
from truyenthanh.tui.messages import ActionFailed, DaemonEventReceived, DaemonStarted, TodayLoaded
from truyenthanh.tui.screens.emergency import EmergencyScreen
from truyenthanh.tui.screens.help import show_key_help
from truyenthanh.tui.screens.login import LoginScreen
from truyenthanh.tui.screens.today import TodayScreen
from truyenthanh.tui.widgets.statusbar import NARROW

if TYPE_CHECKING:
    from truyenthanh.tui.backend import EmergencySent, StationBackend


def _lazy(module: str, name: str) -> Callable[[], Screen[Any]]:
    """A factory for a screen whose module is imported the first time the operator opens it (start-up speed)."""

    def make() -> Screen[Any]:
        screen: Screen[Any] = getattr(importlib.import_module(f"truyenthanh.tui.screens.{module}"), name)()
        return screen

    return make


class TruyenthanhApp(App[None]):
    """The station's operator console: one mode per screen, switched with the function keys."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it too
    TITLE = "Truyền thanh"
    ENABLE_COMMAND_PALETTE = False
    # Typed by Textual's own annotation, which mypy reads as an instance variable: no ClassVar here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-normal")]  # noqa: RUF012
    """Screens narrower than :data:`NARROW` columns (a phone's browser) get the ``-narrow`` class (app.tcss)."""
    MODES: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {  # type: ignore[assignment]
        "today": TodayScreen,
        "library": _lazy("library", "LibraryScreen"),
        "programmes": _lazy("programmes", "ProgrammesScreen"),
        "schedule": _lazy("schedule", "ScheduleScreen"),
        "announcements": _lazy("announcements", "AnnouncementsScreen"),
        "log": _lazy("log", "LogScreen"),
        "approvals": _lazy("approvals", "ApprovalsScreen"),
        "lexicon": _lazy("lexicon", "LexiconScreen"),
        "accounts": _lazy("accounts", "AccountsScreen"),
        "rules": _lazy("rules", "RulesScreen"),
        "clusters": _lazy("clusters", "ClustersScreen"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Trợ giúp", priority=True),
        Binding("f2", "switch_mode('today')", "Hôm nay", show=False, priority=True),
        Binding("f3", "switch_mode('library')", "Thư viện", show=False, priority=True),
        Binding("f4", "switch_mode('programmes')", "Chương trình", show=False, priority=True),
        Binding("f5", "switch_mode('schedule')", "Lịch phát", show=False, priority=True),
        Binding("f6", "switch_mode('announcements')", "Thông báo", show=False, priority=True),
        Binding("f7", "switch_mode('log')", "Nhật ký", show=False, priority=True),
        Binding("f8", "switch_mode('approvals')", "Chờ duyệt", show=False, priority=True),
        Binding("f9", "emergency", "KHẨN CẤP", priority=True),
        Binding("f12", "switch_mode('lexicon')", "Từ điển đọc", show=False, priority=True),
        Binding("f10", "switch_mode('accounts')", "Tài khoản", show=False, priority=True),
        Binding("f11", "switch_mode('rules')", "Quy định", show=False, priority=True),
        Binding("ctrl+l", "login", "Đăng nhập", show=False, priority=True),
        Binding("ctrl+t", "change_password", "Đổi mật khẩu", show=False, priority=True),
        Binding("ctrl+k", "switch_mode('clusters')", "Cụm loa", show=False, priority=True),
        Binding("ctrl+g", "station_setup", "Thiết lập đài", show=False),  # not priority: F6 uses Ctrl+G to submit
        Binding("ctrl+q", "quit", "Thoát", priority=True),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        backend: StationBackend | Callable[[], StationBackend],
        *,
        start_daemon: bool = True,
        setup_on_first_start: bool = False,
    ) -> None:
        """``backend`` is the station facade (built from the bootstrap container), or a function that opens it:
        then it is called in a worker after the first frame, so the screen appears before the database layer
        is loaded. With ``start_daemon`` a daemon is started in the background when none runs for the station;
        with ``setup_on_first_start`` the station's setup opens after the first view when it has no commune.
        """
        super().__init__()
        self._backend: StationBackend | None = None
        self._open_backend: Callable[[], StationBackend] | None = None
        self._backend_opened = threading.Event()
        self._backend_error: TruyenthanhError | None = None
        if callable(backend):
            self._open_backend = backend
        else:
            self._backend = backend
            self._backend_opened.set()
        self._start_daemon = start_daemon
        self._setup_offered = not setup_on_first_start
        self._stop_listening = threading.Event()
        self.station_name = ""
        """The station's name (from the "Hôm nay" view)."""
        self._preview: PreviewPlayer | None = None
        self._schema = "unchecked"
        """Whether the database is at this program's schema: ``unchecked``, ``checking`` (reading the station waits
        for the answer: a failure may be an old schema), ``current`` or ``outdated``."""
        self.daemon_up: bool | None = None
        """Whether the daemon answered last time it was asked (``None``: not asked yet)."""

    @property
    def backend(self) -> StationBackend:
        """The station facade. While it is being opened (the first second of a start) this waits for it, so
        the UI thread asks :attr:`backend_ready` first; workers just use it.

        Raises:
            TruyenthanhError: the station could not be opened (the reason, in Vietnamese).
        """
        self._backend_opened.wait()
        if self._backend is None:
            assert self._backend_error is not None
            raise self._backend_error
        return self._backend

    @property
    def preview(self) -> PreviewPlayer:
        """Plays files for the operator to check on the ``preview_device`` (a separate process), never on air."""
        if self._preview is None:
            self._preview = self.backend.preview_player()
        return self._preview

    @property
    def backend_ready(self) -> bool:
        """Whether :attr:`backend` answers without waiting."""
        return self._backend is not None

    @property
    def backend_failed(self) -> bool:
        """Whether opening the station failed (the reason was shown; nothing can be read)."""
        return self._backend_error is not None

    @property
    def actor(self) -> Actor | None:
        """Who content-changing actions act for (set at the first login); kept by the backend, which passes it
        to every service it changes data through."""
        return self.backend.actor

    @actor.setter
    def actor(self, actor: Actor | None) -> None:
        self.backend.actor = actor

    def action_login(self) -> None:
        """Log in (or in as someone else): the changes that follow act for that person."""
        self._login("Đăng nhập để sửa dữ liệu của đài.", lambda _actor: None)

    def action_change_password(self) -> None:
        """Change one's own password (logging in first if nobody is), from any screen."""
        from truyenthanh.tui.screens.account_forms import PasswordScreen  # loaded when first asked for

        def change(actor: Actor) -> None:
            def changed(username: str | None) -> None:
                if username:
                    self.notify(f"Đã đổi mật khẩu của «{username}».", title="Mật khẩu")

            self.push_screen(PasswordScreen(actor.username, own=True), changed)

        self.with_actor("Đổi mật khẩu của mình: đăng nhập bằng mật khẩu hiện tại để tiếp tục.", change)

    def _login(self, reason: str, then: Callable[[Actor], object]) -> None:
        """Ask for a login; on success the person acts from now on and ``then`` runs for them."""

        def logged_in(actor: Actor | None) -> None:
            if actor is not None:
                self.actor = actor
                self.notify(f"Xin chào {actor.full_name} ({actor.role.label}).", title="Đã đăng nhập")
                then(actor)

        self.push_screen(LoginScreen(self.backend, reason), logged_in)

    @property
    def available_modes(self) -> tuple[str, ...]:
        """The screens this app has."""
        return tuple(self.MODES)

    def on_mount(self) -> None:
        """Open on today's screen; the station is opened and its data read by workers after the first frame."""
        self.switch_mode("today")
        self.call_after_refresh(self._connect)

    def on_today_loaded(self, message: TodayLoaded) -> None:
        """After the first view, check that the schema is the newest (off the start-up path); on a new
        station's first start, open its setup."""
        self.check_schema_once()
        self._offer_setup_once()

    @property
    def schema_checking(self) -> bool:
        """A schema check runs: reading the station waits for its answer."""
        return self._schema == "checking"

    @property
    def schema_outdated(self) -> bool:
        """The station's database is older than this program (said once; "Hôm nay" stops reading it)."""
        return self._schema == "outdated"

    def check_schema_once(self) -> None:
        """Check, once, that the station's database is at the newest schema (after the first view, or when
        reading it failed); an old one is said and "Hôm nay" stops reading it."""
        if self._schema == "unchecked":
            self._schema = "checking"
            self._check_schema()

    @work(thread=True, exclusive=True, group="schema")
    def _check_schema(self) -> None:
        try:
            current = self.backend.schema_up_to_date()
        except TruyenthanhError:
            current = True  # the station could not be opened: that was said
        self._schema = "current" if current else "outdated"
        if not current:
            self.post_message(
                ActionFailed(
                    "Dữ liệu cũ",
                    f"Dữ liệu ở {self.backend.data_dir} là của phiên bản cũ; "
                    "hãy thoát và chạy «truyenthanh init» để nâng cấp.",
                )
            )

    def on_action_failed(self, message: ActionFailed) -> None:
        """Show an error that no screen handled (screens show their own)."""
        self.notify(message.text, title=message.title, severity="error", timeout=15)

    @work(thread=True, exclusive=True, group="daemon-start")
    def _connect(self) -> None:
        if self._open_backend is not None and not self._backend_opened.is_set():
            try:
                self._backend = self._open_backend()
            except TruyenthanhError as exc:
                self._backend_error = exc
                self.post_message(ActionFailed(exc.title, exc.message + " Thoát bằng Ctrl+Q."))
                return
            finally:
                self._backend_opened.set()
        if self._start_daemon:
            try:
                pid = self.backend.start_daemon()
            except TruyenthanhError as exc:
                self.post_message(ActionFailed.of(exc))
                pid = None
            if pid is not None:
                self.post_message(DaemonStarted(pid))
        threading.Thread(target=self._listen, name="daemon-events", daemon=True).start()

    def _listen(self) -> None:
        """Receive the daemon's events (its own thread; posts messages, which is thread-safe)."""
        while not self._stop_listening.is_set():
            try:
                with self.backend.daemon_events() as stream:
                    for event in stream:
                        self.post_message(DaemonEventReceived(event))
                        if self._stop_listening.is_set():
                            return
            except DaemonError:
                pass
            self._stop_listening.wait(2.0)

    def on_daemon_started(self, message: DaemonStarted) -> None:
        """Say that a daemon was started for the station."""
        self.daemon_up = True
        self.notify(
            f"Dịch vụ phát chưa chạy nên đã được khởi động trong nền (PID {message.pid}); "
            "nó tiếp tục phát khi đóng giao diện này.",
            title="Dịch vụ phát",
            timeout=10,
        )

    def on_daemon_event_received(self, message: DaemonEventReceived) -> None:
        """Refresh what shows the daemon's state; say what the operator must know."""
        self.daemon_up = True
        self._tell(message.event)
        if isinstance(self.screen, TodayScreen):
            self.screen.action_reload()
        log = sys.modules.get("truyenthanh.tui.screens.log")  # loaded only once the operator opened Nhật ký
        if log is not None and isinstance(self.screen, log.LogScreen):
            self.screen.follow(message.event)
        clusters = sys.modules.get("truyenthanh.tui.screens.clusters")  # loaded once «Cụm loa» was opened
        if clusters is not None and isinstance(self.screen, clusters.ClustersScreen):
            self.screen.action_reload()

    def _tell(self, event: DaemonEvent) -> None:
        """Notify what of an event the operator must know (the rest shows on "Hôm nay")."""
        match event:
            case Problem(message=text):
                self.notify(text, title="Dịch vụ phát báo lỗi", severity="error", timeout=15)
            case EmergencyStarted(title=title, count=count):
                self.notify(
                    f"Đang phát khẩn cấp: {title} (lần {count}).", title="KHẨN CẤP", severity="error", timeout=10
                )
            case DeviceChanged(ok=True, message=text):
                self.notify(text, title="Thiết bị âm thanh")
            case EmergencyCancelled():
                self.notify("Đã hủy phát khẩn cấp.", title="Khẩn cấp")
            case _:
                pass

    def action_emergency(self) -> None:
        """Open the emergency confirmation from any screen."""
        if isinstance(self.screen, EmergencyScreen):
            return

        def sent(result: EmergencySent | None) -> None:
            if result is None:
                return
            self.notify(f"Đã ngắt sóng để phát khẩn cấp (số {result.state.id}): {result.plan}.", title="KHẨN CẤP")
            self.switch_mode("today")
            if isinstance(self.screen, TodayScreen):
                self.screen.action_reload()

        self.with_actor(
            "Phát khẩn cấp cần người có quyền: đăng nhập để tiếp tục.",
            lambda actor: self.push_screen(EmergencyScreen(self.backend, actor), sent),
        )

    def operator_name(self) -> str | None:
        """Who commands to the daemon are recorded for: the logged-in person, else the computer's user."""
        if self.actor is not None:
            return self.actor.full_name
        try:
            return getpass.getuser()
        except (OSError, KeyError):
            return None

    def get_key_display(self, binding: Binding) -> str:
        """Keys as the operator reads them: ``Ctrl+S``, ``F9``, ``Esc``."""
        return binding.key_display or describe_key(binding.key)

    def action_help(self) -> None:
        """Show every key that works here."""
        show_key_help(self)

    def with_actor(self, reason: str, then: Callable[[Actor], object]) -> None:
        """Run ``then`` for the logged-in person, asking for a login first if nobody is logged in.

        In single-operator mode the station's named operator acts without a login.
        """
        try:
            actor = self.backend.acting()
        except LoginError:
            self._login(reason, then)
            return
        except TruyenthanhError as exc:
            self.notify(exc.message, title=exc.title, severity="error", timeout=10)
            return
        then(actor)

    # --- Thiết lập đài (helper F4) ---------------------------------------------------------------------------

    def action_station_setup(self) -> None:
        """Open the station's setup (name, commune, province, report lines, reading, sound outputs)."""
        from truyenthanh.tui.screens.setup import open_station_setup

        open_station_setup(self)

    def forget_preview(self) -> None:
        """Drop the preview player (after the setup changed ``preview_device``); the next preview makes one."""
        if self._preview is not None:
            self._preview.stop()
        self._preview = None

    def _offer_setup_once(self) -> None:
        """On the first view of a station without a commune, open its setup (once; only when asked to)."""
        if self._setup_offered:
            return
        self._setup_offered = True

        def check() -> None:
            try:
                needed = self.backend.station_setup().needs_setup
            except TruyenthanhError:
                return
            if needed:
                self.call_from_thread(self.action_station_setup)

        self.run_worker(check, name="first-start", group="first-start", thread=True)

    def on_unmount(self) -> None:
        """Stop any preview still playing and the event listener."""
        self._stop_listening.set()
        if self._preview is not None:
            self._preview.stop()

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (an operator may press it by reflex): say how to quit."""
        self.notify("Nhấn Ctrl+Q để thoát chương trình.", title="Thoát?")
