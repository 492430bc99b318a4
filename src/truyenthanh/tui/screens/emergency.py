"""Khẩn cấp: the confirmation that breaks in on air at once (alert tone, then the bulletin), with its repeats."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Label, TextArea

from truyenthanh.domain.accounts import Actor
from truyenthanh.errors import DaemonError
from truyenthanh.tui.widgets.form import FormScreen

if TYPE_CHECKING:
    from truyenthanh.tui.backend import EmergencySent, StationBackend


class EmergencyScreen(FormScreen["EmergencySent"]):
    """Text to read (or a recorded file), how many times and how often; Ctrl+S breaks in NOW."""

    HEADING = "PHÁT KHẨN CẤP — ngắt ngay chương trình đang phát"
    SAVE_LABEL = "PHÁT NGAY (Ctrl+S)"

    def __init__(self, backend: StationBackend, actor: Actor) -> None:
        super().__init__()
        self._backend = backend
        self._actor = actor

    def fields(self) -> ComposeResult:
        """Text or file, repeat settings."""
        yield Label("Nội dung cần đọc (hoặc để trống và ghi tệp ghi âm bên dưới)")
        yield TextArea(id="emergency-text", soft_wrap=True)
        yield Label("Tệp ghi âm (nếu không đọc văn bản)")
        yield Input(placeholder="/media/usb/canh-bao-lu.mp3", id="emergency-file")
        with Horizontal(classes="emergency-repeat"):
            yield Label("Số lần phát")
            yield Input("1", id="emergency-repeat")
            yield Label("cách nhau (phút)")
            yield Input("120", id="emergency-every")
        yield Checkbox("Lặp lại cho đến khi hủy (bão, lũ: mỗi 2 giờ, cả ngày lẫn đêm)", id="emergency-until")

    def collect(self) -> dict[str, Any]:
        """Read and check the fields."""
        text = self.query_one("#emergency-text", TextArea).text.strip()
        file = self.query_one("#emergency-file", Input).value.strip()
        if bool(text) == bool(file):
            raise ValueError("Cần đúng một trong hai: nội dung cần đọc, hoặc tệp ghi âm.")
        try:
            repeat = int(self.query_one("#emergency-repeat", Input).value)
            every = float(self.query_one("#emergency-every", Input).value.replace(",", "."))
        except ValueError:
            raise ValueError("Số lần phát và số phút phải là số (ví dụ 3 và 120).") from None
        if repeat < 1 or every <= 0:
            raise ValueError("Số lần phát phải từ 1 trở lên và khoảng cách phải lớn hơn 0 phút.")
        return {
            "text": text or None,
            "file": Path(file) if file else None,
            "repeat": repeat,
            "every_min": every,
            "until_cancelled": self.query_one("#emergency-until", Checkbox).value,
        }

    def save(self, values: dict[str, Any]) -> EmergencySent:
        """Send it to the daemon.

        Raises:
            DaemonError: no daemon runs, or it refused.
        """
        if values["file"] is not None and not values["file"].expanduser().is_file():
            raise DaemonError(f"Không thấy tệp {values['file']}.")
        return self._backend.emergency(actor=self._actor, **values)
