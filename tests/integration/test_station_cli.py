"""``init --commune --province``, ``station show|set`` and ``package example`` as real subprocesses on a fresh
station: the first import of the example produces airings in the coming week."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.integration.test_cli import SINGLE_OPERATOR, run


def test_init_writes_commented_config_and_station_set_changes_it(tmp_path: Path) -> None:
    station = tmp_path / "xa"
    made = run("init", "--commune", "xã Tân Lập", "--province", "phu tho", data_dir=station)
    assert made.returncode == 0, made.stderr
    assert "Đã ghi tệp cấu hình có chú thích mọi thiết lập" in made.stdout
    config = station / "truyenthanh.toml"
    assert "# target_lufs = -16.0" in config.read_text(encoding="utf-8")
    shown = json.loads(run("station", "show", "--json", data_dir=station).stdout)
    assert (shown["commune"], shown["province"], shown["report_authority"]) == ("Tân Lập", "Phú Thọ", "")

    again = run("init", "--commune", "Tân Sơn", data_dir=station)
    assert again.returncode == 1
    assert "Lỗi cấu hình (--commune): Đài đã có tên xã «Tân Lập»" in again.stderr

    bad = run("station", "set", "--province", "Hà Giang", data_dir=station, env=SINGLE_OPERATOR)
    assert bad.returncode == 1
    assert "(--province)" in bad.stderr and "34 tỉnh, thành phố" in bad.stderr
    done = run(
        "station", "set", "--authority", "UBND xã Tân Lập", "--number-suffix", "ĐTT", "--reading-variant", "south",
        data_dir=station, env=SINGLE_OPERATOR,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Đã lưu: report_authority, report_number_suffix, reading_variant." in done.stdout
    values = tomllib.loads(config.read_text(encoding="utf-8"))
    set_here = {k: v for k, v in values.items() if not k.startswith("single_operator")}  # roles: the test's own lines
    assert set_here == {
        "reading_variant": "south",
        "report_authority": "UBND xã Tân Lập",
        "report_number_suffix": "ĐTT",
    }
    text = run("station", "show", data_dir=station).stdout
    assert "Cơ quan chủ quản (báo cáo): UBND xã Tân Lập" in text and "Cách đọc số: Miền Nam" in text
    audit = json.loads(run("audit", "list", "--json", data_dir=station).stdout)
    assert {"station.profile", "station.config"} <= {entry["action"] for entry in audit}


def test_example_for_next_week_imports_with_airings(tmp_path: Path) -> None:
    station = tmp_path / "xa"
    assert run("init", data_dir=station).returncode == 0
    env = {**SINGLE_OPERATOR, "TRUYENTHANH_ALLOW_UNSIGNED_PACKAGES": "true"}
    target = tmp_path / "tai-ve" / "tuan-toi.toml"
    wrote = run("package", "example", "--week", "next", "-o", str(target), data_dir=station)
    assert wrote.returncode == 0, wrote.stderr
    assert (target.parent / "audio" / "ban-tin-xa-tan-lap.mp3").is_file()
    built = run("package", "build", str(target), "-o", str(tmp_path / "tuan.ttpkg"), data_dir=station)
    assert built.returncode == 0, built.stderr
    imported = run("package", "import", str(tmp_path / "tuan.ttpkg"), data_dir=station, env=env)
    assert imported.returncode == 0, imported.stderr
    assert "Đã nhập: 2 chương trình, 2 lịch phát." in imported.stdout
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()  # the station's day, as the command sees it
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    listed = run(
        "schedule", "list", "--from", monday.isoformat(), "--to", (monday + timedelta(days=6)).isoformat(), "--json",
        data_dir=station,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    airings = json.loads(listed.stdout)
    assert len(airings) == 7 + 5  # every morning; afternoons Monday to Saturday but the Wednesday

    wrong = run("package", "example", "--week", "2026-W99", data_dir=station)
    assert wrong.returncode == 1
    assert "(--week)" in wrong.stderr
