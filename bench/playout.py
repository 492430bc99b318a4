"""Playout figures, each beside a baseline measured in the same run.

Run from the repository root: ``.venv/bin/python -m bench.playout`` (about three minutes; starts its own
private PulseAudio with a null sink, like the tests). Prints:

* gap between consecutive items at the sink (target <= 2 ms) — baseline: ``paplay`` one file after another;
* preempt-to-sound latency (target <= 50 ms) — baseline: ``paplay`` onset (start a player, hear a sound);
* peak RSS while playing a 60-minute programme (target <= 150 MB) — baseline: pydub rendering it in memory;
* CPU while playing (target <= 5 % of one core) — baseline: ``paplay`` playing the same audio as WAV.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.audio import RATE, decode, locate, sweep, tone
from tests.pulse import Recorder, start_pulse

from truyenthanh.adapters.playout import PlayoutEngine, make_output
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.playout import PlayItem

PROGRAMME_MINUTES = 60
PART_MINUTES = 10


def item(path: Path, key: str) -> PlayItem:
    """A file item at its own level."""
    return PlayItem(key=key, title=key, kind=ItemKind.AUDIO, source=path)


def gaps(work: Path, recorder: Recorder, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Gaps (ms) between five consecutive items: the engine, then paplay one after the other."""
    files = [sweep(work / f"gap{n}.wav", 0.6, start_hz=200 + 250 * n) for n in range(5)]
    references = [decode(path) for path in files]

    def measure(play: Callable[[], None]) -> list[float]:
        with recorder.record() as result:
            time.sleep(0.3)
            play()
        found = [locate(result[0], references[0])]
        for reference in references[1:]:
            found.append(locate(result[0], reference, after=found[-1].index))
        return [
            1000 * (after.index - before.index - len(reference)) / RATE
            for before, reference, after in zip(found, references, found[1:], strict=False)
        ]

    engine = PlayoutEngine(make_output("device", device=None, rate=RATE, buffer_ms=20))

    def play_ours() -> None:
        engine.enqueue([item(p, p.stem) for p in files])
        engine.wait_idle(20)

    engine.open()
    try:
        ours = measure(play_ours)
    finally:
        engine.close()

    def paplay_all() -> None:
        for path in files:
            subprocess.run(["paplay", "--device=speaker", str(path)], env=env, check=True)

    return ours, measure(paplay_all)


def onsets(work: Path, recorder: Recorder, env: dict[str, str], rounds: int = 5) -> dict[str, list[float]]:
    """Milliseconds from the command to the first sample at the sink."""
    bed = sweep(work / "bed.wav", 30.0)
    alert_wav = tone(work / "alert.wav", 1000, 0.3)
    alert_mp3 = work / "alert.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(alert_wav), str(alert_mp3)], check=True)
    reference = decode(alert_wav)
    figures: dict[str, list[float]] = {
        "engine (WAV)": [],
        "engine (MP3)": [],
        "engine (MP3, prepare)": [],
        "paplay": [],
    }
    engine = PlayoutEngine(make_output("device", device=None, rate=RATE, buffer_ms=20))
    engine.open()
    try:
        for name, alert in (
            ("engine (WAV)", alert_wav),
            ("engine (MP3)", alert_mp3),
            ("engine (MP3, prepare)", alert_mp3),
        ):
            for _ in range(rounds):
                if "prepare" in name:
                    engine.prepare([item(alert, "alert")])
                with recorder.record() as result:
                    engine.enqueue([item(bed, "bed")])
                    time.sleep(0.6)
                    asked = time.time()
                    engine.preempt([item(alert, "alert")], resume=False)
                    time.sleep(0.6)
                    engine.stop()
                    engine.wait_idle(5)
                heard = locate(result[0], reference)
                figures[name].append(1000 * (heard.at - asked))
    finally:
        engine.close()
    for _ in range(rounds):
        with recorder.record() as result:
            time.sleep(0.3)
            asked = time.time()
            subprocess.run(["paplay", "--device=speaker", str(alert_wav)], env=env, check=True)
        onset = result[0].first_sound()
        assert onset is not None
        figures["paplay"].append(1000 * (result[0].started_at + onset - asked))
    return figures


def make_programme(work: Path) -> list[Path]:
    """A 60-minute programme: six 10-minute MP3 parts (speech-like noise bands and tones)."""
    parts = []
    for n in range(PROGRAMME_MINUTES // PART_MINUTES):
        path = work / f"part{n}.mp3"
        source = f"sine=frequency={300 + 100 * n}:sample_rate=44100:duration={PART_MINUTES * 60}"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-ac", "2", "-b:a", "96k", str(path)],
            check=True,
        )
        parts.append(path)
    return parts


def child_engine(parts: list[str]) -> None:
    """Child: play the whole programme through the engine into a file as fast as it decodes."""
    target = Path(tempfile.mkdtemp()) / "out.wav"
    engine = PlayoutEngine(make_output(f"file:{target}", device=None, rate=RATE, buffer_ms=20, realtime=False))
    engine.open()
    engine.enqueue([item(Path(p), Path(p).stem) for p in parts])
    engine.wait_idle(None)
    engine.close()
    seconds = target.stat().st_size / (RATE * 4)
    target.unlink()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    decoder = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"rss_mb": rss, "decoder_rss_mb": decoder, "seconds": seconds}))


def child_pydub(parts: list[str]) -> None:
    """Child: the baseline, pydub decoding and joining the programme in memory, then exporting it."""
    from pydub import AudioSegment

    whole = AudioSegment.empty()
    for part in parts:
        whole += AudioSegment.from_file(part)
    target = Path(tempfile.mkdtemp()) / "out.wav"
    whole.export(target, format="wav")
    target.unlink()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    decoder = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"rss_mb": rss, "decoder_rss_mb": decoder, "seconds": len(whole) / 1000}))


def child_cpu(parts: list[str], seconds: float) -> None:
    """Child: play the programme in real time to the sound device for ``seconds``."""
    engine = PlayoutEngine(make_output("device", device=None, rate=RATE, buffer_ms=20))
    engine.open()
    engine.enqueue([item(Path(p), Path(p).stem) for p in parts])
    time.sleep(seconds)
    engine.close()
    print(json.dumps({"glitches": engine.glitches}))


def tree_cpu(pids: list[int]) -> float:
    """CPU seconds used so far by these processes (from /proc)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError):
            continue
    return total


def cpu_of(command: list[str], env: dict[str, str], seconds: float) -> float:
    """Percent of one core used by ``command`` and its children over ``seconds`` of playing."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE)
    time.sleep(2.0)
    tree = [process.pid, *children(process.pid)]
    used_before = tree_cpu(tree)
    time.sleep(seconds)
    tree = [process.pid, *children(process.pid)]
    used = tree_cpu(tree) - used_before
    process.kill()
    process.wait()
    return 100 * used / seconds


def children(pid: int) -> list[int]:
    """Process ids of ``pid``'s children."""
    listing = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in listing.stdout.split()]


def peak_rss(mode: str, parts: list[Path]) -> dict[str, float]:
    """Run a child and read its peak RSS, and its decoders' (ffmpeg) peak, as it reports them."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.playout", f"--child={mode}", *map(str, parts)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def row(name: str, ours: str, baseline: str, target: str) -> None:
    print(f"{name:<46} {ours:>22} {baseline:>22} {target:>12}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", choices=["engine", "pydub", "cpu"])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("parts", nargs="*")
    args = parser.parse_args()
    if args.child == "engine":
        child_engine(args.parts)
        return
    if args.child == "pydub":
        child_pydub(args.parts)
        return
    if args.child == "cpu":
        child_cpu(args.parts, args.seconds)
        return
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        pulse = start_pulse(work / "pulse")
        try:
            os.environ.update(
                {key: pulse.env[key] for key in ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_SERVER", "PULSE_SINK")}
            )
            recorder = Recorder(pulse)
            print("Đo khoảng hở giữa các mục…", file=sys.stderr)
            ours_gaps, paplay_gaps = gaps(work, recorder, pulse.env)
            print("Đo độ trễ chen ngang…", file=sys.stderr)
            onset = onsets(work, recorder, pulse.env)
            print(f"Tạo chương trình {PROGRAMME_MINUTES} phút…", file=sys.stderr)
            parts = make_programme(work)
            print("Đo bộ nhớ (engine, rồi pydub)…", file=sys.stderr)
            engine_rss = peak_rss("engine", parts)
            pydub_rss = peak_rss("pydub", parts)
            print("Đo CPU khi phát…", file=sys.stderr)
            seconds = args.seconds
            engine_cpu = cpu_of(
                [sys.executable, "-m", "bench.playout", "--child=cpu", f"--seconds={seconds + 5}", *map(str, parts)],
                pulse.env,
                seconds,
            )
            wav = work / "part0.wav"
            subprocess.run(
                ["ffmpeg", "-v", "error", "-y", "-t", str(seconds + 10), "-i", str(parts[0]), str(wav)], check=True
            )
            paplay_cpu = cpu_of(["paplay", "--device=speaker", str(wav)], pulse.env, seconds)
        finally:
            pulse.stop()
    row("", "truyenthanh", "so sánh", "mục tiêu")
    row("Khoảng hở giữa hai mục (ms, lớn nhất)", f"{max(ours_gaps):.2f}", f"{max(paplay_gaps):.1f} (paplay)", "<= 2")
    for name in ("engine (WAV)", "engine (MP3)", "engine (MP3, prepare)"):
        figures = onset[name]
        row(
            f"Chen ngang → có tiếng, {name} (ms)",
            f"{statistics.median(figures):.1f} (max {max(figures):.1f})",
            f"{statistics.median(onset['paplay']):.1f} (paplay)",
            "<= 50",
        )
    row(
        f"RSS đỉnh, chương trình {PROGRAMME_MINUTES} phút (MB)",
        f"{engine_rss['rss_mb']:.0f} (+ ffmpeg {engine_rss['decoder_rss_mb']:.0f})",
        f"{pydub_rss['rss_mb']:.0f} (pydub, + ffmpeg {pydub_rss['decoder_rss_mb']:.0f})",
        "<= 150",
    )
    row("CPU khi phát (% một lõi, kể cả ffmpeg)", f"{engine_cpu:.1f}", f"{paplay_cpu:.1f} (paplay WAV)", "<= 5")
    print(f"(đã phát {engine_rss['seconds'] / 60:.1f} phút qua engine; pydub {pydub_rss['seconds'] / 60:.1f} phút)")


if __name__ == "__main__":
    main()
