"""This machine's own signing keys as files in one folder (a private PEM and a shareable public key file per
key), and public key files read or rebuilt: the :class:`~truyenthanh.services.keys.KeyRing` port over
:mod:`truyenthanh.adapters.signing`.

Like every adapter it imports nothing from ``services``: it meets the port structurally, and mypy checks the
fit where ``bootstrap`` hands a :class:`FileKeyRing` to the key service.
"""

from __future__ import annotations

from pathlib import Path

from truyenthanh.adapters.files import write_atomic
from truyenthanh.adapters.signing import PrivateKey, PublicKey, read_public_key
from truyenthanh.errors import PackageError

PRIVATE_SUFFIX = ".pem"
"""File name ending of a private key (PKCS#8 PEM, readable by its owner only)."""
PUBLIC_SUFFIX = ".pub.json"
"""File name ending of a public key file (the form sent to stations)."""


class FileKeyRing:
    """Own ed25519 keys kept in ``folder``: ``SLUG.pem`` beside ``SLUG.pub.json``. Not thread-safe for writes
    (one editor, one process); reads are."""

    def __init__(self, folder: Path) -> None:
        """Args:
        folder: where the keys are kept (created, owner-only, with the first key).
        """
        self._folder = folder

    @property
    def folder(self) -> Path:
        """Where the keys are kept."""
        return self._folder

    def create(self, name: str, slug: str) -> PublicKey:
        """A new random key named ``name``, saved as ``slug``; returns its public half.

        Raises:
            PackageError: a key with that slug exists already, or a file cannot be written.
        """
        key = PrivateKey.generate(name)
        key.save(self._folder / f"{slug}{PRIVATE_SUFFIX}")
        public_file = self._folder / f"{slug}{PUBLIC_SUFFIX}"
        try:
            write_atomic(public_file, key.public.to_file_bytes())
        except OSError as exc:
            raise PackageError(f"Không ghi được khóa công khai vào {public_file}: {exc.strerror}.") from exc
        return key.public

    def own(self) -> list[tuple[str, PublicKey]]:
        """``(slug, public key)`` of every key whose private half is here, by slug.

        Raises:
            PackageError: a public key file is damaged (the message names it).
        """
        found = []
        for public_file in sorted(self._folder.glob(f"*{PUBLIC_SUFFIX}")):
            slug = public_file.name.removesuffix(PUBLIC_SUFFIX)
            if (self._folder / f"{slug}{PRIVATE_SUFFIX}").exists():
                found.append((slug, read_public_key(public_file.read_bytes(), str(public_file))))
        return found

    def load(self, name: str, slug: str) -> PrivateKey:
        """The private key saved as ``slug``, for signing (held in memory only while signing).

        Raises:
            PackageError: missing, unreadable, or not an ed25519 private key.
        """
        return PrivateKey.load(name, self._folder / f"{slug}{PRIVATE_SUFFIX}")

    def public_file(self, slug: str) -> bytes:
        """The shareable public key file of the key saved as ``slug``.

        Raises:
            PackageError: the file cannot be read.
        """
        path = self._folder / f"{slug}{PUBLIC_SUFFIX}"
        try:
            return path.read_bytes()
        except OSError as exc:
            raise PackageError(f"Không đọc được khóa công khai {path}: {exc.strerror}.") from exc

    def read_public(self, raw: bytes, source: str) -> PublicKey:
        """Read a public key file (``source`` names it in errors).

        Raises:
            PackageError: not a truyenthanh public key file, or the key or its fingerprint is wrong.
        """
        return read_public_key(raw, source)

    def public_key(self, name: str, raw: bytes) -> PublicKey:
        """A public key from its 32 raw bytes (as a station keeps a trusted key)."""
        return PublicKey(name=name, raw=raw)


__all__ = ["PRIVATE_SUFFIX", "PUBLIC_SUFFIX", "FileKeyRing"]
