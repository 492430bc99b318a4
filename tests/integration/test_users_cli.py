"""``truyenthanh user unlock`` and ``user role`` through the real command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_records_cli import _run


@pytest.mark.slow
def test_unlock_and_role_from_the_command_line(station_dir: Path) -> None:
    assert _run(station_dir, "init").returncode == 0
    for username, name, role, actor in (
        ("quantri", "Lê Văn Quản", "admin", None),
        ("vanhanh", "Phạm Thị Hành", "operator", "quantri"),
    ):
        added = _run(
            station_dir, "user", "add", username, "--name", name, "--role", role, "--password-stdin",
            user=actor, stdin=f"{username}-mat-khau\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    for _ in range(5):
        _run(station_dir, "user", "passwd", "--password-stdin", user="vanhanh", password="sai", stdin="x\n")
    locked = _run(station_dir, "user", "list")
    assert "vanhanh" in locked.stdout and "(tạm khóa đến " in locked.stdout

    refused = _run(station_dir, "user", "unlock", "vanhanh", user="vanhanh")
    assert refused.returncode == 1 and "đang tạm khóa" in refused.stderr
    unlocked = _run(station_dir, "user", "unlock", "vanhanh", user="quantri")
    assert unlocked.returncode == 0, unlocked.stderr
    assert unlocked.stdout.strip() == "Đã mở tạm khóa tài khoản «vanhanh»; có thể đăng nhập lại ngay."
    assert "tạm khóa" not in _run(station_dir, "user", "list").stdout

    promoted = _run(station_dir, "user", "role", "vanhanh", "duyệt", user="quantri")
    assert promoted.returncode == 0, promoted.stderr
    assert promoted.stdout.strip() == "Tài khoản «vanhanh» (Phạm Thị Hành) giờ có vai trò Duyệt."
    last = _run(station_dir, "user", "role", "quantri", "editor", user="quantri")
    assert last.returncode == 1
    assert last.stderr.strip() == (
        "Tài khoản: Không đổi được vai trò của «quantri»: đây là tài khoản quản trị cuối cùng còn hoạt động."
    )
    wrong = _run(station_dir, "user", "role", "vanhanh", "thủ quỹ", user="quantri")
    assert wrong.returncode == 2 and "Giá trị không hợp lệ: «thủ quỹ»" in wrong.stderr
    users = {u["username"]: u for u in json.loads(_run(station_dir, "user", "list", "--json").stdout)}
    assert (users["vanhanh"]["role"], users["vanhanh"]["locked_until"]) == ("approver", None)
