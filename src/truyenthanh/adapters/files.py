"""File helpers shared by the adapters: hashing and whole-or-nothing writes."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from pathlib import Path


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def disk_free_mb(folder: Path) -> int:
    """Free space, in MiB, on the disk holding ``folder``."""
    return shutil.disk_usage(folder).free // (1024 * 1024)


def write_atomic(target: Path, data: bytes, *, mode: int = 0o666) -> None:
    """Write ``data`` to ``target`` so that readers see the old file or the whole new one, never a part.

    Args:
        target: the file to replace (its folder is created if missing).
        data: the whole new content.
        mode: the new file's permissions, masked by the umask as :func:`open` does. The temporary file is
            created with them (never chmod-ed afterwards), so a secret written with ``0o600`` is not readable by
            anyone else at any moment, not even while it is being written.

    Raises:
        OSError: the folder or the file cannot be written; ``target`` is then left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    # A fresh name each time, created exclusively: a left-over partial file (and its looser mode) is never reused.
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
