"""The one read per hand-over: PlayoutService.plan_airing agrees with the separate reads it replaces."""

from __future__ import annotations

import pytest

from tests.daemon.conftest import approved_programme
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Programme
from truyenthanh.errors import NotFoundError


def test_plan_airing_matches_the_separate_reads(container: bootstrap.Container) -> None:
    approved = approved_programme(container, "Bản tin", 20.0, 10.0)
    with container.db.session() as session:
        draft = Programme(title="Nháp")
        session.add(draft)
        session.flush()
        draft_id = draft.id
    assert draft_id is not None
    for programme_id in (approved, draft_id):
        plan = container.playout.plan_airing(programme_id)
        assert plan.items == container.playout.programme_items(programme_id)
        assert plan.check == container.approvals.check_air(programme_id)
        with container.store.transaction() as uow:
            scheduled = uow.schedules.programme(programme_id)
        assert scheduled is not None
        assert plan.duration_s == scheduled.duration_s
    plan = container.playout.plan_airing(approved)
    assert (plan.title, plan.duration_s, plan.check.airable) == ("Bản tin", 30.0, True)
    assert not container.playout.plan_airing(draft_id).check.airable
    with pytest.raises(NotFoundError, match="Không có chương trình số 999"):
        container.playout.plan_airing(999)
