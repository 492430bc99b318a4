"""``truyenthanh normalize`` and ``truyenthanh say`` as real subprocesses (no Internet: gTTS falls back)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from subprocess import CompletedProcess

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


def _run_with_input(stdin: str, *args: str, data_dir: Path, env: dict[str, str] | None = None) -> CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=base,
        check=False,
        timeout=120,
    )


DOCUMENT = """\
Thực hiện Quyết định số 123/QĐ-
UBND ngày 5/3/2025, BCH Quân sự xã thông báo:

- Công dân sinh năm 2008 có mặt lúc 7h30.
"""

DOCUMENT_SPOKEN = (
    "Thực hiện Quyết định số một trăm hai mươi ba của Ủy ban nhân dân ngày năm tháng ba năm hai nghìn không "
    "trăm hai mươi lăm, Ban Chỉ huy Quân sự xã thông báo:\n\n"
    "- Công dân sinh năm hai nghìn không trăm linh tám có mặt lúc bảy giờ ba mươi.\n"
)


def test_normalize_reads_a_document_from_standard_input(station_dir: Path) -> None:
    result = _run_with_input(DOCUMENT, "normalize", "-", data_dir=station_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == DOCUMENT_SPOKEN


def test_normalize_reads_a_document_from_a_file(station_dir: Path, tmp_path: Path) -> None:
    document = tmp_path / "thong-bao.txt"
    document.write_text(DOCUMENT, encoding="utf-8")
    result = run("normalize", "--file", str(document), data_dir=station_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == DOCUMENT_SPOKEN


def test_normalize_takes_text_that_starts_with_a_dash(station_dir: Path) -> None:
    bullet = run("normalize", "-Hạn cuối ngày 30/11.", data_dir=station_dir)
    assert (bullet.returncode, bullet.stdout) == (0, "-Hạn cuối ngày ba mươi tháng mười một.\n"), bullet.stderr
    after_dashes = run("normalize", "--variant", "south", "--", "-2 độ", data_dir=station_dir)
    assert after_dashes.stdout == "âm hai độ\n", after_dashes.stderr


def test_normalize_refuses_an_unreadable_file_in_vietnamese(station_dir: Path, tmp_path: Path) -> None:
    legacy = tmp_path / "cu.txt"
    legacy.write_bytes("Thông báo".encode("utf-16"))
    result = run("normalize", "--file", str(legacy), data_dir=station_dir)
    assert result.returncode == 2
    assert "không phải văn bản UTF-8" in result.stderr
    missing = run("normalize", "--file", str(tmp_path / "khong-co.txt"), data_dir=station_dir)
    assert "Không thấy tệp" in missing.stderr


def test_normalize_explain_prints_each_rule_with_the_station_lexicon(station_dir: Path, tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text('[[context]]\nwritten = "TT"\npreceded_by = ["Đài"]\nreading = "Truyền thanh"\n', "utf-8")
    result = run(
        "normalize",
        "--explain",
        "Đài TT xã: TT HĐND họp lúc 7h30.",
        data_dir=station_dir,
        env={"TRUYENTHANH_LEXICON_FILE": str(lexicon)},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Đài Truyền thanh xã: Thường trực Hội đồng nhân dân họp lúc bảy giờ ba mươi."
    assert "  • Viết tắt đọc theo ngữ cảnh: «TT» → «Truyền thanh». Lý do: theo từ điển của đài" in lines
    assert any(line.startswith("  • Viết tắt đọc theo ngữ cảnh: «TT» → «Thường trực».") for line in lines)
    assert "  • Giờ: «7h30.» → «bảy giờ ba mươi.»" in lines


def test_normalize_follows_the_station_code_letters(station_dir: Path) -> None:
    written = "Cúm A/H5N1, xe 30N-123.45."
    default = run("normalize", written, data_dir=station_dir)
    assert default.stdout == "Cúm a hát năm en một, xe ba không N, một hai ba bốn năm.\n"
    chosen = run("normalize", "--explain", written, data_dir=station_dir, env={"TRUYENTHANH_CODE_LETTERS": "nờ"})
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.splitlines()[0] == "Cúm a hát năm nờ một, xe ba không nờ, một hai ba bốn năm."
