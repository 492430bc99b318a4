"""Import progress fed by ffmpeg's ``-progress`` output: the adapter, the library service and ``library add``."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.integration.test_cli import SINGLE_OPERATOR
from tests.integration.test_library_cli import run
from tests.media import make_tone
from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.adapters import ffmpeg

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"


def test_loudness_reports_decoded_seconds_as_it_goes(tmp_path: Path) -> None:
    tone = make_tone(tmp_path / "dài.wav", seconds=30.0)
    heard: list[float] = []
    loudness = ffmpeg.measure_loudness(tone, decoded=heard.append)
    assert heard, "ffmpeg's progress output was not read"
    assert heard == sorted(heard)
    assert loudness.decoded_s is not None
    assert heard[-1] == loudness.decoded_s
    assert abs(loudness.decoded_s - 30.0) < 0.1


def test_library_add_tells_each_files_share_decoded(container: bootstrap.Container, tmp_path: Path) -> None:
    first = make_tone(tmp_path / "một.mp3", seconds=3.0)
    second = make_tone(tmp_path / "hai.wav", seconds=2.0, hz=500.0)
    broken = tmp_path / "hỏng.mp3"
    broken.write_bytes(b"not audio")
    shares: list[tuple[str, float]] = []
    done: list[str] = []
    report = container.library.add(
        ADMIN,
        [first, broken, second],
        progress=lambda path: done.append(path.name),
        decoding=lambda path, share: shares.append((path.name, share)),
    )
    assert len(report.imported) == 2 and len(report.failures) == 1
    assert done == ["một.mp3", "hỏng.mp3", "hai.wav"]
    # The broken file fails at probing, before any decode: it never reports a share.
    assert {name for name, _ in shares} == {"một.mp3", "hai.wav"}
    assert all(0.0 <= share <= 1.0 for _, share in shares)
    for name in ("một.mp3", "hai.wav"):
        assert [share for n, share in shares if n == name][-1] > 0.95


def _run_on_terminal(*args: str, data_dir: Path, extra: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``truyenthanh ARGS`` with stderr on a pseudo-terminal (as an operator's shell), stdout on a pipe."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")} | SINGLE_OPERATOR | (extra or {})
    leader, follower = pty.openpty()
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "truyenthanh", "--data-dir", str(data_dir), *args],
            stdout=subprocess.PIPE,
            stderr=follower,
            env=env,
        ) as proc:
            os.close(follower)
            follower = -1
            chunks = []
            while True:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            assert proc.stdout is not None
            out = proc.stdout.read().decode()
            code = proc.wait(timeout=120)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    return code, out, b"".join(chunks).decode()


def test_library_add_prints_a_progress_line_on_a_terminal_only(station_dir: Path, tmp_path: Path) -> None:
    assert run("init", data_dir=station_dir).returncode == 0
    first = make_tone(tmp_path / "Bản tin sáng.mp3", seconds=2.0)
    second = make_tone(tmp_path / "Thông báo.wav", seconds=2.0, hz=500.0)

    code, out, err = _run_on_terminal("library", "add", str(first), str(second), data_dir=station_dir)
    assert code == 0, err
    assert "Đang nhập tệp 1/2 «Bản tin sáng.mp3»" in err
    assert "Đang nhập tệp 2/2 «Thông báo.wav»: 100%" in err
    assert "Đã xong 2/2 tệp (cả đợt 100%)" in err
    assert "Đã nhập" in out and "Đang nhập" not in out

    third = make_tone(tmp_path / "Tin vắn.ogg", seconds=1.0, hz=700.0)
    code, out, err = _run_on_terminal("library", "add", str(third), "--json", data_dir=station_dir)
    assert code == 0, err
    assert [r["status"] for r in json.loads(out)] == ["imported"]
    assert err.strip() == ""

    # Not a terminal (a script's pipe): no progress line either.
    fourth = make_tone(tmp_path / "Tin cuối.wav", seconds=1.0, hz=300.0)
    piped = run("library", "add", str(fourth), data_dir=station_dir)
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr.strip() == ""


def test_package_import_prints_its_steps_on_a_terminal_only(tmp_path: Path) -> None:
    editor, station = tmp_path / "bien-tap", tmp_path / "xa"
    package = tmp_path / "bao.ttpkg"
    built = run("package", "build", str(SCHEDULES / "canh-bao-bao-so-9.toml"), "-o", str(package), data_dir=editor)
    assert built.returncode == 0, built.stderr
    assert built.stderr.strip() == "", "no progress line into a pipe"
    assert run("init", data_dir=station).returncode == 0
    lenient = {"TRUYENTHANH_ALLOW_UNSIGNED_PACKAGES": "true"}

    code, out, err = _run_on_terminal("package", "import", str(package), "--dry-run", data_dir=station, extra=lenient)
    assert code == 0, err
    assert "Đang kiểm tra gói: 1/" in err and "Đã kiểm tra chữ ký và mã băm" in err
    assert "Đang kiểm tra" not in out

    code, out, err = _run_on_terminal(
        "package", "import", str(package), "--dry-run", "--json", data_dir=station, extra=lenient
    )
    assert code == 0, err
    assert json.loads(out)["imported"] is False
    assert err.strip() == ""
