"""``truyenthanh library`` as a real subprocess on a real station folder."""

from __future__ import annotations

import json
from pathlib import Path
from subprocess import CompletedProcess

from tests.integration.test_cli import SINGLE_OPERATOR
from tests.integration.test_cli import run as run_cli
from tests.media import make_tone, truncate


def run(*args: str, data_dir: Path | None = None, env: dict[str, str] | None = None) -> CompletedProcess[str]:
    """``truyenthanh ARGS`` at a single-operator station (changes act for its named operator)."""
    return run_cli(*args, data_dir=data_dir, env={**SINGLE_OPERATOR, **(env or {})})


def test_add_list_and_edit(station_dir: Path, tmp_path: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    good = make_tone(tmp_path / "Thông báo họp dân.wav", seconds=2.0)
    other = make_tone(tmp_path / "ban_tin.mp3", seconds=2.0, hz=500.0)
    broken = truncate(make_tone(tmp_path / "full.flac", seconds=2.0), tmp_path / "hỏng.flac")

    added = run(
        "library", "add", str(good), str(broken), str(other), "--category", "administration", "--json",
        data_dir=station_dir,
    )  # fmt: skip
    assert added.returncode == 1
    results = json.loads(added.stdout)
    assert [r["status"] for r in results] == ["imported", "failed", "imported"]
    assert results[0]["asset"]["title"] == "Thông báo họp dân"
    assert results[2]["asset"]["title"] == "ban tin"
    assert results[0]["asset"]["category"] == "administration"
    assert f"Không nhập được {broken}" in added.stderr
    assert "Đã nhập 2 tệp, 1 tệp bị từ chối" in added.stderr
    media = sorted(p.name for p in (station_dir / "media").rglob("*") if p.is_file())
    assert media == sorted(Path(r["asset"]["path"]).name for r in results if r["asset"])

    again = run("library", "add", str(good), data_dir=station_dir)
    assert again.returncode == 0
    assert "Đã có sẵn" in again.stdout

    listed = run("library", "list", "--search", "hop dan", "--json", data_dir=station_dir)
    assert listed.returncode == 0, listed.stderr
    [asset] = json.loads(listed.stdout)
    assert asset["loudness_lufs"] is not None

    edited = run("library", "edit", str(asset["id"]), "--language", "hmn", "--category", "Khác", data_dir=station_dir)
    assert edited.returncode == 0, edited.stderr
    human = run("library", "list", "--language", "hmn", data_dir=station_dir)
    assert "Thông báo họp dân" in human.stdout

    bad = run("library", "add", str(good), "--category", "tin vịt", data_dir=station_dir)
    assert bad.returncode == 2
    assert "Giá trị không hợp lệ" in bad.stderr
