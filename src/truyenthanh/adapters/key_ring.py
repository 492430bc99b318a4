"""This machine's own signing keys as files in one folder (a private PEM and a shareable public key file per
key), and public key files read or rebuilt: the :class:`~truyenthanh.services.keys.KeyRing` port over
:mod:`truyenthanh.adapters.signing`.

Like every adapter it imports nothing from ``services``: it meets the port structurally, and mypy checks the
fit where ``bootstrap`` hands a :class:`FileKeyRing` to the key service.
"""

from __future__ import annotations

from pathlib import Path

from truyenthanh.adapters.files import write_atomic
from truyenthanh.adapters.signing import PrivateKey, PublicKey, is_encrypted, read_passphrase_file, read_public_key
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

    def create(self, name: str, slug: str, *, passphrase: str | None = None) -> PublicKey:
        """A new random key named ``name``, saved as ``slug`` (encrypted under ``passphrase`` if one is given);
        returns its public half.

        Raises:
            PackageError: a key with that slug exists already, or a file cannot be written.
        """
        key = PrivateKey.generate(name)
        key.save(self._folder / f"{slug}{PRIVATE_SUFFIX}", passphrase=passphrase)
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

    def load(self, name: str, slug: str, *, passphrase: str | None = None) -> PrivateKey:
        """The private key saved as ``slug``, for signing (held in memory only while signing).

        Raises:
            PackageError: missing, unreadable, or not an ed25519 private key; or protected by a passphrase that
                was not given or is wrong (``field="passphrase"``).
        """
        return PrivateKey.load(name, self._folder / f"{slug}{PRIVATE_SUFFIX}", passphrase=passphrase)

    def locked(self, slug: str) -> bool:
        """Whether the private key saved as ``slug`` is protected by a passphrase (``False`` if it is missing
        or unreadable: loading it says why)."""
        try:
            return is_encrypted((self._folder / f"{slug}{PRIVATE_SUFFIX}").read_bytes())
        except OSError:
            return False

    def set_passphrase(self, name: str, slug: str, *, old: str | None, new: str | None) -> None:
        """Save the key kept as ``slug`` again under ``new`` (``None`` or empty: without a passphrase), after
        opening it with ``old``. The file is replaced whole (the old one stays until the new one is written);
        on any error nothing is changed.

        Raises:
            PackageError: the key cannot be opened (``old`` missing or wrong) or the new file cannot be written.
        """
        path = self._folder / f"{slug}{PRIVATE_SUFFIX}"
        PrivateKey.load(name, path, passphrase=old).rewrite(path, passphrase=new)

    def passphrase_file(self, path: Path) -> str:
        """The passphrase kept in the file at ``path`` (its first line).

        Raises:
            PackageError: the file is missing, unreadable or empty (``field="passphrase_file"``).
        """
        return read_passphrase_file(path)

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
