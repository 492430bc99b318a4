"""The hub's messages and the parts of the hub that need no broker: package notices, station health, the hub's
settings in the fleet's places, and choosing stations by name."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.adapters.fleet_http import FleetFileServer
from truyenthanh.adapters.signing import PrivateKey
from truyenthanh.config import load_settings
from truyenthanh.daemon.upstream import fetch_file
from truyenthanh.domain.fleet import COMMAND_MAX_AGE, Envelope, FileRef, Kind, Refusal, judge
from truyenthanh.domain.upstream import PackageNotice, StationHealth
from truyenthanh.errors import FleetError
from truyenthanh.hub import hub_settings
from truyenthanh.hub.desk import HubDesk

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
DIGEST = "0123456789abcdef" * 4


def test_a_package_notice_travels_in_a_signed_envelope_and_is_never_stale() -> None:
    hub, forger = PrivateKey.generate("Sở VHTTDL"), PrivateKey.generate("Kẻ giả mạo")
    notice = PackageNotice("pkg-1", DIGEST, 1234, "tin-tinh.ttpkg")
    envelope = Envelope(Kind.PACKAGE, "tinh-thu", 7, NOW, notice.to_dict()).signed(hub.sign)
    received = Envelope.decode(envelope.encode())
    assert received.kind is Kind.PACKAGE
    assert PackageNotice.from_dict(received.body) == notice
    a_day_later = NOW + timedelta(days=1)
    check = {"station": "tinh-thu", "last_seq": 6, "now": a_day_later, "max_age": None}
    assert judge(received, verify=hub.public.verify, **check) is None  # type: ignore[arg-type]
    assert judge(received, verify=forger.public.verify, **check) is Refusal.FORGED  # type: ignore[arg-type]
    late = {**check, "max_age": COMMAND_MAX_AGE}
    assert judge(received, verify=hub.public.verify, **late) is Refusal.STALE  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"notice_id": "x", "sha256": "ABC", "size": 1}, "sha256", "Mã sha256 không hợp lệ: 'ABC'"),
        ({"notice_id": "x", "sha256": DIGEST, "size": 0}, "size", "Kích thước gói không hợp lệ: 0"),
        ({"sha256": DIGEST, "size": 3}, None, "Thiếu trường «notice_id»"),
    ],
)
def test_a_bad_package_notice_says_which_field(body: dict[str, object], field: str | None, words: str) -> None:
    with pytest.raises(FleetError) as caught:
        PackageNotice.from_dict(body)
    assert words in caught.value.message
    assert caught.value.field == field


def test_station_health_round_trips_and_reads_as_the_hub_stores_it() -> None:
    health = StationHealth(
        receiver="xa-tan-lap",
        zone="xa-tan-lap",
        online=True,
        at=NOW,
        device_ok=False,
        device_error="Mất thiết bị âm thanh",
        next_airing=NOW + timedelta(hours=2),
        next_title="Tin của tỉnh",
        misses_24h=2,
        free_disk_bytes=5_000_000_000,
        refused="08:00 07/12/2026: từ chối tin (tin giả mạo)",
    )
    assert StationHealth.decode(health.encode()) == health
    assert StationHealth.from_dict(health.to_dict()) == health
    with pytest.raises(FleetError, match="Trường «at» không phải là thời điểm"):
        StationHealth.from_dict({**health.to_dict(), "at": "hôm qua"})


def test_the_hub_runs_the_fleet_with_its_own_settings(station_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUYENTHANH_HUB_ID", "tinh-thu")
    monkeypatch.setenv("TRUYENTHANH_HUB_BROKER_PORT", "18883")
    monkeypatch.setenv("TRUYENTHANH_HUB_HTTP_PORT", "18740")
    monkeypatch.setenv("TRUYENTHANH_HUB_PUBLIC_HOST", "tinh.example.vn")
    settings = hub_settings(load_settings(station_dir))
    assert (settings.fleet_station_id, settings.fleet_broker_port, settings.fleet_http_port) == (
        "tinh-thu",
        18883,
        18740,
    )
    assert settings.fleet_public_host == "tinh.example.vn"
    assert settings.fleet_enabled is False
    assert settings.upstream_emergency_allowed is True


def test_sending_to_an_unknown_station_names_the_known_ones_and_sends_nothing(
    container: bootstrap.Container, tmp_path: Path
) -> None:
    desk = HubDesk(container)
    package = tmp_path / "tin.ttpkg"
    package.write_bytes(b"not sent")
    with pytest.raises(FleetError) as caught:
        desk.send_package(ADMIN.username, package)
    assert "Tuyến trên chưa có đài nào" in caught.value.message
    container.fleet.add_zone(ADMIN.username, "Xã Tân Lập")
    container.fleet.add_zone(ADMIN.username, "Xã Minh Đài")
    with pytest.raises(FleetError) as caught:
        desk.send_emergency(ADMIN.username, "Bão", ["Xã Không Có"])
    assert caught.value.message == "Không có đài «Xã Không Có» ở tuyến trên. Các đài có: Xã Minh Đài, Xã Tân Lập."
    assert caught.value.field == "to"
    with pytest.raises(FleetError) as caught:
        desk.send_emergency(ADMIN.username, "   ", ["Xã Tân Lập"])
    assert caught.value.field == "text"
    assert not (container.locations.data_dir / "hub").exists()


def _no_enrolment(code: str, _name: str) -> dict[str, object]:
    raise FleetError(f"Mã đăng ký «{code}» không đúng.", field="code")


def test_a_station_resumes_an_interrupted_download_and_refuses_wrong_bytes(tmp_path: Path) -> None:
    served = tmp_path / "hub" / "goi.ttpkg"
    served.parent.mkdir()
    served.write_bytes(bytes(range(256)) * 1000)
    digest = hashlib.sha256(served.read_bytes()).hexdigest()
    server = FleetFileServer(
        "127.0.0.1", 0, lookup=lambda sha: served if sha == digest else None, enrol=_no_enrolment, now=lambda: NOW
    )
    server.start()
    try:
        url, folder = f"http://127.0.0.1:{server.port}", tmp_path / "xa" / "files"
        folder.mkdir(parents=True)
        (folder / f"{digest}.partial").write_bytes(served.read_bytes()[:100_000])
        ref = FileRef(digest, served.stat().st_size, 0.0, "goi.ttpkg")
        path, received = fetch_file(url, folder, ref, ".ttpkg")
        assert path.read_bytes() == served.read_bytes()
        assert received == 156_000  # only the rest came over the link
        assert fetch_file(url, folder, ref, ".ttpkg") == (path, 0)
        wrong = FileRef(digest, 99, 0.0, "goi.ttpkg")
        path.unlink()
        with pytest.raises(FleetError, match="bị sai") as caught:
            fetch_file(url, folder, wrong, ".ttpkg")
        assert caught.value.field == "sha256"
        assert not (folder / f"{digest}.partial").exists()
        with pytest.raises(FleetError, match="Không tải được tệp «x»") as caught:
            fetch_file(url, folder, FileRef("ab" * 32, 10, 0.0, "x"), "")
        assert caught.value.field == "files_url"
    finally:
        server.close()
