"""Where a station's files live: config, data, database, media, cache, runtime.

With a data directory (``--data-dir`` or ``TRUYENTHANH_DATA_DIR``) the whole station lives in that one
folder; otherwise the platform's usual folders are used (platformdirs).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "truyenthanh"
CONFIG_FILENAME = "truyenthanh.toml"
DATA_DIR_ENV = "TRUYENTHANH_DATA_DIR"


@dataclass(frozen=True)
class Locations:
    """Resolved paths of one station. Nothing is created until :meth:`ensure` is called."""

    config_file: Path
    """The station's TOML configuration file (may not exist yet)."""
    data_dir: Path
    """Folder holding the database and media."""
    db_path: Path
    """The SQLite database file."""
    media_dir: Path
    """Imported and generated audio, addressed by relative path from the database."""
    cache_dir: Path
    """Rendered speech and decoded audio; safe to delete."""
    runtime_dir: Path
    """Control socket, daemon lock and pid file."""

    def ensure(self) -> None:
        """Create every folder (not files) that does not exist yet."""
        for folder in (
            self.config_file.parent,
            self.data_dir,
            self.media_dir,
            self.cache_dir,
            self.runtime_dir,
        ):
            folder.mkdir(parents=True, exist_ok=True)

    def as_dict(self) -> dict[str, str]:
        """Paths as strings keyed by the names ``truyenthanh locate`` accepts."""
        return {
            "config": str(self.config_file),
            "data": str(self.data_dir),
            "db": str(self.db_path),
            "media": str(self.media_dir),
            "cache": str(self.cache_dir),
            "runtime": str(self.runtime_dir),
        }


def data_dir_from_env() -> Path | None:
    """The station folder named by ``TRUYENTHANH_DATA_DIR``, if set and not empty."""
    raw = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(raw).expanduser() if raw else None


def resolve(data_dir: Path | None = None) -> Locations:
    """Work out a station's paths.

    Args:
        data_dir: a single folder for the whole station; ``None`` uses the platform's folders.
    """
    if data_dir is not None:
        root = data_dir.expanduser().resolve()
        return Locations(
            config_file=root / CONFIG_FILENAME,
            data_dir=root,
            db_path=root / "station.db",
            media_dir=root / "media",
            cache_dir=root / "cache",
            runtime_dir=root / "run",
        )
    data = Path(platformdirs.user_data_dir(APP_NAME))
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (headless boxes, CI) and falls back to /tmp.
        warnings.simplefilter("ignore")
        runtime = platformdirs.user_runtime_dir(APP_NAME)
    return Locations(
        config_file=Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_FILENAME,
        data_dir=data,
        db_path=data / "station.db",
        media_dir=data / "media",
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME)),
        runtime_dir=Path(runtime) if runtime else data / "run",
    )
