"""Speech figures: normaliser throughput and render time per minute of speech, each against a baseline.

Run: ``.venv/bin/python -m bench.speech [--corpus FILE] [--seconds S]``

* Normaliser: sentences per second on the announcement corpus, against NFC plus a whitespace split of the same
  sentences (the least any text pass costs).
* Rendering: seconds of work per minute of produced speech for espeak-ng (real) and for gTTS against a local
  fake endpoint (HTTP intercepted with ``responses``, answering at once with real MP3 audio: this measures our
  side only - chunking, decoding, trimming, stitching - not Google's latency nor the throttle, which is
  printed separately). Baseline: ffmpeg converting a WAV file of the same length to the same output format.
* CLI start-up: wall-clock seconds of ``truyenthanh normalize`` on one sentence (a person types it and waits),
  against ``python -c pass`` (the interpreter's own start-up).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import responses
from tests.speechfakes import GTTS_URL, FakeGoogle, make_mp3

from truyenthanh.adapters import ffmpeg
from truyenthanh.adapters.tts.espeak import EspeakEngine
from truyenthanh.adapters.tts.gtts import GttsEngine
from truyenthanh.domain.vietnamese import normalize, split_for_speech

DEFAULT_CORPUS = Path("/work/shared/corpus/announcements.md")
FALLBACK_TEXT = (
    "THÔNG BÁO của UBND xã Tân Phú về việc tiêm chủng mở rộng. Trạm Y tế xã tổ chức tiêm vắc-xin cho trẻ từ "
    "1-5 tuổi vào lúc 7h30 sáng thứ Bảy, ngày 12/12/2026, tại Hội trường ấp 2. Mọi thắc mắc xin liên hệ số "
    "0258 3851 234. Mỗi học viên được hỗ trợ 100.000đ/ngày. Năng suất đạt 68,5 tạ/ha, cao hơn 12%."
)


def sentences_of(text: str) -> list[str]:
    """The corpus's sentences (blocks split at sentence ends), without the markdown headings."""
    blocks = [b for b in text.split("---")[1:] if b.strip()] or [text]
    out: list[str] = []
    for block in blocks:
        joined = " ".join(block.split())
        out += [s for s in re.split(r"(?<=[.!?])\s+", joined) if s]
    return out


def rate(work: Callable[[], None], items: int, seconds: float) -> float:
    """Items per second: the median of repeated timed passes over ``work`` lasting about ``seconds``."""
    rates: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(rates) < 3:
        started = time.perf_counter()
        work()
        rates.append(items / (time.perf_counter() - started))
    return statistics.median(rates)


def bench_normaliser(sentences: list[str], seconds: float) -> None:
    def baseline() -> None:
        for sentence in sentences:
            unicodedata.normalize("NFC", sentence).split()

    def ours() -> None:
        for sentence in sentences:
            normalize(sentence)

    base = rate(baseline, len(sentences), seconds)
    mine = rate(ours, len(sentences), seconds)
    print(f"normaliser: {len(sentences)} corpus sentences, {seconds:g} s per measurement (median of passes)")
    print(f"  baseline NFC + whitespace split: {base:12,.0f} sentences/s")
    print(f"  normalize() (north):             {mine:12,.0f} sentences/s  ({base / mine:,.0f}x the baseline's cost)")


def bench_cli_startup(repeats: int = 5) -> None:
    """Print the median wall-clock time of ``truyenthanh normalize`` in a fresh process, against bare Python."""
    sentence = "TT HĐND xã họp lúc 7h30 ngày 5/3/2026."
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as station:
        command = [sys.executable, "-m", "truyenthanh", "--data-dir", station, "normalize", sentence]
        bare = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeats)
        cli = timed(lambda: subprocess.run(command, check=True, capture_output=True), repeats)
    print(f"CLI start-up (median of {repeats} runs):")
    print(f"  baseline python -c pass:          {bare:7.3f} s")
    print(f"  truyenthanh normalize <sentence>: {cli:7.3f} s")


def timed(work: Callable[[], object], repeats: int = 3) -> float:
    """Median wall-clock seconds of ``repeats`` runs of ``work`` (whatever it returns is dropped)."""
    durations: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def bench_render(text: str, folder: Path) -> None:
    spoken = normalize(text)
    print(f"rendering: {len(spoken)} characters of spoken text, {len(split_for_speech(spoken))} gTTS chunks")
    espeak_s = timed(lambda: EspeakEngine().synthesize(spoken, voice="vi", speed=1.0, target=folder / "e.wav"))
    espeak_minutes = ffmpeg.probe(folder / "e.wav").duration_s / 60

    google = FakeGoogle(mp3=make_mp3(seconds=4.0))
    engine = GttsEngine(timeout_s=5, min_interval_s=0)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, GTTS_URL, callback=google)
        gtts_s = timed(lambda: engine.synthesize(spoken, voice="vi", speed=1.0, target=folder / "g.wav"))
    gtts_minutes = ffmpeg.probe(folder / "g.wav").duration_s / 60
    requests_per_render = len(google.requests) // 3

    # Baseline: audio of the same length as espeak-ng's, only resampled to the same output format by ffmpeg.
    source = folder / "source.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"anoisesrc=d={espeak_minutes * 60}:r=22050", str(source)],
        check=True,
    )
    convert = ["ffmpeg", "-v", "error", "-y", "-i", str(source), "-ar", "48000", "-ac", "1", str(folder / "b.wav")]
    baseline_s = timed(lambda: subprocess.run(convert, check=True))

    print("  seconds of work per minute of speech (median of 3 runs):")
    print(f"  baseline ffmpeg resample:         {baseline_s / espeak_minutes:7.2f} s/min")
    print(f"  espeak-ng (real):                 {espeak_s / espeak_minutes:7.2f} s/min")
    print(
        f"  gTTS via local fake endpoint:     {gtts_s / gtts_minutes:7.2f} s/min "
        f"({requests_per_render} requests; the fake answers at once: Google's latency is not included)"
    )
    per_minute = requests_per_render / espeak_minutes
    print(
        f"  gTTS throttle on the real endpoint: about {per_minute:.0f} requests per minute of speech x 0.4 s "
        f"= {per_minute * 0.4:.1f} s/min before any network time"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each throughput measurement")
    args = parser.parse_args()
    text = args.corpus.read_text(encoding="utf-8") if args.corpus.exists() else FALLBACK_TEXT
    sentences = sentences_of(text)
    print(f"python {sys.version.split()[0]}; corpus {args.corpus if args.corpus.exists() else '(built-in text)'}")
    bench_normaliser(sentences, args.seconds)
    bench_cli_startup()
    body = " ".join(b.strip() for b in text.split("---")[1:4]) or FALLBACK_TEXT
    with tempfile.TemporaryDirectory(prefix="bench-speech-") as folder:
        bench_render(body, Path(folder))


if __name__ == "__main__":
    main()
