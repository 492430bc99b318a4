"""Half a year (or more) of realistic broadcast log rows, written through the daemon's real chain-writing path."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes import FrozenClock
from truyenthanh import bootstrap
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.services.broadcast_log import LogEntry

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SESSIONS = (("Buổi sáng", time(5, 30)), ("Buổi chiều", time(17, 0)))
OPERATORS = ("Phạm Thị Hành", "Lò Văn Sáng")
APPROVER = "Nguyễn Văn Duyệt"


def _items(rng: random.Random, day: date) -> list[tuple[str, ItemKind, Category, str, int]]:
    """(title, kind, category, language, seconds) of one session's rundown."""
    items = [
        ("Nhạc hiệu đầu chương trình", ItemKind.JINGLE, Category.MUSIC, "vi", 30),
        ("Bản tin xã", ItemKind.ANNOUNCEMENT, Category.LOCAL_AFFAIRS, "vi", rng.randint(240, 600)),
        ("Thông báo của UBND xã", ItemKind.ANNOUNCEMENT, Category.ADMINISTRATION, "vi", rng.randint(60, 240)),
        ("Tiếp sóng thời sự VOV", ItemKind.RELAY, Category.POLICY_LAW, "vi", 900),
    ]
    if day.weekday() in (1, 4):
        items.append(("Chuyên mục Truyền thông chính sách", ItemKind.AUDIO, Category.POLICY_LAW, "vi", 600))
    if day.weekday() == 2:
        items.append(("Bản tin tiếng H'Mông", ItemKind.AUDIO, Category.LOCAL_AFFAIRS, "hmn", rng.randint(300, 420)))
    if day.day in (5, 20):
        items.append(("Gương người tốt việc tốt", ItemKind.AUDIO, Category.EXEMPLARY, "vi", 420))
    items.append(("Nhạc hiệu kết thúc", ItemKind.JINGLE, Category.MUSIC, "vi", 20))
    return items


def fill(container: bootstrap.Container, clock: FrozenClock, first: date, last: date, seed: int = 48) -> int:
    """Append every session of every day in ``[first, last]`` (plus a few emergencies); returns rows written."""
    rng = random.Random(seed)
    log = container.broadcast_log
    written = 0
    day = first
    schedule_ids = {"Buổi sáng": 1, "Buổi chiều": 2}
    while day <= last:
        for session, at in SESSIONS:
            scheduled = datetime.combine(day, at, tzinfo=ZONE).astimezone(UTC)
            programme = f"Chương trình {session.lower()}"
            base: dict[str, Any] = {
                "programme_title": programme,
                "schedule_id": schedule_ids[session],
                "programme_id": schedule_ids[session],
                "scheduled_start": scheduled,
                "operator": None,  # the daemon names nobody for an airing it makes on schedule
                "approver": APPROVER,
            }
            roll = rng.random()
            if roll < 0.03:
                clock.set(scheduled + timedelta(hours=2))
                log.append(
                    LogEntry(
                        outcome=Outcome.MISSED,
                        reason="Mất điện, máy tắt lúc phát",
                        category=Category.LOCAL_AFFAIRS,
                        **base,
                    )
                )
                written += 1
                continue
            if roll < 0.045:
                clock.set(scheduled)
                log.append(
                    LogEntry(
                        outcome=Outcome.SKIPPED,
                        reason="Chương trình chưa được duyệt nên không được phát.",
                        category=Category.LOCAL_AFFAIRS,
                        **base,
                    )
                )
                written += 1
                continue
            late = timedelta(minutes=rng.randint(2, 4)) if roll < 0.10 else timedelta(milliseconds=rng.randint(0, 4))
            start = scheduled + late
            for title, kind, category, language, seconds in _items(rng, day):
                outcome = Outcome.LATE if late > timedelta(minutes=1) else Outcome.PLAYED
                reason = "Máy khởi động lại, phát trễ" if outcome is Outcome.LATE else ""
                outages: tuple[dict[str, str], ...] = ()
                length = timedelta(seconds=seconds)
                if kind is ItemKind.RELAY and rng.random() < 0.15:
                    cut = start + timedelta(seconds=rng.randint(60, 600))
                    back = cut + timedelta(seconds=rng.randint(5, 90))
                    outages = ({"start": cut.isoformat(), "end": back.isoformat(), "cause": "Mất tín hiệu VOV"},)
                if kind is ItemKind.ANNOUNCEMENT and rng.random() < 0.02:
                    outcome, reason, length = Outcome.FAILED, "Tệp âm thanh hỏng", timedelta(0)
                end = start + length
                clock.set(end)
                log.append(
                    LogEntry(
                        item_title=title,
                        item_kind=kind,
                        category=category,
                        language=language,
                        actual_start=None if outcome is Outcome.FAILED else start,
                        end=None if outcome is Outcome.FAILED else end,
                        outcome=outcome,
                        reason=reason,
                        outages=outages,
                        **base,
                    )
                )
                written += 1
                start = end
        if day.weekday() == 5:
            written += _play_now(container, clock, datetime.combine(day, time(9, 0), tzinfo=ZONE).astimezone(UTC), rng)
        if day.day == 14 and day.month % 2 == 0:
            written += _emergency(container, clock, datetime.combine(day, time(14, 0), tzinfo=ZONE).astimezone(UTC))
        day += timedelta(days=1)
    return written


def _play_now(container: bootstrap.Container, clock: FrozenClock, at: datetime, rng: random.Random) -> int:
    """An operator puts the weekly market notice on air at once (no schedule)."""
    end = at + timedelta(seconds=rng.randint(60, 120))
    clock.set(end)
    container.broadcast_log.append(
        LogEntry(
            programme_title="Thông báo phiên chợ",
            item_title="Thông báo phiên chợ cuối tuần",
            item_kind=ItemKind.ANNOUNCEMENT,
            category=Category.PRODUCTS_SERVICES,
            programme_id=9,
            scheduled_start=at,
            actual_start=at,
            end=end,
            outcome=Outcome.PLAYED,
            reason="Phát ngay theo lệnh của người vận hành.",
            operator=rng.choice(OPERATORS),
            approver=APPROVER,
        )
    )
    return 1


def _emergency(container: bootstrap.Container, clock: FrozenClock, at: datetime) -> int:
    """An unscheduled storm warning: the alert tone, then the bulletin."""
    common: dict[str, Any] = {
        "programme_title": "Khẩn cấp",
        "priority": Priority.EMERGENCY,
        "category": Category.EMERGENCY,
    }
    tone_end = at + timedelta(seconds=8)
    bulletin_end = tone_end + timedelta(seconds=150)
    clock.set(bulletin_end)
    container.broadcast_log.append(
        LogEntry(
            item_title="Tín hiệu báo động",
            item_kind=ItemKind.JINGLE,
            actual_start=at,
            end=tone_end,
            outcome=Outcome.PLAYED,
            operator="Phạm Thị Hành",
            **common,
        )
    )
    container.broadcast_log.append(
        LogEntry(
            item_title="Cảnh báo bão số 3",
            item_kind=ItemKind.ANNOUNCEMENT,
            actual_start=tone_end,
            end=bulletin_end,
            outcome=Outcome.PLAYED,
            operator="Phạm Thị Hành",
            approver="Phạm Thị Hành",
            **common,
        )
    )
    return 2
