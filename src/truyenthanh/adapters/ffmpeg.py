"""ffmpeg and ffprobe as subprocesses: probing, loudness measurement, tune rendering.

Every failure is translated into :class:`~truyenthanh.errors.AudioError` with a Vietnamese message naming the
file. Nothing here keeps a whole file in memory.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from truyenthanh.adapters.platform import TOOLS, find_tool
from truyenthanh.domain.tunes import Tune
from truyenthanh.errors import AudioError

RENDER_RATE = 48000


def _tool(name: str) -> str:
    """``ffmpeg`` or ``ffprobe``: from the ``ffmpeg_path`` setting, PATH or the usual install folders."""
    found = find_tool(name, setting="ffmpeg")
    if found is None:
        configured = TOOLS.configured("ffmpeg")
        where = f" (thiết lập «ffmpeg_path» = {configured} không chứa nó)" if configured else ""
        raise AudioError(
            f"Không tìm thấy chương trình «{name}»{where}. Hãy cài ffmpeg (ví dụ: apt-get install ffmpeg, hoặc "
            "winget install ffmpeg trên Windows) hoặc ghi đường dẫn vào thiết lập «ffmpeg_path»."
        )
    return found


@dataclass(frozen=True)
class Probe:
    """What ffprobe says of an audio file."""

    duration_s: float
    format: str
    codec: str
    channels: int
    sample_rate: int
    duration_estimated: bool = False
    """The container states no length, so ffmpeg guessed it from the bitrate (VBR MP3 without a header)."""


@dataclass(frozen=True)
class Loudness:
    """EBU R128 measurement: integrated loudness (LUFS) and true peak (dBTP)."""

    integrated_lufs: float
    true_peak_dbtp: float
    decoded_s: float | None = None
    """Length of audio actually decoded, in seconds (shorter than the probed duration: the file is truncated)."""


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
            "warning",
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
        raise AudioError(f"Tệp {path} không đọc được: không phải âm thanh, hoặc bị hỏng, bị cắt cụt{why}.")
    stream = streams[0]
    fmt = info.get("format", {})
    raw_duration = stream.get("duration") or fmt.get("duration")
    try:
        duration = float(raw_duration)
    except (TypeError, ValueError):
        duration = 0.0
    if duration <= 0:
        raise AudioError(f"Tệp {path} không có độ dài đọc được (tệp hỏng hoặc bị cắt cụt).")
    container = str(fmt.get("format_name", "")).split(",")[0]
    if container == "ogg" and not _ogg_ends_cleanly(path):
        raise AudioError(f"Tệp {path} bị cắt cụt: thiếu phần cuối của tệp Ogg.")
    return Probe(
        duration_s=duration,
        format=container,
        codec=str(stream.get("codec_name", "")),
        channels=int(stream.get("channels") or 0),
        sample_rate=int(stream.get("sample_rate") or 0),
        duration_estimated="Estimating duration from bitrate" in (result.stderr or ""),
    )


_OGG_MAX_PAGE = 27 + 255 + 255 * 255


def _ogg_ends_cleanly(path: Path) -> bool:
    """Whether an Ogg file ends with a whole end-of-stream page.

    Ogg has no length header, so a copy cut short still probes and decodes without complaint; only its last
    page tells: an intact stream ends with a complete page flagged end-of-stream (RFC 3533).
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - _OGG_MAX_PAGE))
        tail = handle.read()
    start = len(tail)
    while (start := tail.rfind(b"OggS", 0, start)) >= 0:
        if start + 27 > len(tail):
            continue
        segments = tail[start + 26]
        header_end = start + 27 + segments
        if header_end > len(tail):
            continue
        if header_end + sum(tail[start + 27 : header_end]) == len(tail):
            return bool(tail[start + 5] & 0x04)
    return False


_SUMMARY = re.compile(
    r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf)\s*LUFS.*?True peak:\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS", re.S
)
_CORRUPT = re.compile(
    r"Error while decoding|corrupt (input )?packet|Invalid data found|non monotonically increasing dts", re.I
)
"""Lines ffmpeg writes when a file is damaged although it can decode part of it (the last: frames were lost)."""
_OUT_TIME = re.compile(r"^out_time_us=(\d+)\s*$")


Decoded = Callable[[float], None]
"""Called now and then during a decode with the seconds of audio decoded so far (from ffmpeg's ``-progress``)."""

PROGRESS_PERIOD_S = 0.25
"""How often, in seconds of wall-clock time, ffmpeg reports its progress while decoding."""


def measure_loudness(path: Path, *, decoded: Decoded | None = None) -> Loudness:
    """Measure integrated loudness and true peak with ffmpeg's ``ebur128`` filter (streams, constant memory).

    The whole file is decoded; the length actually decoded is reported so callers can spot a truncated file.
    Silence measures as -70 LUFS (the gate's floor) rather than minus infinity.

    Args:
        path: the audio file.
        decoded: called from this thread, every :data:`PROGRESS_PERIOD_S` or so, with the seconds decoded so far.

    Raises:
        AudioError: ffmpeg cannot decode the file to its end, or reports corrupt data on the way.
    """
    command = [
        _tool("ffmpeg"),
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-stats_period",
        str(PROGRESS_PERIOD_S),
        "-progress",
        "pipe:1",
        "-v",
        "info",
        "-i",
        str(path),
        "-map",
        "0:a:0",
        "-af",
        # asetpts numbers the output by samples, so the final out_time is the length really decoded.
        "ebur128=peak=true:framelog=verbose,asetpts=N/SR/TB",
        "-f",
        "null",
        "-",
    ]
    # stderr goes to a file, not a pipe: reading the progress pipe line by line while ffmpeg fills an unread
    # stderr pipe would deadlock on a long, noisy decode.
    with tempfile.TemporaryFile() as errors:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True, errors="replace") as proc:
            assert proc.stdout is not None
            last_us = _follow_progress(proc.stdout, decoded)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", errors="replace")
    match = _SUMMARY.search(stderr)
    if proc.returncode != 0 or match is None:
        last = stderr.strip().splitlines()[-1:] or [""]
        raise AudioError(f"Không giải mã được tệp {path} để đo độ to ({last[0]}).")
    corrupt = next((line.strip() for line in stderr.splitlines() if _CORRUPT.search(line)), None)
    if corrupt is not None:
        raise AudioError(f"Tệp {path} bị hỏng: ffmpeg báo lỗi khi giải mã ({corrupt}).")

    def number(raw: str) -> float:
        return -70.0 if raw == "-inf" else float(raw)

    return Loudness(
        integrated_lufs=number(match.group(1)),
        true_peak_dbtp=number(match.group(2)),
        decoded_s=last_us / 1_000_000 if last_us is not None else None,
    )


def _follow_progress(lines: Iterable[str], decoded: Decoded | None) -> int | None:
    """Read ffmpeg's ``-progress`` output to its end, telling ``decoded`` each new position; the last
    ``out_time_us`` (microseconds) or ``None`` if ffmpeg gave none. Keeps one line in memory at a time."""
    last_us: int | None = None
    for line in lines:
        match = _OUT_TIME.match(line)
        if match is None:
            continue
        last_us = int(match.group(1))
        if decoded is not None:
            decoded(last_us / 1_000_000)
    return last_us


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
    target.parent.mkdir(parents=True, exist_ok=True)
    # A unique partial name: two threads or processes may render the same text at once.
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    partial = Path(name)
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
