"""Fixtures for the service tests: the station's people, with real accounts."""

from __future__ import annotations

import pytest

from tests.people import PASSWORD
from truyenthanh import bootstrap
from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Role


@pytest.fixture
def people(container: bootstrap.Container) -> dict[str, Actor]:
    """An admin, an editor, an approver and an operator, logged in."""
    accounts = container.accounts
    accounts.add(None, username="quantri", full_name="Lê Văn Quản", role=Role.ADMIN, password=PASSWORD)
    admin = accounts.login("quantri", PASSWORD)
    for username, name, role in (
        ("bientap", "Trần Thị Biên", Role.EDITOR),
        ("duyet", "Nguyễn Văn Duyệt", Role.APPROVER),
        ("vanhanh", "Phạm Thị Hành", Role.OPERATOR),
    ):
        accounts.add(admin, username=username, full_name=name, role=role, password=PASSWORD)
    return {u: accounts.login(u, PASSWORD) for u in ("quantri", "bientap", "duyet", "vanhanh")}
