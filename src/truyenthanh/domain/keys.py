"""Upstream signing keys a station trusts, as stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TrustedKeyEntry:
    """An upstream editor's public key that the station accepts packages from."""

    id: int
    fingerprint: str
    name: str
    """The name the key's owner gave it (an office, e.g. «Đài TT-TH huyện Tân Sơn»)."""
    public_key: bytes
    """The raw ed25519 public key."""
    added_at: datetime
    """When the station started trusting it (aware)."""
    added_by: str | None = None
    """Username of whoever added it."""


__all__ = ["TrustedKeyEntry"]
