"""``truyenthanh emergency --zone SLUG | --no-zones`` against a real station daemon with its fleet on (a private
mosquitto written by ``broker config``, zones «Thôn A» and «Thôn B», no boxes needed): the daemon sends the
bulletin to the chosen zones only, to none with ``--no-zones``, to all by default; a zone that does not exist is
refused before anything is authorised or aired."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from tests.audio import tone
from tests.integration.fleet_rig import FleetRig, fleet_rig, wait_for
from tests.pulse import PulseServer
from truyenthanh.adapters.control import ControlClient
from truyenthanh.adapters.db.models import FleetCommand
from truyenthanh.domain.fleet import Action

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory, pulse: PulseServer) -> Iterator[FleetRig]:
    """The station with its broker and daemon running, zones ``thon-a`` and ``thon-b``; shared by the module (the
    refusals run first, while nothing has been sent)."""
    made = fleet_rig(tmp_path_factory.mktemp("emergency-zones"), pulse)
    try:
        made.start_daemon()
        yield made
    finally:
        made.close()


def _emergencies(rig: FleetRig) -> list[list[str]]:
    """The zones of every emergency command the station sent, oldest first."""
    with rig.container() as built, built.db.session() as session:
        rows = session.exec(select(FleetCommand).where(FleetCommand.action == Action.EMERGENCY.value)).all()
        return [list(row.zones) for row in sorted(rows, key=lambda row: row.seq)]


def _air_and_cancel(rig: FleetRig, bulletin: Path, *choice: str) -> str:
    """Send an emergency, wait until its bulletin is ready (the daemon hands it to the clusters just before it
    names it as the emergency's source), cancel it; what the CLI printed."""
    aired = rig.ok("emergency", "--file", str(bulletin), *choice)

    def ready() -> bool:
        current = ControlClient(rig.folder / "run").request("status")["emergency"]
        return bool(current and current["source"])

    wait_for(ready, "the emergency's bulletin ready on the station", 10)
    rig.ok("emergency", "cancel")
    return aired


def test_an_unknown_zone_is_refused_before_anything_airs(rig: FleetRig, tmp_path: Path) -> None:
    bulletin = tone(tmp_path / "khan-cap.wav", 600, 2.0)
    refused = rig.cli("emergency", "--file", str(bulletin), "--zone", "thon-a", "--zone", "thon-x")
    assert refused.returncode != 0 and refused.stdout == ""
    assert "(--zone)" in refused.stderr and "Không có khu vực «thon-x»" in refused.stderr
    assert "Các khu vực: thon-a, thon-b." in refused.stderr
    both = rig.cli("emergency", "--file", str(bulletin), "--zone", "thon-a", "--no-zones")
    assert both.returncode != 0 and "Chọn --zone hoặc --no-zones, không cả hai." in both.stderr
    cancel = rig.cli("emergency", "cancel", "--zone", "thon-a")
    assert cancel.returncode == 2 and "«emergency cancel» hủy ở mọi nơi" in cancel.stderr
    assert ControlClient(rig.folder / "run").request("status")["emergency"] is None
    with rig.container() as built:
        assert [line for line in built.audit.entries(limit=100) if line.action == "emergency.send"] == []
    assert _emergencies(rig) == []


def test_emergency_goes_to_the_chosen_zones_to_none_or_to_all(rig: FleetRig, tmp_path: Path) -> None:
    bulletin = tone(tmp_path / "khan-cap.wav", 600, 2.0)

    aired = _air_and_cancel(rig, bulletin, "--zone", "thon-b")
    assert "Nơi phát: loa của đài; cụm loa: thon-b." in aired
    assert _emergencies(rig) == [["thon-b"], ["thon-b"]]  # the alert at once, then the bulletin referring to it
    aired = _air_and_cancel(rig, bulletin, "--no-zones")
    assert "cụm loa: không cụm nào." in aired
    aired = _air_and_cancel(rig, bulletin)
    assert "cụm loa: mọi khu vực." in aired
    # The --no-zones one was neither sent nor recorded as a fleet command.
    assert _emergencies(rig) == [["thon-b"], ["thon-b"], ["thon-a", "thon-b"], ["thon-a", "thon-b"]]
