"""ed25519 keys and signatures (the ``cryptography`` library), and the files keys are kept in.

A private key is a PKCS#8 PEM file readable only by its owner. A public key travels as a small JSON file
(``truyenthanh-public-key``) that a station can trust. A key is named by its fingerprint: the first 20 hex
digits of the SHA-256 of the raw public key, in groups of four.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from truyenthanh.adapters.files import write_atomic
from truyenthanh.errors import PackageError

PUBLIC_KEY_FORMAT = "truyenthanh-public-key"


def fingerprint(public_raw: bytes) -> str:
    """``ab12 cd34 ef56 7890 1234``: how people compare keys over the phone."""
    digest = hashlib.sha256(public_raw).hexdigest()[:20]
    return " ".join(digest[i : i + 4] for i in range(0, 20, 4))


@dataclass(frozen=True)
class PublicKey:
    """A public key with the name its owner gave it."""

    name: str
    raw: bytes
    """The 32 raw bytes."""

    @property
    def fingerprint(self) -> str:
        """See :func:`fingerprint`."""
        return fingerprint(self.raw)

    def to_file_bytes(self) -> bytes:
        """The shareable JSON form."""
        data = {
            "format": PUBLIC_KEY_FORMAT,
            "algorithm": "ed25519",
            "name": self.name,
            "public_key": base64.b64encode(self.raw).decode("ascii"),
            "fingerprint": self.fingerprint,
        }
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


def read_public_key(raw: bytes, source: str) -> PublicKey:
    """Read a public key file.

    Raises:
        PackageError: not a truyenthanh public key file, or the key or its fingerprint is wrong.
    """
    try:
        data = json.loads(raw.decode("utf-8")) if len(raw) < 64 * 1024 else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict) or data.get("format") != PUBLIC_KEY_FORMAT:
        raise PackageError(f"Tệp {source} không phải tệp khóa công khai của truyenthanh.")
    name, encoded = data.get("name"), data.get("public_key")
    if data.get("algorithm") != "ed25519" or not isinstance(name, str) or not isinstance(encoded, str):
        raise PackageError(f"Tệp khóa {source} thiếu tên hoặc khóa ed25519.")
    try:
        key_raw = base64.b64decode(encoded, validate=True)
        Ed25519PublicKey.from_public_bytes(key_raw)
    except (binascii.Error, ValueError) as exc:
        raise PackageError(f"Khóa trong tệp {source} không phải khóa ed25519 hợp lệ.") from exc
    key = PublicKey(name=name.strip(), raw=key_raw)
    claimed = data.get("fingerprint")
    if claimed is not None and claimed != key.fingerprint:
        raise PackageError(f"Dấu vân tay ghi trong tệp {source} không khớp với khóa (tệp bị sửa?).")
    return key


class PrivateKey:
    """A signing key held in memory only while signing."""

    def __init__(self, name: str, key: Ed25519PrivateKey) -> None:
        self.name = name
        self._key = key

    @classmethod
    def generate(cls, name: str) -> PrivateKey:
        """A new random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def public(self) -> PublicKey:
        """The matching public key."""
        raw = self._key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return PublicKey(name=self.name, raw=raw)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte ed25519 signature of ``message``."""
        return self._key.sign(message)

    def save(self, path: Path, *, passphrase: str | None = None) -> None:
        """Write the key as PKCS#8 PEM, readable by its owner only; an existing file is never overwritten.

        Args:
            path: where the key goes.
            passphrase: encrypt the key with it (PKCS#8 with the best encryption ``cryptography`` offers), for
                where file permissions protect nothing (Windows, a shared PC, a backup copy). ``None`` or empty:
                unencrypted.

        Raises:
            PackageError: the file exists or cannot be written.
        """
        if path.exists():
            raise PackageError(f"Đã có khóa tại {path}; không ghi đè.")
        self._write(path, passphrase)

    def rewrite(self, path: Path, *, passphrase: str | None) -> None:
        """Replace the key file at ``path`` with this key under ``passphrase`` (``None`` or empty: none).

        The new file is written whole beside the old one and then renamed over it, so at every moment ``path``
        holds either the old key file or the new one; if anything fails the old file is left as it was.

        Raises:
            PackageError: the new file cannot be written.
        """
        self._write(path, passphrase)

    def _write(self, path: Path, passphrase: str | None) -> None:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(_passphrase_bytes(passphrase))
            if passphrase
            else serialization.NoEncryption()
        )
        pem = self._key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(path.parent, 0o700)
            # Created 0600 before the key goes in, never chmod-ed afterwards.
            write_atomic(path, pem, mode=0o600)
        except OSError as exc:
            raise PackageError(f"Không ghi được khóa vào {path}: {exc.strerror}.") from exc

    @classmethod
    def load(cls, name: str, path: Path, *, passphrase: str | None = None) -> PrivateKey:
        """Read a key written by :meth:`save`.

        Args:
            name: the key's name (for messages).
            path: the key file.
            passphrase: the key's passphrase, if it was saved with one.

        Raises:
            PackageError: missing, unreadable, not an ed25519 private key, protected by a passphrase that was
                not given, or the passphrase is wrong.
        """
        try:
            pem = path.read_bytes()
        except FileNotFoundError as exc:
            raise PackageError(f"Không có khóa «{name}» ({path}). Tạo bằng «truyenthanh keys generate».") from exc
        except OSError as exc:
            raise PackageError(f"Không đọc được khóa {path}: {exc.strerror}.") from exc
        encrypted = is_encrypted(pem)
        if encrypted and not passphrase:
            raise PackageError(
                f"Khóa «{name}» ({path}) được bảo vệ bằng mật khẩu; hãy nhập mật khẩu của khóa.", field="passphrase"
            )
        try:
            key = serialization.load_pem_private_key(
                pem, password=_passphrase_bytes(passphrase) if encrypted and passphrase else None
            )
        except (ValueError, TypeError) as exc:
            if encrypted:
                raise PackageError(f"Sai mật khẩu của khóa «{name}» ({path}).", field="passphrase") from exc
            raise PackageError(f"Không đọc được khóa {path}: tệp hỏng hoặc không phải khóa ed25519.") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise PackageError(f"Khóa {path} không phải khóa ed25519.")
        return cls(name, key)


def _passphrase_bytes(passphrase: str) -> bytes:
    # One passphrase typed with two Vietnamese input methods may come composed («ậ») or decomposed (a + dots):
    # both must open the key.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def read_passphrase_file(path: Path) -> str:
    """The passphrase kept in ``path`` (its first line, without the line ending), for processes that sign
    unattended (the station daemon, the hub) and for scripts.

    Raises:
        PackageError: the file is missing, unreadable, not UTF-8 or empty (the message names it).
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise PackageError(f"Không có tệp mật khẩu khóa {path}.", field="passphrase_file") from exc
    except OSError as exc:
        raise PackageError(
            f"Không đọc được tệp mật khẩu khóa {path}: {exc.strerror}.", field="passphrase_file"
        ) from exc
    except UnicodeDecodeError as exc:
        raise PackageError(f"Tệp mật khẩu khóa {path} không phải văn bản UTF-8.", field="passphrase_file") from exc
    first = text.removeprefix("\ufeff").splitlines()[0] if text.strip() else ""
    if not first:
        raise PackageError(f"Tệp mật khẩu khóa {path} trống.", field="passphrase_file")
    return unicodedata.normalize("NFC", first)


def is_encrypted(pem: bytes) -> bool:
    """Whether a private key file is protected by a passphrase (PKCS#8 ``ENCRYPTED PRIVATE KEY``)."""
    return b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in pem
