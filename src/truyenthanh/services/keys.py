"""Signing keys: an upstream editor's own keys (files beside the configuration) and the keys a station trusts
(kept in its database, behind the unit of work's trusted key repository)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# Remaining work: own keys are files and cryptography used directly here; a key ring port would end this import.
from truyenthanh.adapters.signing import PrivateKey, PublicKey, read_public_key
from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.keys import TrustedKeyEntry
from truyenthanh.errors import NotFoundError, PackageError, StorageError
from truyenthanh.locations import Locations
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.library import fold
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store


@dataclass(frozen=True)
class KeyInfo:
    """A key as listed to people."""

    name: str
    fingerprint: str
    slug: str = ""
    """File name stem of an own key."""
    added_at: datetime | None = None
    """When a trusted key was added."""
    added_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "fingerprint": self.fingerprint,
            "slug": self.slug or None,
            "added_at": self.added_at.isoformat() if self.added_at else None,
            "added_by": self.added_by,
        }


def slug_of(name: str) -> str:
    """A file-name-safe form of a key name (``Đài huyện Tân Sơn`` → ``dai-huyen-tan-son``)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60] or "khoa"


class KeyService:
    """Creates and reads the editor's keys; keeps the station's list of trusted upstream keys."""

    def __init__(self, *, locations: Locations, store: Store, clock: Clock, accounts: AccountService) -> None:
        self._locations = locations
        self._store = store
        self._clock = clock
        self._accounts = accounts

    @property
    def keys_dir(self) -> Path:
        """Folder of own private keys (next to the configuration file)."""
        return self._locations.config_file.parent / "keys"

    # --- own keys ----------------------------------------------------------------------------------------------

    def generate(self, name: str) -> KeyInfo:
        """Create a new signing key named ``name`` (e.g. the editor's office).

        Raises:
            PackageError: a key with that name exists already, or the file cannot be written.
        """
        cleaned = name.strip()
        if not cleaned:
            raise PackageError("Cần tên cho khóa (ví dụ: «Đài TT-TH huyện Tân Sơn»).")
        slug = slug_of(cleaned)
        key = PrivateKey.generate(cleaned)
        key.save(self.keys_dir / f"{slug}.pem")
        (self.keys_dir / f"{slug}.pub.json").write_bytes(key.public.to_file_bytes())
        return KeyInfo(name=cleaned, fingerprint=key.public.fingerprint, slug=slug)

    def own_keys(self) -> list[KeyInfo]:
        """The signing keys kept on this machine."""
        found = []
        for public_file in sorted(self.keys_dir.glob("*.pub.json")):
            slug = public_file.name.removesuffix(".pub.json")
            if not (self.keys_dir / f"{slug}.pem").exists():
                continue
            public = read_public_key(public_file.read_bytes(), str(public_file))
            found.append(KeyInfo(name=public.name, fingerprint=public.fingerprint, slug=slug))
        return found

    def _own(self, name: str | None) -> KeyInfo:
        keys = self.own_keys()
        if name is None:
            if len(keys) == 1:
                return keys[0]
            if not keys:
                raise NotFoundError("Máy này chưa có khóa ký. Tạo bằng «truyenthanh keys generate TÊN».")
            raise PackageError(
                "Máy này có nhiều khóa; hãy chọn một khóa: " + ", ".join(k.slug for k in keys), field="key"
            )
        wanted = slug_of(name)
        exact = [key for key in keys if wanted in (key.slug, slug_of(key.name))]
        squeezed = wanted.replace("-", "")
        partial = [key for key in keys if squeezed and squeezed in key.slug.replace("-", "")]
        if exact or len(partial) == 1:
            return (exact or partial)[0]
        raise NotFoundError(f"Không có khóa «{name}». Các khóa có: {', '.join(k.slug for k in keys) or '(chưa có)'}.")

    def private_key(self, name: str | None = None) -> PrivateKey:
        """Load an own key for signing (the only one, if ``name`` is not given).

        Raises:
            NotFoundError: no such key.
            PackageError: several keys and no name, or the key file is damaged.
        """
        info = self._own(name)
        return PrivateKey.load(info.name, self.keys_dir / f"{info.slug}.pem")

    def export(self, name: str | None = None) -> bytes:
        """The public key file of an own key, to send to stations."""
        info = self._own(name)
        return (self.keys_dir / f"{info.slug}.pub.json").read_bytes()

    # --- trusted keys --------------------------------------------------------------------------------------------

    def require_station(self) -> None:
        """Refuse station work in a folder that holds no station (an editor's machine, a mistyped path).

        Raises:
            StorageError: the station database does not exist or was never initialised.
        """
        if self._store.schema_revision() is None:
            raise StorageError(
                f"Chưa có đài nào ở {self._locations.data_dir}. Hãy chạy «truyenthanh init» (hoặc chọn đúng thư mục "
                "dữ liệu của đài).",
                field="data_dir",
            )

    def trust(self, actor: Actor, raw: bytes, source: str) -> tuple[KeyInfo, bool]:
        """Add an upstream public key to the station's trusted keys, for ``actor`` (audited).

        Returns:
            The key, and whether it was new (trusting a key twice changes nothing).

        Raises:
            PermissionDeniedError: ``actor`` may not change the station's settings (a trusted key can stand in for
                the station's approver when ``signed_packages_preapproved`` is on).
            PackageError: the file is not a valid public key file.
        """
        self._accounts.require(actor, Permission.MANAGE_STATION)
        key = read_public_key(raw, source)
        self.require_station()
        with self._store.transaction() as uow:
            existing = uow.trusted_keys.find(key.fingerprint)
            if existing is not None:
                return self._info(existing), False
            entry, change = uow.trusted_keys.add(
                fingerprint=key.fingerprint,
                name=key.name,
                public_key=key.raw,
                added_at=self._clock.now(),
                added_by=actor.username,
            )
            uow.audited(actor.username, "key.trust", change)
            return self._info(entry), True

    def untrust(self, actor: Actor, fingerprint: str) -> KeyInfo:
        """Stop trusting a key (packages already imported stay), for ``actor`` (audited).

        Raises:
            PermissionDeniedError: ``actor`` may not change the station's settings.
            NotFoundError: no trusted key has that fingerprint.
        """
        self._accounts.require(actor, Permission.MANAGE_STATION)
        wanted = fingerprint.replace(" ", "").lower()
        self.require_station()
        with self._store.transaction() as uow:
            for entry in uow.trusted_keys.all():
                if entry.fingerprint.replace(" ", "") == wanted:
                    change = uow.trusted_keys.remove(entry.id)
                    assert change is not None
                    uow.audited(actor.username, "key.untrust", change)
                    return self._info(entry)
        raise NotFoundError(f"Không có khóa tin cậy nào có dấu vân tay «{fingerprint}».")

    def trusted(self) -> list[KeyInfo]:
        """The keys this station accepts packages from, oldest first."""
        self.require_station()
        with self._store.transaction() as uow:
            return [self._info(entry) for entry in uow.trusted_keys.all()]

    def trusted_key(self, fingerprint: str) -> PublicKey | None:
        """The trusted public key with this fingerprint, if the station trusts one."""
        with self._store.transaction() as uow:
            entry = uow.trusted_keys.find(fingerprint)
        return None if entry is None else PublicKey(name=entry.name, raw=entry.public_key)

    @staticmethod
    def _info(entry: TrustedKeyEntry) -> KeyInfo:
        return KeyInfo(name=entry.name, fingerprint=entry.fingerprint, added_at=entry.added_at, added_by=entry.added_by)
