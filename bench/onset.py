"""How close to the scheduled instant does the first sample reach the speaker?

Runs a private PulseAudio server with a null sink, records its monitor, and measures, for each of N broadcasts
scheduled at known instants, the error between the scheduled time and the first audible sample:

* the daemon (``truyenthanh daemon`` as a subprocess, schedules added through the scheduling service);
* the baseline, in the same run and through the same measurement: APScheduler 3 firing ``paplay`` on the same
  file at the same kind of instants.

Also measures emergency command to audio (a control request to the first sample of the alert), and the
daemon's idle resident memory and CPU, both while it holds the sound device and after it has given it back
(``output_standby_s`` of quiet).

The recording's clock: every chunk parec delivers is stamped on arrival; the wall time of sample 0 is the
smallest ``arrival - samples_so_far / rate`` (a chunk can arrive late, never early), so scheduling jitter of the
reader does not bias the measurement. The null sink hands each block to its monitor as soon as it renders it,
one configured latency (5 ms with this recorder) before the sink counts it as played, so that latency, read
from ``pactl``, is added back.

Run: ``.venv/bin/python -m bench.onset [--count 20]``
"""

from __future__ import annotations

import argparse
import array
import io
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.pulse import RATE, SINK, PulseServer, render_ahead_s, start_pulse

TONE_S = 0.3
BENCH_OPERATOR = {"single_operator": True, "single_operator_name": "Đo Hiệu Năng"}
"""The bench acts as a single operator, whose programmes are approved as they are made."""
SPACING_S = 1.5
THRESHOLD = 0.02
"""RMS (fraction of full scale) above which a 1 ms window counts as sound."""


@dataclass
class MonitorRecording:
    """parec on the sink's monitor, with every chunk's arrival time."""

    pulse: PulseServer
    samples: array.array[int] = field(default_factory=lambda: array.array("h"))
    arrivals: list[tuple[float, int]] = field(default_factory=list)
    ahead_s: float = 0.0
    """How early the monitor receives each sample (:func:`tests.pulse.render_ahead_s`)."""
    _process: subprocess.Popen[bytes] | None = None
    _reader: threading.Thread | None = None

    def start(self) -> None:
        """Start recording and wait until audio flows."""
        self._process = subprocess.Popen(
            ["parec", f"--device={SINK}.monitor", "--format=s16le", f"--rate={RATE}", "--channels=1", "--raw",
             "--latency-msec=5"],
            env=self.pulse.env,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + 5
        while len(self.arrivals) < 10 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.ahead_s = render_ahead_s(self.pulse)

    def _pump(self) -> None:
        assert self._process is not None
        # Popen's default buffering makes stdout a BufferedReader, whose read1 returns what has arrived.
        stdout = self._process.stdout
        assert isinstance(stdout, io.BufferedReader)
        pending = b""
        while True:
            data = stdout.read1(4096)
            if not data:
                return
            arrived = time.time()
            pending += data
            usable = len(pending) - len(pending) % 2
            self.samples.frombytes(pending[:usable])
            pending = pending[usable:]
            self.arrivals.append((arrived, len(self.samples)))

    def stop(self) -> None:
        """Stop recording."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(5)
        if self._reader is not None:
            self._reader.join(5)

    @property
    def origin(self) -> float:
        """Wall time at which the sink played sample 0."""
        return min(arrived - count / RATE for arrived, count in self.arrivals) + self.ahead_s

    def onsets(self, min_gap_s: float = 0.3) -> list[float]:
        """Wall times of the first audible sample of each burst of sound."""
        window = RATE // 1000
        found: list[float] = []
        quiet_since = 0
        for index in range(0, len(self.samples) - window, window):
            chunk = self.samples[index : index + window]
            level = math.sqrt(sum(s * s for s in chunk) / window) / 32768.0
            if level > THRESHOLD:
                if index - quiet_since >= min_gap_s * RATE or not found:
                    # refine to the first sample above a fraction of full scale within the window
                    first = next((i for i, s in enumerate(chunk) if abs(s) > THRESHOLD * 32768), 0)
                    found.append(self.origin + (index + first) / RATE)
                quiet_since = index + window
        return found

    def sounding_s(self) -> float:
        """Seconds of the recording louder than the threshold (in 10 ms windows)."""
        window = RATE // 100
        loud = 0
        for index in range(0, len(self.samples) - window, window):
            chunk = self.samples[index : index + window]
            if math.sqrt(sum(s * s for s in chunk) / window) / 32768.0 > THRESHOLD:
                loud += 1
        return loud / 100


def match(scheduled: list[float], heard: list[float]) -> list[float]:
    """Error (seconds) of the first onset near each scheduled instant (missing ones are left out)."""
    errors = []
    for instant in scheduled:
        near = [h - instant for h in heard if -0.5 < h - instant < 1.0]
        if near:
            errors.append(min(near, key=abs))
    return errors


def summary(errors_s: list[float]) -> dict[str, float]:
    """min / median / p99 / max of absolute errors, in milliseconds (p99 by nearest rank)."""
    values = sorted(abs(e) * 1000 for e in errors_s)
    if not values:
        return {"n": 0}
    rank = max(0, math.ceil(0.99 * len(values)) - 1)
    return {
        "n": len(values),
        "min_ms": round(values[0], 2),
        "median_ms": round(statistics.median(values), 2),
        "p99_ms": round(values[rank], 2),
        "max_ms": round(values[-1], 2),
        "mean_signed_ms": round(statistics.fmean(e * 1000 for e in errors_s), 2),
    }


def make_tone(path: Path) -> None:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=1000:duration={TONE_S}",
         "-ar", str(RATE), "-ac", "2", str(path)],
        check=True,
    )  # fmt: skip


def cli_env(pulse: PulseServer) -> dict[str, str]:
    env = {k: v for k, v in pulse.env.items() if not k.startswith("TRUYENTHANH_")}
    env["TRUYENTHANH_OUTPUT"] = "device"
    return env


def start_daemon(station: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    from truyenthanh.adapters.control import ControlClient

    process = subprocess.Popen(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(station), "daemon"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(station / "daemon.log", "ab"),  # noqa: SIM115
    )
    client = ControlClient(station / "run")
    deadline = time.monotonic() + 30
    while not client.is_running():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the daemon did not start: " + (station / "daemon.log").read_text())
        time.sleep(0.05)
    return process


def daemon_run(station: Path, env: dict[str, str], pulse: PulseServer, tone: Path, count: int) -> dict[str, Any]:
    from truyenthanh import bootstrap
    from truyenthanh.adapters.control import ControlClient
    from truyenthanh.config import load_settings
    from truyenthanh.domain.schedule import OneOff, Resolution, ScheduleRequest

    built = bootstrap.build(load_settings(station, **BENCH_OPERATOR))
    actor = built.accounts.single_operator_actor()
    asset = built.library.add(actor, [tone]).results[0]
    info = asset.asset or asset.duplicate_of
    assert info is not None
    programme = built.scheduling.programme_for_asset(actor, info.id, title="Bench")
    daemon = start_daemon(station, env)
    result: dict[str, Any] = {}
    try:
        recording = MonitorRecording(pulse)
        recording.start()
        first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
        instants = [first + timedelta(seconds=SPACING_S * i) for i in range(count)]
        for instant in instants:
            built.scheduling.save(actor, ScheduleRequest(programme, OneOff(instant), resolve=Resolution.FORCE))
        time.sleep(max(0.0, (instants[-1] - datetime.now(UTC)).total_seconds()) + 1.5)
        recording.stop()
        result["onset"] = match([i.timestamp() for i in instants], recording.onsets())
        # Emergency command to audio: a control request, then the first sample of the alert tone.
        client = ControlClient(station / "run")

        def standing_by() -> bool:
            return bool(client.request("status")["device"]["standby"])

        def emergency() -> float | None:
            recording = MonitorRecording(pulse)
            recording.start()
            time.sleep(0.3)
            actor = built.accounts.single_operator_actor()
            permit = built.approvals.send_emergency(actor, title="Đo kiểm", source=str(tone)).token
            sent = time.time()
            client.request("emergency", file=str(tone), permit=permit)
            time.sleep(4.5)
            recording.stop()
            heard = [h for h in recording.onsets() if h > sent - 0.05]
            return heard[0] - sent if heard else None

        def wait_for_standby() -> None:
            deadline = time.monotonic() + 30
            while not standing_by() and time.monotonic() < deadline:
                time.sleep(0.2)

        result["emergency"] = [x for x in (emergency() for _ in range(5)) if x is not None]
        # Idle: nothing scheduled for hours. First while the daemon still holds the sound device (it gives it
        # back after ``output_standby_s`` of quiet, 10 s by default), then once it has given it back.
        time.sleep(0.5)
        result["idle_held"] = idle_usage(daemon.pid, 5.0)
        wait_for_standby()
        result["idle"] = idle_usage(daemon.pid, 10.0)
        # Emergencies from standby: the daemon takes the device back first (the recorder keeps the null sink
        # awake, as a sound card is; an idle null sink alone stalls a new stream for up to 2 s).
        standby_latencies = []
        for _ in range(3):
            wait_for_standby()
            standby_latencies.append(emergency())
        result["emergency_standby"] = [x for x in standby_latencies if x is not None]
    finally:
        daemon.terminate()
        daemon.wait(20)
        built.close()
    return result


def idle_usage(pid: int, seconds: float) -> dict[str, float]:
    """Resident memory (MB) and CPU (% of one core) of a process over ``seconds``."""
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    before, started = cpu(), time.monotonic()
    time.sleep(seconds)
    used, elapsed = cpu() - before, time.monotonic() - started
    rss_kb = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                  if line.startswith("VmRSS:"))  # fmt: skip
    return {"rss_mb": round(rss_kb / 1024, 1), "cpu_percent": round(100 * used / elapsed, 2)}


def baseline_run(pulse: PulseServer, tone: Path, count: int) -> list[float]:
    """APScheduler 3 firing ``paplay`` on the same file at known instants."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.start()
    recording = MonitorRecording(pulse)
    recording.start()
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    instants = [first + timedelta(seconds=SPACING_S * i) for i in range(count)]
    for index, instant in enumerate(instants):
        scheduler.add_job(
            subprocess.Popen,
            "date",
            run_date=instant,
            args=[["paplay", str(tone)]],
            kwargs={"env": pulse.env},
            id=f"paplay-{index}",
            misfire_grace_time=None,
        )
    time.sleep(max(0.0, (instants[-1] - datetime.now(UTC)).total_seconds()) + 1.5)
    recording.stop()
    scheduler.shutdown()
    return match([i.timestamp() for i in instants], recording.onsets())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20, help="broadcasts per measurement (at least 20)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="onset-") as folder:
        root = Path(folder)
        pulse = start_pulse(root / "pulse")
        try:
            from truyenthanh import bootstrap
            from truyenthanh.config import load_settings
            from truyenthanh.domain.station import StationRules

            station = root / "station"
            built = bootstrap.build(load_settings(station, **BENCH_OPERATOR))
            built.station.init()
            # the bench runs at any hour
            built.scheduling.set_rules(built.accounts.single_operator_actor(), StationRules())
            built.close()
            tone = root / "tone.wav"
            make_tone(tone)
            env = cli_env(pulse)
            daemon = daemon_run(station, env, pulse, tone, args.count)
            baseline = baseline_run(pulse, tone, args.count)
        finally:
            pulse.stop()
    report = {
        "daemon_onset": summary(daemon["onset"]),
        "baseline_paplay_onset": summary(baseline),
        "emergency_to_audio": summary(daemon["emergency"]),
        "emergency_from_standby": summary(daemon["emergency_standby"]),
        "daemon_idle": daemon["idle"],
        "daemon_idle_device_held": daemon["idle_held"],
    }
    d, b = report["daemon_onset"], report["baseline_paplay_onset"]
    if d.get("n") and b.get("n"):
        report["ratio_daemon_over_baseline"] = {
            "median": round(d["median_ms"] / b["median_ms"], 3) if b["median_ms"] else None,
            "p99": round(d["p99_ms"] / b["p99_ms"], 3) if b["p99_ms"] else None,
        }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for name in ("daemon_onset", "baseline_paplay_onset", "emergency_to_audio", "emergency_from_standby"):
        s = report[name]
        if not s.get("n"):
            print(f"{name:24} no measurement")
            continue
        print(
            f"{name:24} n={s['n']:3}  min {s['min_ms']:7.2f}  median {s['median_ms']:7.2f}  "
            f"p99 {s['p99_ms']:7.2f}  max {s['max_ms']:7.2f} ms  (mean signed {s['mean_signed_ms']:+.2f} ms)"
        )
    if "ratio_daemon_over_baseline" in report:
        ratio = report["ratio_daemon_over_baseline"]
        print(f"ratio daemon/baseline    median {ratio['median']}  p99 {ratio['p99']}")
    for name, label in (("daemon_idle_device_held", "device held"), ("daemon_idle", "device given back")):
        idle = report[name]
        print(f"daemon idle ({label:17}) RSS {idle['rss_mb']} MB  CPU {idle['cpu_percent']} % of one core")


if __name__ == "__main__":
    main()
