"""Tables whose columns are as wide as what they hold, up to a maximum, so the important ones fit 80 columns."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], maxima: Sequence[int | None]) -> list[int]:
    """Each column's width in cells: its header or its widest cell, whichever is wider, but no more than its
    maximum (``None``: no maximum) unless the header itself is wider."""
    widths = []
    for index, header in enumerate(headers):
        widest = max((cell_len(row[index]) for row in rows), default=0)
        limit = maxima[index]
        content = widest if limit is None else min(widest, limit)
        widths.append(max(cell_len(header), content))
    return widths


def fill_table(
    table: DataTable[Text],
    columns: Sequence[tuple[str, int | None]],
    rows: Sequence[Sequence[str]],
    keys: Sequence[str] | None = None,
) -> None:
    """Replace the table's columns and rows. ``columns`` are (header, maximum width) pairs, the important ones
    first; a cell longer than its column ends with "…" (the whole text is in the row the tests and the
    details pane read). ``keys`` are the rows' keys, if any."""
    headers = [header for header, _ in columns]
    widths = column_widths(headers, rows, [limit for _, limit in columns])
    table.clear(columns=True)
    for header, width in zip(headers, widths, strict=True):
        table.add_column(header, width=width)
    for index, row in enumerate(rows):
        cells = [Text(value, no_wrap=True, overflow="ellipsis") for value in row]
        table.add_row(*cells, key=keys[index] if keys is not None else None)
