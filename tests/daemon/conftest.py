"""The daemon in this process, on a frozen clock, with :class:`~tests.fakes.FakePlayout` as its speaker and a
real SQLite station: its timer is driven by ``dispatch()`` and its engine events by ``drain()``, never by
waiting on the wall clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.fakes import FakePlayout, FrozenClock
from tests.people import ADMIN, PASSWORD
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Programme, ProgrammeItem
from truyenthanh.adapters.runtime import STATE_FILE
from truyenthanh.daemon import Daemon
from truyenthanh.domain.broadcast_log import LoggedBroadcast
from truyenthanh.domain.enums import ContentStatus, ItemKind, Role
from truyenthanh.domain.schedule import Misfire
from truyenthanh.domain.station import StationRules
from truyenthanh.protocol import DaemonEvent, decode_event


def hn(hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A time on 2026-11-23 in Hà Nội, as UTC."""
    return datetime(2026, 11, 23, hour, minute, second, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(UTC)


def approved_programme(container: bootstrap.Container, title: str, *seconds: float) -> int:
    """An approved programme of silence items lasting ``seconds`` each."""
    with container.db.session() as session:
        row = Programme(title=title, status=ContentStatus.APPROVED, approved_by="Nguyễn Văn Duyệt")
        session.add(row)
        session.flush()
        assert row.id is not None
        for position, length in enumerate(seconds):
            session.add(ProgrammeItem(programme_id=row.id, position=position, kind=ItemKind.SILENCE,
                                      title=f"Mục {position + 1}", duration_s=length))  # fmt: skip
        return row.id


def schedule(container: bootstrap.Container, title: str, at: datetime, misfire: str = "late:5") -> int:
    """Schedule a programme once; returns the schedule's id."""
    saved = container.scheduling.add(ADMIN, title, at=at, misfire=Misfire.parse(misfire))
    assert saved.schedule.id is not None
    return saved.schedule.id


def session_for(container: bootstrap.Container, username: str, full_name: str, role: Role = Role.OPERATOR) -> str:
    """A session token for a new account, as a login through the CLI or the TUI opens one for air commands."""
    container.accounts.add(ADMIN, username=username, full_name=full_name, role=role, password=PASSWORD)
    return container.accounts.open_session(container.accounts.login(username, PASSWORD))


@dataclass
class Station:
    """A daemon under test and what it said."""

    container: bootstrap.Container
    clock: FrozenClock
    fake: FakePlayout
    daemon: Daemon
    sent: list[dict[str, Any]] = field(default_factory=list)

    def start(self) -> None:
        """Start without threads: background emergency work runs inline."""
        self.daemon.journal.send = self.sent.append
        self.daemon.emergencies.spawn = lambda work: work()
        self.daemon.start(threads=False)

    def tick(self, seconds: float = 0.0) -> None:
        """Let time pass for the speaker, then let the timer dispatch and the daemon answer the events."""
        self.fake.advance(seconds)
        self.daemon.timer.dispatch()
        self.daemon.listener.drain()

    def events(self) -> list[DaemonEvent]:
        """What the daemon published, decoded as a client reads it."""
        return [event for data in self.sent if (event := decode_event(data)) is not None]

    def log(self) -> list[LoggedBroadcast]:
        """The broadcast log, oldest first."""
        return self.container.broadcast_log.rows()

    def state(self) -> dict[str, Any]:
        """The state file as written."""
        return dict(json.loads((self.container.locations.data_dir / STATE_FILE).read_text(encoding="utf-8")))


def write_state(container: bootstrap.Container, data: dict[str, Any]) -> None:
    """Leave a state file as a run killed at that moment would have."""
    path = container.locations.data_dir / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture
def station(container: bootstrap.Container, clock: FrozenClock) -> Iterator[Station]:
    """A station without session rules (airings at any hour), its daemon not started yet, at 10:00 in Hà Nội."""
    container.scheduling.set_rules(ADMIN, StationRules())
    fake = FakePlayout(clock)
    built = Station(container, clock, fake, Daemon(container, output="device", playout=fake))
    yield built
    if built.daemon.playout is not None and built.fake.alive:
        built.daemon.shutdown()


def later(clock: FrozenClock, **delta: float) -> datetime:
    """An instant after the clock's."""
    return clock.now() + timedelta(**delta)


__all__ = ["Station", "approved_programme", "hn", "later", "schedule", "session_for", "write_state"]
