"""The 34 provinces since 1 July 2025, the commented config file ``init`` writes, and an example moved to
another week."""

from __future__ import annotations

import tomllib
import unicodedata
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from truyenthanh.config import Settings, load_settings, write_config_file
from truyenthanh.domain.programme_file import move_to_week, read_programme_file
from truyenthanh.domain.provinces import CITIES, PROVINCES, find_province
from truyenthanh.domain.station_profile import commune_name, suggested_authority
from truyenthanh.errors import ConfigError

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"


def test_thirty_four_provinces_in_nfc() -> None:
    assert len(PROVINCES) == len(set(PROVINCES)) == 34
    assert len(CITIES) == 6
    assert all(unicodedata.is_normalized("NFC", name) for name in PROVINCES)
    assert {"Hà Nội", "Thành phố Hồ Chí Minh", "Phú Thọ", "Đắk Lắk", "An Giang"} <= set(PROVINCES)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("phu tho", "Phú Thọ"),
        ("Tỉnh Phú Thọ", "Phú Thọ"),
        ("TP Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("  dak   lak ", "Đắk Lắk"),
        ("Hà Giang", None),  # merged into Tuyên Quang on 1 July 2025
    ],
)
def test_find_province_accepts_what_an_operator_types(typed: str, found: str | None) -> None:
    assert find_province(typed) == found


def test_commune_and_authority_lines() -> None:
    assert commune_name("  xã  Tân   Lập ") == "Tân Lập"
    assert suggested_authority("Tân Lập", "Phú Thọ") == "UBND xã Tân Lập, tỉnh Phú Thọ"
    assert suggested_authority("Mỹ Hòa", "Thành phố Hồ Chí Minh") == "UBND xã Mỹ Hòa, thành phố Hồ Chí Minh"
    assert suggested_authority("Sóc Sơn", "Hà Nội") == "UBND xã Sóc Sơn, thành phố Hà Nội"


def test_new_config_file_documents_every_setting_and_loads_as_defaults(station_dir: Path) -> None:
    path = station_dir / "truyenthanh.toml"
    assert write_config_file(path) is True
    text = path.read_text(encoding="utf-8")
    assert tomllib.loads(text) == {}  # everything commented out: the defaults apply
    for name in Settings.model_fields:
        if name != "data_dir":
            assert f"# {name} =" in text, name
    assert "# Loudness every item is played at, in LUFS (EBU R128 integrated).\n# target_lufs = -16.0" in text
    assert load_settings(station_dir).target_lufs == -16.0


def test_changes_keep_other_settings_and_comments(station_dir: Path) -> None:
    path = station_dir / "truyenthanh.toml"
    path.write_text('# do not lose me\ntts_engine = "espeak"  # offline\n', encoding="utf-8")
    assert write_config_file(path) is False  # an existing file is never replaced by the template
    write_config_file(path, {"report_authority": "UBND xã Tân Lập", "reading_variant": "south"})
    text = path.read_text(encoding="utf-8")
    assert text.startswith('# do not lose me\ntts_engine = "espeak"  # offline\n')
    settings = load_settings(station_dir)
    assert (settings.tts_engine, settings.report_authority, settings.reading_variant.value) == (
        "espeak",
        "UBND xã Tân Lập",
        "south",
    )
    write_config_file(path, {"report_authority": None})
    assert load_settings(station_dir).report_authority == ""


def test_template_line_is_replaced_in_place(station_dir: Path) -> None:
    path = station_dir / "truyenthanh.toml"
    write_config_file(path)
    write_config_file(path, {"preview_device": "pulse:tai-nghe"})
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index('preview_device = "pulse:tai-nghe"')
    assert lines[at - 1] == "# Mặc định: không đặt."
    assert "# preview_device =" not in lines


def test_refused_value_names_the_setting_and_leaves_the_file(station_dir: Path) -> None:
    path = station_dir / "truyenthanh.toml"
    write_config_file(path)
    before = path.read_bytes()
    with pytest.raises(ConfigError) as refused:
        write_config_file(path, {"target_lufs": 3})
    assert refused.value.field == "target_lufs"
    assert "phải nhỏ hơn hoặc bằng -5.0" in refused.value.message
    with pytest.raises(ConfigError) as unknown:
        write_config_file(path, {"volume": 3})
    assert unknown.value.field == "volume"
    assert path.read_bytes() == before
    assert [p.name for p in station_dir.iterdir()] == ["truyenthanh.toml"]  # no temporary file left


def test_example_moved_to_another_week_keeps_weekdays_and_times() -> None:
    text = (SCHEDULES / "xa-tan-lap-tuan-48.toml").read_text(encoding="utf-8")
    moved = move_to_week(text, date(2026, 12, 28))
    parsed = read_programme_file(moved)
    assert parsed.package is not None
    assert parsed.package.id == "tan-lap/tuan-53-2026"
    assert parsed.package.title == "Chương trình phát thanh tuần 53 (28/12/2026–3/1/2027), xã Tân Lập"
    valid = {p.valid_from.astimezone(HANOI).date() for p in parsed.programmes if p.valid_from}
    assert valid == {date(2026, 12, 28)}
    starts = [s.start for p in parsed.programmes for s in p.schedules]
    local = [s.astimezone(HANOI) for s in starts if s]
    assert [(s.date(), s.hour, s.minute) for s in local] == [(date(2026, 12, 28), 5, 59), (date(2026, 12, 28), 17, 0)]
    assert "sáng thứ Bảy ngày 02/01/2027" in moved
    assert "exclude = [2026-12-30T17:00:00]" in moved  # still the Wednesday
    assert move_to_week(text, date(2026, 11, 23)) == text
