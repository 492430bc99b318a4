"""What the package service needs from the outside besides the store and the key ring: the package archive
(a zip, written and unpacked safely) and the digests of its files. ``bootstrap`` hands in the real one
(:class:`truyenthanh.adapters.package_archive.ZipPackageArchive`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from truyenthanh.domain.package import PackageLimits


class PackageArchive(Protocol):
    """Package archives and the files in them. Thread-safe (no state). Errors are
    :class:`~truyenthanh.errors.PackageError` with a Vietnamese message naming the file or entry; ``sha256``
    raises ``OSError`` for a file that cannot be read."""

    def write(self, target: Path, entries: Sequence[tuple[str, bytes | Path]]) -> None:
        """Write an archive holding ``entries`` (name, bytes or a file to copy) in order, whole or not at all;
        the same entries always give the same bytes.

        Raises:
            PackageError: the file cannot be written.
        """
        ...

    def read_entries(self, source: Path) -> dict[str, bytes]:
        """Every entry of a small archive this program wrote, by name (used to re-sign a package).

        Raises:
            PackageError: not a readable archive.
        """
        ...

    def unpack(self, source: Path, destination: Path, limits: PackageLimits) -> Mapping[str, Path]:
        """Unpack an untrusted archive into the empty folder ``destination``, checking every entry against
        ``limits`` first; returns each entry's name and its unpacked file.

        Raises:
            PackageError: the archive is unreadable, tampered with, or breaks a safety rule (names that escape
                the folder, links, zip bombs...); files already written are left for the caller to remove.
        """
        ...

    def sha256(self, path: Path) -> str:
        """The hex SHA-256 of a file (read in blocks: memory stays flat)."""
        ...


__all__ = ["PackageArchive"]
