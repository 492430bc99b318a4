"""A receiver's state folder: its enrolment, the last schedule it accepted, its sequence numbers and volume.

Every file is written whole or not at all (a temporary file in the same folder, flushed to disk, then renamed
over the old one), so a box that loses power mid-write keeps the previous copy. Secrets (the enrolment holds
the broker password) are written with mode 0600.

Layout of the folder (``--state-dir``, ``TRUYENTHANH_RECEIVER_DIR``, or the platform's user data folder)::

    enrolment.json   what the station answered to the enrolment code
    schedule.json    the last accepted signed schedule envelope, byte for byte as received
    seq.json         the highest accepted sequence number per kind of message
    volume.json      the output volume in percent
    cache/<sha256>   audio files; cache/.partial/<sha256> downloads in progress
    outbox.sqlite    as-played records and acknowledgements not yet acknowledged by the broker
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

from truyenthanh.domain.fleet import Enrolment, Kind
from truyenthanh.errors import FleetError

STATE_DIR_ENV = "TRUYENTHANH_RECEIVER_DIR"
"""The environment variable naming the state folder."""
DEFAULT_VOLUME = 100


def default_state_dir() -> Path:
    """``TRUYENTHANH_RECEIVER_DIR`` if set, else ``<user data dir>/truyenthanh-receiver``."""
    named = os.environ.get(STATE_DIR_ENV)
    if named:
        return Path(named).expanduser()
    return Path(platformdirs.user_data_dir("truyenthanh-receiver", appauthor=False))


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` whole or not at all, flushed to disk, with permissions ``mode``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class ReceiverState:
    """The files of one receiver's state folder. Not thread-safe: the receiver serialises its writes.

    Args:
        folder: the state folder; created (mode 0700) on the first write.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cache_dir = folder / "cache"
        """Audio files named by their sha256."""
        self.enrolment_path = folder / "enrolment.json"
        self.schedule_path = folder / "schedule.json"
        self.seq_path = folder / "seq.json"
        self.volume_path = folder / "volume.json"
        self.outbox_path = folder / "outbox.sqlite"

    def ensure(self) -> None:
        """Create the folder and its cache folder (private to the box's user)."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.cache_dir.mkdir(exist_ok=True)

    # ------------------------------------------------------------------------------------------ enrolment

    def enrolment(self) -> Enrolment | None:
        """The saved enrolment, ``None`` if the box is not enrolled.

        Raises:
            FleetError: the file exists but cannot be read (naming the file).
        """
        data = self._json(self.enrolment_path)
        if data is None:
            return None
        try:
            return Enrolment.from_dict(data)
        except FleetError as exc:
            raise FleetError(f"Tệp {self.enrolment_path} hỏng: {exc.message}", field="state_dir") from exc

    def require_enrolment(self) -> Enrolment:
        """The saved enrolment.

        Raises:
            FleetError: the box is not enrolled yet, or the file is damaged.
        """
        enrolment = self.enrolment()
        if enrolment is None:
            raise FleetError(
                f"Máy thu chưa được ghi danh (không có {self.enrolment_path}); "
                "hãy chạy «truyenthanh receiver enrol URL MÃ --name TÊN».",
                field="state_dir",
            )
        return enrolment

    def save_enrolment(self, enrolment: Enrolment) -> None:
        """Write the enrolment (mode 0600: it holds the broker password)."""
        self.ensure()
        write_atomic(self.enrolment_path, _dump(enrolment.to_dict()), mode=0o600)

    # ------------------------------------------------------------------------------------ schedule, seq

    def schedule_envelope(self) -> bytes | None:
        """The last accepted schedule envelope as received, or ``None``."""
        try:
            return self.schedule_path.read_bytes()
        except FileNotFoundError:
            return None

    def save_schedule_envelope(self, raw: bytes) -> None:
        """Keep ``raw`` (an accepted, signed schedule envelope) so it can be verified again at start."""
        self.ensure()
        write_atomic(self.schedule_path, raw, mode=0o600)

    def last_seq(self, kind: Kind) -> int:
        """The highest sequence number accepted for ``kind`` (0 if none)."""
        data = self._json(self.seq_path) or {}
        value = data.get(kind.value, 0)
        return value if isinstance(value, int) else 0

    def save_seq(self, kind: Kind, seq: int) -> None:
        """Remember that ``seq`` was accepted for ``kind``."""
        data = self._json(self.seq_path) or {}
        data[kind.value] = seq
        self.ensure()
        write_atomic(self.seq_path, _dump(data), mode=0o600)

    # ------------------------------------------------------------------------------------------- volume

    def volume(self) -> int:
        """The output volume in percent (100 until the station sets one)."""
        data = self._json(self.volume_path) or {}
        value = data.get("volume", DEFAULT_VOLUME)
        return value if isinstance(value, int) and 0 <= value <= 100 else DEFAULT_VOLUME

    def save_volume(self, volume: int) -> None:
        """Persist the output volume (percent)."""
        self.ensure()
        write_atomic(self.volume_path, _dump({"volume": volume}))

    def _json(self, path: Path) -> dict[str, Any] | None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FleetError(f"Tệp {path} hỏng (dòng {getattr(exc, 'lineno', 1)}): {exc}.", field="state_dir") from exc
        if not isinstance(data, dict):
            raise FleetError(f"Tệp {path} hỏng: không phải một đối tượng JSON.", field="state_dir")
        return data


def _dump(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


__all__ = ["STATE_DIR_ENV", "ReceiverState", "default_state_dir", "sync_folder", "write_atomic"]
