"""An emergency never waits on the network: with gTTS's requests hanging (a loopback server that accepts the
connection and never answers stands in for Google), the real daemon with ``tts_engine = "auto"`` speaks the
bulletin in the offline voice right after the alert tone, as recorded from the PulseAudio null sink's monitor."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.onset import THRESHOLD, MonitorRecording

from tests.integration.test_cli import write_role_settings
from tests.integration.test_daemon import OPERATOR, cli, daemon, log_rows, wait_for
from tests.people import ADMIN
from tests.pulse import RATE, PulseServer
from tests.speechfakes import silent_server
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.domain.station import StationRules
from truyenthanh.domain.tunes import TUNES

pytestmark = [pytest.mark.slow, pytest.mark.realtime]

WINDOW_S = 0.01
MAX_GAP_S = 0.3
BULLETIN = "Bà con chú ý, bão số ba sắp đổ bộ vào đất liền, tàu thuyền không ra khơi."


@pytest.fixture
def hanging_google(station_dir: Path, pulse_env: dict[str, str]) -> Iterator[tuple[Path, dict[str, str]]]:
    """An initialised station whose daemon would ask gTTS first, with every HTTPS request hanging."""
    built = bootstrap.build(load_settings(station_dir))
    built.station.init()
    built.scheduling.set_rules(ADMIN, StationRules())
    built.close()
    with silent_server() as (host, port):
        env = {k: v for k, v in pulse_env.items() if not k.startswith("TRUYENTHANH_")}
        env.update(
            TRUYENTHANH_OUTPUT="device",
            TRUYENTHANH_TTS_ENGINE="auto",
            TRUYENTHANH_SINGLE_OPERATOR="true",
            TRUYENTHANH_SINGLE_OPERATOR_NAME=OPERATOR,
            HTTPS_PROXY=f"http://{host}:{port}",
            https_proxy=f"http://{host}:{port}",
            NO_PROXY="localhost,127.0.0.1,::1",
            no_proxy="localhost,127.0.0.1,::1",
        )
        write_role_settings(station_dir, env)  # read from the config file only
        yield station_dir, env


def levels(recording: MonitorRecording) -> list[float]:
    """RMS level of each 10 ms window of the recording (full scale 1.0)."""
    size = int(RATE * WINDOW_S)
    samples = recording.samples
    return [
        math.sqrt(sum(s * s for s in samples[i : i + size]) / size) / 32768.0
        for i in range(0, len(samples) - size, size)
    ]


def gap_after_alert(recording: MonitorRecording) -> tuple[float, float]:
    """Seconds of silence between the end of the alert tone and the next sound, and how long that sound lasts
    before its first pause of more than the allowed gap."""
    loud = [level > THRESHOLD for level in levels(recording)]
    onset = loud.index(True)
    alert_s = sum(note.seconds for note in TUNES["alert"].notes)
    end = loud.index(False, onset + int((alert_s - 0.1) / WINDOW_S))
    speech = loud.index(True, end)
    quiet = 0
    for index in range(speech, len(loud)):
        quiet = 0 if loud[index] else quiet + 1
        if quiet * WINDOW_S > MAX_GAP_S:
            return (speech - end) * WINDOW_S, (index - quiet - speech) * WINDOW_S
    return (speech - end) * WINDOW_S, (len(loud) - speech) * WINDOW_S


def test_an_emergency_is_spoken_right_after_the_alert_while_gtts_hangs(
    hanging_google: tuple[Path, dict[str, str]], pulse: PulseServer
) -> None:
    folder, env = hanging_google
    recording = MonitorRecording(pulse)
    with daemon(folder, env):
        recording.start()
        sent = cli(folder, env, "emergency", BULLETIN)
        assert sent.returncode == 0, sent.stderr
        try:
            wait_for(lambda: [r["outcome"] for r in log_rows(folder, env)] == ["played"] * 2, 30, "the bulletin")
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {log_rows(folder, env)}\n{(folder / 'daemon.log').read_text()}") from None
        recording.stop()
    alert, bulletin = log_rows(folder, env)
    assert alert["item"] == TUNES["alert"].title
    assert bulletin["engine"] == "espeak" and bulletin["priority"] == "emergency"
    gap, spoken = gap_after_alert(recording)
    assert gap <= MAX_GAP_S, f"{gap:.2f} s of silence between the alert and the bulletin"
    assert spoken > 1.0  # it is the bulletin that followed, not a click
