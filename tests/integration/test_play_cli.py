"""``truyenthanh play`` as a real subprocess: files or a programme, to a file or the sound device."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.audio import RATE, corrupt, decode, sweep
from tests.integration.test_cli import run
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import AudioAsset, Programme, ProgrammeItem
from truyenthanh.config import load_settings
from truyenthanh.domain.enums import ItemKind


def test_play_files_to_a_file_at_the_station_loudness(station_dir: Path, tmp_path: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    first = sweep(tmp_path / "Bản tin sáng.wav", 1.0, amplitude=0.1)
    second = sweep(tmp_path / "thong_bao.mp3", 0.8, start_hz=800, amplitude=0.5)
    target = tmp_path / "thu.wav"
    played = run(
        "play", str(first), str(second), "--output", f"file:{target}", "--fast", "--json", data_dir=station_dir
    )
    assert played.returncode == 0, played.stderr
    events = json.loads(played.stdout)
    assert [(e["event"], e["title"]) for e in events] == [
        ("started", "Bản tin sáng.wav"),
        ("ended", "Bản tin sáng.wav"),
        ("started", "thong_bao.mp3"),
        ("ended", "thong_bao.mp3"),
    ]
    assert all(e["reason"] == "finished" for e in events if e["event"] == "ended")
    written = decode(target)
    assert len(written) >= len(decode(first)) + len(decode(second))
    # Both were brought to the same loudness: the quiet one up, the loud one down.
    split = len(decode(first))
    quiet, loud = np.sqrt(np.mean(written[:split] ** 2)), np.sqrt(np.mean(written[split : split + RATE // 2] ** 2))
    assert quiet / loud == np.float64(quiet / loud)
    assert 0.8 < quiet / loud < 1.25


def test_play_a_programme_reports_the_fallback(station_dir: Path, tmp_path: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    container = bootstrap.build(load_settings(station_dir))
    media = container.locations.media_dir
    good = sweep(media / "tot.wav", 0.5)
    backup = sweep(media / "du_phong.wav", 0.4, start_hz=900)
    corrupt(media / "hong.mp3")
    with container.db.session() as session:
        assets = [
            AudioAsset(
                path=path.name,
                sha256=path.name,
                duration_s=0.5,
                format="wav",
                channels=1,
                sample_rate=RATE,
                title=title,
            )
            for path, title in ((good, "Bản tin"), (backup, "Nhạc dự phòng"), (media / "hong.mp3", "Thông báo hỏng"))
        ]
        session.add_all(assets)
        session.flush()
        programme = Programme(title="Buổi sáng", fallback_asset_id=assets[1].id)
        session.add(programme)
        session.flush()
        assert programme.id is not None
        session.add_all(
            [
                ProgrammeItem(programme_id=programme.id, position=0, kind=ItemKind.AUDIO, asset_id=assets[0].id),
                ProgrammeItem(programme_id=programme.id, position=1, kind=ItemKind.AUDIO, asset_id=assets[2].id),
            ]
        )
        programme_id = programme.id
    container.close()
    target = tmp_path / "buoi_sang.wav"
    played = run("play", "--programme", str(programme_id), "--output", f"file:{target}", "--fast", data_dir=station_dir)
    assert played.returncode == 0, played.stderr
    assert "«Nhạc dự phòng» (thay cho «Thông báo hỏng»)" in played.stderr
    assert "Không phát được «Thông báo hỏng»" in played.stderr
    assert "Đã phát 2 mục; 1 mục lỗi" in played.stdout


def test_play_needs_files_or_a_programme(station_dir: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    refused = run("play", data_dir=station_dir)
    assert refused.returncode != 0
    assert "Hãy cho các tệp cần phát" in refused.stderr
    missing = run("play", "/khong/co/tep.mp3", "--output", "file:/tmp/x.wav", data_dir=station_dir)
    assert missing.returncode == 1
    assert "Không tìm thấy tệp /khong/co/tep.mp3" in missing.stderr
