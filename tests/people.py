"""The people tests act as: actors as a login would return them (the services only read these fields)."""

from __future__ import annotations

from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Role

ADMIN = Actor(username="quantri", full_name="Lê Văn Quản", role=Role.ADMIN)
"""The station's administrator: may do everything, and is recorded as such in the audit trail."""

PASSWORD = "mật-khẩu-đủ-dài"
"""Every test account's password."""
