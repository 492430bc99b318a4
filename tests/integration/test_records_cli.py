"""Accounts and approvals through the real ``truyenthanh`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.media import make_tone


def _run(
    data_dir: Path, *args: str, user: str | None = None, password: str | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    if user:
        env.update(TRUYENTHANH_USER=user, TRUYENTHANH_PASSWORD=password or f"{user}-mat-khau")
    return subprocess.run(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        check=False,
        timeout=120,
    )


@pytest.mark.slow
def test_accounts_and_approval_from_the_command_line(station_dir: Path) -> None:
    assert _run(station_dir, "init").returncode == 0
    first = _run(
        station_dir, "user", "add", "quantri", "--name", "Lê Văn Quản", "--role", "admin", "--password-stdin",
        stdin="quantri-mat-khau\n",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "Đã thêm tài khoản «quantri» (Lê Văn Quản, vai trò Quản trị)."
    for username, name, role in (("bientap", "Trần Thị Biên", "biên tập"), ("vanhanh", "Phạm Thị Hành", "operator")):
        added = _run(
            station_dir, "user", "add", username, "--name", name, "--role", role, "--password-stdin",
            user="quantri", stdin=f"{username}-mat-khau\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    anonymous = _run(station_dir, "user", "add", "x1", "--name", "X", "--role", "admin", "--password-stdin")
    assert anonymous.returncode == 1
    assert "Lệnh này cần đăng nhập" in anonymous.stderr and "TRUYENTHANH_USER" in anonymous.stderr
    wrong = _run(station_dir, "user", "disable", "bientap", user="quantri", password="doan-bua")
    assert (wrong.returncode, wrong.stderr) == (1, "Đăng nhập không thành công: Sai tên đăng nhập hoặc mật khẩu.\n")

    written = _run(
        station_dir, "announcement", "add", "--title", "Họp dân thôn Đông", "--text", "Mời bà con họp lúc 19h30.",
        "--submit", "--json", user="bientap",
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    ident = json.loads(written.stdout)["id"]
    refused = _run(station_dir, "announcement", "approve", str(ident), user="vanhanh")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "Không có quyền: Tài khoản «vanhanh» (vai trò Vận hành) không được duyệt hoặc từ chối nội dung. "
        "Việc này cần vai trò: Quản trị, Duyệt."
    )
    approved = _run(station_dir, "announcement", "approve", str(ident), user="quantri")
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.strip() == f"Đã duyệt thông báo số {ident} «Họp dân thôn Đông» (người duyệt: Lê Văn Quản)."
    listed = _run(station_dir, "announcement", "list", "--status", "đã duyệt")
    assert " ".join(listed.stdout.split()) == f"{ident} Đã duyệt Thông thường Họp dân thôn Đông duyệt: Lê Văn Quản"
    edited = _run(station_dir, "announcement", "edit", str(ident), "--text", "Họp lúc 20h.", user="bientap")
    assert edited.stdout.strip() == f"Đã sửa thông báo số {ident}: Bản nháp."
    shown = json.loads(_run(station_dir, "announcement", "show", str(ident), "--json").stdout)
    assert (shown["status"], shown["approved_by"]) == ("draft", None)
    assert [h["label"] for h in reversed(shown["history"])] == [
        "Soạn thông báo",
        "Gửi duyệt thông báo",
        "Duyệt thông báo",
        "Sửa thông báo",
    ]
    users = json.loads(_run(station_dir, "user", "list", "--json").stdout)
    assert [(u["username"], u["role"]) for u in users] == [
        ("bientap", "editor"),
        ("quantri", "admin"),
        ("vanhanh", "operator"),
    ]
    trail = json.loads(_run(station_dir, "audit", "list", "--json").stdout)
    # A wrong password was counted (``user.login_failed``) and cleared by the next right one (``user.login``).
    assert [line["action"] for line in trail if line["entity"] == "user"][:2] == ["user.login", "user.login_failed"]
    assert [line["action"] for line in trail if line["entity"] == "announcement"][:4] == [
        "announcement.edit",
        "announcement.approve",
        "announcement.submit",
        "announcement.add",
    ]
    assert _run(station_dir, "audit", "verify").returncode == 0


@pytest.mark.slow
def test_content_commands_act_as_a_user_and_wrong_passwords_lock_the_account(station_dir: Path, tmp_path: Path) -> None:
    assert _run(station_dir, "init").returncode == 0
    for username, name, role, by in (
        ("quantri", "Lê Văn Quản", "admin", None),
        ("bientap", "Trần Thị Biên", "editor", "quantri"),
        ("duyet", "Phạm Thị Duyệt", "approver", "quantri"),
    ):
        added = _run(
            station_dir, "user", "add", username, "--name", name, "--role", role, "--password-stdin",
            user=by, stdin=f"{username}-mat-khau\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    tone = make_tone(tmp_path / "Họp dân thôn Đông.wav", seconds=1.0)

    anonymous = _run(station_dir, "library", "add", str(tone))
    assert anonymous.returncode == 1 and "Lệnh này cần đăng nhập" in anonymous.stderr
    refused = _run(station_dir, "library", "add", str(tone), user="duyet")
    assert (refused.returncode, refused.stderr.strip().splitlines()[-1]) == (
        1,
        "Không có quyền: Tài khoản «duyet» (vai trò Duyệt) không được soạn, sửa và gửi duyệt nội dung. "
        "Việc này cần vai trò: Quản trị, Biên tập, Vận hành.",
    )
    added = _run(station_dir, "library", "add", str(tone), "--json", user="bientap")
    assert added.returncode == 0, added.stderr
    asset = json.loads(added.stdout)[0]["asset"]
    edited = _run(station_dir, "library", "edit", str(asset["id"]), "--title", "Họp dân", user="bientap")
    assert edited.returncode == 0, edited.stderr
    deleted = _run(station_dir, "library", "delete", str(asset["id"]), user="bientap")
    assert deleted.stdout.strip() == f"Đã xóa tệp số {asset['id']} «Họp dân» khỏi thư viện."
    trail = json.loads(_run(station_dir, "audit", "list", "--entity", "audio_asset", "--json").stdout)
    assert [(line["action"], line["actor"]) for line in reversed(trail)] == [
        ("asset.import", "bientap"),
        ("asset.edit", "bientap"),
        ("asset.delete", "bientap"),
    ]
    assert (trail[1]["before"]["title"], trail[1]["after"]["title"]) == ("Họp dân thôn Đông", "Họp dân")
    assert trail[1]["changed"] == ["title"]
    shown = _run(station_dir, "audit", "list", "--entity", "audio_asset").stdout.splitlines()
    assert shown[1].endswith(f"bientap           Sửa thông tin tệp âm thanh (audio_asset {asset['id']}) — đổi title")

    # A file scheduled by the editor waits for someone else's approval before it may air.
    scheduled = _run(
        station_dir, "schedule", "add", "--audio", str(tone), "--at", "2030-01-07 08:00", "--json", user="bientap"
    )
    assert scheduled.returncode == 0, scheduled.stderr
    made = json.loads(scheduled.stdout)["programme_id"]
    assert (
        f"Lưu ý: chương trình số {made} đang chờ duyệt; chỉ được phát khi người duyệt chạy "
        f"«truyenthanh programme approve {made}»." in scheduled.stderr
    )
    approved = _run(station_dir, "programme", "approve", str(made), user="quantri")
    assert approved.returncode == 0, approved.stderr
    kept = _run(station_dir, "programme", "delete", str(made), user="bientap")
    assert kept.returncode == 1 and "vì còn lịch phát số" in kept.stderr
    schedule_id = json.loads(scheduled.stdout)["id"]
    assert _run(station_dir, "schedule", "remove", str(schedule_id), user="bientap").returncode == 0
    gone = _run(station_dir, "programme", "delete", str(made), user="bientap")
    assert gone.stdout.strip() == f"Đã xóa chương trình số {made} «Họp dân thôn Đông» (1 mục)."

    # Five wrong passwords from five separate commands lock the account; the right one is then refused too.
    for attempt in range(5):
        wrong = _run(station_dir, "library", "delete", "1", user="bientap", password="doan-bua")
        assert wrong.returncode == 1
        if attempt < 4:
            assert wrong.stderr == "Đăng nhập không thành công: Sai tên đăng nhập hoặc mật khẩu.\n"
    locked = _run(station_dir, "library", "delete", "1", user="bientap")
    assert locked.returncode == 1
    assert locked.stderr.startswith(
        "Đăng nhập không thành công: Tài khoản «bientap» đang tạm khóa vì nhập sai mật khẩu 5 lần liên tiếp; "
        "mở lại lúc "
    )
    assert locked.stderr == wrong.stderr
    verified = _run(station_dir, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
