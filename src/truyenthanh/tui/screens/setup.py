"""Thiết lập đài: the station's name, commune and province, the lines its reports print, how it reads numbers,
and its sound outputs (with a test tone and the question whether it was heard). Opened by Ctrl+G, and on a new
station's first start (no commune yet)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Select

from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.domain.provinces import PROVINCES
from truyenthanh.domain.station_profile import StationSetup, suggested_authority
from truyenthanh.errors import TruyenthanhError
from truyenthanh.tui.screens.dialogs import ConfirmScreen
from truyenthanh.tui.widgets.form import FormRejected, FormScreen

if TYPE_CHECKING:
    from truyenthanh.adapters.sound_devices import SoundDevice
    from truyenthanh.tui.app import TruyenthanhApp
    from truyenthanh.tui.backend import StationBackend

FIELD_LABELS = {
    "name": "Tên đài",
    "province": "Tỉnh, thành phố",
    "commune": "Xã (phường, đặc khu)",
    "report_authority": "Cơ quan chủ quản (dòng đầu báo cáo)",
    "report_issuer": "Cơ quan ban hành (trống: tên đài)",
    "report_number_suffix": "Ký hiệu sau «BC-» trong số văn bản",
    "report_signer_title": "Chức vụ người ký",
    "report_signer_name": "Họ tên người ký",
    "reading_variant": "Cách đọc số",
    "output_device": "Loa phát của đài",
    "preview_device": "Thiết bị nghe thử (tai nghe)",
}
"""Each field's label: shown above it, and naming it in a refusal."""

TEXT_SETTINGS = (
    "report_authority",
    "report_issuer",
    "report_number_suffix",
    "report_signer_title",
    "report_signer_name",
)
"""The report lines, each an :class:`Input` whose id is the setting's name."""

PLACEHOLDERS = {
    "report_authority": "UBND xã Tân Lập, tỉnh Phú Thọ",
    "report_number_suffix": "ĐTT",
    "report_signer_title": "TRƯỞNG ĐÀI",
    "report_signer_name": "Nguyễn Thị Hoa",
}
"""Examples shown in empty fields."""

DEFAULT_OUTPUT = "(mặc định)"
"""The choice of no ``output_device``: PulseAudio's default sink, else PortAudio's default device."""
NO_PREVIEW = "(không đặt: không nghe thử)"
"""The choice of no ``preview_device``: previews are refused."""


class StationSetupScreen(FormScreen[tuple[str, ...]]):
    """The station's setup form; its result is the names of the fields saved (``None``: closed unsaved)."""

    HEADING = "Thiết lập đài"
    SAVE_LABEL = "Lưu thiết lập (Ctrl+S)"

    def __init__(self, current: StationSetup, devices: list[SoundDevice]) -> None:
        """``current``: the station's record and settings; ``devices``: the sound outputs found."""
        super().__init__()
        self.current = current
        self.devices = devices
        self._suggested = suggested_authority(current.profile.commune, current.profile.province)

    @property
    def backend(self) -> StationBackend:
        """The station facade."""
        return cast("TruyenthanhApp", self.app).backend

    def fields(self) -> ComposeResult:
        """Identity, report lines, reading, sound outputs."""
        profile, settings = self.current.profile, self.current.settings
        yield Label(FIELD_LABELS["name"])
        yield Input(profile.name, id="name")
        yield Label(FIELD_LABELS["province"])
        provinces = [(name, name) for name in PROVINCES]
        yield Select(provinces, value=profile.province or Select.NULL, id="province", prompt="Chọn tỉnh, thành phố")
        yield Label(FIELD_LABELS["commune"])
        yield Input(profile.commune, id="commune", placeholder="Tân Lập")
        for name in TEXT_SETTINGS:
            yield Label(FIELD_LABELS[name])
            yield Input(str(settings.get(name) or ""), id=name, placeholder=PLACEHOLDERS.get(name, ""))
        yield Label(FIELD_LABELS["reading_variant"])
        variants = [(variant.label, variant.value) for variant in ReadingVariant]
        yield Select(
            variants, value=settings.get("reading_variant") or "north", id="reading_variant", allow_blank=False
        )
        for name, unset in (("output_device", DEFAULT_OUTPUT), ("preview_device", NO_PREVIEW)):
            yield Label(FIELD_LABELS[name])
            with Horizontal(classes="form-row"):
                yield Select(self._device_options(settings.get(name), unset), id=name, allow_blank=False, value="")
                yield Button("Phát thử", id=f"test-{name}", compact=True)
        yield Label("", id="sound-result")

    def _device_options(self, current: str | None, unset: str) -> list[tuple[str, str]]:
        """The devices found, the current one among them even when it was not found, and "not set" (``""``)."""
        options = [(unset, "")] + [(device.label, device.name) for device in self.devices]
        if current and current not in {device.name for device in self.devices}:
            options.append((f"{current} (không thấy)", current))
        return options

    def on_mount(self) -> None:
        """Select the devices in force."""
        for name in ("output_device", "preview_device"):
            self.query_one(f"#{name}", Select).value = self.current.settings.get(name) or ""

    def on_input_changed(self, event: Input.Changed) -> None:
        """Keep the suggested governing-body line in step with the commune (unless one was typed)."""
        if event.input.id == "commune":
            self._suggest()

    def on_select_changed(self, event: Select.Changed) -> None:
        """As :meth:`on_input_changed`, for the province."""
        if event.select.id == "province":
            self._suggest()

    def _suggest(self) -> None:
        province = self.query_one("#province", Select).value
        commune = self.query_one("#commune", Input).value.strip()
        suggestion = suggested_authority(commune, province if isinstance(province, str) else "")
        authority = self.query_one("#report_authority", Input)
        if authority.value.strip() in ("", self._suggested):
            authority.value = suggestion
        self._suggested = suggestion

    def collect(self) -> dict[str, Any]:
        """Read the fields (empty texts are fine: the service says what it refuses)."""
        province = self.query_one("#province", Select).value
        identity = {
            "name": self.query_one("#name", Input).value,
            "commune": self.query_one("#commune", Input).value,
            "province": province if isinstance(province, str) else "",
        }
        settings: dict[str, Any] = {name: self.query_one(f"#{name}", Input).value for name in TEXT_SETTINGS}
        for name in ("reading_variant", "output_device", "preview_device"):
            settings[name] = self.query_one(f"#{name}", Select).value
        return {"identity": identity, "settings": settings}

    def save(self, values: dict[str, Any]) -> tuple[str, ...]:
        """Save through the backend (audited)."""
        return self.backend.change_station_setup(values["identity"], values["settings"])

    def on_form_rejected(self, message: FormRejected) -> None:
        """Name the field the refusal is about by its label, never by a setting's or flag's name."""
        error = message.error
        if isinstance(error, TruyenthanhError) and error.field in FIELD_LABELS:
            text = error.message.replace(f"«{error.field}»", f"«{FIELD_LABELS[error.field]}»")
            message.text = f"{FIELD_LABELS[error.field]}: {text}"
            self.query_one(f"#{error.field}").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """ "Phát thử" plays the test tone on the device chosen beside it; the form's buttons do as usual."""
        button = event.button.id or ""
        if not button.startswith("test-"):
            return
        event.stop()
        chosen = self.query_one(f"#{button.removeprefix('test-')}", Select).value
        device = chosen if isinstance(chosen, str) and chosen else None
        self.query_one("#sound-result", Label).update("Đang phát âm chuẩn 1 kHz (5 giây)…")
        self._test(device)

    @work(thread=True, exclusive=True, group="test-tone")
    def _test(self, device: str | None) -> None:
        try:
            played = self.backend.play_test_tone(device)
        except TruyenthanhError as exc:
            self.app.call_from_thread(self.query_one("#sound-result", Label).update, f"{exc.title}: {exc.message}")
            return
        self.app.call_from_thread(self._ask_heard, played)

    def _ask_heard(self, device: str) -> None:
        def answered(heard: bool | None) -> None:
            result = self.query_one("#sound-result", Label)
            if heard:
                result.update(f"Đã nghe thấy âm chuẩn trên «{device}».")
            else:
                result.update(
                    f"Không nghe thấy trên «{device}»: kiểm tra dây loa, âm lượng, công tắc bộ khuếch đại, "
                    "hoặc chọn thiết bị khác rồi phát thử lại."
                )

        self.app.push_screen(
            ConfirmScreen(f"Đang phát âm chuẩn trên «{device}». Có nghe thấy không?", yes="Có, nghe thấy (Y)"),
            answered,
        )


def open_station_setup(app: TruyenthanhApp) -> None:
    """Read the station's setup and its sound devices in a worker, then show the form; say what was saved."""

    def load() -> None:
        try:
            if app.backend.setup_needs_login():
                app.call_from_thread(
                    app.with_actor, "Thiết lập đài cần người quản trị: đăng nhập để tiếp tục.", then_open
                )
                return
            current = app.backend.station_setup()
            devices = app.backend.sound_devices()
        except TruyenthanhError as exc:
            app.call_from_thread(app.notify, exc.message, title=exc.title, severity="error", timeout=10)
            return
        app.call_from_thread(app.push_screen, StationSetupScreen(current, devices), saved)

    def then_open(_actor: object) -> None:
        open_station_setup(app)

    def saved(changed: tuple[str, ...] | None) -> None:
        if changed is None:
            return
        app.forget_preview()
        names = "; ".join(FIELD_LABELS.get(name, name) for name in changed) or "không có gì thay đổi"
        note = " Loa phát mới có hiệu lực khi dịch vụ phát khởi động lại." if "output_device" in changed else ""
        app.notify(f"Đã lưu: {names}.{note}", title="Thiết lập đài")

    app.run_worker(load, name="station-setup", group="station-setup", exclusive=True, thread=True)


__all__ = ["StationSetupScreen", "open_station_setup"]
