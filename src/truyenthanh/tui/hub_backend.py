"""What the TUI's «Tuyến trên» mode asks of the hub (issue 19), in one small facade over the hub's container.

The hub's operator screens (:mod:`truyenthanh.tui.screens.hub`) talk only to :class:`HubBackend`: it lists the
subscribed stations with their health, checks a package before it is offered, sends packages, emergencies and
their cancellation through :class:`~truyenthanh.hub.desk.HubDesk`, and reads the stations' answers back as
:class:`Answer` rows. Every method may block (the database, the broker): screens call them from thread workers.
Nothing here imports Textual, so the facade can be driven from tests and benchmarks on its own.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.package import MANIFEST_NAME, PACKAGE_SUFFIX, SIGNATURE_NAME, parse_manifest, parse_signature
from truyenthanh.domain.upstream import PACKAGE_WAITING, StationHealth
from truyenthanh.errors import FleetError, LoginError, PackageError, StorageError
from truyenthanh.hub.desk import HubDesk, Sent
from truyenthanh.hub.reports import hub_reports
from truyenthanh.services.hub_reports import HubReportService
from truyenthanh.services.reports import FORMATS

if TYPE_CHECKING:
    from truyenthanh.bootstrap import Container
    from truyenthanh.domain.reports import Period, Report

LIGHT_ONLINE = "online"
LIGHT_OFFLINE = "offline"
LIGHT_REFUSING = "refusing"
LIGHT_NEW = "new"
"""A station's light: connected, not connected, connected but it refused a message of the hub, never enrolled."""


@dataclass(frozen=True)
class StationLine:
    """One station as the «Trạm» screen shows it.

    ``slug`` is its zone at the hub (what a sending names); ``receiver`` its enrolled account, ``None`` until it
    enrols with its one-time code.
    """

    slug: str
    name: str
    receiver: str | None
    light: str
    """:data:`LIGHT_ONLINE`, :data:`LIGHT_OFFLINE`, :data:`LIGHT_REFUSING` or :data:`LIGHT_NEW`."""
    last_seen: datetime | None
    health: StationHealth | None


@dataclass(frozen=True)
class StationsView:
    """Every station of the hub and the instant the list was read (both in the hub's zone)."""

    now: datetime
    stations: tuple[StationLine, ...]


@dataclass(frozen=True)
class PackageCheck:
    """A ``.ttpkg`` that looks right to offer: what it is and who signed it."""

    path: Path
    size: int
    package_id: str
    version: int
    signer: str
    fingerprint: str
    own_key: bool
    """Signed with the hub's own key, the one every station trusted when it enrolled."""

    def describe(self) -> str:
        """One line for the operator, in Vietnamese."""
        size = f"{self.size / 2**20:.1f} MB" if self.size >= 2**20 else f"{max(1, self.size // 1024)} KB"
        text = f"Gói «{self.package_id}» phiên bản {self.version}, {size}, ký bởi «{self.signer}»"
        if self.own_key:
            return text + " (khoá của tuyến trên)."
        return text + f" ({self.fingerprint}): KHÔNG phải khoá của tuyến trên; đài chỉ nhận nếu đã tin cậy khoá này."


@dataclass(frozen=True)
class Sending:
    """A package, an emergency or a cancellation sent from the TUI, to follow its answers."""

    command_id: str
    kind: str
    """``package``, ``emergency`` or ``cancel``."""
    title: str
    sent_at: datetime
    stations: tuple[str, ...]
    """The zones (station slugs) it went to."""


ANSWER_STATES = {
    "sent": "Đã gửi, chờ trả lời",
    "applied": "Đã nhập (duyệt trước)",
    "waiting": "Chờ xã duyệt",
    "delivered": "Đã nhận",
    "heard": "Đã phát",
    "refused": "Từ chối",
    "unknown": "Chưa đăng ký",
}
"""An answer's ``state`` → its words."""


@dataclass(frozen=True)
class Answer:
    """One station's answer to a sending (``state`` ``sent`` until it answers)."""

    slug: str
    name: str
    state: str
    """A key of :data:`ANSWER_STATES`."""
    at: datetime | None = None
    """When the station answered (delivered), in the hub's zone."""
    heard_at: datetime | None = None
    """When the first sample was out on its speaker (emergencies)."""
    reason: str = ""
    """Why it refused, or what it did, in Vietnamese."""

    @property
    def words(self) -> str:
        """The state in Vietnamese."""
        return ANSWER_STATES.get(self.state, self.state)


def answer_of(slug: str, name: str, kind: str, raw: dict[str, Any] | None, zone: ZoneInfo) -> Answer:
    """Read one stored acknowledgement (:meth:`~truyenthanh.services.fleet.FleetService.record_ack`'s form) as an
    :class:`Answer` for a sending of ``kind``; ``None`` is a station that has not answered yet."""
    if raw is None:
        return Answer(slug, name, "sent")
    at = _instant(raw.get("at"), zone)
    heard = _instant(raw.get("heard_at"), zone)
    reason = str(raw.get("reason") or "")
    if not raw.get("ok"):
        return Answer(slug, name, "refused", at, None, reason or "không rõ lý do")
    if kind == "package":
        head, _, rest = reason.partition(":")
        state = "waiting" if head == PACKAGE_WAITING else "applied"
        return Answer(slug, name, state, at, None, rest.strip() or reason)
    return Answer(slug, name, "heard" if heard is not None else "delivered", at, heard, reason)


def _instant(value: object, zone: ZoneInfo) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).astimezone(zone)
    except ValueError:
        return None


class HubBackend:
    """The hub's operator facade for the TUI.

    Args:
        container: the hub's services, built from :func:`~truyenthanh.hub.hub_settings` (``truyenthanh hub``
            does so).
    """

    def __init__(self, container: Container) -> None:
        self.container = container
        self.desk = HubDesk(container)
        self.actor: Actor | None = None
        """Who sendings act for (set by a login, or the named operator in single-operator mode)."""
        self.zone = container.settings.zone
        self.name = self._hub_name()
        """The hub's name, for the header (read once: it changes only with ``hub init``)."""

    # --- who, where, when ------------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The current instant in the hub's zone."""
        return self.container.clock.now().astimezone(self.zone)

    @property
    def data_dir(self) -> Path:
        """The hub's data folder."""
        return self.container.locations.data_dir

    def _hub_name(self) -> str:
        """The hub's name as ``hub init --name`` gave it (its id when it has none, or before ``hub init``)."""
        with self.container.store.transaction() as uow:
            profile = uow.station_profile.profile()
        return (profile.name if profile is not None else "") or self.container.settings.hub_id

    def login(self, username: str, password: str) -> Actor:
        """Check a password; the person returned is who the TUI acts for once the app keeps them.

        Raises:
            LoginError: wrong name or password, a disabled account, or no account at all.
        """
        accounts = self.container.accounts
        if not accounts.has_users():
            raise LoginError(
                "Tuyến trên chưa có tài khoản nào: tạo bằng «truyenthanh --data-dir THƯ_MỤC_TUYẾN_TRÊN user add», "
                "hoặc bật chế độ một người vận hành (single_operator) trong tệp cấu hình."
            )
        return accounts.login(username, password)

    def acting(self) -> Actor:
        """The person a sending acts for: the logged-in account, or the named operator in single-operator mode.

        Raises:
            LoginError: nobody is logged in (the message says how).
        """
        if self.actor is None and self.container.settings.single_operator:
            self.actor = self.container.accounts.single_operator_actor()
        if self.actor is None:
            raise LoginError("Việc này cần biết ai làm để ghi vào nhật ký thay đổi: hãy đăng nhập (Ctrl+L) trước.")
        return self.actor

    # --- stations ----------------------------------------------------------------------------------------------

    def stations(self) -> StationsView:
        """Every station added at the hub, by name: the enrolled ones with their light and last health, then the
        ones still waiting to enrol."""
        views = self.desk.stations()
        zone_of = {r.slug: r.zone for r in self.container.fleet.receivers()}
        lines: list[StationLine] = []
        enrolled: set[str] = set()
        for view in views:
            zone = zone_of.get(view.slug, view.slug)
            enrolled.add(zone)
            if not view.online:
                light = LIGHT_OFFLINE
            elif view.health is not None and view.health.refused:
                light = LIGHT_REFUSING
            else:
                light = LIGHT_ONLINE
            last_seen = view.last_seen.astimezone(self.zone) if view.last_seen else None
            lines.append(StationLine(zone, view.name, view.slug, light, last_seen, view.health))
        for zone_view in self.container.fleet.zones():
            if zone_view.slug not in enrolled:
                lines.append(StationLine(zone_view.slug, zone_view.name, None, LIGHT_NEW, None, None))
        return StationsView(self.now(), tuple(lines))

    # --- packages -----------------------------------------------------------------------------------------------

    def check_package(self, typed: str) -> PackageCheck:
        """Check the ``.ttpkg`` at the path the operator typed before it is offered: it exists, is a package this
        program reads, and is signed (stations refuse unsigned ones). Reads only its manifest and signature.

        Raises:
            PackageError: no path, no such file, not a ``.ttpkg``, unreadable, or not signed (``field``
                ``package``).
        """
        text = typed.strip().strip("'\"")
        if not text:
            raise PackageError("Hãy gõ đường dẫn tới gói .ttpkg (ô «Gói»).", field="package")
        path = Path(text).expanduser()
        if not path.is_file():
            raise PackageError(f"Không có tệp {path} (ô «Gói»).", field="package")
        if path.suffix.lower() != PACKAGE_SUFFIX:
            raise PackageError(f"Tệp {path.name} không phải gói {PACKAGE_SUFFIX} (ô «Gói»).", field="package")
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if SIGNATURE_NAME not in names:
                    raise PackageError(
                        f"Gói {path.name} chưa được ký: các đài sẽ từ chối. Ký bằng «truyenthanh hub --data-dir "
                        f"{self.data_dir} package sign {path}» rồi gửi lại.",
                        field="package",
                    )
                manifest = parse_manifest(archive.read(MANIFEST_NAME))
                signature = parse_signature(archive.read(SIGNATURE_NAME))
            size = path.stat().st_size
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error) as exc:
            raise PackageError(f"Tệp {path.name} không phải gói .ttpkg đọc được ({exc}).", field="package") from exc
        own = {key.fingerprint for key in self.container.keys.own_keys()}
        return PackageCheck(
            path,
            size,
            manifest.package_id,
            manifest.version,
            signature.signer,
            signature.key_fingerprint,
            signature.key_fingerprint in own,
        )

    def send_package(self, actor: Actor, check: PackageCheck, to: Sequence[str]) -> Sending:
        """Offer a checked package to the stations ``to`` names (zone slugs; every one when empty).

        Raises:
            PermissionDeniedError: ``actor`` may not import packages.
            FleetError: no such station, the file cannot be read, or the broker did not take the notice.
        """
        self.container.accounts.require(actor, Permission.IMPORT_PACKAGES)
        sent = self.desk.send_package(actor.username, check.path, to)
        return self._sending(sent, "package", check.path.name)

    # --- emergencies --------------------------------------------------------------------------------------------

    def send_emergency(
        self, actor: Actor, text: str, to: Sequence[str], *, audio: str = "", repeat: int = 1
    ) -> Sending:
        """Send an emergency bulletin to the stations ``to`` names (every one when empty): ``text`` read by each
        station's voice, or the recorded file at the path ``audio``.

        Raises:
            PermissionDeniedError: ``actor`` may not send emergencies.
            FleetError: neither text nor file, or both (``field`` ``text``); no such file (``field`` ``file``); no
                such station; the broker did not take the command.
        """
        self.container.accounts.require(actor, Permission.SEND_EMERGENCY)
        path = self.check_audio(audio) if audio.strip() else None
        sent = self.desk.send_emergency(actor.username, text or None, to, repeat=repeat, audio=path)
        title = " ".join(text.split())[:60] or (path.stem if path else "")
        return self._sending(sent, "emergency", title)

    @staticmethod
    def check_audio(typed: str) -> Path:
        """The recorded bulletin at the path the operator typed.

        Raises:
            FleetError: no path, or no such file (``field`` ``file``).
        """
        text = typed.strip().strip("'\"")
        if not text:
            raise FleetError("Hãy gõ đường dẫn tới tệp thu sẵn (ô «Tệp thu sẵn»).", field="file")
        path = Path(text).expanduser()
        if not path.is_file():
            raise FleetError(f"Không có tệp âm thanh {path} (ô «Tệp thu sẵn»).", field="file")
        return path

    def cancel_emergency(self, actor: Actor, to: Sequence[str]) -> Sending:
        """Stop the emergency playing at the stations ``to`` names (every one when empty).

        Raises:
            PermissionDeniedError: ``actor`` may not send emergencies.
            FleetError: no such station, or the broker did not take the command.
        """
        self.container.accounts.require(actor, Permission.SEND_EMERGENCY)
        sent = self.desk.cancel_emergency(actor.username, to)
        return self._sending(sent, "cancel", "Dừng khẩn cấp")

    def _sending(self, sent: Sent, kind: str, title: str) -> Sending:
        return Sending(sent.command_id, kind, title, self.now(), sent.stations)

    # --- reports ------------------------------------------------------------------------------------------------

    def current_half(self) -> str:
        """The half-year the hub's today falls in, as the period field takes it (``2026-2``)."""
        today = self.now()
        return f"{today.year}-{1 if today.month <= 6 else 2}"

    def report_period(self, typed: str) -> Period:
        """The half-year the operator typed (``2026-1`` or ``2026-2``).

        Raises:
            ReportError: not of that form, or a year out of range (``field`` ``half``).
        """
        return HubReportService.period(typed.strip(), None)

    def province_report(self, period: Period) -> Report:
        """The province's report of ``period`` (hours per category, airings and emergencies per commune).

        Raises:
            StorageError: the hub's folder holds no database.
        """
        return hub_reports(self.container).build(period)

    @property
    def reports_folder(self) -> Path:
        """Where the report files go: ``reports`` in the hub's data folder."""
        return hub_reports(self.container).folder

    def write_report(self, period: Period, progress: Callable[[Path], None] | None = None) -> list[Path]:
        """Write the report of ``period`` as DOCX, XLSX and CSV into :attr:`reports_folder`; ``progress`` is
        called with each file written. Each file appears whole or not at all.

        Raises:
            StorageError: no hub database, or the folder or a file cannot be written (nothing of this call is
                left).
        """
        return hub_reports(self.container).write(period, formats=FORMATS, progress=progress)

    # --- answers ------------------------------------------------------------------------------------------------

    def answers(self, sending: Sending) -> list[Answer]:
        """Each station's answer to ``sending`` so far, in the order it went to them (the ones that have not
        answered are ``sent``; a station added but never enrolled is ``unknown``: nobody can answer)."""
        raw = self.desk.answers(sending.command_id)
        receivers = {r.zone: r for r in self.container.fleet.receivers()}
        names = {z.slug: z.name for z in self.container.fleet.zones()}
        rows = []
        for zone in sending.stations:
            receiver = receivers.get(zone)
            name = names.get(zone, zone)
            if receiver is None:
                rows.append(Answer(zone, name, "unknown", reason="Đài chưa đăng ký với tuyến trên."))
                continue
            rows.append(answer_of(zone, name, sending.kind, raw.get(receiver.slug), self.zone))
        return rows


def open_hub(open_container: Callable[[], Container]) -> HubBackend:
    """The hub facade over the container ``open_container`` builds, after checking the hub's folder was
    initialised.

    Raises:
        StorageError: the hub's folder was never initialised (the message names «truyenthanh hub init»).
    """
    container = open_container()
    try:
        container.station.revision()
    except StorageError as exc:
        raise StorageError(
            f"Chưa có tuyến trên ở {container.locations.data_dir}. Hãy chạy «truyenthanh hub init --name TÊN» trước."
        ) from exc
    return HubBackend(container)


__all__ = [
    "ANSWER_STATES",
    "Answer",
    "HubBackend",
    "PackageCheck",
    "Sending",
    "StationLine",
    "StationsView",
    "answer_of",
    "open_hub",
]
