"""``truyenthanh schedule`` and ``truyenthanh log`` as real subprocesses on a real station folder."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from subprocess import CompletedProcess

from tests.integration.test_cli import SINGLE_OPERATOR
from tests.integration.test_cli import run as run_cli


def run(*args: str, data_dir: Path | None = None, env: dict[str, str] | None = None) -> CompletedProcess[str]:
    """``truyenthanh ARGS`` at a single-operator station (changes act for its named operator)."""
    return run_cli(*args, data_dir=data_dir, env={**SINGLE_OPERATOR, **(env or {})})


def tone(path: Path, seconds: float = 2.0) -> Path:
    """A real WAV file made by ffmpeg."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=880:duration={seconds}", str(path)],
        check=True,
    )
    return path


def test_schedule_a_file_list_refuse_remove(station_dir: Path, tmp_path: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    audio = tone(tmp_path / "thong-bao.wav")
    added = run("schedule", "add", "--audio", str(audio), "--at", "2030-01-07 08:00", "--json", data_dir=station_dir)
    assert added.returncode == 0, added.stderr
    saved = json.loads(added.stdout)
    assert saved["summary"] == "Một lần, 08:00 Thứ Hai 07/01/2030"
    assert saved["duration_s"] == 2.0
    assert saved["programme"] == "thong-bao"
    listed = run("schedule", "list", "--from", "2030-01-07", "--to", "2030-01-07", "--json", data_dir=station_dir)
    rows = json.loads(listed.stdout)
    assert [r["start"] for r in rows] == ["2030-01-07T01:00:00+00:00"]

    quiet = run("schedule", "add", str(saved["programme_id"]), "--at", "2030-01-08 04:30", data_dir=station_dir)
    assert quiet.returncode == 1
    assert "giờ yên tĩnh 21:30–05:00" in quiet.stderr and "--force" in quiet.stderr
    clash = run("schedule", "add", str(saved["programme_id"]), "--at", "2030-01-07 08:00:01", data_dir=station_dir)
    assert clash.returncode == 1 and "trùng với «thong-bao»" in clash.stderr
    # The choices are told in words by the service; the command line names its options for them.
    assert "lúc 08:00:02 (--resolve after)" in clash.stderr and "vẫn lưu như vậy (--force)" in clash.stderr
    no_time = run("schedule", "add", str(saved["programme_id"]), "--daily", data_dir=station_dir)
    assert no_time.returncode == 1 and "Lỗi lịch phát (--time): Lịch lặp cần giờ phát" in no_time.stderr
    daily = run(
        "schedule", "add", str(saved["programme_id"]), "--days", "t2,t4,t6", "--time", "17:15", data_dir=station_dir
    )
    assert daily.returncode == 0, daily.stderr
    assert "Thứ Hai, Thứ Tư và Thứ Sáu, 17:15" in daily.stdout
    human = run("schedule", "list", "--schedules", data_dir=station_dir)
    assert "Một lần, 08:00 Thứ Hai 07/01/2030" in human.stdout

    removed = run("schedule", "remove", str(saved["id"]), data_dir=station_dir)
    assert removed.returncode == 0 and "Đã xóa lịch phát số" in removed.stdout
    missing = run("schedule", "remove", "999", data_dir=station_dir)
    assert missing.returncode == 1 and "Không có lịch phát số 999" in missing.stderr

    log = run("log", "--json", data_dir=station_dir)
    assert log.returncode == 0 and json.loads(log.stdout) == []


def test_edit_changes_only_what_is_given_and_is_checked_like_add(station_dir: Path, tmp_path: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    audio = tone(tmp_path / "ban-tin.wav")
    first = json.loads(
        run(
            "schedule", "add", "--audio", str(audio), "--weekdays", "--time", "17:15", "--json", data_dir=station_dir
        ).stdout
    )
    other = run(
        "schedule", "add", str(first["programme_id"]), "--at", "2030-01-07 08:00", "--json", data_dir=station_dir
    )
    assert other.returncode == 0, other.stderr
    moved = run("schedule", "edit", str(first["id"]), "--time", "17:30", "--json", data_dir=station_dir)
    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout)["summary"] == "Thứ Hai đến Thứ Sáu, 17:30"
    quiet = run("schedule", "edit", str(first["id"]), "--time", "23:00", data_dir=station_dir)
    assert quiet.returncode == 1 and "giờ yên tĩnh 21:30–05:00" in quiet.stderr
    one_off = json.loads(other.stdout)
    clash = run("schedule", "edit", str(one_off["id"]), "--weekdays", "--time", "17:30", data_dir=station_dir)
    assert clash.returncode == 1 and "trùng với «ban-tin»" in clash.stderr

    raised = run("schedule", "edit", str(first["id"]), "--priority", "priority", "--misfire", "skip", "--json",
                 data_dir=station_dir)  # fmt: skip
    saved = json.loads(raised.stdout)
    assert saved["summary"] == "Thứ Hai đến Thứ Sáu, 17:30" and saved["priority"] == "priority"
    assert saved["misfire"] == "skip"
    listed = json.loads(run("schedule", "list", "--schedules", "--json", data_dir=station_dir).stdout)
    assert sorted(s["summary"] for s in listed) == ["Một lần, 08:00 Thứ Hai 07/01/2030", "Thứ Hai đến Thứ Sáu, 17:30"]
    missing = run("schedule", "edit", "999", "--time", "05:30", data_dir=station_dir)
    assert missing.returncode == 1 and "Không có lịch phát số 999" in missing.stderr
