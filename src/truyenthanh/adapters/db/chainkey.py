"""The station's secret chain key: kept outside the database, beside it in the station folder (``chain.key``,
mode 0600), so that someone who can write the SQLite file still cannot recompute a row's hash after editing it.

The file is JSON: the key (64 hex digits), when it was made, and for each chain the first row ``id`` hashed with
it (rows written before the station had a key keep their plain hashes). Back it up with the station folder:
without it the keyed rows cannot be verified.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from truyenthanh.domain.records import ChainKeying
from truyenthanh.errors import StorageError

KEY_FILE = "chain.key"
"""Name of the key file in the station folder (beside ``station.db``)."""


@dataclass(frozen=True)
class ChainKey:
    """The station's secret key and where each chain starts using it."""

    secret: bytes
    keyed_from: dict[str, int]
    """Chain name to the first row ``id`` hashed with the key."""
    path: Path

    def keying(self, chain: str) -> ChainKeying:
        """How rows of ``chain`` are hashed."""
        return ChainKeying(self.secret, self.keyed_from.get(chain, 1))


SESSION_INFO = "truyenthanh.chain_key"
"""Key of a session's ``info`` holding the :class:`KeyPlace` its database was given (absent: beside the SQLite
file)."""


@dataclass(frozen=True)
class KeyPlace:
    """Where a database's chain key lives when it is not beside an SQLite file (bootstrap decides).

    A database on a server (PostgreSQL) is often written by several processes on several machines (two hub
    processes): each must hold the same key. The key is kept in a file on the machines, not in the database: the
    point of the key is that whoever can write the database (its role, its administrator) still cannot recompute a
    row's hash, and a key in a table would be readable by the very role that writes the rows. So on a shared
    database the key is made once (``init``) and copied to every machine with the rest of the folder; its
    fingerprint is recorded in the audit trail, so a machine missing the file, or holding another key, is refused
    instead of silently starting a chain of its own.
    """

    path: Path
    """The key file."""
    shared: bool
    """The database is on a server several machines may write (record and check the key's fingerprint)."""
    verified: set[str] = field(default_factory=set, compare=False, hash=False)
    """Fingerprints already found in the audit trail by this process (checked once, not on every append)."""


def fingerprint(key: ChainKey) -> str:
    """A short public name of the key (16 hex digits of its SHA-256), safe to record in the audit trail."""
    return hashlib.sha256(key.secret).hexdigest()[:16]


def key_path(db_file: Path) -> Path:
    """Where the key of the station whose database is ``db_file`` lives."""
    return db_file.parent / KEY_FILE


def load(db_file: Path) -> ChainKey | None:
    """The key of the station whose SQLite database is ``db_file``, or ``None`` when it has none yet.

    Raises:
        StorageError: the file exists but cannot be read or is not a key file (named, with the reason).
    """
    return load_file(key_path(db_file))


def load_file(path: Path) -> ChainKey | None:
    """The key in the file ``path``, or ``None`` when there is no such file yet.

    Raises:
        StorageError: the file exists but cannot be read or is not a key file (named, with the reason).
    """
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"Không đọc được khóa bí mật của chuỗi nhật ký {path}: {exc.strerror or exc}.") from exc
    try:
        data = json.loads(raw)
        secret = bytes.fromhex(data["key"])
        keyed_from = {str(chain): int(first) for chain, first in data["keyed_from"].items()}
        if len(secret) < 16:
            raise ValueError("khóa quá ngắn")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StorageError(f"Tệp khóa bí mật {path} bị hỏng ({exc}); hãy chép lại từ bản sao lưu của đài.") from exc
    return ChainKey(secret, keyed_from, path)


def create(db_file: Path, keyed_from: dict[str, int]) -> tuple[ChainKey, bool]:
    """Make the key of the station whose SQLite database is ``db_file`` (see :func:`create_file`)."""
    return create_file(key_path(db_file), keyed_from)


def create_file(path: Path, keyed_from: dict[str, int]) -> tuple[ChainKey, bool]:
    """Make the key file ``path`` (0600) unless another process just did; returns the key and whether it is new.

    The file appears whole or not at all (written aside, then linked in place; linking fails if it exists).

    Raises:
        StorageError: the folder cannot be written.
    """
    document = {
        "key": secrets.token_hex(32),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "keyed_from": keyed_from,
        "note": "Khóa bí mật của chuỗi nhật ký đài truyền thanh: giữ kín, sao lưu cùng thư mục đài.",
    }
    temporary = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
            created = True
        except FileExistsError:
            created = False
    except OSError as exc:
        raise StorageError(
            f"Không tạo được khóa bí mật của chuỗi nhật ký {path}: {exc.strerror or exc}.", field="data_dir"
        ) from exc
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
    key = load_file(path)
    assert key is not None
    return key, created


__all__ = [
    "KEY_FILE",
    "SESSION_INFO",
    "ChainKey",
    "KeyPlace",
    "create",
    "create_file",
    "fingerprint",
    "key_path",
    "load",
    "load_file",
]
