"""``truyenthanh normalize`` and ``truyenthanh say`` as real subprocesses (no Internet: gTTS falls back)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_cli import run
from truyenthanh.adapters import ffmpeg


def test_normalize_prints_the_spoken_form(station_dir: Path) -> None:
    result = run("normalize", "Quyết định số 52/2016/QĐ-TTg, ngày 05/9/2016.", data_dir=station_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Quyết định số năm mươi hai năm hai nghìn không trăm mười sáu của Thủ tướng Chính phủ, "
        "ngày năm tháng chín năm hai nghìn không trăm mười sáu.\n"
    )


def test_normalize_south_and_from_stdin(station_dir: Path) -> None:
    result = run("normalize", "--variant", "south", "105 hộ, năm 2024", data_dir=station_dir)
    assert result.stdout.strip() == "một trăm lẻ năm hộ, năm hai ngàn không trăm hai mươi bốn"


def test_say_with_espeak_writes_the_file_and_reports_json(station_dir: Path, tmp_path: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    out = tmp_path / "say.wav"
    result = run("say", "--engine", "espeak", "--json", "-o", str(out), "UBND xã thông báo.", data_dir=station_dir)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert (info["engine"], info["voice"], info["fell_back"]) == ("espeak", "vi", False)
    assert info["spoken_text"] == "Ủy ban nhân dân xã thông báo."
    assert ffmpeg.probe(out).duration_s > 1
    assert Path(info["path"]).is_file()


def test_say_auto_without_internet_tells_the_operator(station_dir: Path, tmp_path: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    # The test session's HTTPS proxy is a closed local port (tests/conftest.py): gTTS cannot connect.
    result = run("say", "Xin chào bà con.", data_dir=station_dir, env={"HTTPS_PROXY": "http://127.0.0.1:9"})
    assert result.returncode == 0, result.stderr
    assert "Đã đọc bằng espeak" in result.stdout
    assert "Lưu ý: Không dùng được gTTS" in result.stderr


def test_say_before_init_fails_in_vietnamese(station_dir: Path) -> None:
    result = run("say", "--engine", "espeak", "Xin chào", data_dir=station_dir)
    assert result.returncode == 1
    assert "truyenthanh init" in result.stderr


@pytest.mark.slow
def test_say_play_goes_out_through_the_station_output(station_dir: Path, tmp_path: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    aired = tmp_path / "aired.wav"
    result = run(
        "say",
        "--engine",
        "espeak",
        "--play",
        "Bà con chú ý, bà con chú ý.",
        data_dir=station_dir,
        env={"TRUYENTHANH_OUTPUT": f"file:{aired}"},
    )
    assert result.returncode == 0, result.stderr
    assert "Đã phát 1 mục" in result.stdout
    rendered = Path(result.stdout.split("Tệp: ")[1].splitlines()[0])
    assert ffmpeg.probe(aired).duration_s >= ffmpeg.probe(rendered).duration_s - 0.1
    assert ffmpeg.measure_loudness(aired).integrated_lufs > -40


def test_say_refuses_json_with_play(station_dir: Path) -> None:
    result = run("say", "--json", "--play", "Xin chào", data_dir=station_dir)
    assert result.returncode == 2
    assert "--json" in result.stderr
