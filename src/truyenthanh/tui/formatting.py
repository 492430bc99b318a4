"""How times, dates and durations are written for the operator (Vietnamese conventions)."""

from __future__ import annotations

from datetime import datetime

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
"""Day names, Monday first (``datetime.weekday()`` order)."""


def long_date(moment: datetime) -> str:
    """``Thứ Hai, 23/11/2026``."""
    return f"{WEEKDAYS[moment.weekday()]}, {moment:%d/%m/%Y}"


def clock(moment: datetime) -> str:
    """``10:00:05``."""
    return f"{moment:%H:%M:%S}"


def duration(seconds: float | None) -> str:
    """``4:05`` or ``1:02:03``; ``—`` when unknown."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
