"""Trạm (F2 in the «Tuyến trên» mode): every station subscribed to the hub, one row each, with a status light
(online, offline, refusing a message of the hub, not enrolled yet), when it was last heard from, its daemon's and
sound device's health, its next airing, its misses in the last 24 hours and its free disk; the pane under the
table has the highlighted station's last refused message and everything else known. Refreshes by itself."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Static

from truyenthanh.tui.hub_backend import (
    LIGHT_NEW,
    LIGHT_OFFLINE,
    LIGHT_ONLINE,
    LIGHT_REFUSING,
    StationLine,
    StationsView,
)
from truyenthanh.tui.screens.clusters import ago
from truyenthanh.tui.screens.hub_base import HubScreen, HubStatusBar, clock_time
from truyenthanh.tui.widgets.keyhints import KeyHints
from truyenthanh.tui.widgets.tables import column_widths

REFRESH_S = 3.0
"""How often the list is read again (seconds)."""

COLUMNS = (
    ("Trạng thái", None),
    ("Đài", 22),
    ("Lần cuối", None),
    ("Dịch vụ phát", None),
    ("Thiết bị", 14),
    ("Phát kế tiếp", 26),
    ("Lỡ 24 giờ", None),
    ("Đĩa trống", None),
)
"""The table's columns (header, widest it grows to)."""

LIGHTS = {
    LIGHT_ONLINE: ("Trực tuyến", "bold green"),
    LIGHT_OFFLINE: ("Mất kết nối", "bold red"),
    LIGHT_REFUSING: ("Từ chối tin", "bold red"),
    LIGHT_NEW: ("Chưa đăng ký", "dim"),
}
"""A station's light → its words and colour."""


def light(line: StationLine) -> Text:
    """``● Trực tuyến`` green, ``● Mất kết nối`` / ``● Từ chối tin`` red, ``○ Chưa đăng ký`` dim."""
    words, style = LIGHTS.get(line.light, (line.light, "bold"))
    return Text(f"{'○' if line.light == LIGHT_NEW else '●'} {words}", style=style)


def disk(free: int | None) -> str:
    """``12.3 GB`` (or MB below a gigabyte); ``—`` when not reported."""
    if free is None:
        return "—"
    return f"{free / 2**30:.1f} GB" if free >= 2**30 else f"{free // 2**20} MB"


def short_time(moment: datetime, now: datetime) -> str:
    """``17:00`` today, ``05:30 24/11`` another day."""
    return f"{moment:%H:%M}" if moment.date() == now.date() else f"{moment:%H:%M %d/%m}"


def station_row(line: StationLine, view: StationsView) -> tuple[Text | str, ...]:
    """The table's cells for one station."""
    health = line.health
    if line.light == LIGHT_NEW or health is None:
        seen = "chưa bao giờ" if line.last_seen is None else ago(line.last_seen, view.now)
        return (light(line), line.name, seen, "—", "—", "—", "—", "—")
    daemon = "?" if line.light == LIGHT_OFFLINE else ("Tốt" if health.daemon_ok else "Không chạy")
    device = "Tốt" if health.device_ok else (health.device_error or "Lỗi")
    upcoming = "không có"
    if health.next_airing is not None:
        upcoming = f"{short_time(health.next_airing.astimezone(view.now.tzinfo), view.now)} «{health.next_title or ''}»"
    return (
        light(line),
        line.name,
        ago(line.last_seen, view.now),
        daemon,
        device,
        upcoming,
        str(health.misses_24h),
        disk(health.free_disk_bytes),
    )


def details(line: StationLine, view: StationsView) -> str:
    """Everything known about one station, in Vietnamese, for the pane under the table."""
    words = LIGHTS.get(line.light, (line.light, ""))[0]
    lines = [f"«{line.name}» (mã {line.slug}): {words}."]
    if line.light == LIGHT_NEW:
        lines.append(
            f"Đài chưa đăng ký: cấp mã bằng «truyenthanh hub station enroll {line.slug}», rồi trên máy của đài chạy "
            "«truyenthanh upstream enrol URL MÃ»."
        )
        return "\n".join(lines)
    health = line.health
    if line.light == LIGHT_OFFLINE:
        lines.append(
            f"Không liên lạc được từ {ago(line.last_seen, view.now)}: số liệu dưới đây là lần báo cuối. Đài vẫn tự "
            "phát theo lịch đã có; gói và tin gửi trong lúc này sẽ tới khi đài kết nối lại."
        )
    if health is None:
        lines.append("Đài chưa gửi báo cáo tình trạng nào.")
        return "\n".join(lines)
    if health.refused:
        lines.append(f"Tin bị từ chối gần nhất: {health.refused}")
    if not health.device_ok:
        lines.append(f"Thiết bị âm thanh lỗi: {health.device_error or 'không rõ'}.")
    if health.playing:
        lines.append(f"Đang phát: {health.playing}.")
    row = station_row(line, view)
    lines.append(
        f"Báo lúc {clock_time(health.at.astimezone(view.now.tzinfo), view.now)}; phát kế tiếp: {row[5]}; lỡ trong 24 "
        f"giờ: {row[6]}; đĩa trống: {row[7]}; phiên bản {health.version or '?'}."
    )
    return "\n".join(lines)


class StationsLoaded(Message):
    """The stations were read."""

    def __init__(self, view: StationsView) -> None:
        super().__init__()
        self.view = view


class HubStationsScreen(HubScreen):
    """The stations in a table; the details of the highlighted one below it."""

    TITLE = "Trạm"
    DEFAULT_CSS = """
    #hub-stations-empty { color: $warning; text-style: bold; padding: 0 1; height: auto; }
    #hub-stations-table { height: 1fr; border: round $primary; }
    #hub-stations-details { height: auto; max-height: 8; border: round $secondary; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "reload", "Đọc lại")]

    def __init__(self) -> None:
        super().__init__()
        self.view: StationsView | None = None
        """What the table shows (tests read it)."""

    def compose(self) -> ComposeResult:
        """Header, a banner when there is no station, the table, the details, the keys."""
        yield HubStatusBar("stations")
        yield Static("", id="hub-stations-empty")
        yield DataTable(id="hub-stations-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="hub-stations-details")
        yield KeyHints()

    def on_mount(self) -> None:
        """Titles, the list, and a refresh every few seconds."""
        table = self.query_one("#hub-stations-table", DataTable)
        table.border_title = "Các đài xã nhận tin của tuyến trên"
        self.query_one("#hub-stations-details").border_title = "Chi tiết"
        self.query_one("#hub-stations-empty").display = False
        self.action_reload()
        self.set_interval(REFRESH_S, self.action_reload)
        table.focus()

    def on_screen_resume(self) -> None:
        """Shown again: read the list."""
        self.action_reload()

    def action_reload(self) -> None:
        """Read the stations again (the cursor stays on its station)."""
        self.run_call(lambda backend: backend.stations(), StationsLoaded, group="hub-stations")

    def on_stations_loaded(self, message: StationsLoaded) -> None:
        """Fill the table, keeping the cursor on the same station."""
        previous = self.view
        table = self.query_one("#hub-stations-table", DataTable)
        current = (
            previous.stations[table.cursor_row].slug if previous and table.cursor_row < len(previous.stations) else None
        )
        view = self.view = message.view
        cells = [station_row(line, view) for line in view.stations]
        headers = [header for header, _ in COLUMNS]
        widths = column_widths(headers, [[str(c) for c in row] for row in cells], [limit for _, limit in COLUMNS])
        table.clear(columns=True)
        for header, width in zip(headers, widths, strict=True):
            table.add_column(header, width=width)
        for line, row in zip(view.stations, cells, strict=True):
            shown = [c if isinstance(c, Text) else Text(c, no_wrap=True, overflow="ellipsis") for c in row]
            table.add_row(*shown, key=line.slug)
        slugs = [line.slug for line in view.stations]
        if current in slugs:
            table.move_cursor(row=slugs.index(current), animate=False)
        banner = self.query_one("#hub-stations-empty", Static)
        banner.update(
            "Tuyến trên chưa có đài nào: thêm bằng «truyenthanh hub station add TÊN», rồi cấp mã đăng ký bằng "
            "«truyenthanh hub station enroll TÊN»."
        )
        banner.display = not view.stations
        self._show_details()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """Show the highlighted station's details."""
        self._show_details()

    def _show_details(self) -> None:
        pane = self.query_one("#hub-stations-details", Static)
        row = self.query_one("#hub-stations-table", DataTable).cursor_row
        if self.view is None or not 0 <= row < len(self.view.stations):
            pane.update("")
            return
        pane.update(details(self.view.stations[row], self.view))


__all__ = ["HubStationsScreen", "StationsLoaded", "details", "disk", "light", "station_row"]
