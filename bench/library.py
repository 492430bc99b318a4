"""What importing a long recording costs, and what a package import adds on top.

Run from the repository root: ``.venv/bin/python -m bench.library [MINUTES]`` (default 60). Each measurement runs
in its own child process, so its peak memory (``ru_maxrss`` of the child and of the ffmpeg it starts) is its own:

* baseline A: pydub loading the whole file and reading ``dBFS`` (plain RMS, what the brief rules out);
* ``library add``: ffprobe, SHA-256, one streaming ffmpeg pass through ``ebur128`` (loudness and true peak);
* baseline B: ``unzip`` of a package holding the same recording, plus ``sha256sum`` of it;
* ``package import`` of that package: unpack with limits, verify signature and hashes, decode, import;
* the ffmpeg ``ebur128`` pass alone under ``/usr/bin/time``, for ffmpeg's own peak memory (a child's
  ``ru_maxrss`` on Linux starts at its parent's size at fork, so it cannot tell ffmpeg's own figure).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
kind, source, folder = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
started = time.perf_counter()
result = {}
if kind == "pydub":
    from pydub import AudioSegment
    segment = AudioSegment.from_file(source)
    result["dbfs"] = round(segment.dBFS, 2)
elif kind == "build":
    from tests.fakes import FrozenClock
    from truyenthanh import bootstrap
    from truyenthanh.config import load_settings
    editor = bootstrap.build(load_settings(folder / "editor"), clock=FrozenClock())
    editor.packages.build(source, folder / "goi.ttpkg")
    editor.close()
elif kind == "unzip":
    import subprocess
    subprocess.run(["unzip", "-q", "-o", str(source), "-d", str(folder / "unzipped")], check=True)
    subprocess.run(["sha256sum", *map(str, (folder / "unzipped").rglob("*.mp3"))], check=True, capture_output=True)
else:
    from tests.fakes import FrozenClock
    from truyenthanh import bootstrap
    from truyenthanh.config import load_settings
    settings = load_settings(
        folder / kind, allow_unsigned_packages=True, single_operator=True, single_operator_name="Đo Hiệu Năng"
    )
    station = bootstrap.build(settings, clock=FrozenClock())
    station.station.init()
    actor = station.accounts.single_operator_actor()
    if kind == "library":
        asset = station.library.add(actor, [source]).imported[0]
        result["lufs"] = asset.loudness_lufs
    else:
        outcome = station.packages.import_package(actor, source)
        result["schedules"] = len(outcome.schedule_ids)
    station.close()
result["seconds"] = round(time.perf_counter() - started, 2)
result["self_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
result["children_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
print(json.dumps(result))
"""


def child(kind: str, source: Path, folder: Path) -> dict[str, float]:
    """Run one measurement in a fresh interpreter and return its figures."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(source), str(folder)], capture_output=True, text=True, check=True
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def make_package(folder: Path, recording: Path, minutes: int) -> Path:
    """An unsigned package with one programme playing the recording daily at 19:00 (built in a child process)."""
    source = folder / "goi"
    (source / "audio").mkdir(parents=True)
    (source / "audio" / "dai.mp3").write_bytes(recording.read_bytes())
    (source / "goi.toml").write_text(
        f"""format_version = 1
[package]
id = "bench/dai-{minutes}"
version = 1
title = "Đo thời gian nhập gói"
author = "bench"
upstream = "bench"
[[programme]]
key = "dai"
title = "Chương trình dài {minutes} phút"
[[programme.item]]
audio = "audio/dai.mp3"
[[programme.schedule]]
rrule = "FREQ=DAILY"
start = 2026-11-23T19:00:00
""",
        encoding="utf-8",
    )
    child("build", source / "goi.toml", folder)
    return folder / "goi.ttpkg"


def ffmpeg_peak_mb(recording: Path) -> float:
    """Peak RSS of the loudness pass by itself, in MB."""
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "ffmpeg", "-nostdin", "-v", "error", "-i", str(recording), "-af",
         "ebur128=peak=true:framelog=verbose,asetpts=N/SR/TB", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    """Print the figures."""
    minutes = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    with tempfile.TemporaryDirectory() as raw:
        folder = Path(raw)
        recording = folder / "dai.mp3"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", f"anoisesrc=d={minutes * 60}:a=0.2:c=pink",
             "-ac", "1", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "64k", str(recording)],
            check=True,
        )  # fmt: skip
        size_mb = recording.stat().st_size / 1e6
        print(f"Bản ghi {minutes} phút, MP3 64 kb/s đơn kênh, {size_mb:.1f} MB")
        started = time.perf_counter()
        package = make_package(folder, recording, minutes)
        print(f"package build (kiểm tra + đóng gói): {time.perf_counter() - started:.2f} s")
        rows = [
            ("baseline A: pydub from_file + dBFS", child("pydub", recording, folder)),
            ("library add (ffprobe + sha256 + ebur128)", child("library", recording, folder)),
            ("baseline B: unzip + sha256sum", child("unzip", package, folder)),
            ("package import (giải nén, kiểm tra, nhập)", child("import", package, folder)),
        ]
        print(f"{'':45} {'giây':>7} {'RSS Python MB':>14} {'RSS con MB':>11}")
        for label, figures in rows:
            print(f"{label:45} {figures['seconds']:7.2f} {figures['self_mb']:14.1f} {figures['children_mb']:11.1f}")
        print(f"ffmpeg ebur128 riêng: RSS đỉnh {ffmpeg_peak_mb(recording):.1f} MB")
        print(
            "RSS con: đỉnh của các tiến trình con (ffmpeg), tính từ cỡ tiến trình Python lúc fork; "
            f"tiến trình đo này: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
