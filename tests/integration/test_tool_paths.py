"""The external programs come from the station's settings when it names them (``ffmpeg_path``,
``espeak_path``): a Windows PC or a service with a short PATH still finds them."""

from __future__ import annotations

import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from truyenthanh import bootstrap
from truyenthanh.adapters import ffmpeg
from truyenthanh.adapters.platform import TOOLS
from truyenthanh.adapters.playout.sources import open_file_source
from truyenthanh.adapters.tts.espeak import EspeakEngine
from truyenthanh.config import load_settings
from truyenthanh.daemon.airings import probe_relay
from truyenthanh.domain.tunes import TUNES


def _wrapper(folder: Path, name: str, calls: Path) -> Path:
    """A program called ``name`` in ``folder`` that notes each call, then runs the real one."""
    real = shutil.which(name)
    if real is None:
        pytest.skip(f"{name} is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f'#!/bin/sh\necho {name} >> "{calls}"\nexec "{real}" "$@"\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture(autouse=True)
def _forget_tool_paths() -> Iterator[None]:
    yield
    TOOLS.configure(ffmpeg=None, espeak=None)


def test_ffmpeg_and_ffprobe_come_from_the_configured_folder(station_dir: Path, tmp_path: Path) -> None:
    calls = tmp_path / "calls.txt"
    tools = tmp_path / "FFmpeg build" / "bin"
    _wrapper(tools, "ffmpeg", calls)
    _wrapper(tools, "ffprobe", calls)
    (station_dir / "truyenthanh.toml").write_text(f'ffmpeg_path = "{tools / "ffmpeg"}"\n', encoding="utf-8")
    bootstrap.build(load_settings(station_dir)).close()
    target = tmp_path / "tune.wav"
    ffmpeg.render_tune(TUNES["alert"], target)
    assert ffmpeg.probe(target).duration_s > 0
    assert calls.read_text(encoding="utf-8").split() == ["ffmpeg", "ffprobe"]


def test_espeak_comes_from_the_configured_folder(station_dir: Path, tmp_path: Path) -> None:
    calls = tmp_path / "calls.txt"
    folder = tmp_path / "eSpeak NG"
    _wrapper(folder, "espeak-ng", calls)
    bootstrap.build(load_settings(station_dir, espeak_path=folder)).close()
    target = tmp_path / "speech.wav"
    EspeakEngine().synthesize("Thông báo", voice="vi", speed=1.0, target=target)
    assert target.stat().st_size > 44
    assert calls.read_text(encoding="utf-8").split() == ["espeak-ng"]


def test_playout_decoding_and_the_relay_check_use_the_configured_ffmpeg(station_dir: Path, tmp_path: Path) -> None:
    calls = tmp_path / "calls.txt"
    tools = tmp_path / "FFmpeg build" / "bin"
    _wrapper(tools, "ffmpeg", calls)
    _wrapper(tools, "ffprobe", calls)
    bootstrap.build(load_settings(station_dir, ffmpeg_path=tools / "ffmpeg")).close()
    wav, mp3 = tmp_path / "tune.wav", tmp_path / "tune.mp3"
    ffmpeg.render_tune(TUNES["alert"], wav)
    subprocess.run([str(shutil.which("ffmpeg")), "-v", "error", "-i", str(wav), str(mp3)], check=True)
    calls.unlink()
    source = open_file_source(mp3, rate=48000, offset_s=0.0, duration_s=None, ahead_s=0.5).start()
    source.buffer.wait_for(4800, timeout=10)
    source.close()
    assert source.error is None
    assert source.produced > 0
    assert probe_relay("http://127.0.0.1:9/none") != ""
    assert calls.read_text(encoding="utf-8").split() == ["ffmpeg", "ffprobe"]
