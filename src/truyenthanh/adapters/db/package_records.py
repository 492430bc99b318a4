"""Imported packages in the SQLite database: the mapping between an
:class:`~truyenthanh.domain.package_record.ImportedPackage` and its
:class:`~truyenthanh.adapters.db.models.ProgrammePackage` row (see
:class:`truyenthanh.services.unit_of_work.PackageRecordRepository` for the contract)."""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel import Session, col, select

from truyenthanh.adapters.db.models import ProgrammePackage
from truyenthanh.domain.package_record import ImportedPackage


def record_of(row: ProgrammePackage) -> ImportedPackage:
    """A stored import record in domain form."""
    return ImportedPackage(
        id=row.id,
        package_id=row.package_id,
        version=row.version,
        title=row.title,
        upstream=row.upstream,
        author=row.author,
        signer_fingerprint=row.signer_fingerprint,
        signer_name=row.signer_name,
        archive_sha256=row.archive_sha256,
        manifest_sha256=row.manifest_sha256,
        content=row.content,
        imported_at=row.imported_at,
        imported_by=row.imported_by,
    )


class SqlPackageRecordRepository:
    """Import records inside one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def versions(self, package_id: str) -> list[ImportedPackage]:
        """Every imported version of one package, oldest version first."""
        query = (
            select(ProgrammePackage)
            .where(ProgrammePackage.package_id == package_id)
            .order_by(col(ProgrammePackage.version))
        )
        return [record_of(row) for row in self._session.exec(query)]

    def all(self) -> list[ImportedPackage]:
        """Every import record, newest first."""
        return [
            record_of(row)
            for row in self._session.exec(select(ProgrammePackage).order_by(col(ProgrammePackage.id).desc()))
        ]

    def add(self, package: ImportedPackage) -> ImportedPackage:
        """Store an import record (flushes); returns it with its id."""
        values = asdict(package)
        del values["id"]
        row = ProgrammePackage(**values)
        self._session.add(row)
        self._session.flush()
        return record_of(row)


__all__ = ["SqlPackageRecordRepository", "record_of"]
