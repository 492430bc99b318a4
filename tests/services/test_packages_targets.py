"""A package programme's ``zones`` become its schedules' targets at the station (issue 18), with the example file,
real ffmpeg, a real signing key and a real SQLite station."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.services.test_packages import KEY_NAME, OPERATOR, POLICY, SCHEDULES, editor, station
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Zone
from truyenthanh.domain.fleet import Targets

__all__ = ["editor", "station"]  # the fixtures, shared with the packages tests


def _with_zones(folder: Path, zones: str) -> Path:
    """The policy example with ``zones`` set on its programme, beside a copy of its audio."""
    shutil.copytree(SCHEDULES / "audio", folder / "audio")
    text = (SCHEDULES / POLICY).read_text(encoding="utf-8")
    marker = 'priority = "priority"\n'
    assert text.count(marker) == 1
    target = folder / POLICY
    target.write_text(text.replace(marker, f"{marker}zones = {zones}\n"), encoding="utf-8")
    return target


def _zones(station: bootstrap.Container) -> None:
    with station.db.session() as session:
        session.add(Zone(name="Thôn Đông", slug="thon-dong"))
        session.add(Zone(name="Thôn Tây", slug="thon-tay"))


def test_a_programmes_zones_become_its_schedules_targets(
    editor: bootstrap.Container, station: bootstrap.Container, tmp_path: Path
) -> None:
    _zones(station)
    source = _with_zones(tmp_path, '["Thôn Đông"]')
    package = editor.packages.build(source, tmp_path / "zoned.ttpkg", sign_with=KEY_NAME).path
    preview = station.packages.preview(package)
    assert not any("khu vực loa" in w for w in preview.warnings)
    station.packages.import_package(OPERATOR, package)
    views = station.scheduling.schedules()
    assert views and all(v.targets == Targets(local=True, zones=("thon-dong",)) for v in views)
    assert views[0].targets_text == "loa tại đài và cụm loa Thôn Đông"


def test_an_unknown_zone_is_warned_of_and_the_programme_airs_everywhere(
    editor: bootstrap.Container, station: bootstrap.Container, tmp_path: Path
) -> None:
    _zones(station)
    source = _with_zones(tmp_path, '["thon-dong", "Thôn Bắc"]')
    package = editor.packages.build(source, tmp_path / "unknown.ttpkg", sign_with=KEY_NAME).path
    preview = station.packages.preview(package)
    assert any("đài không có khu vực loa Thôn Bắc" in w for w in preview.warnings)
    station.packages.import_package(OPERATOR, package)
    assert {v.targets for v in station.scheduling.schedules()} == {Targets()}
