"""Settings: file, then environment, then flags; broken files named with their line, in Vietnamese."""

from __future__ import annotations

from pathlib import Path

import pytest

from truyenthanh.config import load_settings
from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.errors import ConfigError


def test_defaults_without_a_file(station_dir: Path) -> None:
    settings = load_settings(station_dir)
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.target_lufs == -16.0
    assert settings.locations().db_path == station_dir.resolve() / "station.db"


def test_precedence_file_env_flag(station_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (station_dir / "truyenthanh.toml").write_text(
        'target_lufs = -18.0\nreading_variant = "south"\ntimezone = "Asia/Bangkok"\n', encoding="utf-8"
    )
    settings = load_settings(station_dir)
    assert (settings.target_lufs, settings.reading_variant, settings.timezone) == (
        -18.0,
        ReadingVariant.SOUTH,
        "Asia/Bangkok",
    )
    monkeypatch.setenv("TRUYENTHANH_TARGET_LUFS", "-20")
    monkeypatch.setenv("TRUYENTHANH_TIMEZONE", "Asia/Ho_Chi_Minh")
    settings = load_settings(station_dir)
    assert (settings.target_lufs, settings.timezone) == (-20.0, "Asia/Ho_Chi_Minh")
    assert settings.reading_variant is ReadingVariant.SOUTH
    settings = load_settings(station_dir, target_lufs=-14.0, output_device=None)
    assert settings.target_lufs == -14.0


def test_data_dir_from_environment(station_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUYENTHANH_DATA_DIR", str(station_dir))
    (station_dir / "truyenthanh.toml").write_text("buffer_ms = 10\n", encoding="utf-8")
    settings = load_settings()
    assert settings.buffer_ms == 10
    assert settings.locations().media_dir == station_dir.resolve() / "media"


def test_broken_toml_names_file_and_line(station_dir: Path) -> None:
    config = station_dir / "truyenthanh.toml"
    config.write_text('timezone = "Asia/Ho_Chi_Minh"\n\ntarget_lufs = = -16\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(station_dir)
    assert str(config) in caught.value.message
    assert "dòng 3" in caught.value.message
    assert "sai cú pháp" in caught.value.message


def test_invalid_value_names_field_and_line(station_dir: Path) -> None:
    config = station_dir / "truyenthanh.toml"
    config.write_text(
        'output = "device"\ntarget_lufs = "rất to"\nbogus = 1\ntimezone = "Mars/Olympus"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(station_dir)
    message = caught.value.message
    assert "dòng 2, mục «target_lufs»: cần một số" in message
    assert "dòng 3, mục «bogus»: không có thiết lập nào tên như vậy" in message
    assert "dòng 4, mục «timezone»" in message and "múi giờ không tồn tại" in message


def test_out_of_range_value(station_dir: Path) -> None:
    (station_dir / "truyenthanh.toml").write_text("buffer_ms = 500\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="phải nhỏ hơn hoặc bằng 50"):
        load_settings(station_dir)


def test_file_that_is_not_utf8(station_dir: Path) -> None:
    (station_dir / "truyenthanh.toml").write_bytes(b'upstream_name = "\xd0\xe0i"\n')
    with pytest.raises(ConfigError, match="không phải văn bản UTF-8"):
        load_settings(station_dir)


def test_an_invalid_environment_value_names_the_variable_not_a_file_line(
    station_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = station_dir / "truyenthanh.toml"
    config.write_text('output = "device"\ntimezone = "Asia/Bangkok"\n', encoding="utf-8")
    monkeypatch.setenv("TRUYENTHANH_TIMEZONE", "Sao/Hoa")
    with pytest.raises(ConfigError) as caught:
        load_settings(station_dir)
    message = caught.value.message
    assert "biến môi trường TRUYENTHANH_TIMEZONE, mục «timezone»" in message and "múi giờ không tồn tại" in message
    assert "dòng" not in message and str(config) not in message
    # A flag beats both, and is named as a flag.
    with pytest.raises(ConfigError, match="tùy chọn dòng lệnh, mục «timezone»"):
        load_settings(station_dir, timezone="Mars/Olympus")
