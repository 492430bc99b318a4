"""The weekly logbook and the 6-monthly and annual reports, built from the broadcast log.

The CLI and the TUI's log screen call the same methods: :meth:`ReportService.weekly`,
:meth:`ReportService.semiannual`, :meth:`ReportService.annual` (write files), or :meth:`ReportService.build`
(the :class:`~truyenthanh.domain.reports.Report` itself, to show on screen). The service reads through a
:class:`ReportSource` (read-only) and writes through :class:`ReportWriters`; bootstrap gives it both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from truyenthanh.config import Settings
from truyenthanh.domain import reports
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.fleet_records import ZonePlayCount
from truyenthanh.domain.reports import Heading, LogRow, Period, Report, StationFacts, Table
from truyenthanh.errors import ReportError, StorageError
from truyenthanh.locations import Locations
from truyenthanh.services.ports import Clock

Format = Literal["docx", "xlsx", "csv"]
FORMATS: tuple[Format, ...] = ("docx", "xlsx", "csv")
"""Every format a 6-monthly or annual report is written in."""

Progress = Callable[[Path], None]
"""Called with each file once it is written."""

Writer = Callable[[Report, Path], Path]
"""Writes a report to a path in one format and returns the path; raises ``OSError`` when it cannot."""


class ReportSource(Protocol):
    """Read-only access to what the reports count. Thread-safe; raises only :class:`StorageError`."""

    def rows(self, start: datetime, end: datetime) -> list[LogRow]:
        """Broadcast log rows whose moment (scheduled, else actual start, else recording) is in ``[start, end)``
        (aware instants), in chain order."""
        ...

    def station(self) -> StationFacts:
        """The station's name, commune, province and rules."""
        ...

    def emergency_texts(self, titles: Iterable[str]) -> dict[str, str]:
        """The whole text of each emergency bulletin whose logged title was shortened, where it is known."""
        ...

    def zone_counts(self, start: datetime, end: datetime) -> list[ZonePlayCount]:
        """Per loudspeaker zone (by name), the airings its receivers reported played or failed in ``[start, end)``
        (issue 18); empty for a station without IP receivers."""
        ...

    def log_anchor(self) -> str:
        """The broadcast log's chain head as a logbook prints it: ``dòng N, XXXX-XXXX-XXXX-XXXX`` (keyed with the
        station's secret chain key, so it cannot be recomputed from the database alone)."""
        ...


class ReportWriters(Protocol):
    """The document writers, one per format (loaded on first use: python-docx and openpyxl load slowly)."""

    def writer(self, kind: Format, *, csv_comma: bool = False) -> Writer:
        """The writer of ``kind``; for CSV, ``csv_comma`` picks ``,`` instead of ``;`` as the separator."""
        ...


def zone_table(counts: Sequence[ZonePlayCount]) -> Table:
    """The period report's table of airings per loudspeaker zone, as the zones' receivers reported them."""
    rows = [(c.zone, c.played, c.failed) for c in counts]
    total = ("Tổng cộng", sum(c.played for c in counts), sum(c.failed for c in counts))
    columns = ("Cụm loa", "Số lần phát được", "Số lần không phát được")
    return Table("cum_loa", "Số lần phát tại các cụm loa", columns, ("text", "int", "int"), rows, total, "Cụm loa")


class ReportService:
    """Builds and writes the station's records for inspectors and for the commune's reports."""

    def __init__(
        self, *, settings: Settings, locations: Locations, source: ReportSource, writers: ReportWriters, clock: Clock
    ) -> None:
        self._settings = settings
        self._locations = locations
        self._source = source
        self._writers = writers
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
        return self._source.rows(start, end)

    def build(self, period: Period, *, fingerprint: str = "") -> Report:
        """The report of ``period`` as data: the weekly logbook for a week, else the period report.

        ``fingerprint`` (the audit chain head's signed fingerprint) is printed in the weekly logbook's footer.
        """
        rows = self.rows(period)
        facts = self._source.station()
        heading = self._heading(facts)
        if period.kind == "week":
            titles = [r.item_title for r in rows if r.is_emergency and r.item_kind is not ItemKind.JINGLE]
            texts = self._source.emergency_texts(titles) if titles else {}
            return reports.weekly_logbook(
                rows, period, facts.rules, self._settings.zone, heading, texts=texts, fingerprint=fingerprint
            )
        report = reports.period_report(rows, period, facts.rules, self._settings.zone, heading)
        zones = self._source.zone_counts(*period.bounds(self._settings.zone))
        return replace(report, tables=[*report.tables, zone_table(zones)]) if zones else report

    def weekly(
        self,
        week: str,
        *,
        output: Path | None = None,
        formats: Sequence[Format] = ("docx",),
        fingerprint: str | None = None,
        csv_comma: bool = False,
    ) -> Path:
        """Write the weekly broadcast logbook of ``week`` (``2026-W48``) as a DOCX ready to print (and in the
        other ``formats`` beside it); returns the first file written.

        ``fingerprint``: printed in the footer; by default the broadcast log's anchor now (its last row and keyed
        fingerprint: the paper then anchors the history, ``truyenthanh audit verify --against`` checks it); empty:
        nothing.

        Raises:
            ReportError: the week is malformed.
            StorageError: the file cannot be written.
        """
        period = self.week(week)
        first = output or self.folder / f"so-nhat-ky-{period.slug}.{formats[0]}"
        targets: dict[Format, Path] = {kind: first.with_suffix(f".{kind}") for kind in formats}
        printed = self._source.log_anchor() if fingerprint is None else fingerprint
        return self._write(self.build(period, fingerprint=printed), targets, csv_comma=csv_comma)[0]

    def semiannual(
        self,
        year: int,
        half: int,
        *,
        folder: Path | None = None,
        formats: Sequence[Format] = FORMATS,
        progress: Progress | None = None,
        csv_comma: bool = False,
    ) -> list[Path]:
        """Write the 6-monthly report in each of ``formats``; returns the files written.

        Raises:
            ReportError: ``half`` is not 1 or 2.
            StorageError: a file cannot be written.
        """
        period = self.half(year, half)
        targets = self._targets(period, folder, formats)
        return self._write(self.build(period), targets, progress, csv_comma=csv_comma)

    def annual(
        self,
        year: int,
        *,
        folder: Path | None = None,
        formats: Sequence[Format] = FORMATS,
        progress: Progress | None = None,
        csv_comma: bool = False,
    ) -> list[Path]:
        """Write the annual report in each of ``formats``; returns the files written.

        Raises:
            StorageError: a file cannot be written.
        """
        period = self.year(year)
        targets = self._targets(period, folder, formats)
        return self._write(self.build(period), targets, progress, csv_comma=csv_comma)

    def _targets(self, period: Period, folder: Path | None, formats: Iterable[Format]) -> dict[Format, Path]:
        name = f"bao-cao-{period.slug}" if period.kind == "half" else f"bao-cao-nam-{period.slug}"
        return {kind: (folder or self.folder) / f"{name}.{kind}" for kind in formats}

    def _write(
        self,
        report: Report,
        targets: dict[Format, Path],
        progress: Progress | None = None,
        *,
        csv_comma: bool = False,
    ) -> list[Path]:
        written = []
        for kind, path in targets.items():
            try:
                written.append(self._writers.writer(kind, csv_comma=csv_comma)(report, path))
            except OSError as exc:
                raise StorageError(f"Không ghi được tệp báo cáo {path}: {exc.strerror or exc}.") from exc
            if progress is not None:
                progress(path)
        return written

    def _heading(self, facts: StationFacts) -> Heading:
        """Who issues the documents: the station's report settings, else its record, else placeholders."""
        settings = self._settings
        commune = settings.report_commune.strip() or facts.commune
        authority = settings.report_authority.strip() or (f"UBND xã {commune}" if commune else "UBND xã")
        return Heading(
            authority=authority,
            station=settings.report_issuer.strip() or facts.name or "Đài truyền thanh xã",
            place=commune,
            issued=self._clock.now().astimezone(settings.zone).date(),
            number_suffix=settings.report_number_suffix,
            signer_title=settings.report_signer_title,
            signer_name=settings.report_signer_name,
            recipients=tuple(settings.report_recipients),
        )


__all__ = ["FORMATS", "Format", "ReportService", "ReportSource", "ReportWriters"]
