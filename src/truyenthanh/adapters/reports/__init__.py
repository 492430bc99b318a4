"""Renderers of :class:`truyenthanh.domain.reports.Report`: DOCX (python-docx), XLSX (openpyxl), CSV, a PNG
chart (Pillow with a TrueType font), and the read-only database source the report service counts from."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Literal

from truyenthanh.domain.reports import Report


class DocumentWriters:
    """The writers of each format, imported on first use (python-docx, openpyxl and Pillow load slowly)."""

    def writer(
        self, kind: Literal["docx", "xlsx", "csv"], *, csv_comma: bool = False
    ) -> Callable[[Report, Path], Path]:
        """The function that writes a report as ``kind`` (CSV: ``;``-separated unless ``csv_comma``)."""
        if kind == "docx":
            from truyenthanh.adapters.reports.word import write_docx

            return write_docx
        if kind == "xlsx":
            from truyenthanh.adapters.reports.excel import write_xlsx

            return write_xlsx
        from truyenthanh.adapters.reports.csvfile import write_csv

        return partial(write_csv, comma=csv_comma)


__all__ = ["DocumentWriters"]
