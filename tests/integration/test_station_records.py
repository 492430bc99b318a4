"""The station's record, its zones and counts, imported-package records and the schema, through the store on
a real SQLite file (the repositories the station and package services use)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from tests.fakes import FrozenClock
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Zone
from truyenthanh.adapters.db.schema import SqlSchema
from truyenthanh.config import load_settings
from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.domain.package_record import ImportedPackage
from truyenthanh.domain.station import DEFAULT_RULES
from truyenthanh.domain.station_profile import ContentCounts, StationProfile
from truyenthanh.services.unit_of_work import Schema

PROFILE = StationProfile(
    name="Đài truyền thanh xã Tân Lập",
    commune="Tân Lập",
    province="Phú Thọ",
    upstream="Đài TT-TH huyện Tân Sơn",
    timezone="Asia/Ho_Chi_Minh",
    reading_variant=ReadingVariant.SOUTH,
)


@pytest.fixture
def container(tmp_path: Path) -> Iterator[bootstrap.Container]:
    """A station folder whose database schema exists but holds no station record yet."""
    built = bootstrap.build(load_settings(tmp_path / "dai"), clock=FrozenClock())
    built.locations.ensure()
    SqlSchema(built.db, built.locations.data_dir).upgrade()
    yield built
    built.close()


def _record(container: bootstrap.Container, version: int) -> ImportedPackage:
    return ImportedPackage(
        id=None,
        package_id="phu-tho/pctt/bao-so-9",
        version=version,
        title="Cảnh báo bão số 9",
        upstream="Đài TT-TH tỉnh Phú Thọ",
        author="Phòng Văn hóa",
        signer_fingerprint=None,
        signer_name=None,
        archive_sha256="a" * 64,
        manifest_sha256="b" * 64,
        content={"programmes": {"bao": {"title": "Cảnh báo bão số 9"}}, "rows": {"bao": {"programme_id": 1}}},
        imported_at=container.clock.now() + timedelta(hours=version),
        imported_by="vanhanh",
    )


def test_the_station_record_is_written_once_and_read_back(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        assert uow.station_profile.profile() is None
        assert uow.station_profile.create(PROFILE, DEFAULT_RULES)
        assert not uow.station_profile.create(replace(PROFILE, name="Đài khác"), DEFAULT_RULES)
    with container.store.transaction() as uow:
        assert uow.station_profile.profile() == PROFILE
        assert uow.station.rules() == DEFAULT_RULES
        assert uow.station_profile.counts() == ContentCounts(0, 0, 0, 0)
        assert uow.station_profile.zones() == []
        uow.session.add(Zone(name="Thôn Đồng", slug="thon-dong"))
        uow.session.add(Zone(name="Bản Mường", slug="ban-muong"))
    with container.store.transaction() as uow:
        assert uow.station_profile.zones() == ["Bản Mường", "Thôn Đồng"]


def test_imported_package_records_round_trip_in_version_and_import_order(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        second = uow.packages.add(_record(container, 2))
        first = uow.packages.add(_record(container, 1))
    assert first.id is not None and second.id is not None
    assert replace(first, id=None) == _record(container, 1)
    with container.store.transaction() as uow:
        assert [p.version for p in uow.packages.versions("phu-tho/pctt/bao-so-9")] == [1, 2]
        assert uow.packages.versions("goi-khac") == []
        assert [p.id for p in uow.packages.all()] == [first.id, second.id]  # the newest import first
        assert uow.packages.all()[0].to_json()["imported_at"] == first.imported_at.isoformat()


def test_a_failed_unit_of_work_keeps_no_package_record(container: bootstrap.Container) -> None:
    with pytest.raises(RuntimeError), container.store.transaction() as uow:
        uow.packages.add(_record(container, 1))
        raise RuntimeError("mất điện giữa chừng")
    with container.store.transaction() as uow:
        assert uow.packages.all() == []


def test_the_schema_port_reports_and_upgrades(tmp_path: Path) -> None:
    fresh = bootstrap.build(load_settings(tmp_path / "moi"), clock=FrozenClock())
    fresh.locations.ensure()
    schema: Schema = SqlSchema(fresh.db, fresh.locations.data_dir)
    assert schema.current() is None
    schema.upgrade()
    assert schema.current() == schema.head()
    schema.upgrade()  # running it again changes nothing
    assert fresh.store.schema_revision() == schema.head()
    fresh.close()
