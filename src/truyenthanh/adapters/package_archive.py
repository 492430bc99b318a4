"""Programme packages as zip files: the :class:`~truyenthanh.services.packages.ports.PackageArchive` port over
:mod:`truyenthanh.adapters.archive` (safe unpacking) and :mod:`truyenthanh.adapters.files` (digests).

Like every adapter it imports nothing from ``services``: mypy checks the fit where ``bootstrap`` hands a
:class:`ZipPackageArchive` to the package service.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from truyenthanh.adapters import archive, files
from truyenthanh.domain.package import PackageLimits


class ZipPackageArchive:
    """``.ttpkg`` packages as zip archives. Stateless and thread-safe."""

    def write(self, target: Path, entries: Sequence[tuple[str, bytes | Path]]) -> None:
        """See :func:`truyenthanh.adapters.archive.write_archive`."""
        archive.write_archive(target, entries)

    def read_entries(self, source: Path) -> dict[str, bytes]:
        """See :func:`truyenthanh.adapters.archive.read_entries`."""
        return archive.read_entries(source)

    def unpack(self, source: Path, destination: Path, limits: PackageLimits) -> dict[str, Path]:
        """See :func:`truyenthanh.adapters.archive.unpack`; returns the unpacked files by entry name."""
        return archive.unpack(source, destination, limits).files

    def sha256(self, path: Path) -> str:
        """See :func:`truyenthanh.adapters.files.sha256_file`."""
        return files.sha256_file(path)


__all__ = ["ZipPackageArchive"]
