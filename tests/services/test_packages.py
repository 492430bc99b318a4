"""Programme packages end to end with real parts: the example files, real ffmpeg, real ed25519 keys, real zip
archives and real SQLite station folders. Every refused package must leave the station exactly as it was."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import stat
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from tests.fakes import FrozenClock
from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import (
    Announcement,
    AudioAsset,
    BroadcastLog,
    Programme,
    ProgrammeItem,
    Schedule,
)
from truyenthanh.adapters.package_archive import ZipPackageArchive
from truyenthanh.config import load_settings
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import ContentStatus, ItemKind, Outcome, Priority, Role
from truyenthanh.domain.package import Manifest, ManifestEntry, PackageLimits, SignatureDoc
from truyenthanh.domain.station import DEFAULT_RULES, SessionRule, StationRules
from truyenthanh.errors import PackageError, PermissionDeniedError, StorageError
from truyenthanh.services.broadcast_log import LogEntry
from truyenthanh.services.packages import (
    ConflictChoice,
    ImportAction,
    PackageConflictError,
    PackageService,
    expanded_schedule,
)

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
WEEK = "xa-tan-lap-tuan-48.toml"
POLICY = "truyen-thong-chinh-sach-48.toml"
STORM = "canh-bao-bao-so-9.toml"
KEY_NAME = "Đài TT-TH huyện Tân Sơn"
OPERATOR = Actor(username="can-bo", full_name="Hà Văn Bộ", role=Role.OPERATOR)
"""The station's operator who imports packages (operators may import; they may not approve)."""


@pytest.fixture(scope="module")
def editor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[bootstrap.Container]:
    """An upstream editor's machine: a folder with one signing key and no station."""
    folder = tmp_path_factory.mktemp("editor")
    built = bootstrap.build(load_settings(folder), clock=FrozenClock(datetime(2026, 11, 20, 1, 0, tzinfo=UTC)))
    built.keys.generate(KEY_NAME)
    yield built
    built.close()


@pytest.fixture(scope="module")
def built(editor: bootstrap.Container, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each example built into a signed package once for the module."""
    out = tmp_path_factory.mktemp("packages")
    return {
        name: editor.packages.build(SCHEDULES / name, out / name.replace(".toml", ".ttpkg"), sign_with=KEY_NAME).path
        for name in (WEEK, POLICY, STORM)
    }


def _station(folder: Path, editor: bootstrap.Container, *, trust: bool = True, **flags: object) -> bootstrap.Container:
    folder.mkdir(parents=True, exist_ok=True)
    station = bootstrap.build(load_settings(folder, **flags), clock=FrozenClock())
    station.station.init()
    if trust:
        station.keys.trust(ADMIN, editor.keys.export(), "tanson.pub.json")
    return station


@pytest.fixture
def station(tmp_path: Path, editor: bootstrap.Container) -> Iterator[bootstrap.Container]:
    """A fresh station (clock at 10:00 on Monday 23/11/2026, Hà Nội) that trusts the editor's key."""
    made = _station(tmp_path / "xa", editor)
    yield made
    made.close()


@pytest.fixture(scope="module")
def seeded_template(
    editor: bootstrap.Container, built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A station folder that has imported the week's package, made once per module."""
    folder = tmp_path_factory.mktemp("seeded") / "xa"
    made = _station(folder, editor)
    made.packages.import_package(OPERATOR, built[WEEK])
    made.close()
    return folder


@pytest.fixture
def seeded(seeded_template: Path, tmp_path: Path) -> Iterator[bootstrap.Container]:
    """A copy of the seeded station: it has content that a refused import must not disturb."""
    folder = tmp_path / "xa"
    shutil.copytree(seeded_template, folder)
    made = bootstrap.build(load_settings(folder), clock=FrozenClock())
    yield made
    made.close()


def snapshot(container: bootstrap.Container) -> tuple[list[str], dict[str, str], list[str]]:
    """Everything an import could change: the database content, the media files, leftovers in the cache."""
    with sqlite3.connect(container.locations.db_path) as raw:
        dump = list(raw.iterdump())
    media = container.locations.media_dir
    files = {
        str(p.relative_to(media)): hashlib.sha256(p.read_bytes()).hexdigest() for p in media.rglob("*") if p.is_file()
    }
    cache = container.locations.cache_dir
    leftovers = sorted(str(p.relative_to(cache)) for p in cache.rglob("*")) if cache.exists() else []
    return dump, files, leftovers


def test_round_trip_build_sign_import_gives_the_same_schedule_at_two_stations(
    built: dict[str, Path], editor: bootstrap.Container, tmp_path: Path
) -> None:
    start = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    end = start + timedelta(days=14)
    schedules = []
    for name in ("xa-mot", "xa-hai"):
        station = _station(tmp_path / name, editor)
        for package in built.values():
            outcome = station.packages.import_package(OPERATOR, package)
            assert outcome.imported
        schedules.append(expanded_schedule(station.scheduling, start, end))
        station.close()
    assert schedules[0] == schedules[1]
    airings = schedules[0]
    mornings = [a for a in airings if a[0] == "Chương trình buổi sáng"]
    # 05:59 in Hà Nội (22:59 UTC the day before), from Tuesday 24/11 (Monday's had passed at import) to Sunday 29/11.
    assert [a[1] for a in mornings] == [f"2026-11-{day}T22:59:00+00:00" for day in range(23, 29)]
    afternoons = [a[1][:10] for a in airings if a[0] == "Chương trình buổi chiều"]
    assert afternoons == ["2026-11-23", "2026-11-24", "2026-11-26", "2026-11-27", "2026-11-28"]  # not 25/11, no Sunday
    policy = [a for a in airings if a[0].startswith("Truyền thông chính sách")]
    assert [a[1] for a in policy] == [
        "2026-11-24T10:00:00+00:00",
        "2026-11-27T10:00:00+00:00",
        "2026-12-01T10:00:00+00:00",
        "2026-12-04T10:00:00+00:00",
    ]
    assert {a[2] for a in policy} == {"priority"}
    storm = [a for a in airings if a[0] == "Tin cảnh báo bão số 9"]
    assert storm[0][1] == "2026-11-24T06:45:00+00:00"
    assert storm[1][1] == "2026-11-24T07:00:00+00:00"
    assert len(storm) == 1 + 12 * 3 - 7  # three days every two hours, from 14:00 on the first
    assert {a[2] for a in storm} == {"emergency"}


def test_import_writes_programmes_items_announcements_and_audio(
    station: bootstrap.Container, built: dict[str, Path]
) -> None:
    outcome = station.packages.import_package(OPERATOR, built[WEEK])
    assert outcome.preview.action is ImportAction.NEW
    assert [p.change for p in outcome.preview.programmes] == ["added", "added"]
    assert outcome.preview.signer is not None and outcome.preview.signer.trusted
    with station.db.session() as session:
        programmes = list(session.exec(select(Programme)))
        assert [p.title for p in programmes] == ["Chương trình buổi sáng", "Chương trình buổi chiều"]
        assert {p.package_id for p in programmes} == {"tan-lap/tuan-48-2026"}
        morning = programmes[0]
        items = list(session.exec(select(ProgrammeItem).where(ProgrammeItem.programme_id == morning.id)))
        assert [i.kind for i in items] == [
            ItemKind.JINGLE,
            ItemKind.AUDIO,
            ItemKind.ANNOUNCEMENT,
            ItemKind.SILENCE,
            ItemKind.RELAY,
            ItemKind.JINGLE,
        ]
        relay = items[4]
        assert relay.duration_s == 900.0
        assert relay.relay_url is not None and relay.relay_url.startswith("https://")
        announcement = session.get(Announcement, items[2].announcement_id)
        assert announcement is not None
        assert announcement.text.startswith("UBND xã Tân Lập thông báo: sáng thứ Bảy ngày 28/11/2026")
        assert (announcement.status, announcement.approved_by) == (ContentStatus.WAITING, None)
        assert {(p.status, p.approved_by) for p in programmes} == {(ContentStatus.WAITING, None)}
        assets = {a.path: a for a in session.exec(select(AudioAsset))}
        assert {"tunes/signature.wav", "tunes/closing.wav", "tunes/filler.wav"} <= set(assets)
        bulletin = session.get(AudioAsset, items[1].asset_id)
        assert bulletin is not None and bulletin.loudness_lufs is not None
        assert bulletin.duration_s == pytest.approx(16.25, abs=0.1)
        assert morning.fallback_asset_id == assets["tunes/filler.wav"].id
        schedules = list(session.exec(select(Schedule)))
        assert {s.package_id for s in schedules} == {"tan-lap/tuan-48-2026"}
    media = station.locations.media_dir
    assert all((media / path).is_file() for path in assets)
    assert station.audit.entries(limit=1)[0].action == "package.import"


def test_importing_the_same_package_twice_changes_nothing(station: bootstrap.Container, built: dict[str, Path]) -> None:
    station.packages.import_package(OPERATOR, built[WEEK])
    before = snapshot(station)
    again = station.packages.import_package(OPERATOR, built[WEEK])
    assert again.imported is False
    assert again.preview.action is ImportAction.SAME
    assert snapshot(station) == before


def _edited(tmp_path: Path, name: str, replacements: dict[str, str]) -> Path:
    """A copy of an example (with its audio) with some text replaced."""
    folder = tmp_path / f"edit-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(SCHEDULES, folder)
    text = (folder / name).read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_a_newer_version_replaces_future_airings_and_keeps_history(
    station: bootstrap.Container, editor: bootstrap.Container, built: dict[str, Path], tmp_path: Path
) -> None:
    first = station.packages.import_package(OPERATOR, built[WEEK])
    clock = station.clock
    assert isinstance(clock, FrozenClock)
    # Wednesday 25/11 09:00 in Hà Nội: mornings of 24 and 25 have aired, afternoon of 24 too.
    clock.set(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    with station.db.session() as session:
        aired = session.get(Programme, first.programme_ids[0])
        assert aired is not None
    station.broadcast_log.append(
        LogEntry(
            schedule_id=first.schedule_ids[0],
            programme_id=first.programme_ids[0],
            programme_title="Chương trình buổi sáng",
            scheduled_start=datetime(2026, 11, 24, 22, 59, tzinfo=UTC),
            outcome=Outcome.PLAYED,
        )
    )
    v2_source = _edited(
        tmp_path,
        WEEK,
        {
            "\nversion = 1": "\nversion = 2",
            "start = 2026-11-23T05:59:00": "start = 2026-11-23T05:50:00",
            'title = "Chương trình buổi chiều"': 'title = "Chương trình buổi chiều (sửa)"',
        },
    )
    v2 = editor.packages.build(v2_source, tmp_path / "v2.ttpkg", sign_with=KEY_NAME).path
    preview = station.packages.preview(v2)
    assert preview.action is ImportAction.UPGRADE
    assert preview.previous_version == 1
    assert {p.key: p.change for p in preview.programmes} == {"sang": "changed", "chieu": "changed"}
    assert any("lịch phát" in d for d in preview.changed[0].details)
    assert preview.retired_airings == 4 + 3  # mornings 26-29, afternoons 26-28
    outcome = station.packages.import_package(OPERATOR, v2)
    assert outcome.imported
    now = clock.now()
    with station.db.session() as session:
        old_schedules = {s.id: s for s in session.exec(select(Schedule)) if s.id in first.schedule_ids}
        # Both old schedules had aired: kept, ending now.
        assert set(old_schedules) == set(first.schedule_ids)
        assert all(s.valid_to == now for s in old_schedules.values())
        assert session.get(Programme, first.programme_ids[0]) is not None
        assert len(list(session.exec(select(BroadcastLog)))) == 1
    upcoming = expanded_schedule(station.scheduling, now, now + timedelta(days=7))
    assert {a[0] for a in upcoming} == {"Chương trình buổi sáng", "Chương trình buổi chiều (sửa)"}
    mornings = [a[1] for a in upcoming if a[0] == "Chương trình buổi sáng"]
    assert mornings == [f"2026-11-{day}T22:50:00+00:00" for day in range(25, 29)]
    past = expanded_schedule(station.scheduling, datetime(2026, 11, 23, tzinfo=UTC), now)
    assert ("Chương trình buổi sáng", "2026-11-24T22:59:00+00:00") in [(a[0], a[1]) for a in past]
    # The older version cannot come back, and the same version with other content is refused.
    with pytest.raises(PackageError, match="cũ hơn phiên bản 2"):
        station.packages.preview(built[WEEK])
    other = _edited(
        tmp_path, WEEK, {"\nversion = 1": "\nversion = 2", "Nguyễn Thị Hoa": "Người khác", "silence = 1": "silence = 2"}
    )
    clash = editor.packages.build(other, tmp_path / "v2b.ttpkg", sign_with=KEY_NAME).path
    with pytest.raises(PackageError, match="tăng số phiên bản"):
        station.packages.import_package(OPERATOR, clash)


def test_a_version_that_never_aired_is_replaced_whole(
    station: bootstrap.Container, editor: bootstrap.Container, built: dict[str, Path], tmp_path: Path
) -> None:
    first = station.packages.import_package(OPERATOR, built[STORM])
    [first_announcement] = [a.id for a in station.approvals.list(ContentKind.ANNOUNCEMENT)]
    v2_source = _edited(
        tmp_path, STORM, {"\nversion = 1": "\nversion = 2", "at = 2026-11-24T13:45:00": "at = 2026-11-24T13:40:00"}
    )
    v2 = editor.packages.build(v2_source, tmp_path / "v2.ttpkg", sign_with=KEY_NAME).path
    outcome = station.packages.import_package(OPERATOR, v2)
    assert len(first.programme_ids) == len(outcome.programme_ids) == 1
    with station.db.session() as session:
        # Nothing of version 1 had aired: its programme, items, announcement and schedules are gone.
        assert len(list(session.exec(select(Programme)))) == 1
        assert sorted(s.start_at for s in session.exec(select(Schedule))) == [
            datetime(2026, 11, 24, 6, 40, tzinfo=UTC),
            datetime(2026, 11, 24, 7, 0, tzinfo=UTC),
        ]
        assert len(list(session.exec(select(ProgrammeItem)))) == 4
        assert len(list(session.exec(select(Announcement)))) == 1
    # Each removal is in the audit trail, with the record as it was.
    removed = {(e.action, e.entity_id) for e in station.audit.entries(limit=200) if e.after is None}
    assert removed == {
        *(("schedule.retire", str(i)) for i in first.schedule_ids),
        ("programme.delete", str(first.programme_ids[0])),
        ("announcement.delete", str(first_announcement)),
    }
    assert all(report.ok for report in station.audit.verify())


def _local_afternoon_programme(station: bootstrap.Container) -> None:
    """The station's own daily 17:00 programme, made the way an operator makes one."""
    [asset] = station.library.add(ADMIN, [SCHEDULES / "audio" / "ban-tin-xa-tan-lap.mp3"]).imported
    programme = station.scheduling.programme_for_asset(ADMIN, asset.id, title="Tin riêng của xã")
    station.scheduling.add(ADMIN, programme, rrule="FREQ=DAILY", time_of_day=time(17, 0))


def test_conflicts_are_previewed_with_choices_and_nothing_is_written_by_default(
    station: bootstrap.Container, built: dict[str, Path]
) -> None:
    _local_afternoon_programme(station)
    before = snapshot(station)
    with pytest.raises(PackageConflictError) as caught:
        station.packages.import_package(OPERATOR, built[WEEK])
    preview = caught.value.preview
    assert preview.choices == (ConflictChoice.SKIP, ConflictChoice.FORCE, ConflictChoice.REFUSE)
    [conflict] = preview.conflicts
    assert conflict.programme_key == "chieu"
    assert "trùng với «Tin riêng của xã»" in conflict.messages[0]
    assert "--on-conflict skip" in caught.value.message
    assert snapshot(station) == before

    skipped = station.packages.import_package(OPERATOR, built[WEEK], choice=ConflictChoice.SKIP)
    assert len(skipped.programme_ids) == 2
    assert len(skipped.schedule_ids) == 1
    assert skipped.skipped_schedules == ("«Chương trình buổi chiều» programme[2].schedule[1]",)


def test_force_imports_conflicting_schedules(station: bootstrap.Container, built: dict[str, Path]) -> None:
    _local_afternoon_programme(station)
    forced = station.packages.import_package(OPERATOR, built[WEEK], choice=ConflictChoice.FORCE)
    assert len(forced.schedule_ids) == 2


def test_a_session_the_station_does_not_have_cannot_be_forced(
    station: bootstrap.Container, built: dict[str, Path]
) -> None:
    station.scheduling.set_rules(
        ADMIN,
        StationRules(
            sessions=(SessionRule(name="Buổi sáng", start=time(5, 0), end=time(7, 0), max_minutes=60),),
            quiet_hours=DEFAULT_RULES.quiet_hours,
        ),
    )
    preview = station.packages.preview(built[POLICY])
    [conflict] = preview.conflicts
    assert not conflict.forceable
    assert "đài không có buổi «Buổi chiều»" in conflict.messages[0]
    outcome = station.packages.import_package(OPERATOR, built[POLICY], choice=ConflictChoice.FORCE)
    assert outcome.schedule_ids == ()
    assert len(outcome.skipped_schedules) == 1


def test_the_policy_column_follows_each_stations_session_time(
    station: bootstrap.Container, built: dict[str, Path]
) -> None:
    station.scheduling.set_rules(
        ADMIN,
        StationRules(
            sessions=(
                SessionRule(name="Buổi sáng", start=time(6, 0), end=time(7, 0), max_minutes=60),
                SessionRule(name="Buổi chiều", start=time(16, 30), end=time(18, 0), max_minutes=60),
            ),
        ),
    )
    outcome = station.packages.import_package(OPERATOR, built[POLICY])
    with station.db.session() as session:
        [row] = [session.get(Schedule, i) for i in outcome.schedule_ids]
    assert row is not None
    assert row.start_at == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # 16:30 in Hà Nội
    assert row.priority is Priority.PRIORITY
    assert row.session_name == "Buổi chiều"


# --- trust ---------------------------------------------------------------------------------------------------------


def test_unsigned_and_unknown_packages_are_refused_unless_allowed(
    editor: bootstrap.Container, built: dict[str, Path], tmp_path: Path
) -> None:
    unsigned = editor.packages.build(SCHEDULES / STORM, tmp_path / "unsigned.ttpkg").path
    stranger = _station(tmp_path / "la", editor, trust=False)
    before = snapshot(stranger)
    with pytest.raises(PackageError, match="không có chữ ký"):
        stranger.packages.import_package(OPERATOR, unsigned)
    with pytest.raises(PackageError, match="khóa lạ «Đài TT-TH huyện Tân Sơn»"):
        stranger.packages.import_package(OPERATOR, built[STORM])
    assert snapshot(stranger) == before
    stranger.close()
    lenient = _station(tmp_path / "de-dai", editor, trust=False, allow_unsigned_packages=True)
    preview = lenient.packages.preview(built[STORM])
    assert preview.signer is not None and not preview.signer.trusted
    assert lenient.packages.import_package(OPERATOR, unsigned).preview.signer is None
    lenient.close()


def test_untrusting_a_key_refuses_its_packages(station: bootstrap.Container, built: dict[str, Path]) -> None:
    [key] = station.keys.trusted()
    with pytest.raises(PermissionDeniedError, match="không được thay đổi quy định và cài đặt của đài"):
        station.keys.untrust(OPERATOR, key.fingerprint)
    station.keys.untrust(ADMIN, key.fingerprint)
    assert [e.action for e in station.audit.entries(entity="trusted_key")] == ["key.untrust", "key.trust"]
    with pytest.raises(PackageError, match="khóa lạ"):
        station.packages.preview(built[STORM])


# --- approval of imported content -----------------------------------------------------------------------------------


def test_imported_content_waits_for_the_station_approver(station: bootstrap.Container, built: dict[str, Path]) -> None:
    outcome = station.packages.import_package(OPERATOR, built[STORM])
    approvals = station.approvals
    [programme_id] = outcome.programme_ids
    view = approvals.get(ContentKind.PROGRAMME, programme_id)
    assert (view.status, view.approved_by, view.created_by) == (
        ContentStatus.WAITING,
        None,
        "Ban Chỉ huy PCTT và TKCN tỉnh",
    )
    refused = approvals.check_air(programme_id)
    assert not refused.airable
    assert "chưa được duyệt (trạng thái: Chờ duyệt) nên không được phát" in refused.reason
    announcements = approvals.list(ContentKind.ANNOUNCEMENT)
    assert announcements and {a.status for a in announcements} == {ContentStatus.WAITING}
    with pytest.raises(PermissionDeniedError, match="«can-bo» \\(vai trò Vận hành\\) không được duyệt"):
        approvals.approve(OPERATOR, ContentKind.PROGRAMME, programme_id)
    # The station's own approver approves the programme, and with it the announcements that came in it.
    approvals.approve(ADMIN, ContentKind.PROGRAMME, programme_id)
    passed = approvals.check_air(programme_id)
    assert passed.airable and passed.blocked_items == () and passed.approver == "Lê Văn Quản"
    assert {(a.status, a.approved_by) for a in approvals.list(ContentKind.ANNOUNCEMENT)} == {
        (ContentStatus.APPROVED, "Lê Văn Quản")
    }
    history = [(e.action, e.actor) for e in reversed(station.audit.entries(entity="programme"))]
    assert history == [("programme.import", "can-bo"), ("programme.approve", "quantri")]
    for announcement in announcements:
        lines = station.audit.entries(entity="announcement", entity_id=str(announcement.id))
        assert [(e.action, e.actor) for e in reversed(lines)] == [
            ("announcement.import", "can-bo"),
            ("announcement.approve", "quantri"),
        ]
    schedules = [e for e in station.audit.entries(entity="schedule") if e.action == "schedule.import"]
    assert sorted(int(e.entity_id) for e in schedules) == sorted(outcome.schedule_ids)
    assert all(e.actor == "can-bo" and e.after is not None for e in schedules)
    assert all(report.ok for report in station.audit.verify())


def test_signed_packages_are_preapproved_in_the_upstream_name_when_the_station_says_so(
    editor: bootstrap.Container, built: dict[str, Path], tmp_path: Path
) -> None:
    trusting = _station(tmp_path / "tin-cay", editor, signed_packages_preapproved=True)
    try:
        [programme_id] = trusting.packages.import_package(OPERATOR, built[STORM]).programme_ids
        view = trusting.approvals.get(ContentKind.PROGRAMME, programme_id)
        approver = f"{KEY_NAME} (gói có chữ ký tin cậy)"
        assert (view.status, view.approved_by) == (ContentStatus.APPROVED, approver)
        check = trusting.approvals.check_air(programme_id)
        assert check.airable and check.blocked_items == () and check.approver == approver
        assert {a.status for a in trusting.approvals.list(ContentKind.ANNOUNCEMENT)} == {ContentStatus.APPROVED}
        history = [(e.action, e.actor) for e in reversed(trusting.audit.entries(entity="programme"))]
        assert history == [("programme.import", "can-bo"), ("programme.approve", f"upstream:{KEY_NAME}")]
        [package] = trusting.audit.entries(entity="programme_package")
        assert package.after is not None and package.after["preapproved_by"] == KEY_NAME
        assert all(report.ok for report in trusting.audit.verify())
    finally:
        trusting.close()
    # A package whose signature could not be checked against a trusted key is never pre-approved.
    unsigned = editor.packages.build(SCHEDULES / STORM, tmp_path / "unsigned.ttpkg").path
    lenient = _station(
        tmp_path / "de-dai", editor, trust=False, allow_unsigned_packages=True, signed_packages_preapproved=True
    )
    try:
        for archive in (unsigned, built[STORM]):
            outcome = lenient.packages.import_package(OPERATOR, archive, choice=ConflictChoice.FORCE)
            for programme_id in outcome.programme_ids:
                assert lenient.approvals.get(ContentKind.PROGRAMME, programme_id).status is ContentStatus.WAITING
    finally:
        lenient.close()


# --- hostile packages ----------------------------------------------------------------------------------------------


def _zip(path: Path, entries: list[tuple[str, bytes]], *, symlinks: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            mode = stat.S_IFLNK | 0o777 if name in symlinks else stat.S_IFREG | 0o644
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


def _signed(
    editor: bootstrap.Container,
    files: dict[str, bytes],
    *,
    version: int = 1,
    package_id: str = "phu-tho/pctt/bao-so-9-2026",
) -> list[tuple[str, bytes]]:
    """Entries of a correctly signed package holding exactly ``files`` (so only their content is hostile)."""
    manifest = Manifest(
        package_id=package_id,
        version=version,
        programme_file="programme.toml",
        files=tuple(ManifestEntry(name, len(data), hashlib.sha256(data).hexdigest()) for name, data in files.items()),
    )
    raw = manifest.to_bytes()
    key = editor.keys.private_key(KEY_NAME)
    doc = SignatureDoc(key.public.fingerprint, key.name, key.sign(raw))
    return [("manifest.json", raw), ("signature.json", doc.to_bytes()), *files.items()]


def _storm_files() -> dict[str, bytes]:
    return {
        "programme.toml": (SCHEDULES / STORM).read_bytes(),
        "audio/canh-bao-bao.mp3": (SCHEDULES / "audio" / "canh-bao-bao.mp3").read_bytes(),
    }


Builder = Callable[[bootstrap.Container, dict[str, Path], Path], Path]
"""Writes a hostile package to its last argument from the editor and the built packages; returns its path."""

HOSTILE: dict[str, str] = {}
BUILDERS: dict[str, Builder] = {}


def hostile(name: str, expected: str) -> Callable[[Builder], Builder]:
    """Register a builder of a hostile package and the error it must get."""

    def register(builder: Builder) -> Builder:
        HOSTILE[name] = expected
        BUILDERS[name] = builder
        return builder

    return register


@hostile("dot-dot", "không an toàn")
def _dot_dot(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    return _zip(out, [*_signed(editor, _storm_files()), ("../../evil.sh", b"#!/bin/sh\nrm -rf ~\n")])


@hostile("absolute", "không an toàn")
def _absolute(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    return _zip(out, [*_signed(editor, _storm_files()), ("/etc/cron.d/evil", b"* * * * * root true\n")])


@hostile("drive-letter", "không an toàn")
def _drive(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    return _zip(out, [*_signed(editor, _storm_files()), ("C:/Windows/evil.bat", b"del *\r\n")])


@hostile("symlink", "liên kết tượng trưng")
def _symlink(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    files = _storm_files()
    entries = _signed(editor, files)
    entries = [(n, b"/etc/passwd" if n == "audio/canh-bao-bao.mp3" else d) for n, d in entries]
    return _zip(out, entries, symlinks=("audio/canh-bao-bao.mp3",))


@hostile("zip-bomb", "bom nén")
def _bomb(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    files = _storm_files()
    files["audio/zeros.wav"] = bytes(40 * 1024 * 1024)
    return _zip(out, _signed(editor, files))


@hostile("too-many-entries", "quá giới hạn")
def _flood(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    entries = _signed(editor, _storm_files())
    entries += [(f"junk/{i}.txt", b"") for i in range(PackageLimits().max_entries)]
    return _zip(out, entries)


@hostile("duplicate-name", "trùng")
def _duplicate(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    entries = _signed(editor, _storm_files())
    with pytest.warns(UserWarning, match="Duplicate name"):
        return _zip(out, [*entries, ("programme.toml", b"format_version = 1\n")])


@hostile("case-duplicate", "trùng")
def _case(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    return _zip(out, [*_signed(editor, _storm_files()), ("Programme.TOML", b"")])


@hostile("non-audio-payload", "không dùng được")
def _payload(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    files = _storm_files()
    files["audio/canh-bao-bao.mp3"] = b"MZ\x90\x00" + bytes(range(256)) * 40  # a Windows program, not audio
    return _zip(out, _signed(editor, files))


@hostile("wrong-encoding", "không phải văn bản UTF-8")
def _encoding(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    files = _storm_files()
    # The same file as an old Vietnamese Windows code page would save it.
    files["programme.toml"] = files["programme.toml"].decode("utf-8").encode("cp1258", errors="replace")
    return _zip(out, _signed(editor, files))


@hostile("utf16", "UTF-16")
def _utf16(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    files = _storm_files()
    files["programme.toml"] = files["programme.toml"].decode("utf-8").encode("utf-16")
    return _zip(out, _signed(editor, files))


@hostile("tampered-audio", "không khớp mã SHA-256")
def _tampered(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    entries = dict(_signed(editor, _storm_files()))
    audio = bytearray(entries["audio/canh-bao-bao.mp3"])
    audio[5000] ^= 0xFF
    entries["audio/canh-bao-bao.mp3"] = bytes(audio)
    return _zip(out, list(entries.items()))


@hostile("tampered-manifest", "KHÔNG KHỚP")
def _tampered_manifest(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    entries = dict(_signed(editor, _storm_files()))
    manifest = json.loads(entries["manifest.json"])
    manifest["version"] = 99
    entries["manifest.json"] = json.dumps(manifest).encode()
    return _zip(out, list(entries.items()))


@hostile("forged-signature", "KHÔNG KHỚP")
def _forged(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    entries = dict(_signed(editor, _storm_files()))
    doc = json.loads(entries["signature.json"])
    doc["signature"] = "A" * 86 + "=="
    entries["signature.json"] = json.dumps(doc).encode()
    return _zip(out, list(entries.items()))


@hostile("extra-file", "không ghi trong manifest")
def _extra(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    return _zip(out, [*_signed(editor, _storm_files()), ("audio/them.mp3", b"ID3")])


@hostile("truncated", "hỏng")
def _truncated(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    data = built[STORM].read_bytes()
    out.write_bytes(data[: len(data) * 2 // 3])
    return out


@hostile("corrupt-entry", "hỏng hoặc bị sửa")
def _corrupt(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    data = bytearray(built[STORM].read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("audio/canh-bao-bao.mp3")
    # Flip a byte inside the stored audio: the CRC no longer matches.
    data[info.header_offset + 30 + len(info.filename) + 2000] ^= 0x55
    out.write_bytes(bytes(data))
    return out


@hostile("not-a-zip", "không phải gói")
def _not_zip(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    out.write_bytes(b"%PDF-1.4\n" + bytes(2000))
    return out


@hostile("version-mismatch", "manifest ghi")
def _mismatch(editor: bootstrap.Container, built: dict[str, Path], out: Path) -> Path:
    return _zip(out, _signed(editor, _storm_files(), version=7))


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_package_is_refused_and_the_station_is_unchanged(
    case: str,
    seeded: bootstrap.Container,
    editor: bootstrap.Container,
    built: dict[str, Path],
    tmp_path: Path,
) -> None:
    package = BUILDERS[case](editor, built, tmp_path / f"{case}.ttpkg")
    before = snapshot(seeded)
    with pytest.raises(PackageError) as caught:
        seeded.packages.import_package(OPERATOR, package, choice=ConflictChoice.FORCE)
    assert HOSTILE[case] in caught.value.message
    assert snapshot(seeded) == before
    assert not (tmp_path / "evil.sh").exists()


def test_limits_on_total_size_are_enforced(
    station: bootstrap.Container, editor: bootstrap.Container, tmp_path: Path
) -> None:
    package = _zip(tmp_path / "big.ttpkg", _signed(editor, _storm_files()))
    strict = PackageService(
        settings=station.settings,
        locations=station.locations,
        store=station.store,
        clock=station.clock,
        library=station.library,
        scheduling=station.scheduling,
        keys=station.keys,
        archive=ZipPackageArchive(),
        accounts=station.accounts,
        approvals=station.approvals,
        limits=PackageLimits(max_total_bytes=10_000),
    )
    before = snapshot(station)
    with pytest.raises(PackageError, match="vượt giới hạn"):
        strict.import_package(OPERATOR, package)
    assert snapshot(station) == before


def test_a_failure_while_writing_rolls_everything_back(
    station: bootstrap.Container, built: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(station)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    # The last step of the transaction fails after audio was staged and rows were written.
    monkeypatch.setattr("truyenthanh.adapters.db.package_records.SqlPackageRecordRepository.add", broken)
    with pytest.raises(OSError, match="No space"):
        station.packages.import_package(OPERATOR, built[WEEK])
    assert snapshot(station) == before


def test_a_folder_without_a_station_is_told_to_init(built: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "chua-co-dai"
    folder.mkdir()
    empty = bootstrap.build(load_settings(folder), clock=FrozenClock())
    with pytest.raises(StorageError, match="truyenthanh init"):
        empty.packages.preview(built[STORM])
    with pytest.raises(StorageError, match="truyenthanh init"):
        empty.keys.trusted()
    empty.close()
    assert list(folder.iterdir()) == []


def test_announcements_read_aloud_at_build_play_the_same_everywhere(
    station: bootstrap.Container, editor: bootstrap.Container, tmp_path: Path
) -> None:
    # The editor's own machine reads with espeak-ng (offline); gTTS is never asked in tests.
    reader = bootstrap.build(
        load_settings(editor.locations.data_dir, tts_engine="espeak"),
        clock=FrozenClock(datetime(2026, 11, 20, tzinfo=UTC)),
    )
    package = reader.packages.build(
        SCHEDULES / STORM, tmp_path / "doc-san.ttpkg", sign_with=KEY_NAME, render_announcements=True
    )
    reader.close()
    assert package.manifest.rendered == (("canh-bao#3", "rendered/canh-bao-3.wav"),)
    with zipfile.ZipFile(package.path) as archive:
        assert "rendered/canh-bao-3.wav" in archive.namelist()
    outcome = station.packages.import_package(OPERATOR, package.path)
    with station.db.session() as session:
        [announcement] = session.exec(select(Announcement))
        assert announcement.engine == "package"
        assert announcement.asset_id is not None
        asset = session.get(AudioAsset, announcement.asset_id)
        assert asset is not None and asset.duration_s > 5
    # The preview counted the real reading, not an estimate.
    [programme] = outcome.preview.programmes
    assert programme.duration_s == pytest.approx(
        2 * 3.0 + 14.5 + asset.duration_s, abs=0.5
    )  # two alert tones, the recorded bulletin, the reading


def test_a_package_zipped_with_pythons_default_member_modes_is_imported(
    station: bootstrap.Container, editor: bootstrap.Container, tmp_path: Path
) -> None:
    # ``writestr(name, data)`` stores mode 0o600 with no file type; ``write(path)`` copies the file's own mode
    # (here executable and world-writable). Both are plain files and must be accepted.
    entries = _signed(editor, _storm_files())
    loose = tmp_path / "programme.toml"
    loose.write_bytes(dict(entries)["programme.toml"])
    loose.chmod(0o777)
    package = tmp_path / "mac-dinh.ttpkg"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            if name == "programme.toml":
                archive.write(loose, name)
            else:
                archive.writestr(name, data)
    modes = {info.filename: info.external_attr >> 16 for info in zipfile.ZipFile(package).infolist()}
    assert modes["manifest.json"] == 0o600 and stat.S_IMODE(modes["programme.toml"]) == 0o777
    outcome = station.packages.import_package(OPERATOR, package, choice=ConflictChoice.FORCE)
    assert outcome.imported and outcome.programme_ids
