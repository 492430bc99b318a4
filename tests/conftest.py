"""Fixtures for everyone: an isolated station folder, a frozen clock, a private PulseAudio sink."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import configuration as hypothesis_configuration

from tests.fakes import FrozenClock
from tests.pg import PostgresServer, start_postgres
from tests.pulse import PulseServer, Recorder, start_pulse
from truyenthanh import bootstrap
from truyenthanh.config import load_settings

# A port nothing listens on: any HTTPS request that no test intercepts fails at once instead of reaching the
# Internet (gTTS, through requests, honours HTTPS_PROXY). Loopback addresses stay direct.
_NO_INTERNET = "http://127.0.0.1:9"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Wall-clock measurements on a shared two-core machine can lose a scheduling slice to a neighbour: a test
    marked ``realtime`` gets four more runs (shown as R in the output); a real fault fails all five. (Two more runs
    were not enough on a clean CI run whose virtual machine's host was busy: three tests failed all three.)"""
    for item in items:
        if item.get_closest_marker("realtime") is not None:
            item.add_marker(pytest.mark.flaky(reruns=4, reruns_delay=2))


@pytest.fixture(scope="session", autouse=True)
def _hypothesis_outside_the_repository(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Hypothesis keeps its example database and constants cache in this session's (this worker's) temporary
    folder, not in ``.hypothesis`` under the working directory: tests write nothing into the repository, and
    parallel workers share no folder."""
    folder = tmp_path_factory.mktemp("hypothesis")
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(folder)
    hypothesis_configuration.set_hypothesis_home_dir(folder)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the real Internet: HTTPS goes to a closed local port unless a test intercepts it."""
    for key in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(key, _NO_INTERNET)
    for key in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(key, "localhost,127.0.0.1,::1")


@pytest.fixture
def station_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder for one station; ``TRUYENTHANH_*`` variables from the outside are cleared."""
    for key in list(os.environ):
        if key.startswith("TRUYENTHANH_"):
            monkeypatch.delenv(key)
    folder = tmp_path / "station"
    folder.mkdir()
    return folder


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at 2026-11-23 10:00 in Hà Nội (03:00 UTC)."""
    return FrozenClock()


@pytest.fixture
def container(station_dir: Path, clock: FrozenClock) -> Iterator[bootstrap.Container]:
    """A wired, initialised (not demo) station in ``station_dir`` using the frozen clock."""
    built = bootstrap.build(load_settings(station_dir), clock=clock)
    built.station.init()
    yield built
    built.close()


@pytest.fixture(scope="session")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """A private PulseAudio daemon with a null sink ``speaker`` for the whole test session."""
    if shutil.which("pulseaudio") is None:
        pytest.fail("pulseaudio is required for audio tests: run the README's test command, which installs it")
    server = start_pulse(tmp_path_factory.mktemp("pulse"))
    yield server
    server.stop()


@pytest.fixture
def pulse_env(pulse: PulseServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point this test process (PortAudio, paplay) at the private sink; returns the environment for children."""
    for key in ("XDG_RUNTIME_DIR", "PULSE_RUNTIME_PATH", "PULSE_SERVER", "PULSE_SINK"):
        monkeypatch.setenv(key, pulse.env[key])
    return dict(pulse.env)


@pytest.fixture
def recorder(pulse: PulseServer) -> Recorder:
    """Records the ``speaker`` monitor: ``with recorder.record() as rec: ...; rec[0].first_sound()``."""
    return Recorder(pulse)


# --- PostgreSQL (issue 19: the hub's store) -------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL server (Debian's ``initdb``/``pg_ctl``) for the whole test session."""
    try:
        server = start_postgres()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database on :func:`postgres` (dropped after the test)."""
    name = postgres.create_database()
    yield postgres.url(name)
    postgres.drop_database(name)
