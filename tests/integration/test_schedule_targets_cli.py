"""``truyenthanh schedule add|edit|list`` with targets (``--zone``, ``--all-zones``, ``--local/--no-local``), as
real subprocesses on a real station folder (issue 18)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.integration.test_schedule_cli import run, tone


def _add_zones(station_dir: Path) -> None:
    """Two zones, written straight into the station's database (``zone add`` is another command's)."""
    [database] = list(station_dir.rglob("*.db")) or list(station_dir.rglob("*.sqlite*"))
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO zone (name, slug, hamlet, enabled) VALUES ('Thôn Đông', 'thon-dong', '', 1)")
        db.execute("INSERT INTO zone (name, slug, hamlet, enabled) VALUES ('Thôn Tây', 'thon-tay', '', 1)")


def test_targets_from_the_command_line(station_dir: Path, tmp_path: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    _add_zones(station_dir)
    audio = tone(tmp_path / "tin-thon.wav")
    east = run("schedule", "add", "--audio", str(audio), "--at", "2030-01-07 08:00", "--zone", "thon-dong",
               "--no-local", "--json", data_dir=station_dir)  # fmt: skip
    assert east.returncode == 0, east.stderr
    saved = json.loads(east.stdout)
    assert saved["targets"] == {"local": False, "zones": ["thon-dong"], "text": "cụm loa Thôn Đông"}
    programme = str(saved["programme_id"])
    beside = run("schedule", "add", programme, "--at", "2030-01-07 08:00:01", "--zone", "Thôn Tây",
                 data_dir=station_dir)  # fmt: skip
    assert beside.returncode == 0, beside.stderr
    assert "Phát trên: loa tại đài và cụm loa Thôn Tây." in beside.stdout
    clash = run("schedule", "add", programme, "--at", "2030-01-07 08:00:01", data_dir=station_dir)
    assert clash.returncode == 1 and "trên loa tại đài, cụm loa Thôn Tây." in clash.stderr
    unknown = run("schedule", "add", programme, "--at", "2030-01-08 08:00", "--zone", "thon-bac", data_dir=station_dir)
    assert unknown.returncode == 1
    assert "Lỗi lịch phát (--zone/--all-zones): Không có cụm loa «thon-bac»" in unknown.stderr
    nowhere = run("schedule", "add", programme, "--at", "2030-01-08 08:00", "--no-local", "--zone", "x", "--all-zones",
                  data_dir=station_dir)  # fmt: skip
    assert nowhere.returncode == 1 and "không cả hai" in nowhere.stderr

    widened = run("schedule", "edit", str(saved["id"]), "--all-zones", data_dir=station_dir)
    assert widened.returncode == 1 and "(08:00:01–08:00:03, lịch số 2) trên cụm loa Thôn Tây." in widened.stderr
    edited = run("schedule", "edit", str(saved["id"]), "--all-zones", "--force", "--json", data_dir=station_dir)
    assert edited.returncode == 0, edited.stderr
    assert json.loads(edited.stdout)["targets"] == {"local": False, "zones": None, "text": "mọi cụm loa"}
    listed = run("schedule", "list", "--schedules", data_dir=station_dir)
    assert "phát trên mọi cụm loa]" in listed.stdout and "phát trên loa tại đài và cụm loa Thôn Tây]" in listed.stdout
    airings = run("schedule", "list", "--from", "2030-01-07", "--to", "2030-01-07", "--json", data_dir=station_dir)
    rows = json.loads(airings.stdout)
    assert [r["targets"] for r in rows] == [{"local": False, "zones": None}, {"local": True, "zones": ["thon-tay"]}]
