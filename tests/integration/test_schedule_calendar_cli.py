"""``truyenthanh schedule add --lunar / --holidays / --session-start`` as real subprocesses on a real station."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.test_schedule_cli import run, tone


def test_lunar_holiday_and_session_start_flags(station_dir: Path, tmp_path: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    audio = tone(tmp_path / "ban-tin.wav", 1.0)
    first = run("schedule", "add", "--audio", str(audio), "--at", "2030-01-07 08:00", "--json", data_dir=station_dir)
    assert first.returncode == 0, first.stderr
    programme = str(json.loads(first.stdout)["programme_id"])

    lunar = run(
        "schedule", "add", programme, "--lunar", "1,15", "--time", "05:30", "--holidays", "skip", "--from",
        "2030-01-01", "--json", data_dir=station_dir,
    )  # fmt: skip
    assert lunar.returncode == 0, lunar.stderr
    saved = json.loads(lunar.stdout)
    assert saved["summary"].startswith("Lúc 05:30 ngày mùng 1 và rằm hằng tháng (âm lịch)")
    assert saved["summary"].endswith(", trừ ngày lễ")
    listed = run("schedule", "list", "--from", "2030-02-01", "--to", "2030-02-28", data_dir=station_dir)
    assert "Thứ Bảy 02/02" not in listed.stdout  # Tết 2030 (mùng 1 tháng Giêng) is a holiday: skipped
    assert "Thứ Bảy 16/02 (âm 15/1) 05:30" in listed.stdout  # rằm tháng Giêng

    bad = run("schedule", "add", programme, "--lunar", "31", "--time", "05:30", data_dir=station_dir)
    assert bad.returncode == 1 and "(--lunar)" in bad.stderr and "từ 1 đến 30" in bad.stderr

    seasonal = run(
        "schedule", "add", programme, "--daily", "--session-start", "Buổi chiều", "--json", data_dir=station_dir
    )
    assert seasonal.returncode == 0, seasonal.stderr
    assert "lúc bắt đầu buổi chiều (theo mùa)" in json.loads(seasonal.stdout)["summary"]
    assert json.loads(seasonal.stdout)["calendar"] == {"at_session_start": True}

    edited = run("schedule", "edit", str(saved["id"]), "--time", "06:00", "--json", data_dir=station_dir)
    assert edited.returncode == 0, edited.stderr
    assert json.loads(edited.stdout)["summary"].startswith("Lúc 06:00 ngày mùng 1 và rằm")  # still lunar
