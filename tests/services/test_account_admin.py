"""Account administration: lifting a lockout, changing a role, reading one account; each audited, refused for
people who may not manage accounts, and the last active admin kept."""

from __future__ import annotations

import pytest

from tests.fakes import FrozenClock
from tests.people import ADMIN, PASSWORD
from truyenthanh import bootstrap
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Role
from truyenthanh.errors import LoginError, NotFoundError, PermissionDeniedError, WorkflowError

OPERATOR = Actor(username="vanhanh", full_name="Phạm Thị Vận", role=Role.OPERATOR)


@pytest.fixture
def accounts(container: bootstrap.Container) -> bootstrap.Container:
    """An admin and an operator, both with :data:`PASSWORD`."""
    container.accounts.add(None, username=ADMIN.username, full_name=ADMIN.full_name, role=Role.ADMIN, password=PASSWORD)
    container.accounts.add(
        ADMIN, username=OPERATOR.username, full_name=OPERATOR.full_name, role=Role.OPERATOR, password=PASSWORD
    )
    return container


def test_unlock_lifts_a_lockout_at_once_and_is_audited(accounts: bootstrap.Container, clock: FrozenClock) -> None:
    for _ in range(5):
        with pytest.raises(LoginError):
            accounts.accounts.login(OPERATOR.username, "sai-mat-khau")
    locked = accounts.accounts.user(OPERATOR.username)
    assert locked.locked_at(clock.now()) and locked.to_json()["locked_until"] == "2026-11-23T03:05:00+00:00"
    with pytest.raises(PermissionDeniedError, match="không được quản lý tài khoản"):
        accounts.accounts.unlock(OPERATOR, OPERATOR.username)
    info = accounts.accounts.unlock(ADMIN, OPERATOR.username)
    assert info.locked_until is None and not info.locked_at(clock.now())
    assert accounts.accounts.login(OPERATOR.username, PASSWORD).username == OPERATOR.username
    [entry] = accounts.audit.entries(entity="user", entity_id=OPERATOR.username, limit=1)
    assert (entry.action, entry.actor) == ("user.unlock", ADMIN.username)
    assert entry.before is not None and entry.after is not None
    assert (entry.before["locked_until"], entry.after["locked_until"]) == ("2026-11-23T03:05:00.000000+00:00", None)
    with pytest.raises(WorkflowError, match="«vanhanh» không bị tạm khóa"):
        accounts.accounts.unlock(ADMIN, OPERATOR.username)
    with pytest.raises(NotFoundError, match="«khong-co»"):
        accounts.accounts.unlock(ADMIN, "khong-co")


def test_a_role_change_is_audited_and_the_last_admin_keeps_the_role(accounts: bootstrap.Container) -> None:
    info = accounts.accounts.set_role(ADMIN, OPERATOR.username, Role.APPROVER)
    assert info.role is Role.APPROVER and accounts.accounts.login(OPERATOR.username, PASSWORD).role is Role.APPROVER
    [entry] = accounts.audit.entries(entity="user", entity_id=OPERATOR.username, limit=1)
    assert (entry.action, entry.actor) == ("user.role", ADMIN.username)
    assert entry.before is not None and entry.after is not None
    assert (entry.before["role"], entry.after["role"]) == ("operator", "approver")
    with pytest.raises(WorkflowError) as last:
        accounts.accounts.set_role(ADMIN, ADMIN.username, Role.EDITOR)
    assert last.value.field == "role" and "quản trị cuối cùng còn hoạt động" in last.value.message
    with pytest.raises(PermissionDeniedError):
        accounts.accounts.set_role(OPERATOR, OPERATOR.username, Role.ADMIN)
    accounts.accounts.set_role(ADMIN, OPERATOR.username, Role.ADMIN)
    assert accounts.accounts.set_role(ADMIN, ADMIN.username, Role.EDITOR).role is Role.EDITOR  # another admin now
    assert all(report.ok for report in accounts.audit.verify())
