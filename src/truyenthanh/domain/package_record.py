"""The record a station keeps of each package version it imported: what the package held, who signed it, and
which of the station's rows it became (so a newer version can replace them and an older one be refused)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ImportedPackage:
    """One imported version of an upstream programme package."""

    id: int | None
    """Database id; ``None`` before it is stored."""
    package_id: str
    """The package's identity, stable across versions."""
    version: int
    title: str
    upstream: str
    author: str
    signer_fingerprint: str | None
    """The trusted key that signed it; ``None``: imported unsigned (allowed by a setting)."""
    signer_name: str | None
    archive_sha256: str
    manifest_sha256: str
    content: dict[str, Any]
    """JSON-ready: canonical programmes by key (``programmes``), the ids of the rows made for them (``rows``),
    zones, communes and the upstream's id."""
    imported_at: datetime
    """Aware."""
    imported_by: str | None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary as listed to people (without the content)."""
        return {
            "package_id": self.package_id,
            "version": self.version,
            "title": self.title,
            "upstream": self.upstream,
            "author": self.author,
            "signer": self.signer_name,
            "signer_fingerprint": self.signer_fingerprint,
            "imported_at": self.imported_at.isoformat(),
            "imported_by": self.imported_by,
        }


__all__ = ["ImportedPackage"]
