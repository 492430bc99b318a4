"""A lunar schedule that came in an upstream package plays in the daemon on mùng 1, and not the day before
(frozen clock, :class:`~tests.fakes.FakePlayout`, a real signed package imported into a real SQLite station)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.daemon.conftest import Station
from tests.fakes import FrozenClock
from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import Outcome, Role
from truyenthanh.domain.schedule import to_lunar
from truyenthanh.protocol import AiringQueued

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
KEY_NAME = "Đài PT-TH tỉnh"
OPERATOR = Actor(username="can-bo", full_name="Hà Văn Bộ", role=Role.OPERATOR)
PROGRAMME_FILE = """format_version = 2

[package]
id = "tinh/mung-mot"
version = 1
title = "Nhắc việc ngày mùng 1"
author = "Phòng Văn hóa - Xã hội"
upstream = "Đài tỉnh"

[[programme]]
key = "mung-mot"
title = "Nhắc việc ngày mùng 1"

[[programme.item]]
silence = 20
title = "Lời nhắc"

[[programme.schedule]]
lunar = "mùng 1"
start = 2026-12-01T09:00:00
"""


def hn(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A time in December 2026 in Hà Nội, as UTC."""
    return datetime(2026, 12, day, hour, minute, second, tzinfo=HANOI).astimezone(UTC)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """The package, built and signed on an editor's machine, and the editor's public key."""
    folder = tmp_path_factory.mktemp("editor")
    source = folder / "mung-mot.toml"
    source.write_text(PROGRAMME_FILE, encoding="utf-8")
    editor = bootstrap.build(load_settings(folder), clock=FrozenClock(datetime(2026, 11, 20, 1, 0, tzinfo=UTC)))
    try:
        editor.keys.generate(KEY_NAME)
        built = editor.packages.build(source, folder / "mung-mot.ttpkg", sign_with=KEY_NAME).path
        return built, editor.keys.export()
    finally:
        editor.close()


def test_an_imported_lunar_schedule_plays_on_mung_1_and_not_the_day_before(
    station: Station, package: tuple[Path, bytes]
) -> None:
    path, public_key = package
    container = station.container
    container.keys.trust(ADMIN, public_key, "tinh.pub.json")
    outcome = container.packages.import_package(OPERATOR, path)
    [programme_id] = outcome.programme_ids
    container.approvals.approve(ADMIN, ContentKind.PROGRAMME, programme_id)
    day_before, mung_1 = (to_lunar(hn(day, 9).astimezone(HANOI).date()).short for day in (8, 9))
    assert (day_before, mung_1) == ("30/10", "1/11")

    # Tuesday 8/12/2026, the 30th of the 10th lunar month: 09:00 passes in silence.
    station.clock.set(hn(8, 8, 59))
    station.start()
    station.tick()
    station.tick(120.0)
    assert station.fake.commands == [] and station.log() == []

    # Wednesday 9/12/2026, mùng 1 tháng 11: handed over ahead, on air at 09:00 to the second, logged played.
    station.clock.set(hn(9, 8, 59, 50))
    station.tick()
    assert station.fake.commands == []
    station.tick(8.0)
    [queued] = [e for e in station.events() if isinstance(e, AiringQueued)]
    assert (queued.programme, queued.start_at) == ("Nhắc việc ngày mùng 1", hn(9, 9))
    station.tick(40.0)
    [row] = station.log()
    assert (row.item_title, row.outcome, row.actual_start) == ("Lời nhắc", Outcome.PLAYED, hn(9, 9))
    assert row.schedule_id == outcome.schedule_ids[0]
