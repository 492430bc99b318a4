"""Which files the station's file server finds (:meth:`FleetService.file_path`) over a real SQLite station: the
files planned are kept, and a miss works every zone's week out again only after the schedules changed."""

from __future__ import annotations

from datetime import timedelta

from tests.fakes import FrozenClock
from tests.people import ADMIN as ADMIN_ACTOR
from tests.people import PASSWORD
from tests.services.test_fleet import _programme, _schedule, _zones
from truyenthanh.bootstrap import Container
from truyenthanh.domain.enums import Role


def test_a_miss_re_plans_only_after_the_schedules_changed(container: Container, clock: FrozenClock) -> None:
    _zones(container)
    programme_id, sha = _programme(container, announcement_rendered=True)
    _schedule(container, programme_id, clock.now() + timedelta(days=8), local=False, zones=None)  # beyond the week
    fleet = container.fleet
    assert fleet.file_path(sha) is None  # the first miss plans every zone: the airing is not in the week yet
    clock.advance(days=2)  # now it is; other records change meanwhile
    container.accounts.add(ADMIN_ACTOR, username="can-bo", full_name="Hà Văn Bộ", role=Role.OPERATOR, password=PASSWORD)
    for _ in range(3):  # asked again and again: the schedules did not change, nothing is worked out again
        assert fleet.file_path(sha) is None
    fleet.zone_plan("thon-dong", clock.now())  # as the daemon's publisher does on its own round
    path = container.locations.media_dir / "library" / "ban-tin.mp3"
    assert fleet.file_path(sha) == path  # kept from the plan
    assert fleet.file_path("cd" * 32) is None  # named by nothing: still not served


def test_a_schedule_change_is_seen_at_the_next_miss(container: Container, clock: FrozenClock) -> None:
    _zones(container)
    programme_id, sha = _programme(container, announcement_rendered=True)
    fleet = container.fleet
    assert fleet.file_path(sha) is None
    assert fleet.file_path(sha) is None
    _schedule(container, programme_id, clock.now() + timedelta(hours=3), local=False, zones=["thon-tay"])
    assert fleet.file_path(sha) == container.locations.media_dir / "library" / "ban-tin.mp3"
