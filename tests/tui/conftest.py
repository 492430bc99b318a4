"""Helpers for the TUI tests: a station with programmes and schedules written straight to its database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.app import App

from tests.fakes import FrozenClock
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import AudioAsset, Programme, ProgrammeItem, Schedule
from truyenthanh.config import load_settings
from truyenthanh.domain.enums import ContentStatus, ItemKind

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def said(app: App[Any]) -> str:
    """Every notification the app showed, joined (Textual has no public reader: ``_notifications`` it is)."""
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


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
