"""Reading what the operator types: durations, dates and times, with Vietnamese messages naming the field."""

from __future__ import annotations

import re
from datetime import date, time


def seconds(raw: str, field: str) -> float | None:
    """``90``, ``1:30`` or ``1:02:03`` → seconds; empty → ``None``.

    Raises:
        ValueError: with a Vietnamese message naming ``field``.
    """
    text = raw.strip()
    if not text:
        return None
    problem = f"Ô «{field}»: «{raw}» không phải thời lượng (ví dụ: 90, 1:30 hoặc 1:02:03)."
    try:
        parts = [float(p.replace(",", ".")) for p in text.split(":")]
    except ValueError:
        raise ValueError(problem) from None
    if len(parts) > 3 or any(p < 0 for p in parts):
        raise ValueError(problem)
    total = 0.0
    for part in parts:
        total = total * 60 + part
    return total


def day(raw: str, field: str) -> date:
    """``23/11/2026`` (or ``23-11-2026``, ``2026-11-23``) → a date.

    Raises:
        ValueError: with a Vietnamese message naming ``field``.
    """
    text = raw.strip()
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Ô «{field}»: «{raw}» không phải ngày (viết ngày/tháng/năm, ví dụ 23/11/2026).") from None


def clock_time(raw: str, field: str) -> time:
    """``05:30``, ``5h30`` or ``05:30:15`` → a time.

    Raises:
        ValueError: with a Vietnamese message naming ``field``.
    """
    match = re.fullmatch(r"(\d{1,2})[:hg](\d{2})(?::(\d{2}))?", raw.strip().lower())
    try:
        if match is None:
            raise ValueError
        return time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
    except ValueError:
        raise ValueError(f"Ô «{field}»: «{raw}» không phải giờ (viết giờ:phút, ví dụ 05:30).") from None
