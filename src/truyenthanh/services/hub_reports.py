"""The province's 6-monthly and annual reports at the hub (issue 19), built from the log rows the communes'
stations shipped up and from the hub's emergency commands with their answers.

The CLI (``truyenthanh hub report``) writes files with :meth:`HubReportService.write`; the TUI's «Tuyến trên»
mode shows :meth:`HubReportService.build` (the :class:`~truyenthanh.domain.reports.Report` itself). Communes
are the hub's receivers (each subscribed station). Reads go through the store's ports
(``uow.fleet.receivers``, ``uow.hub_log.rows``, ``uow.fleet.commands``), files through the same
:class:`~truyenthanh.services.reports.ReportWriters` as a station's reports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from truyenthanh.config import Settings
from truyenthanh.domain import reports
from truyenthanh.domain.fleet_records import CommandRecord, ReceiverRecord
from truyenthanh.domain.province_report import Commune, CommuneFigures, EmergencyDelivery, province_report
from truyenthanh.domain.reports import Heading, Period, Report
from truyenthanh.errors import ReportError, StorageError
from truyenthanh.locations import Locations
from truyenthanh.services.ports import Clock
from truyenthanh.services.reports import FORMATS, Format, Progress, ReportWriters
from truyenthanh.services.unit_of_work import Store

_HALF = re.compile(r"^\s*(?:(\d{4})\s*-\s*)?([12])\s*$")
HUB_RECIPIENTS = ("UBND tỉnh (để báo cáo);", "Các đài truyền thanh xã;", "Lưu: VT.")
""""Nơi nhận" of the hub's reports when its settings name none."""
EMERGENCY_ACTION = "emergency"
"""How the hub's desk records an emergency it sent (``fleet_command.action``)."""


def _instant(value: object) -> datetime | None:
    """An ISO instant from an answer, ``None`` when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def deliveries(commands: Sequence[CommandRecord], receivers: Sequence[ReceiverRecord]) -> list[EmergencyDelivery]:
    """One :class:`EmergencyDelivery` per emergency command and commune it was sent to (a commune is reached
    through its zone, or its own inbox), with the commune's answer if any."""
    found: list[EmergencyDelivery] = []
    for command in commands:
        for receiver in receivers:
            if receiver.zone_slug not in command.zones and command.receiver_slug != receiver.slug:
                continue
            answer = command.acks.get(receiver.slug)
            answer = answer if isinstance(answer, dict) else {}
            found.append(
                EmergencyDelivery(
                    command_id=command.command_id,
                    commune=receiver.slug,
                    sent_at=command.issued_at,
                    sent_by=command.issued_by,
                    answered_at=_instant(answer.get("at")),
                    ok=bool(answer.get("ok")),
                    heard_at=_instant(answer.get("heard_at")),
                    reason=str(answer.get("reason") or ""),
                )
            )
    return found


def _communes(receivers: Sequence[ReceiverRecord]) -> list[Commune]:
    return sorted((Commune(r.slug, r.name) for r in receivers), key=lambda c: (c.name.casefold(), c.slug))


class HubReportService:
    """Builds and writes the hub's reports of its communes. Thread-safe (each call reads in its own transaction).

    Args:
        settings: the hub's settings (its zone, the ``report_*`` heading settings).
        locations: the hub's folders (reports go to ``<data_dir>/reports`` unless told otherwise).
        store: the hub's store (SQLite or PostgreSQL).
        writers: the document writers (the station's).
        clock: the date of issue.
    """

    def __init__(
        self, *, settings: Settings, locations: Locations, store: Store, writers: ReportWriters, clock: Clock
    ) -> None:
        self._settings = settings
        self._locations = locations
        self._store = store
        self._writers = writers
        self._clock = clock

    @property
    def folder(self) -> Path:
        """Where reports go unless told otherwise: ``reports`` in the hub's data folder."""
        return self._locations.data_dir / "reports"

    @staticmethod
    def period(half: str | None, year: int | None) -> Period:
        """The period the CLI names: ``half`` ``2026-1``/``2026-2`` (or ``1``/``2`` with ``year``) for a half-year,
        ``year`` alone for the whole year.

        Raises:
            ReportError: neither given, a malformed half, or a half whose year disagrees with ``year`` (``field``
                ``half`` or ``year``).
        """
        if half is None:
            if year is None:
                raise ReportError("Cần chọn kỳ báo cáo: --half NĂM-1 hoặc NĂM-2, hoặc --year NĂM.", field="half")
            return HubReportService._year(year)
        match = _HALF.match(half)
        if not match:
            raise ReportError(
                f"Kỳ «{half}» không đúng dạng NĂM-1 (sáu tháng đầu năm) hoặc NĂM-2 (sáu tháng cuối năm), ví dụ 2026-1.",
                field="half",
            )
        written = int(match.group(1)) if match.group(1) else None
        if written is not None and year is not None and written != year:
            raise ReportError(f"Kỳ «{half}» thuộc năm {written}, khác năm {year} đã chọn.", field="year")
        chosen = written if written is not None else year
        if chosen is None:
            raise ReportError(f"Kỳ «{half}» thiếu năm: viết NĂM-{match.group(2)} hoặc thêm --year NĂM.", field="half")
        HubReportService._year(chosen)
        return reports.half_year(chosen, int(match.group(2)))

    @staticmethod
    def _year(year: int) -> Period:
        if not 2000 <= year <= 2200:
            raise ReportError(f"Năm {year} nằm ngoài khoảng 2000–2200.", field="year")
        return reports.whole_year(year)

    def communes(self) -> list[Commune]:
        """The hub's communes (its receivers, revoked ones too: their past rows still count), by name."""
        with self._store.transaction() as uow:
            return _communes(uow.fleet.receivers())

    def build(self, period: Period) -> Report:
        """The province's report of ``period`` as data (to show on screen or write).

        Raises:
            StorageError: the hub's folder holds no database (``hub init`` never ran there).
        """
        if self._store.schema_revision() is None:
            raise StorageError(
                f"Chưa có dữ liệu tuyến trên ở {self._locations.data_dir}: chạy «truyenthanh hub init --name TÊN» "
                "trước, hoặc chọn đúng thư mục bằng «truyenthanh hub --data-dir THƯ_MỤC report …»."
            )
        start, end = period.bounds(self._settings.zone)
        with self._store.transaction() as uow:
            receivers = uow.fleet.receivers()
            commands = uow.fleet.commands(EMERGENCY_ACTION, start, end)
            profile = uow.station_profile.profile()
            # One commune at a time: its rows are counted and dropped (a year is ~20,000 rows per commune).
            figures = [
                CommuneFigures.of(commune, uow.hub_log.rows(commune.slug, start, end))
                for commune in _communes(receivers)
            ]
        heading = self._heading(profile.name if profile else "", profile.province if profile else "")
        return province_report(figures, deliveries(commands, receivers), period, self._settings.zone, heading)

    def write(
        self,
        period: Period,
        *,
        folder: Path | None = None,
        formats: Sequence[Format] = FORMATS,
        progress: Progress | None = None,
        csv_comma: bool = False,
    ) -> list[Path]:
        """Write the report of ``period`` in each of ``formats`` into ``folder``; returns the files written. Each
        file appears whole or not at all; if one cannot be written, the ones this call wrote are removed.

        Raises:
            StorageError: no hub database; the folder cannot be made or a file cannot be written (nothing of this
                call is left).
        """
        target = folder or self.folder
        name = f"bao-cao-tuyen-tren-{period.slug}" if period.kind == "half" else f"bao-cao-tuyen-tren-nam-{period.slug}"
        report = self.build(period)
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"Không tạo được thư mục báo cáo {target}: {exc.strerror or exc}.") from exc
        written: list[Path] = []
        for kind in dict.fromkeys(formats):
            path = target / f"{name}.{kind}"
            try:
                written.append(self._writers.writer(kind, csv_comma=csv_comma)(report, path))
            except OSError as exc:
                for done in written:
                    done.unlink(missing_ok=True)
                path.with_name(path.name + ".part").unlink(missing_ok=True)
                raise StorageError(f"Không ghi được tệp báo cáo {path}: {exc.strerror or exc}.") from exc
            if progress is not None:
                progress(path)
        return written

    def _heading(self, name: str, province: str) -> Heading:
        """Who issues the hub's documents: its report settings, else its record, else placeholders."""
        settings = self._settings
        province = settings.report_province.strip() or province.strip()
        authority = settings.report_authority.strip() or (f"UBND tỉnh {province}" if province else "UBND tỉnh")
        return Heading(
            authority=authority,
            station=settings.report_issuer.strip() or name.strip() or "Tuyến trên",
            place=settings.report_commune.strip() or province,
            issued=self._clock.now().astimezone(settings.zone).date(),
            number_suffix=settings.report_number_suffix,
            signer_title=settings.report_signer_title,
            signer_name=settings.report_signer_name,
            recipients=tuple(settings.report_recipients) or HUB_RECIPIENTS,
        )


__all__ = ["EMERGENCY_ACTION", "HUB_RECIPIENTS", "HubReportService", "deliveries"]
