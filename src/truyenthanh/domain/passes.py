"""Passes that let a command put something on air or take it off: a session token issued after a login, or a
single-use emergency permit. Only a digest of each secret token is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from truyenthanh.domain.accounts import Actor
from truyenthanh.domain.enums import Role


class PassKind(StrEnum):
    """What a pass allows."""

    SESSION = "session"
    """Any air command the person's role allows, until it expires."""
    EMERGENCY = "emergency"
    """One emergency break-in, once, within its validity."""


@dataclass(frozen=True)
class AirPass:
    """A stored pass, as the daemon checks it (its token is never kept, only :func:`token_digest`)."""

    kind: PassKind
    username: str
    full_name: str
    role: Role
    issued_at: datetime
    expires_at: datetime
    """Aware; the pass is refused from this instant on."""
    single_operator: bool = False
    """Issued to the station's single operator (no account behind it)."""
    used_at: datetime | None = None
    """When an emergency permit was used (``None``: not yet)."""
    audit_id: int | None = None
    """The audit entry that recorded an emergency permit (``emergency.send``)."""
    announcement_id: int | None = None
    """The announcement created for a text bulletin."""
    programme_id: int | None = None
    """The programme an emergency permit puts on air (play-now at emergency priority)."""

    def actor(self) -> Actor:
        """The person the pass acts for."""
        return Actor(self.username, self.full_name, self.role, single_operator=self.single_operator)


def new_token() -> str:
    """A fresh secret token (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, hexadecimal."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


__all__ = ["AirPass", "PassKind", "new_token", "token_digest"]
