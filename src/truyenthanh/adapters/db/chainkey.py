"""The station's secret chain key: kept outside the database, beside it in the station folder (``chain.key``,
mode 0600), so that someone who can write the SQLite file still cannot recompute a row's hash after editing it.

The file is JSON: the key (64 hex digits), when it was made, and for each chain the first row ``id`` hashed with
it (rows written before the station had a key keep their plain hashes). Back it up with the station folder:
without it the keyed rows cannot be verified.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass
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


def key_path(db_file: Path) -> Path:
    """Where the key of the station whose database is ``db_file`` lives."""
    return db_file.parent / KEY_FILE


def load(db_file: Path) -> ChainKey | None:
    """The station's key, or ``None`` when it has none yet.

    Raises:
        StorageError: the file exists but cannot be read or is not a key file (named, with the reason).
    """
    path = key_path(db_file)
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
    """Make the station's key (0600) unless another process just did; returns the key and whether it is new.

    The file appears whole or not at all (written aside, then linked in place; linking fails if it exists).

    Raises:
        StorageError: the station folder cannot be written.
    """
    path = key_path(db_file)
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
    key = load(db_file)
    assert key is not None
    return key, created


__all__ = ["KEY_FILE", "ChainKey", "create", "key_path", "load"]
