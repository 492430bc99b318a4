"""A package with the Vietnamese calendar (format version 2), built, signed and imported with real parts: lunar
days at each station's own (seasonal) session start, a holiday swap to another programme of the package, and
the days off it brings, shown in the dry run, written to the station's list and audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fakes import FrozenClock
from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Role
from truyenthanh.domain.schedule import HolidayPolicy
from truyenthanh.domain.station import DEFAULT_RULES, DayOff, Season, StationRules

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
LUNAR = SCHEDULES / "ram-mung-mot-tet-2027.toml"
KEY_NAME = "Đài PT-TH tỉnh Phú Thọ"
OPERATOR = Actor(username="can-bo", full_name="Hà Văn Bộ", role=Role.OPERATOR)
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
FIRE = "Nhắc phòng cháy khi thắp hương ngày rằm, mùng 1"


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The lunar example, and a version 2 of it whose fire reminder airs on mùng 1 only, built and signed once
    on an editor's machine."""
    folder = tmp_path_factory.mktemp("editor")
    editor = bootstrap.build(load_settings(folder), clock=FrozenClock(datetime(2026, 11, 20, 1, 0, tzinfo=UTC)))
    text = LUNAR.read_text(encoding="utf-8")
    newer = folder / "v2.toml"
    newer.write_text(
        text.replace("version = 1", "version = 2", 1).replace('lunar = "mùng 1, rằm"', 'lunar = "mùng 1"'),
        encoding="utf-8",
    )
    try:
        editor.keys.generate(KEY_NAME)
        first = editor.packages.build(LUNAR, folder / "am-lich.ttpkg", sign_with=KEY_NAME).path
        second = editor.packages.build(newer, folder / "am-lich-v2.ttpkg", sign_with=KEY_NAME).path
        (folder / "key.json").write_bytes(editor.keys.export())
    finally:
        editor.close()
    return first, second


@pytest.fixture
def package(packages: tuple[Path, Path]) -> Path:
    """The lunar example's package (version 1)."""
    return packages[0]


@pytest.fixture
def station(tmp_path: Path, package: Path) -> Iterator[bootstrap.Container]:
    """A fresh station at 10:00 on Monday 23/11/2026 that trusts the editor's key."""
    made = bootstrap.build(load_settings(tmp_path / "xa"), clock=FrozenClock())
    made.station.init()
    made.keys.trust(ADMIN, (package.parent / "key.json").read_bytes(), "phutho.pub.json")
    yield made
    made.close()


def _airings(container: bootstrap.Container, day: date) -> list[tuple[str, str]]:
    """(local start, title) of every airing on a local day."""
    start = datetime.combine(day, time(), tzinfo=HANOI)
    planned = container.scheduling.occurrences(start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC))
    return [(f"{p.occurrence.start.astimezone(HANOI):%H:%M}", p.occurrence.title) for p in planned]


def test_the_dry_run_shows_the_days_off_and_the_lunar_schedules_and_writes_nothing(
    station: bootstrap.Container, package: Path
) -> None:
    outcome = station.packages.import_package(OPERATOR, package, dry_run=True)
    preview = outcome.preview
    assert not outcome.imported
    assert [d.day for d in preview.days_off] == [date(2027, 2, 3), date(2027, 2, 11)]
    text = preview.explain(HANOI)
    assert (
        "Ngày nghỉ thêm vào danh sách của đài (2): 03/02/2027 Nghỉ Tết Nguyên Đán (theo thông báo của Chính phủ); "
        "11/02/2027 Nghỉ bù Tết Nguyên Đán (theo thông báo của Chính phủ)." in text
    )
    assert "lịch: Lúc 05:30 ngày mùng 1 và rằm hằng tháng (âm lịch) (từ 01/12/2026; hết hiệu lực 01/01/2028)" in text
    assert "lúc bắt đầu buổi sáng (theo mùa), trừ ngày lễ" in text
    assert "ngày lễ phát «Chào Xuân, mừng Đảng» thay thế" in text
    assert preview.to_json()["days_off"][0] == {
        "date": "2027-02-03",
        "name": "Nghỉ Tết Nguyên Đán (theo thông báo của Chính phủ)",
    }
    assert station.scheduling.rules().days_off == ()
    assert station.scheduling.schedules() == []


def test_imported_lunar_and_holiday_schedules_air_on_the_right_days(
    station: bootstrap.Container, package: Path
) -> None:
    # A station with its own winter morning: the lunar reminder follows the season's start.
    winter = Season("Mùa đông", (11, 1), (3, 31), time(6, 0), time(7, 30))
    morning = DEFAULT_RULES.sessions[0]
    rules = StationRules(
        sessions=(
            type(morning)(morning.name, morning.start, morning.end, morning.max_minutes, (winter,)),
            DEFAULT_RULES.sessions[1],
        ),
        quiet_hours=DEFAULT_RULES.quiet_hours,
        days_off=(DayOff(date(2027, 2, 3), "Nghỉ Tết"), DayOff(date(2027, 5, 4), "Nghỉ bù của xã")),
    )
    station.scheduling.set_rules(ADMIN, rules)
    outcome = station.packages.import_package(OPERATOR, package)
    assert outcome.imported and not outcome.skipped_schedules

    # The package's names win for its dates; the station's other day off stays.
    assert [(d.day, d.name[:20]) for d in station.scheduling.rules().days_off] == [
        (date(2027, 2, 3), "Nghỉ Tết Nguyên Đán "),
        (date(2027, 2, 11), "Nghỉ bù Tết Nguyên Đ"),
        (date(2027, 5, 4), "Nghỉ bù của xã"),
    ]
    [entry] = [e for e in station.audit.entries(entity="station") if e.action == "station.days_off"]
    assert entry.actor == OPERATOR.username

    # Mùng 1 tháng 11 (Wednesday 9/12/2026) at the winter start of the morning, not the day before.
    assert (f"{date(2026, 12, 9):%d/%m}", ("06:00", FIRE) in _airings(station, date(2026, 12, 9))) == ("09/12", True)
    assert FIRE not in {title for _at, title in _airings(station, date(2026, 12, 8))}
    # 23 tháng Chạp (30/01/2027) at 17:30; the evening bulletin at the session's start every day.
    assert ("17:30", "Tiễn ông Công ông Táo an toàn") in _airings(station, date(2027, 1, 30))
    assert ("17:00", "Bản tin chiều của tỉnh") in _airings(station, date(2027, 1, 29))
    # A day off the package announced: the holiday programme instead of the bulletin.
    assert _airings(station, date(2027, 2, 11)) == [("17:00", "Chào Xuân, mừng Đảng")]
    # Mùng 1 Tết (6/2/2027) is a public holiday: the fire reminder skips it, rằm tháng Giêng airs.
    assert FIRE not in {title for _at, title in _airings(station, date(2027, 2, 6))}
    assert ("06:00", FIRE) in _airings(station, date(2027, 2, 20))

    swap = next(v for v in station.scheduling.schedules() if v.calendar.holidays is HolidayPolicy.SWAP)
    assert swap.calendar.holiday_swap is not None
    spring = next(p for p in station.programmes.list() if p.title == "Chào Xuân, mừng Đảng")
    assert swap.calendar.holiday_swap.programme_id == spring.id


def test_a_newer_version_drops_lunar_schedules_that_never_aired(
    station: bootstrap.Container, packages: tuple[Path, Path]
) -> None:
    first, second = packages
    station.packages.import_package(OPERATOR, first)
    # Saturday 5/12/2026: the bulletin has aired since 1/12, the lunar schedules not yet (mùng 1 is on 9/12).
    assert isinstance(station.clock, FrozenClock)
    station.clock.set(datetime(2026, 12, 5, 3, 0, tzinfo=UTC))
    dry = station.packages.import_package(OPERATOR, second, dry_run=True)
    assert dry.preview.days_off == ()  # already on the station's list
    assert "lịch: Lúc 05:30 ngày mùng 1 hằng tháng (âm lịch)" in dry.preview.explain(HANOI)
    station.packages.import_package(OPERATOR, second)
    retired = [e for e in station.audit.entries(entity="schedule", limit=200) if e.action == "schedule.retire"]
    assert sorted(e.after is None for e in retired) == [False, True, True]  # two deleted, the bulletin capped
    assert [title for _at, title in _airings(station, date(2026, 12, 9))].count(FIRE) == 1
    assert FIRE not in {title for _at, title in _airings(station, date(2026, 12, 23))}  # rằm: not any more
