"""``truyenthanh keys``, ``package`` and ``schedule export/import`` as real subprocesses: an editor's machine and a
station folder, as the upstream office and the commune use them."""

from __future__ import annotations

import json
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from tests.integration.test_cli import SINGLE_OPERATOR
from tests.integration.test_cli import run as run_cli


def run(*args: str, data_dir: Path | None = None, env: dict[str, str] | None = None) -> CompletedProcess[str]:
    """``truyenthanh ARGS`` at a single-operator station (changes act for its named operator)."""
    return run_cli(*args, data_dir=data_dir, env={**SINGLE_OPERATOR, **(env or {})})


SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
FROZEN = {"TRUYENTHANH_TIMEZONE": "Asia/Ho_Chi_Minh"}


def test_validate_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "sai.toml"
    bad.write_text(
        'format_version = 1\n[package]\nid = "x"\nversion = 1\ntitle = "t"\nauthor = "a"\nupstream = "u"\n'
        '[[programme]]\nkey = "k"\ntitle = "K"\n[[programme.item]]\naudio = "audio/khong-co.mp3"\n'
        '[[programme.item]]\njingle = "khong-co"\n',
        encoding="utf-8",
    )
    result = run("package", "validate", str(bad), data_dir=tmp_path / "bien-tap")
    assert result.returncode == 1
    assert "sai.toml:12: programme[1].item[1].audio: không tìm thấy tệp «audio/khong-co.mp3»" in result.stderr
    assert "sai.toml:14: programme[1].item[2].jingle: không có nhạc hiệu «khong-co»" in result.stderr
    as_json = run("package", "validate", str(bad), "--json", data_dir=tmp_path / "bien-tap")
    assert [p["line"] for p in json.loads(as_json.stdout)["problems"]] == [3, 12, 14]
    good = run("package", "validate", str(SCHEDULES / "canh-bao-bao-so-9.toml"), data_dir=tmp_path / "bien-tap")
    assert good.returncode == 0, good.stderr
    assert "hợp lệ" in good.stdout


@pytest.mark.slow
def test_editor_signs_and_station_imports(tmp_path: Path) -> None:
    editor, station = tmp_path / "bien-tap", tmp_path / "xa"
    assert run("keys", "generate", "Đài TT-TH huyện Tân Sơn", data_dir=editor).returncode == 0
    public = tmp_path / "tan-son.pub.json"
    assert run("keys", "export", "-o", str(public), data_dir=editor).returncode == 0
    package = tmp_path / "bao.ttpkg"
    built = run(
        "package", "build", str(SCHEDULES / "canh-bao-bao-so-9.toml"), "-o", str(package), "--sign", "tan-son",
        data_dir=editor,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert "ký bằng «Đài TT-TH huyện Tân Sơn»" in built.stdout

    assert run("init", data_dir=station).returncode == 0
    refused = run("package", "import", str(package), data_dir=station)
    assert refused.returncode == 1
    assert "khóa lạ" in refused.stderr
    trusted = run("keys", "trust", str(public), data_dir=station)
    assert "Đã tin cậy khóa «Đài TT-TH huyện Tân Sơn»" in trusted.stdout
    listed = json.loads(run("keys", "list", "--json", data_dir=station).stdout)
    assert [k["name"] for k in listed["trusted"]] == ["Đài TT-TH huyện Tân Sơn"]

    dry = run("package", "import", str(package), "--dry-run", "--json", data_dir=station)
    assert dry.returncode == 0, dry.stderr
    preview = json.loads(dry.stdout)
    assert preview["imported"] is False
    assert preview["preview"]["action"] == "new"
    assert preview["preview"]["signer"]["trusted"] is True
    assert [p["change"] for p in preview["preview"]["programmes"]] == ["added"]

    done = run("package", "import", str(package), data_dir=station)
    assert done.returncode == 0, done.stderr
    assert "Đã nhập: 1 chương trình, 2 lịch phát." in done.stdout
    assert "Chương trình số 1 đang chờ duyệt: chỉ được phát khi người duyệt của đài chạy" in done.stdout
    again = run("package", "import", str(package), data_dir=station)
    assert "đã được nhập trước đây" in again.stdout
    packages = json.loads(run("package", "list", "--json", data_dir=station).stdout)
    assert [(p["package_id"], p["version"]) for p in packages] == [("phu-tho/pctt/bao-so-9-2026", 1)]

    ics = run("schedule", "export", "--ics", data_dir=station)
    assert ics.returncode == 0, ics.stderr
    assert "SUMMARY:Tin cảnh báo bão số 9" in ics.stdout
    assert "PRIORITY:1" in ics.stdout
    (tmp_path / "lich.ics").write_text(ics.stdout, encoding="utf-8")
    back = run("schedule", "import", str(tmp_path / "lich.ics"), data_dir=station)
    assert back.returncode == 0, back.stderr
    assert "Đã nhập 2 lịch phát, thay hoặc cập nhật 2 lịch đã có." in back.stdout
