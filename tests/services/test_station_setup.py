"""Setting a station up: its identity in the record and its report and sound settings in its config file, both
audited, in force at once, and printed on the next report."""

from __future__ import annotations

import tomllib

import docx
import pytest

from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Role
from truyenthanh.errors import ConfigError, PermissionDeniedError

OPERATOR = Actor(username="vanhanh", full_name="Trần Văn Hành", role=Role.OPERATOR)


def test_setup_changes_identity_and_settings_audited_and_in_force(container: bootstrap.Container) -> None:
    assert container.station.setup().needs_setup
    changed = container.station.change_setup(
        ADMIN,
        identity={"name": "Đài truyền thanh xã Tân Lập", "commune": "xã Tân Lập", "province": "tinh phu tho"},
        settings={"report_authority": "UBND xã Tân Lập, tỉnh Phú Thọ", "report_number_suffix": "ĐTT",
                  "report_signer_name": "Nguyễn Thị Hoa", "reading_variant": "south", "preview_device": ""},
    )  # fmt: skip
    assert changed == (
        "name", "commune", "province", "report_authority", "report_number_suffix", "report_signer_name",
        "reading_variant",
    )  # fmt: skip
    setup = container.station.setup()
    assert not setup.needs_setup
    assert (setup.profile.commune, setup.profile.province) == ("Tân Lập", "Phú Thọ")
    assert setup.profile.reading_variant.value == "south"
    assert container.settings.report_number_suffix == "ĐTT"  # the settings in force follow
    written = tomllib.loads(setup.config_file.read_text(encoding="utf-8"))
    assert written["report_signer_name"] == "Nguyễn Thị Hoa"
    assert "preview_device" not in written
    actions = [(line.action, line.actor) for line in container.audit.entries(limit=10)]
    assert ("station.profile", "quantri") in actions
    assert ("station.config", "quantri") in actions
    assert container.station.change_setup(ADMIN, settings={"report_number_suffix": "ĐTT"}) == ()


def test_refusals_change_nothing(container: bootstrap.Container) -> None:
    with pytest.raises(PermissionDeniedError):
        container.station.change_setup(OPERATOR, identity={"commune": "Tân Lập"})
    with pytest.raises(ConfigError) as province:
        container.station.change_setup(ADMIN, identity={"commune": "Tân Lập", "province": "Hà Giang"})
    assert province.value.field == "province"
    assert "34 tỉnh, thành phố" in province.value.message
    with pytest.raises(ConfigError) as setting:
        container.station.change_setup(ADMIN, settings={"target_lufs": -20})
    assert setting.value.field == "target_lufs"
    assert container.station.setup().profile.commune == ""
    assert not container.locations.config_file.exists()
    assert container.audit.entries(limit=10) == []


def test_weekly_logbook_after_setup_carries_commune_and_province(container: bootstrap.Container) -> None:
    container.station.change_setup(
        ADMIN,
        identity={"commune": "Tân Lập", "province": "Phú Thọ"},
        settings={"report_authority": "UBND xã Tân Lập, tỉnh Phú Thọ", "report_number_suffix": "ĐTT"},
    )
    path = container.reports.weekly("2026-W48", output=container.locations.data_dir / "so.docx")
    header = "\n".join(cell.text for table in docx.Document(str(path)).tables[:1] for cell in table._cells)
    assert "UBND XÃ TÂN LẬP, TỈNH PHÚ THỌ" in header
    assert "/BC-ĐTT" in header
    assert "Tân Lập, ngày" in header


def test_init_identity_only_fills_what_is_empty(container: bootstrap.Container) -> None:
    assert container.station.first_identity(commune="Tân Lập", province="phú thọ") is True
    assert container.station.first_identity(commune="Tân Lập", province=None) is False
    with pytest.raises(ConfigError) as other:
        container.station.first_identity(commune="Tân Sơn", province=None)
    assert other.value.field == "commune"
    assert [line.actor for line in container.audit.entries(limit=10)] == ["init"]
