"""The one-asset programme and the programme lookup of the scheduling service, written and read through the
unit of work's repositories on a real station, and continued by the approval service."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import FrozenClock
from truyenthanh import bootstrap
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import Category, ContentStatus, ItemKind, Role
from truyenthanh.errors import NotFoundError

AUDIO = Path(__file__).resolve().parents[2] / "schedules" / "audio" / "ban-tin-xa-tan-lap.mp3"
ALONE = Actor(username="Nguyễn Văn Một", full_name="Nguyễn Văn Một", role=Role.ADMIN, single_operator=True)
"""The operator of a single-operator station."""


def _asset(container: bootstrap.Container, actor: Actor) -> int:
    report = container.library.add(actor, [AUDIO], title="Bản tin xã", category=Category.LOCAL_AFFAIRS)
    assert len(report.imported) == 1
    return report.imported[0].id


def _history(container: bootstrap.Container, programme_id: int) -> list[tuple[str, str]]:
    entries = container.audit.entries(entity="programme", entity_id=str(programme_id))
    return [(entry.action, entry.actor) for entry in reversed(entries)]


def test_an_editors_programme_waits_for_an_approver(container: bootstrap.Container, people: dict[str, Actor]) -> None:
    editor = people["bientap"]
    asset_id = _asset(container, editor)
    made = container.scheduling.programme_for_asset(editor, asset_id, title="Tin riêng của xã")
    detail = container.programmes.get(made)
    assert (detail.title, detail.category, detail.status) == (
        "Tin riêng của xã",
        Category.LOCAL_AFFAIRS,
        ContentStatus.WAITING,
    )
    assert [(i.kind, i.title, i.asset_id) for i in detail.items] == [(ItemKind.AUDIO, "Bản tin xã", asset_id)]
    assert _history(container, made) == [("programme.add", "bientap"), ("programme.submit", "bientap")]
    added, submitted = reversed(container.audit.entries(entity="programme", entity_id=str(made)))
    assert added.before is None and added.after is not None
    assert [item["asset_id"] for item in added.after["items"]] == [asset_id]
    assert added.after["created_by"] == "bientap"
    assert submitted.before is not None and submitted.after is not None and "items" not in submitted.after
    assert (submitted.before["status"], submitted.after["status"]) == ("draft", "waiting")
    # The approval service takes it from there, as for any programme sent for approval.
    approved = container.approvals.approve(people["duyet"], ContentKind.PROGRAMME, made)
    assert (approved.status, approved.approved_by) == (ContentStatus.APPROVED, "Nguyễn Văn Duyệt")


def test_a_single_operators_programme_is_approved_at_once(container: bootstrap.Container, clock: FrozenClock) -> None:
    asset_id = _asset(container, ALONE)
    made = container.scheduling.programme_for_asset(ALONE, asset_id)
    view = container.approvals.get(ContentKind.PROGRAMME, made)
    assert (view.title, view.status, view.approved_by) == ("Bản tin xã", ContentStatus.APPROVED, "Nguyễn Văn Một")
    assert view.approved_at == clock.now()
    assert _history(container, made) == [("programme.add", ALONE.username), ("programme.approve", ALONE.username)]


def test_an_unknown_asset_makes_nothing(container: bootstrap.Container, people: dict[str, Actor]) -> None:
    before = container.station.status()["counts"]
    with pytest.raises(NotFoundError, match="Không có tệp âm thanh số 999 trong thư viện"):
        container.scheduling.programme_for_asset(people["bientap"], 999)
    assert container.station.status()["counts"] == before
    assert container.audit.entries(entity="programme") == []


def test_a_programme_is_found_by_id_or_exact_title(container: bootstrap.Container) -> None:
    made = container.scheduling.programme_for_asset(ALONE, _asset(container, ALONE), title="Bản tin chiều")
    found = container.scheduling.find_programme("Bản tin chiều")
    assert found == container.scheduling.find_programme(made) == container.scheduling.find_programme(str(made))
    assert (found.id, found.category, found.language, found.status) == (
        made,
        Category.LOCAL_AFFAIRS,
        "vi",
        ContentStatus.APPROVED,
    )
    with pytest.raises(NotFoundError, match="Không có chương trình «Bản tin»"):
        container.scheduling.find_programme("Bản tin")
