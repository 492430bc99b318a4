"""Building programmes: items of every kind, order, totals against the session limit, refusals."""

from __future__ import annotations

from datetime import time

import pytest

from tests.people import ADMIN
from tests.tui.conftest import add_asset, add_programme
from truyenthanh import bootstrap
from truyenthanh.domain.enums import ItemKind
from truyenthanh.errors import NotFoundError, ProgrammeError


def test_build_reorder_and_remove_items(container: bootstrap.Container) -> None:
    service = container.programmes
    jingle = add_asset(container, "Nhạc hiệu", 12.0)
    bulletin = add_asset(container, "Bản tin xã", 300.0)
    programme = service.create(ADMIN, "  Chương trình sáng thứ Hai ")
    assert programme.title == "Chương trình sáng thứ Hai"
    service.add_item(ADMIN, programme.id, ItemKind.JINGLE, asset_id=jingle.id)
    service.add_item(ADMIN, programme.id, ItemKind.AUDIO, asset_id=bulletin.id)
    service.add_item(ADMIN, programme.id, ItemKind.SILENCE, duration_s=2)
    detail = service.add_item(
        ADMIN, programme.id, ItemKind.RELAY, relay_url="https://vov.example/vov1", duration_s=900, title="Thời sự VOV"
    )
    assert [(i.kind, i.title, i.duration_s) for i in detail.items] == [
        (ItemKind.JINGLE, "Nhạc hiệu", 12.0),
        (ItemKind.AUDIO, "Bản tin xã", 300.0),
        (ItemKind.SILENCE, "Khoảng lặng", 2.0),
        (ItemKind.RELAY, "Thời sự VOV", 900.0),
    ]
    assert detail.total_s == 1214.0
    moved = service.move_item(ADMIN, programme.id, 3, -2)
    assert [i.title for i in moved.items] == ["Nhạc hiệu", "Thời sự VOV", "Bản tin xã", "Khoảng lặng"]
    assert service.move_item(ADMIN, programme.id, 0, -1).items == moved.items
    removed = service.remove_item(ADMIN, programme.id, 1)
    assert [(i.position, i.title) for i in removed.items] == [(0, "Nhạc hiệu"), (1, "Bản tin xã"), (2, "Khoảng lặng")]
    [summary] = service.list(search="sáng")
    assert (summary.items, summary.total_s) == (3, 314.0)


def test_total_is_measured_against_the_session_it_airs_in(container: bootstrap.Container) -> None:
    programme_id, _ = add_programme(container, "Bản tin sáng", at=time(5, 30), seconds=3500)
    detail = container.programmes.get(programme_id)
    assert (detail.session_name, detail.limit_s, detail.over_limit) == ("Buổi sáng", 3600.0, False)
    detail = container.programmes.add_item(ADMIN, programme_id, ItemKind.SILENCE, duration_s=120)
    assert detail.over_limit


def test_refusals_say_what_is_missing_and_change_nothing(container: bootstrap.Container) -> None:
    service = container.programmes
    with pytest.raises(ProgrammeError, match="không được để trống"):
        service.create(ADMIN, "   ")
    programme = service.create(ADMIN, "Thử")
    with pytest.raises(ProgrammeError, match="cần chọn một tệp âm thanh"):
        service.add_item(ADMIN, programme.id, ItemKind.AUDIO)
    with pytest.raises(ProgrammeError, match="không hợp lệ"):
        service.add_item(ADMIN, programme.id, ItemKind.RELAY, relay_url="vov1", duration_s=60)
    with pytest.raises(ProgrammeError, match="lớn hơn 0 giây"):
        service.add_item(ADMIN, programme.id, ItemKind.SILENCE, duration_s=0)
    with pytest.raises(NotFoundError):
        service.add_item(ADMIN, programme.id, ItemKind.AUDIO, asset_id=999)
    with pytest.raises(NotFoundError):
        service.move_item(ADMIN, programme.id, 0, 1)
    assert service.get(programme.id).items == ()
