"""The weekly logbook and the 6-monthly and annual reports, built from the broadcast log.

The CLI and the TUI's log screen call the same methods: :meth:`ReportService.weekly`,
:meth:`ReportService.semiannual`, :meth:`ReportService.annual` (write files), or :meth:`ReportService.build`
(the :class:`~truyenthanh.domain.reports.Report` itself, to show on screen).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal

from sqlalchemy import func, literal
from sqlmodel import col, select

from truyenthanh.adapters.db.database import Database
from truyenthanh.adapters.db.models import BroadcastLog, Station
from truyenthanh.adapters.db.types import UTCDateTime
from truyenthanh.config import Settings
from truyenthanh.domain import reports
from truyenthanh.domain.reports import Heading, LogRow, Period, Report
from truyenthanh.domain.station import StationRules
from truyenthanh.errors import ReportError, StorageError
from truyenthanh.locations import Locations
from truyenthanh.services.ports import Clock

Format = Literal["docx", "xlsx", "csv"]
FORMATS: tuple[Format, ...] = ("docx", "xlsx", "csv")
"""Every format a 6-monthly or annual report is written in."""

Progress = Callable[[Path], None]
"""Called with each file once it is written."""


def _writer(kind: Format) -> Callable[[Report, Path], Path]:
    """The document writer for a format, imported on first use (python-docx and openpyxl load slowly)."""
    if kind == "docx":
        from truyenthanh.adapters.reports.word import write_docx

        return write_docx
    if kind == "xlsx":
        from truyenthanh.adapters.reports.excel import write_xlsx

        return write_xlsx
    from truyenthanh.adapters.reports.csvfile import write_csv

    return write_csv


def _log_row(row: BroadcastLog) -> LogRow:
    return LogRow(
        id=row.id or 0,
        programme_title=row.programme_title,
        item_title=row.item_title,
        item_kind=row.item_kind,
        category=row.category,
        language=row.language,
        priority=row.priority,
        scheduled_start=row.scheduled_start,
        actual_start=row.actual_start,
        end=row.end,
        outcome=row.outcome,
        reason=row.reason,
        outages=tuple(row.outages or ()),
        operator=row.operator,
        approver=row.approver,
        recorded_at=row.recorded_at,
        schedule_id=row.schedule_id,
        programme_id=row.programme_id,
    )


class ReportService:
    """Builds and writes the station's records for inspectors and for the commune's reports."""

    def __init__(self, *, settings: Settings, locations: Locations, db: Database, clock: Clock) -> None:
        self._settings = settings
        self._locations = locations
        self._db = db
        self._clock = clock

    @property
    def folder(self) -> Path:
        """Where reports go unless told otherwise: ``reports`` in the station's data folder."""
        return self._locations.data_dir / "reports"

    @staticmethod
    def week(text: str) -> Period:
        """The period of an ISO week written ``2026-W48``.

        Raises:
            ReportError: not such a week.
        """
        try:
            return reports.iso_week(text)
        except ValueError as exc:
            raise ReportError(str(exc)) from exc

    @staticmethod
    def half(year: int, half: int) -> Period:
        """The period of a half year (1: January-June, 2: July-December).

        Raises:
            ReportError: ``half`` is not 1 or 2.
        """
        try:
            return reports.half_year(year, half)
        except ValueError as exc:
            raise ReportError(str(exc)) from exc

    @staticmethod
    def year(year: int) -> Period:
        """The period of a calendar year."""
        return reports.whole_year(year)

    def rows(self, period: Period) -> list[LogRow]:
        """The broadcast log rows whose moment (scheduled, else actual start, else recording) is in ``period``."""
        start, end = period.bounds(self._settings.zone)
        moment = func.coalesce(
            col(BroadcastLog.scheduled_start), col(BroadcastLog.actual_start), col(BroadcastLog.recorded_at)
        )
        query = (
            select(BroadcastLog)
            .where(moment >= literal(start, UTCDateTime()), moment < literal(end, UTCDateTime()))
            .order_by(col(BroadcastLog.id))
        )
        with self._db.session() as session:
            return [_log_row(row) for row in session.exec(query)]

    def build(self, period: Period) -> Report:
        """The report of ``period`` as data: the weekly logbook for a week, else the period report."""
        rows = self.rows(period)
        heading, rules = self._station()
        if period.kind == "week":
            return reports.weekly_logbook(rows, period, rules, self._settings.zone, heading)
        return reports.period_report(rows, period, rules, self._settings.zone, heading)

    def weekly(self, week: str, *, output: Path | None = None) -> Path:
        """Write the weekly broadcast logbook of ``week`` (``2026-W48``) as a DOCX ready to print.

        Raises:
            ReportError: the week is malformed.
            StorageError: the file cannot be written.
        """
        period = self.week(week)
        target = output or self.folder / f"so-nhat-ky-{period.slug}.docx"
        return self._write(self.build(period), {"docx": target})[0]

    def semiannual(
        self,
        year: int,
        half: int,
        *,
        folder: Path | None = None,
        formats: Sequence[Format] = FORMATS,
        progress: Progress | None = None,
    ) -> list[Path]:
        """Write the 6-monthly report in each of ``formats``; returns the files written.

        Raises:
            ReportError: ``half`` is not 1 or 2.
            StorageError: a file cannot be written.
        """
        period = self.half(year, half)
        return self._write(self.build(period), self._targets(period, folder, formats), progress)

    def annual(
        self,
        year: int,
        *,
        folder: Path | None = None,
        formats: Sequence[Format] = FORMATS,
        progress: Progress | None = None,
    ) -> list[Path]:
        """Write the annual report in each of ``formats``; returns the files written.

        Raises:
            StorageError: a file cannot be written.
        """
        period = self.year(year)
        return self._write(self.build(period), self._targets(period, folder, formats), progress)

    def _targets(self, period: Period, folder: Path | None, formats: Iterable[Format]) -> dict[Format, Path]:
        name = f"bao-cao-{period.slug}" if period.kind == "half" else f"bao-cao-nam-{period.slug}"
        return {kind: (folder or self.folder) / f"{name}.{kind}" for kind in formats}

    @staticmethod
    def _write(report: Report, targets: dict[Format, Path], progress: Progress | None = None) -> list[Path]:
        written = []
        for kind, path in targets.items():
            try:
                written.append(_writer(kind)(report, path))
            except OSError as exc:
                raise StorageError(f"Không ghi được tệp báo cáo {path}: {exc.strerror or exc}.") from exc
            if progress is not None:
                progress(path)
        return written

    def _station(self) -> tuple[Heading, StationRules]:
        with self._db.session() as session:
            station = session.exec(select(Station)).first()
        commune = station.commune.strip() if station else ""
        heading = Heading(
            authority=f"UBND xã {commune}" if commune else "UBND xã",
            station=station.name if station else "Đài truyền thanh xã",
            place=commune or "..........",
            issued=self._clock.now().astimezone(self._settings.zone).date(),
        )
        return heading, StationRules.from_json(station.rules if station else None)


__all__ = ["FORMATS", "Format", "ReportService"]
