"""Cụm loa (Ctrl+K): the station's IP loudspeaker clusters (issue 18). One row per enrolled receiver, with a
status light, when it was last heard from, what it plays, its volume, its clock's offset and how fresh its copy
of the schedule is; zones without a receiver are listed too. The operator sends a test tone, sets the volume,
asks for a re-sync, adds a zone and enrols a new box with a one-time code. The list refreshes by itself."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.fleet import Action
from truyenthanh.tui.backend import ClustersView, EnrolmentOffer, ZoneLine
from truyenthanh.tui.screens.base import StationScreen
from truyenthanh.tui.widgets.acting_form import ActingForm, FieldError
from truyenthanh.tui.widgets.keyhints import KeyHints
from truyenthanh.tui.widgets.statusbar import StatusBar
from truyenthanh.tui.widgets.tables import column_widths

if TYPE_CHECKING:
    from truyenthanh.domain.fleet import ReceiverStatus
    from truyenthanh.services.fleet import ReceiverView

COLUMNS = (
    ("Trạng thái", None),
    ("Cụm loa", 15),
    ("Khu vực", 10),
    ("Lần cuối", None),
    ("Lịch (đồng bộ → hết)", None),
    ("Đang phát", 12),
    ("Âm lượng", None),
    ("Đồng hồ", None),
    ("Tệp", None),
)
"""The table's columns (header, widest it grows to): a longer cell ends with "…"; the details pane has it all."""

REFRESH_S = 5.0
"""How often the list is read again (seconds); a daemon event reads it at once."""

LIGHTS = {
    "ok": ("Tốt", "bold green"),
    "stale": ("Lịch cũ", "bold yellow"),
    "offline": ("Mất kết nối", "bold red"),
    "refusing": ("Từ chối lệnh", "bold red"),
}
"""A receiver's ``light`` → its words and colour."""

NO_RECEIVER = "chưa có cụm loa"
"""What the name column says on a zone's row when no box is enrolled in it."""

FLEET_OFF = (
    "Phần cụm loa đang tắt: dịch vụ phát không gửi lịch và lệnh tới cụm loa nào. Để bật: chạy "
    "«truyenthanh broker config», đặt «fleet_enabled = true» trong tệp truyenthanh.toml của đài (xem "
    "«truyenthanh locate»), rồi khởi động lại dịch vụ phát."
)
"""What the screen says while ``fleet_enabled`` is false."""

DAEMON_DOWN = (
    "Dịch vụ phát không chạy: cụm loa vẫn phát theo bản lịch đã nhận, nhưng không nhận được lịch mới và lệnh. "
    "Hãy chạy «truyenthanh daemon» (hoặc mở lại giao diện để tự khởi động dịch vụ phát)."
)
"""What the screen says while the daemon does not answer."""


# --- how a receiver's state is written ------------------------------------------------------------------


def light(receiver: ReceiverView) -> Text:
    """The status light: ``● Tốt`` green, ``● Lịch cũ`` yellow, ``● Mất kết nối`` / ``● Từ chối lệnh`` red."""
    words, style = LIGHTS.get(receiver.light, (receiver.light, "bold"))
    return Text(f"● {words}", style=style)


def ago(moment: datetime | None, now: datetime) -> str:
    """``vừa xong``, ``2 phút trước``, ``3 giờ trước``, ``5 ngày trước``; ``chưa bao giờ`` for ``None``."""
    if moment is None:
        return "chưa bao giờ"
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "vừa xong"
    for size, unit in ((86400, "ngày"), (3600, "giờ"), (60, "phút")):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} trước"
    return "vừa xong"  # unreachable: seconds >= 60 matched "phút"


def offset(milliseconds: float | None) -> str:
    """``lệch +12 ms`` (the box's clock ahead of the station's), ``lệch -3 ms``; ``—`` when not measured."""
    if milliseconds is None:
        return "—"
    return f"lệch {round(milliseconds):+d} ms"


def freshness(status: ReceiverStatus | None, now: datetime) -> str:
    """``09:50 → 30/11``: when the box last had its whole schedule (the day too when not today) and the day its
    copy runs out; ``chưa đồng bộ`` before the first sync."""
    if status is None or status.last_sync is None:
        return "chưa đồng bộ"
    synced = status.last_sync.astimezone(now.tzinfo)
    text = f"{synced:%H:%M}" if synced.date() == now.date() else f"{synced:%H:%M %d/%m}"
    if status.schedule_valid_until is not None:
        text += f" → {status.schedule_valid_until.astimezone(now.tzinfo):%d/%m}"
    return text


def missing(status: ReceiverStatus | None) -> str:
    """``thiếu 3``, ``đủ`` or ``—`` (no status yet)."""
    if status is None:
        return "—"
    return f"thiếu {status.missing_files}" if status.missing_files else "đủ"


def receiver_row(receiver: ReceiverView, zone_name: str, now: datetime) -> tuple[Text | str, ...]:
    """The table's cells for one receiver (``now`` in the station's zone)."""
    status = receiver.status
    playing = (status.playing or "—") if status is not None and receiver.online else "—"
    volume = f"{status.volume}%" if status is not None and status.volume is not None else "—"
    return (
        light(receiver),
        receiver.name,
        zone_name,
        ago(receiver.last_seen, now),
        freshness(status, now),
        playing,
        volume,
        offset(status.clock_offset_ms if status is not None else None),
        missing(status),
    )


def zone_row(zone: ZoneLine) -> tuple[Text | str, ...]:
    """The table's cells for a zone no box is enrolled in."""
    return (Text("○ —", style="dim"), NO_RECEIVER, zone.name, "", "", "", "", "", "")  # nine columns


def details(receiver: ReceiverView, zone_name: str, now: datetime) -> str:
    """Everything known about one receiver, in Vietnamese, for the pane under the table."""
    status = receiver.status
    words = LIGHTS.get(receiver.light, (receiver.light, ""))[0]
    lines = [f"«{receiver.name}» ({receiver.slug}), khu vực {zone_name}: {words}."]
    if status is not None and status.refused:
        lines.append(f"Từ chối lệnh: {status.refused}.")
    if receiver.light == "stale":
        lines.append("Bản lịch trong máy đã cũ: nhấn R để đồng bộ lại, hoặc kiểm tra đường truyền của cụm loa.")
    if receiver.light == "offline":
        lines.append(
            f"Không liên lạc được từ {ago(receiver.last_seen, now)}: kiểm tra nguồn điện và sim 4G của cụm loa. "
            "Cụm loa vẫn tự phát theo bản lịch đã nhận."
        )
    if status is not None:
        row = receiver_row(receiver, zone_name, now)
        lines.append(
            f"Lần cuối liên lạc: {row[3]}; lịch: {row[4]}; đang phát: {row[5]}; âm lượng: {row[6]}; đồng hồ: "
            f"{row[7]}; tệp: {row[8]}."
        )
        facts = [f"Phiên bản {status.version or '?'}"]
        if status.free_disk_bytes is not None:
            facts.append(f"đĩa còn trống {status.free_disk_bytes / 2**30:.1f} GB")
        lines.append("; ".join(facts) + ".")
    return "\n".join(lines)


def rows_of(view: ClustersView) -> list[tuple[ZoneLine, ReceiverView | None]]:
    """The table's rows: zone by zone, each zone's receivers, or the zone alone when it has none; receivers of a
    zone the list does not know (just added elsewhere) last."""
    rows: list[tuple[ZoneLine, ReceiverView | None]] = []
    for zone in view.zones:
        boxes = [box for box in view.receivers if box.zone == zone.slug]
        rows += [(zone, box) for box in boxes] or [(zone, None)]
    known = {zone.slug for zone in view.zones}
    rows += [(ZoneLine(box.zone, box.zone), box) for box in view.receivers if box.zone not in known]
    return rows


# --- messages -------------------------------------------------------------------------------------------


class ClustersLoaded(Message):
    """The zones and receivers were read."""

    def __init__(self, view: ClustersView) -> None:
        super().__init__()
        self.view = view


class ClusterCommandSent(Message):
    """The daemon took a command for a cluster; ``text`` says which, in Vietnamese."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class EnrolmentCodeIssued(Message):
    """A one-time enrolment code was issued."""

    def __init__(self, offer: EnrolmentOffer) -> None:
        super().__init__()
        self.offer = offer


# --- the screen -----------------------------------------------------------------------------------------


class ClustersScreen(StationScreen):
    """The clusters in a table; the keys act on the highlighted row."""

    TITLE = "Cụm loa"
    DEFAULT_CSS = """
    #clusters-problem { color: $warning; text-style: bold; padding: 0 1; height: auto; }
    #clusters-table { height: 1fr; border: round $primary; }
    #clusters-details { height: auto; max-height: 7; border: round $secondary; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "test_tone", "Thử loa"),
        Binding("v", "volume", "Âm lượng"),
        Binding("r", "resync", "Đồng bộ lại"),
        Binding("n", "add_zone", "Thêm khu vực"),
        Binding("e", "enrol", "Ghép cụm loa"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: ClustersView | None = None
        """What the table shows (tests read it)."""
        self.rows: list[tuple[ZoneLine, ReceiverView | None]] = []
        """Each table row's zone and receiver (``None``: a zone without one), in table order."""

    def compose(self) -> ComposeResult:
        """Status, what is wrong (if anything), the table, the details, the keys."""
        yield StatusBar("clusters")
        yield Static("", id="clusters-problem")
        yield DataTable(id="clusters-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="clusters-details")
        yield KeyHints()

    def on_mount(self) -> None:
        """Columns, the list, and a refresh every few seconds."""
        table = self.query_one("#clusters-table", DataTable)
        table.border_title = "Cụm loa của đài"
        self.query_one("#clusters-details").border_title = "Chi tiết"
        self.query_one("#clusters-problem").display = False
        self.action_reload()
        self.set_interval(REFRESH_S, self.action_reload)
        table.focus()

    def on_screen_resume(self) -> None:
        """Shown again: read the list."""
        self.action_reload()

    def action_reload(self) -> None:
        """Read the zones and receivers again (the cursor stays on its cluster)."""
        self.run_call(lambda backend: ClustersLoaded(backend.clusters()), lambda m: m, group="clusters")

    def on_clusters_loaded(self, message: ClustersLoaded) -> None:
        """Fill the table, keeping the cursor on the same cluster (or zone)."""
        view = self.view = message.view
        table = self.query_one("#clusters-table", DataTable)
        current = self._key(table.cursor_row)
        self.rows = rows_of(view)
        cells = [receiver_row(box, zone.name, view.now) if box else zone_row(zone) for zone, box in self.rows]
        headers = [header for header, _ in COLUMNS]
        plain = [[str(cell) for cell in row] for row in cells]
        widths = column_widths(headers, plain, [limit for _, limit in COLUMNS])
        table.clear(columns=True)
        for header, width in zip(headers, widths, strict=True):
            table.add_column(header, width=width)
        for (zone, box), row in zip(self.rows, cells, strict=True):
            shown = [cell if isinstance(cell, Text) else Text(cell, no_wrap=True, overflow="ellipsis") for cell in row]
            table.add_row(*shown, key=self._row_key(zone, box))
        keys = [self._row_key(zone, box) for zone, box in self.rows]
        if current in keys:
            table.move_cursor(row=keys.index(current), animate=False)
        self._show_problem(view)
        self._show_details()

    @staticmethod
    def _row_key(zone: ZoneLine, receiver: ReceiverView | None) -> str:
        return f"receiver:{receiver.slug}" if receiver else f"zone:{zone.slug}"

    def _key(self, row: int) -> str | None:
        if 0 <= row < len(self.rows):
            return self._row_key(*self.rows[row])
        return None

    def _show_problem(self, view: ClustersView) -> None:
        problems = []
        if not view.enabled:
            problems.append(FLEET_OFF)
        elif not view.daemon_up:
            problems.append(DAEMON_DOWN)
        if not view.zones:
            problems.append("Đài chưa có khu vực nào: nhấn N để thêm khu vực, rồi E để ghép cụm loa.")
        banner = self.query_one("#clusters-problem", Static)
        banner.update("\n".join(problems))
        banner.display = bool(problems)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Show the highlighted cluster's details."""
        self._show_details()

    def _show_details(self) -> None:
        pane = self.query_one("#clusters-details", Static)
        row = self.query_one("#clusters-table", DataTable).cursor_row
        if self.view is None or not 0 <= row < len(self.rows):
            pane.update("")
            return
        zone, receiver = self.rows[row]
        if receiver is None:
            pane.update(f"Khu vực «{zone.name}» chưa có cụm loa: nhấn E để lấy mã ghép một cụm loa vào khu vực này.")
        else:
            pane.update(details(receiver, zone.name, self.view.now))

    # --- actions ---------------------------------------------------------------------------------------

    def _selected(self) -> tuple[ZoneLine, ReceiverView | None] | None:
        row = self.query_one("#clusters-table", DataTable).cursor_row
        if 0 <= row < len(self.rows):
            return self.rows[row]
        self.notify("Chưa có khu vực nào: nhấn N để thêm khu vực.", title="Cụm loa")
        return None

    def _selected_receiver(self) -> ReceiverView | None:
        """The highlighted receiver, or ``None`` after saying why there is none (or why commands cannot go)."""
        selected = self._selected()
        if selected is None:
            return None
        zone, receiver = selected
        if receiver is None:
            self.notify(
                f"Khu vực «{zone.name}» chưa có cụm loa: nhấn E để ghép một cụm loa trước.",
                title="Cụm loa",
                severity="warning",
            )
            return None
        if self.view is not None and not self.view.enabled:
            self.notify(FLEET_OFF, title="Cụm loa", severity="warning", timeout=12)
            return None
        return receiver

    def _command(self, action: Action, reason: str) -> None:
        receiver = self._selected_receiver()
        if receiver is None:
            return

        def send(actor: Actor) -> None:
            self.run_call(
                lambda backend: backend.cluster_command(actor, action, receiver.slug, name=receiver.name),
                ClusterCommandSent,
                group="cluster-command",
            )

        self.station_app.with_actor(reason, send)

    def action_test_tone(self) -> None:
        """Play the test tone once on the highlighted cluster."""
        self._command(Action.TEST_TONE, "Thử loa cần người điều khiển phát sóng: đăng nhập để tiếp tục.")

    def action_resync(self) -> None:
        """Have the highlighted cluster fetch its schedule again and check every file it keeps."""
        self._command(Action.RESYNC, "Đồng bộ lại cần người điều khiển phát sóng: đăng nhập để tiếp tục.")

    def action_volume(self) -> None:
        """Set the highlighted cluster's volume (0–100)."""
        receiver = self._selected_receiver()
        if receiver is None:
            return
        current = receiver.status.volume if receiver.status is not None else None
        self.app.push_screen(VolumeScreen(receiver.slug, receiver.name, current), self._said)

    def action_add_zone(self) -> None:
        """A new zone (name, hamlet)."""

        def added(zone: ZoneLine | None) -> None:
            if zone is not None:
                self._said(f"Đã thêm khu vực «{zone.name}»: nhấn E để ghép cụm loa vào khu vực này.")

        self.app.push_screen(NewZoneScreen(), added)

    def action_enrol(self) -> None:
        """A one-time code to enrol a new cluster box in the highlighted row's zone."""
        selected = self._selected()
        if selected is None:
            return
        zone = selected[0]

        def issue(actor: Actor) -> None:
            self.run_call(lambda backend: backend.enrolment_code(actor, zone.slug), EnrolmentCodeIssued, group="enrol")

        self.station_app.with_actor("Ghép cụm loa cần người quản lý đài: đăng nhập để tiếp tục.", issue)

    def on_enrolment_code_issued(self, message: EnrolmentCodeIssued) -> None:
        """Show the code, big."""
        self.app.push_screen(EnrolmentCodeScreen(message.offer))

    def on_cluster_command_sent(self, message: ClusterCommandSent) -> None:
        """Say it; the cluster's next status shows the effect."""
        self._said(message.text)

    def _said(self, text: str | None) -> None:
        if text:
            self.notify(text, title="Cụm loa")
            self.action_reload()


# --- dialogs --------------------------------------------------------------------------------------------


class VolumeScreen(ActingForm[str]):
    """The volume of one cluster, 0 to 100 percent; the daemon sends it, signed."""

    REASON = "Đổi âm lượng cần người điều khiển phát sóng: đăng nhập để tiếp tục."
    FIELDS: ClassVar[dict[str, str]] = {"volume": "#cluster-volume"}
    SAVE_LABEL = "Gửi (Ctrl+S)"

    def __init__(self, receiver: str, name: str, current: int | None) -> None:
        """``receiver`` is the box's slug, ``name`` how the operator knows it, ``current`` its volume now."""
        super().__init__()
        self.receiver = receiver
        self.box_name = name
        self.current = current
        self.HEADING = f"Âm lượng của cụm loa «{name}»"

    def fields(self) -> ComposeResult:
        """The volume."""
        yield Label("Âm lượng (0 đến 100 %)")
        yield Input("" if self.current is None else str(self.current), id="cluster-volume")

    def collect(self) -> dict[str, Any]:
        """Read the volume.

        Raises:
            FieldError: not a whole number from 0 to 100.
        """
        typed = self.query_one("#cluster-volume", Input).value.strip()
        if not typed.isdigit() or not 0 <= int(typed) <= 100:
            raise FieldError(
                f"Âm lượng phải là số nguyên từ 0 đến 100 (ô «Âm lượng»); «{typed}» không dùng được.", "volume"
            )
        return {"volume": int(typed)}

    def save(self, values: dict[str, Any]) -> str:
        """Have the daemon send the volume to the box; returns what was done."""
        assert self.actor is not None
        return self.backend.cluster_command(
            self.actor, Action.VOLUME, self.receiver, volume=values["volume"], name=self.box_name
        )


class NewZoneScreen(ActingForm[ZoneLine]):
    """A new zone (khu vực): its name and the hamlet it covers."""

    HEADING = "Thêm khu vực"
    REASON = "Thêm khu vực cần người quản lý đài: đăng nhập để tiếp tục."
    FIELDS: ClassVar[dict[str, str]] = {"name": "#zone-name", "hamlet": "#zone-hamlet"}

    def fields(self) -> ComposeResult:
        """Name and hamlet."""
        yield Label("Tên khu vực (ví dụ: Thôn Đông)")
        yield Input(id="zone-name")
        yield Label("Thôn, xóm (có thể để trống)")
        yield Input(id="zone-hamlet")

    def collect(self) -> dict[str, Any]:
        """Read the fields.

        Raises:
            FieldError: no name.
        """
        name = self.query_one("#zone-name", Input).value.strip()
        if not name:
            raise FieldError("Hãy gõ tên khu vực (ô «Tên khu vực»).", "name")
        return {"name": name, "hamlet": self.query_one("#zone-hamlet", Input).value.strip()}

    def save(self, values: dict[str, Any]) -> ZoneLine:
        """Add the zone as the logged-in person."""
        assert self.actor is not None
        return self.backend.add_zone(self.actor, values["name"], values["hamlet"])


class EnrolmentCodeScreen(ModalScreen[None]):
    """The one-time code, big, with its expiry and the command to type on the cluster box."""

    DEFAULT_CSS = """
    EnrolmentCodeScreen { align: center middle; }
    #enrol-box { width: 76; max-width: 100%; height: auto; border: thick $accent; background: $surface;
                 padding: 1 2; }
    #enrol-code { width: 100%; content-align: center middle; text-style: bold; color: $warning;
                  border: round $warning; padding: 1 0; margin: 1 0; }
    #enrol-command { color: $success; margin: 1 0 0 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Đóng"),
        Binding("enter", "close", "Đóng", show=False),
    ]

    def __init__(self, offer: EnrolmentOffer) -> None:
        """``offer`` as the backend issued it."""
        super().__init__()
        self.offer = offer

    def compose(self) -> ComposeResult:
        """Heading, the code, its expiry, the command."""
        offer = self.offer
        with Vertical(id="enrol-box"):
            yield Label(f"Mã ghép cụm loa vào khu vực «{offer.zone}»", classes="form-heading")
            yield Static(" ".join(offer.code), id="enrol-code")
            yield Label(
                f"Mã dùng được một lần, hết hạn lúc {offer.expires_at:%H:%M} ngày {offer.expires_at:%d/%m/%Y}.",
                id="enrol-expiry",
            )
            yield Label("Trên máy của cụm loa, gõ lệnh sau (thay TÊN bằng tên của cụm loa):")
            yield Static(offer.command, id="enrol-command")
            yield Label("Esc hoặc Enter: đóng", classes="dialog-hint")

    def action_close(self) -> None:
        """Close (the code stays valid until it is used or expires)."""
        self.dismiss(None)
