"""ffmpeg and ffprobe as subprocesses: probing, loudness measurement, tune rendering.

Every failure is translated into :class:`~truyenthanh.errors.AudioError` with a Vietnamese message naming the
file. Nothing here keeps a whole file in memory.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from truyenthanh.domain.tunes import Tune
from truyenthanh.errors import AudioError

RENDER_RATE = 48000


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise AudioError(f"Không tìm thấy chương trình «{name}». Hãy cài ffmpeg (ví dụ: apt-get install ffmpeg).")
    return found


@dataclass(frozen=True)
class Probe:
    """What ffprobe says of an audio file."""

    duration_s: float
    format: str
    codec: str
    channels: int
    sample_rate: int


@dataclass(frozen=True)
class Loudness:
    """EBU R128 measurement: integrated loudness (LUFS) and true peak (dBTP)."""

    integrated_lufs: float
    true_peak_dbtp: float


def probe(path: Path) -> Probe:
    """Read duration, container, codec, channels and sample rate of the first audio stream.

    Raises:
        AudioError: the file is missing, empty, not audio, or unreadable.
    """
    if not path.is_file():
        raise AudioError(f"Không tìm thấy tệp {path}.")
    if path.stat().st_size == 0:
        raise AudioError(f"Tệp {path} rỗng (0 byte).")
    result = subprocess.run(
        [
            _tool("ffprobe"),
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-select_streams",
            "a:0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        info = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        info = {}
    streams = info.get("streams") or []
    if result.returncode != 0 or not streams:
        detail = (result.stderr or "").strip().splitlines()
        why = f" ({detail[-1]})" if detail else ""
        raise AudioError(f"Tệp {path} không phải tệp âm thanh đọc được{why}.")
    stream = streams[0]
    fmt = info.get("format", {})
    raw_duration = stream.get("duration") or fmt.get("duration")
    try:
        duration = float(raw_duration)
    except (TypeError, ValueError):
        duration = 0.0
    if duration <= 0:
        raise AudioError(f"Tệp {path} không có độ dài đọc được (tệp hỏng hoặc bị cắt cụt).")
    return Probe(
        duration_s=duration,
        format=str(fmt.get("format_name", "")).split(",")[0],
        codec=str(stream.get("codec_name", "")),
        channels=int(stream.get("channels") or 0),
        sample_rate=int(stream.get("sample_rate") or 0),
    )


_SUMMARY = re.compile(
    r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf)\s*LUFS.*?True peak:\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS", re.S
)


def measure_loudness(path: Path) -> Loudness:
    """Measure integrated loudness and true peak with ffmpeg's ``ebur128`` filter (streams, constant memory).

    Silence measures as -70 LUFS (the gate's floor) rather than minus infinity.

    Raises:
        AudioError: ffmpeg cannot decode the file to its end.
    """
    result = subprocess.run(
        [
            _tool("ffmpeg"),
            "-nostdin",
            "-hide_banner",
            "-nostats",
            "-v",
            "info",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    match = _SUMMARY.search(result.stderr)
    if result.returncode != 0 or match is None:
        last = result.stderr.strip().splitlines()[-1:] or [""]
        raise AudioError(f"Không giải mã được tệp {path} để đo độ to ({last[0]}).")

    def number(raw: str) -> float:
        return -70.0 if raw == "-inf" else float(raw)

    return Loudness(integrated_lufs=number(match.group(1)), true_peak_dbtp=number(match.group(2)))


def render_tune(tune: Tune, target: Path) -> None:
    """Render a tune to a 48 kHz mono WAV file, written whole or not at all.

    Raises:
        AudioError: ffmpeg failed.
    """
    inputs: list[str] = []
    for note in tune.notes:
        if note.hz <= 0:
            expr = "0"
        elif tune.timbre == "bell":
            expr = (
                f"(0.55*sin(2*PI*{note.hz}*t)+0.2*sin(4*PI*{note.hz}*t)+0.08*sin(6*PI*{note.hz}*t))"
                f"*min(1,t/0.01)*exp(-2.2*t)*min(1,({note.seconds}-t)/0.03)"
            )
        else:
            expr = f"0.5*sin(2*PI*{note.hz}*t)*min(1,t/0.005)*min(1,({note.seconds}-t)/0.005)"
        inputs += ["-f", "lavfi", "-i", f"aevalsrc='{expr}':s={RENDER_RATE}:c=mono:d={note.seconds}"]
    count = len(tune.notes)
    graph = "".join(f"[{i}:a]" for i in range(count)) + f"concat=n={count}:v=0:a=1[out]"
    partial = target.with_name(f".{target.name}.part")
    target.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            _tool("ffmpeg"),
            "-nostdin",
            "-hide_banner",
            "-v",
            "error",
            "-y",
            *inputs,
            "-filter_complex",
            graph,
            "-map",
            "[out]",
            "-c:a",
            "pcm_s16le",
            "-f",
            "wav",
            str(partial),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise AudioError(f"Không tạo được «{tune.title}»: {result.stderr.strip()[-300:]}")
    partial.replace(target)


def join_speech(parts: Sequence[Path], target: Path, *, pause_s: float = 0.0, tempo: float = 1.0) -> None:
    """Decode speech parts, trim the silence around each, and join them with even pauses into one 48 kHz
    mono WAV file, written whole or not at all.

    Args:
        parts: audio files in reading order (any format ffmpeg decodes).
        target: the WAV file to write; it appears only once complete.
        pause_s: silence put between two parts, in seconds.
        tempo: speaking rate (0.5 to 2.0; 1.0 keeps it), changed without changing the pitch.

    Raises:
        AudioError: no parts, or ffmpeg failed (the message names the first part).
    """
    if not parts:
        raise AudioError("Không có đoạn âm thanh nào để ghép.")
    trim = "silenceremove=start_periods=1:start_threshold=-50dB:start_silence=0.05"
    inputs: list[str] = []
    chains: list[str] = []
    labels: list[str] = []
    for index, part in enumerate(parts):
        inputs += ["-i", str(part)]
        chains.append(
            f"[{index}:a]aresample={RENDER_RATE},aformat=sample_fmts=s16:channel_layouts=mono,"
            f"{trim},areverse,{trim},areverse[p{index}]"
        )
        if index and pause_s > 0:
            chains.append(f"aevalsrc=0:s={RENDER_RATE}:c=mono:d={pause_s},aformat=sample_fmts=s16[s{index}]")
            labels.append(f"[s{index}]")
        labels.append(f"[p{index}]")
    tail = f",atempo={tempo}" if abs(tempo - 1.0) > 1e-6 else ""
    graph = ";".join(chains) + ";" + "".join(labels) + f"concat=n={len(labels)}:v=0:a=1{tail}[out]"
    partial = target.with_name(f".{target.name}.part")
    target.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            _tool("ffmpeg"),
            "-nostdin",
            "-hide_banner",
            "-v",
            "error",
            "-y",
            *inputs,
            "-filter_complex",
            graph,
            "-map",
            "[out]",
            "-c:a",
            "pcm_s16le",
            "-f",
            "wav",
            str(partial),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not partial.exists() or partial.stat().st_size <= 44:
        partial.unlink(missing_ok=True)
        raise AudioError(f"Không ghép được giọng đọc từ {parts[0]}: {result.stderr.strip()[-300:]}")
    partial.replace(target)
