"""Accounts, roles and permissions; password hashing with scrypt.

Pure Python: the account service stores users, this module decides what a role may do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from truyenthanh.domain.enums import LabelledEnum, Role
from truyenthanh.errors import PermissionDeniedError


class Permission(LabelledEnum):
    """Something a person may be allowed to do; the label completes "không được ..."."""

    MANAGE_USERS = "manage_users", "quản lý tài khoản"
    EDIT_CONTENT = "edit_content", "soạn, sửa và gửi duyệt nội dung"
    APPROVE = "approve", "duyệt hoặc từ chối nội dung"
    SEND_EMERGENCY = "send_emergency", "phát bản tin khẩn cấp ngay không qua duyệt"
    OPERATE = "operate", "điều khiển phát sóng (phát, dừng, bỏ qua)"
    EDIT_SCHEDULE = "edit_schedule", "sửa lịch phát"
    IMPORT_PACKAGES = "import_packages", "nhập gói chương trình từ tuyến trên"
    MAKE_REPORTS = "make_reports", "lập báo cáo"
    MANAGE_STATION = "manage_station", "thay đổi quy định và cài đặt của đài"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.EDITOR: frozenset(
        {Permission.EDIT_CONTENT, Permission.EDIT_SCHEDULE, Permission.IMPORT_PACKAGES, Permission.MAKE_REPORTS}
    ),
    Role.APPROVER: frozenset({Permission.APPROVE, Permission.MAKE_REPORTS}),
    # Operators type and record announcements and send them for approval (DOMAIN.md); approving stays apart.
    Role.OPERATOR: frozenset(
        {
            Permission.EDIT_CONTENT,
            Permission.OPERATE,
            Permission.EDIT_SCHEDULE,
            Permission.IMPORT_PACKAGES,
            Permission.MAKE_REPORTS,
        }
    ),
}
"""What each role may do. Sending an emergency is granted separately by :class:`AccessPolicy`."""

DEFAULT_EMERGENCY_ROLES = frozenset({Role.ADMIN, Role.APPROVER, Role.OPERATOR})
"""Roles that may send an emergency bulletin unless the station says otherwise."""


@dataclass(frozen=True)
class Actor:
    """The person a command or screen acts for."""

    username: str
    """Login name; in single-operator mode the operator's name."""
    full_name: str
    """Name recorded as author and approver."""
    role: Role
    single_operator: bool = False
    """Acting in the station's single-operator mode (no login)."""


@dataclass(frozen=True)
class AccessPolicy:
    """The station's choices that change what roles may do."""

    emergency_roles: frozenset[Role] = DEFAULT_EMERGENCY_ROLES
    single_operator: bool = False

    def allows(self, actor: Actor, permission: Permission) -> bool:
        """Whether ``actor`` may do ``permission``."""
        if actor.single_operator:
            return True
        if permission is Permission.SEND_EMERGENCY:
            return actor.role in self.emergency_roles
        return permission in ROLE_PERMISSIONS[actor.role]

    def roles_for(self, permission: Permission) -> list[Role]:
        """The roles that have ``permission`` under this policy, in declaration order."""
        if permission is Permission.SEND_EMERGENCY:
            return [role for role in Role if role in self.emergency_roles]
        return [role for role in Role if permission in ROLE_PERMISSIONS[role]]

    def require(self, actor: Actor, permission: Permission) -> None:
        """Refuse unless ``actor`` may do ``permission``.

        Raises:
            PermissionDeniedError: with a Vietnamese message naming the account, its role, the action and
                the roles that may do it.
        """
        if self.allows(actor, permission):
            return
        roles = ", ".join(role.label for role in self.roles_for(permission)) or "không vai trò nào"
        raise PermissionDeniedError(
            f"Tài khoản «{actor.username}» (vai trò {actor.role.label}) không được {permission.label}. "
            f"Việc này cần vai trò: {roles}."
        )


@dataclass(frozen=True)
class Account:
    """A station account as stored: who it is, its role, its password hash and its login state."""

    username: str
    full_name: str
    role: Role
    password_hash: str
    """A :func:`hash_password` hash; never shown, never audited."""
    created_at: datetime
    disabled: bool = False
    failed_logins: int = 0
    """Wrong passwords in a row since the last successful login (or the last lockout)."""
    locked_until: datetime | None = None
    """Every login is refused until then (aware), after too many wrong passwords in a row."""

    def actor(self) -> Actor:
        """The person this account acts for after logging in."""
        return Actor(username=self.username, full_name=self.full_name, role=self.role)


_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD_LENGTH = 8

# scrypt cost: about 50 ms and 16 MiB per check on a small box; enough to make guessing slow.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def check_username(username: str) -> str:
    """The username if it is well formed.

    Raises:
        ValueError: with a Vietnamese message saying what is allowed.
    """
    if not _USERNAME.fullmatch(username):
        raise ValueError(
            f"Tên đăng nhập «{username}» không hợp lệ: dùng 2 đến 32 ký tự a-z, 0-9, dấu chấm, gạch dưới "
            "hoặc gạch ngang, không dấu, bắt đầu bằng chữ hoặc số."
        )
    return username


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing.

    Raises:
        ValueError: with a Vietnamese message.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str) -> str:
    """A salted scrypt hash, self-describing: ``scrypt$N$r$p$salt$key`` (base64)."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(key)}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=128 * int(r) * int(n) * 2,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
