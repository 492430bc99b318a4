"""Helpers for the TUI tests: a station with programmes and schedules written straight to its database, what
the app told the operator, and a real daemon subprocess."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, time
from pathlib import Path
from time import monotonic, sleep
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.app import App

from tests.fakes import FrozenClock
from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.adapters.control import ControlClient
from truyenthanh.adapters.db.models import AudioAsset, Programme, ProgrammeItem, Schedule
from truyenthanh.config import load_settings
from truyenthanh.domain.enums import ContentStatus, ItemKind
from truyenthanh.domain.station import StationRules

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def said(app: App[Any]) -> str:
    """Every notification the app showed, joined (Textual has no public reader: ``_notifications`` it is)."""
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


async def until(app: App[Any], pilot: Any, check: Callable[[], bool], what: str, timeout: float = 10) -> None:
    """Let the app run (workers, refreshes, the daemon's answers) until ``check`` passes."""
    deadline = monotonic() + timeout
    while not check():
        assert monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause()
        await asyncio.sleep(0.05)


def add_asset(container: bootstrap.Container, title: str, seconds: float) -> AudioAsset:
    """Register an audio asset row (the TUI only reads its metadata)."""
    with container.db.session() as session:
        asset = AudioAsset(
            path=f"test/{title}.wav",
            sha256=f"{abs(hash(title)):064d}"[:64],
            duration_s=seconds,
            format="wav",
            channels=1,
            sample_rate=48000,
            title=title,
        )
        session.add(asset)
        session.flush()
        session.refresh(asset)
        session.expunge(asset)
    return asset


def add_programme(
    container: bootstrap.Container,
    title: str,
    *,
    at: time,
    seconds: float = 120.0,
    rrule: str | None = "FREQ=DAILY",
    status: ContentStatus = ContentStatus.APPROVED,
    session_name: str = "",
) -> tuple[int, int]:
    """A programme of one audio item scheduled at ``at`` local time from the clock's day; returns ids."""
    asset = add_asset(container, f"{title} (tệp)", seconds)
    today = container.clock.now().astimezone(HANOI).date()
    with container.db.session() as session:
        programme = Programme(title=title, status=status)
        session.add(programme)
        session.flush()
        assert programme.id is not None
        session.add(
            ProgrammeItem(programme_id=programme.id, position=0, kind=ItemKind.AUDIO, asset_id=asset.id, title=title)
        )
        schedule = Schedule(
            programme_id=programme.id,
            start_at=datetime.combine(today, at, tzinfo=HANOI),
            rrule=rrule,
            session_name=session_name,
        )
        session.add(schedule)
        session.flush()
        assert schedule.id is not None
        return programme.id, schedule.id


@pytest.fixture
def espeak_container(station_dir: Path, clock: FrozenClock) -> Iterator[bootstrap.Container]:
    """An initialised station whose speech uses the offline espeak-ng voice (no network in tests)."""
    (station_dir / "truyenthanh.toml").write_text('tts_engine = "espeak"\n', encoding="utf-8")
    built = bootstrap.build(load_settings(station_dir), clock=clock)
    built.station.init()
    yield built
    built.close()


@contextmanager
def daemon_running(station_dir: Path, tmp_path: Path, **env: str) -> Iterator[bootstrap.Container]:
    """Initialise a station (offline voice, no session or quiet-hour rules), run its daemon as a real subprocess
    with ``env`` added (``TRUYENTHANH_OUTPUT=...``), and yield the TUI's container (system clock); the daemon is
    stopped at the end."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    child_env["TRUYENTHANH_TTS_ENGINE"] = "espeak"  # no Internet here
    child_env.update(env)
    built = bootstrap.build(load_settings(station_dir))
    built.station.init()
    built.scheduling.set_rules(ADMIN, StationRules())
    built.close()
    log_path = tmp_path / "daemon.log"
    with log_path.open("a", encoding="utf-8") as log:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "truyenthanh", "--data-dir", str(station_dir), "daemon"],
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            client = ControlClient(station_dir / "run")
            deadline = monotonic() + 30
            while not client.is_running():
                if daemon.poll() is not None or monotonic() > deadline:
                    raise AssertionError("the daemon did not start:\n" + log_path.read_text(encoding="utf-8"))
                sleep(0.05)
            container = bootstrap.build(load_settings(station_dir))
            try:
                yield container
            finally:
                container.close()
        finally:
            if daemon.poll() is None:
                daemon.terminate()
                try:
                    daemon.wait(20)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    daemon.wait()
