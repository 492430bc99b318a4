"""What the store's change counter saves the daemon, on a real SQLite station with 60 daily schedules (each a
one-item programme) across 12 zones:

* the timer's dispatch read: :meth:`SchedulingService.occurrences` for the station's own output over the
  dispatch window, as the timer asks several times a second; when nothing changed (the inputs are reused) and
  after a commit each time (read again from the database);
* a receiver asking again and again for a file no schedule names (:meth:`FleetService.file_path`): while
  nothing changed, after an unrelated commit each time (an account added: the schedules' digest is read, nothing
  is re-planned), and after a schedule change each time (every zone's week re-planned);
* the change counter itself (one read).

Each figure is the median time per call over ``--calls`` calls, in milliseconds.

Run: ``.venv/bin/python -m bench.house [--calls N]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Programme, ProgrammeItem, Schedule, Zone
from truyenthanh.config import load_settings
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import ContentStatus, ItemKind, Role
from truyenthanh.domain.schedule import LOCAL_OUTPUT
from truyenthanh.domain.station import StationRules

ADMIN = Actor(username="quantri", full_name="Lê Văn Quản", role=Role.ADMIN)
SCHEDULES = 60
ZONES = 12


def station(folder: Path) -> bootstrap.Container:
    """A station with :data:`ZONES` zones and :data:`SCHEDULES` daily schedules spread over the day."""
    container = bootstrap.build(load_settings(folder))
    container.station.init()
    container.scheduling.set_rules(ADMIN, StationRules())
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with container.db.session() as session:
        for n in range(ZONES):
            session.add(Zone(name=f"Thôn {n + 1}", slug=f"thon-{n + 1:02d}"))
        for n in range(SCHEDULES):
            programme = Programme(title=f"Chương trình {n + 1}", status=ContentStatus.APPROVED, approved_by="quantri")
            session.add(programme)
            session.flush()
            assert programme.id is not None
            session.add(ProgrammeItem(programme_id=programme.id, position=0, kind=ItemKind.SILENCE, duration_s=60))
            zones = None if n % 3 == 0 else [f"thon-{n % ZONES + 1:02d}"]
            at = start + timedelta(minutes=23 * n)
            session.add(Schedule(programme_id=programme.id, start_at=at, rrule="FREQ=DAILY", target_zones=zones))
    return container


def per_call_ms(calls: int, work: Callable[[], object], before: Callable[[int], object] | None = None) -> float:
    """The median time of ``work`` in milliseconds, ``before(i)`` run untimed ahead of each call."""
    times: list[float] = []
    for index in range(calls):
        if before is not None:
            before(index)
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=40, help="calls per figure (default 40)")
    calls = parser.parse_args().calls
    with tempfile.TemporaryDirectory() as tmp:
        container = station(Path(tmp))
        try:
            scheduling, fleet, db = container.scheduling, container.fleet, container.db
            now = datetime.now(UTC)

            def dispatch_read() -> object:
                return scheduling.occurrences(now - timedelta(hours=3), now + timedelta(seconds=4), output=LOCAL_OUTPUT)

            def touch(index: int) -> None:  # a commit that changes nothing the timer plans from
                with db.session() as session:
                    session.add(Programme(title=f"Nháp {index}"))

            def unrelated(index: int) -> None:
                container.accounts.add(
                    ADMIN,
                    username=f"can-bo-{index}",
                    full_name="Hà Văn Bộ",
                    role=Role.OPERATOR,
                    password="mat-khau-dai-1",
                )

            def reschedule(index: int) -> None:
                with db.session() as session:
                    row = session.get(Schedule, 1)
                    assert row is not None
                    row.start_at = row.start_at + timedelta(seconds=index + 1)
                    session.add(row)

            missing = "cd" * 32
            fleet.file_path(missing)  # the first miss plans every zone
            figures = [
                ("change counter, one read", per_call_ms(calls, container.store.change_counter)),
                ("timer dispatch read, nothing changed", per_call_ms(calls, dispatch_read)),
                ("timer dispatch read, after a commit", per_call_ms(calls, dispatch_read, touch)),
                ("file miss, nothing changed", per_call_ms(calls, lambda: fleet.file_path(missing))),
                (
                    "file miss, after an unrelated commit",
                    per_call_ms(calls, lambda: fleet.file_path(missing), unrelated),
                ),
                (
                    "file miss, after a schedule change",
                    per_call_ms(calls, lambda: fleet.file_path(missing), reschedule),
                ),
            ]
        finally:
            container.close()
    print(f"Change counter at work ({SCHEDULES} daily schedules, {ZONES} zones, SQLite; median of {calls} calls)")
    for label, value in figures:
        print(f"  {label:40s} {value:9.3f} ms")


if __name__ == "__main__":
    main()
