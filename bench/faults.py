"""Issue 14's fault trials, rerun: the daemon (a subprocess) on a private PulseAudio null sink, its monitor
recorded, and figures printed.

* memory over N airings: the daemon's resident memory (VmRSS) once it is up and again after N airings of a
  short tone, 1.5 s apart, with the airings heard on the sink and the rows written to the broadcast log;
* kill -9 and restart: a long airing (``join:5``) is cut by ``kill -9``; the daemon is started again; printed:
  how long the restart takes until the control socket answers, the silence on the sink between the kill and
  the rejoined airing, and the log rows (the cut item partial, the rejoin);
* the control socket under load: C concurrent clients each make ``status`` calls (1,000 in all); printed:
  failures, and the calls' latency (median, 95th percentile, worst).

Run: ``.venv/bin/python -m bench.faults [--airings 33] [--clients 20] [--calls 1000]``
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.pulse import PulseServer, start_pulse

from bench.onset import MonitorRecording, cli_env, make_tone

OPERATOR = "Đo Hiệu Năng"
SPACING_S = 1.5


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def start_daemon(station: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], float]:
    """The daemon, and the seconds until its control socket answered."""
    from truyenthanh.adapters.control import ControlClient

    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "truyenthanh", "--data-dir", str(station), "daemon"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(station / "daemon.log", "ab"),  # noqa: SIM115
    )
    client = ControlClient(station / "run")
    while not client.is_running():
        if process.poll() is not None or time.monotonic() - started > 30:
            raise SystemExit("the daemon did not start: " + (station / "daemon.log").read_text())
        time.sleep(0.02)
    return process, time.monotonic() - started


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and wait."""
    if process.poll() is None:
        process.terminate()
        process.wait(20)


def make_station(folder: Path) -> None:
    """An initialised station run by one named operator, without session rules."""
    from truyenthanh import bootstrap
    from truyenthanh.config import load_settings
    from truyenthanh.domain.station import StationRules

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "truyenthanh.toml").write_text(
        f'single_operator = true\nsingle_operator_name = "{OPERATOR}"\n', encoding="utf-8"
    )
    built = bootstrap.build(load_settings(folder))
    built.station.init()
    actor = built.accounts.single_operator_actor()
    built.scheduling.set_rules(actor, StationRules())
    built.close()


def schedule(folder: Path, audio: Path, instants: list[datetime], misfire: str = "late:5") -> None:
    """Schedule ``audio`` (a programme of its own) at each instant, keeping collisions."""
    from truyenthanh import bootstrap
    from truyenthanh.config import load_settings
    from truyenthanh.domain.schedule import Misfire, OneOff, Resolution, ScheduleRequest

    built = bootstrap.build(load_settings(folder))
    try:
        actor = built.accounts.single_operator_actor()
        added = built.library.add(actor, [audio]).results[0]
        info = added.asset or added.duplicate_of
        assert info is not None and info.id is not None
        programme = built.scheduling.programme_for_asset(actor, info.id, title=audio.stem)
        for instant in instants:
            # Collisions are kept on purpose (the trials schedule back to back).
            request = ScheduleRequest(
                programme, OneOff(instant), misfire=Misfire.parse(misfire), resolve=Resolution.FORCE
            )
            built.scheduling.save(actor, request)
    finally:
        built.close()


def log_rows(folder: Path) -> list[Any]:
    """The broadcast log, oldest first."""
    from truyenthanh import bootstrap
    from truyenthanh.config import load_settings

    built = bootstrap.build(load_settings(folder))
    try:
        return list(built.broadcast_log.rows())
    finally:
        built.close()


def memory_trial(root: Path, env: dict[str, str], pulse: PulseServer, airings: int) -> dict[str, Any]:
    """Resident memory before and after ``airings`` airings; how many were heard and logged."""
    folder = root / "memory"
    make_station(folder)
    tone = root / "tone.wav"
    make_tone(tone)
    daemon, _ = start_daemon(folder, env)
    try:
        time.sleep(2.0)
        before = rss_mb(daemon.pid)
        first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10)
        instants = [first + timedelta(seconds=SPACING_S * i) for i in range(airings)]
        recording = MonitorRecording(pulse)
        recording.start()
        schedule(folder, tone, instants)
        time.sleep(max(0.0, (instants[-1] - datetime.now(UTC)).total_seconds()) + 3.0)
        recording.stop()
        after = rss_mb(daemon.pid)
    finally:
        stop(daemon)
    rows = log_rows(folder)
    return {
        "airings": airings,
        "rss_start_mb": before,
        "rss_end_mb": after,
        "heard": len(recording.onsets()),
        "logged_played": sum(1 for r in rows if r.outcome.value == "played"),
    }


def kill_trial(root: Path, env: dict[str, str], pulse: PulseServer) -> dict[str, Any]:
    """Kill -9 in the middle of a long airing, start again; the restart time, the gap heard, the log."""
    from truyenthanh.adapters.control import ControlClient

    folder = root / "kill"
    make_station(folder)
    long_tone = root / "dai.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=660:duration=20", str(long_tone)],
        check=True,
    )
    daemon, _ = start_daemon(folder, env)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
    schedule(folder, long_tone, [start], misfire="join:5")
    recording = MonitorRecording(pulse)
    recording.start()
    client = ControlClient(folder / "run")
    deadline = time.monotonic() + 30
    while (client.request("now_playing") or {}).get("position_s", 0) < 3.0 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(daemon.pid, signal.SIGKILL)
    daemon.wait(5)
    killed = time.time()
    daemon, restart_s = start_daemon(folder, env)
    try:
        time.sleep(6.0)
        recording.stop()
    finally:
        stop(daemon)
    heard_again = [t for t in recording.onsets() if t > killed]
    rows = log_rows(folder)
    return {
        "restart_s": round(restart_s, 2),
        "silence_after_kill_s": round(heard_again[0] - killed, 2) if heard_again else None,
        "rows": [(r.outcome.value, r.reason[:60]) for r in rows],
    }


def load_trial(root: Path, env: dict[str, str], clients: int, calls: int) -> dict[str, Any]:
    """``calls`` status requests from ``clients`` threads at once; failures and latency."""
    from truyenthanh.adapters.control import ControlClient
    from truyenthanh.errors import TruyenthanhError

    folder = root / "load"
    make_station(folder)
    daemon, _ = start_daemon(folder, env)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    each = calls // clients

    def work() -> None:
        client = ControlClient(folder / "run")
        for _ in range(each):
            began = time.monotonic()
            try:
                client.request("status")
            except TruyenthanhError as exc:
                with lock:
                    failures.append(exc.message)
                continue
            with lock:
                latencies.append(time.monotonic() - began)

    try:
        threads = [threading.Thread(target=work) for _ in range(clients)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
    finally:
        stop(daemon)
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "calls": each * clients,
        "answered": len(latencies),
        "failed": len(failures),
        "first_failure": failures[0] if failures else None,
        "seconds": round(elapsed, 2),
        "latency_ms": {
            "median": round(1000 * statistics.median(ordered), 1) if ordered else None,
            "p95": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 1) if ordered else None,
            "max": round(1000 * ordered[-1], 1) if ordered else None,
        },
    }


def main() -> None:
    """Run the trials and print their figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--airings", type=int, default=33)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--calls", type=int, default=1000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="truyenthanh-faults-") as temporary:
        root = Path(temporary)
        pulse = start_pulse(root / "pulse")
        os.environ.update({k: pulse.env[k] for k in ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_SERVER")})
        env = cli_env(pulse)
        env["TRUYENTHANH_TTS_ENGINE"] = "espeak"
        try:
            figures = {
                "control_load": load_trial(root, env, arguments.clients, arguments.calls),
                "kill_9_restart": kill_trial(root, env, pulse),
                "memory": memory_trial(root, env, pulse, arguments.airings),
            }
        finally:
            pulse.stop()
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
