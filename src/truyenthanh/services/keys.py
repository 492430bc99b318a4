"""Signing keys: an upstream editor's own keys (behind the :class:`KeyRing` port: files beside the
configuration) and the keys a station trusts (kept in its database, behind the unit of work's trusted key
repository)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from truyenthanh.domain.accounts import Actor, Permission
from truyenthanh.domain.keys import TrustedKeyEntry
from truyenthanh.errors import NotFoundError, PackageError, StorageError, TruyenthanhError
from truyenthanh.locations import Locations
from truyenthanh.services.accounts import AccountService
from truyenthanh.services.library import fold
from truyenthanh.services.ports import Clock
from truyenthanh.services.unit_of_work import Store


class VerifyingKey(Protocol):
    """A public ed25519 key with the name its owner gave it. Immutable and thread-safe."""

    @property
    def name(self) -> str:
        """The owner's name for the key (e.g. the editor's office)."""
        ...

    @property
    def fingerprint(self) -> str:
        """``ab12 cd34 ef56 7890 1234``: how people compare keys over the phone."""
        ...

    @property
    def raw(self) -> bytes:
        """The 32 raw bytes (what a station stores when it trusts the key)."""
        ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's signature of ``message`` (never raises)."""
        ...


class SigningKey(Protocol):
    """A private ed25519 key, held in memory only while signing."""

    @property
    def name(self) -> str:
        """The owner's name for the key."""
        ...

    @property
    def public(self) -> VerifyingKey:
        """The matching public key."""
        ...

    def sign(self, message: bytes) -> bytes:
        """The 64-byte signature of ``message``."""
        ...


class KeyRing(Protocol):
    """This machine's own signing keys, each kept under a slug (a file-name-safe form of its name), and public
    key files read or rebuilt. Errors are :class:`~truyenthanh.errors.PackageError` with a Vietnamese message
    naming the file; nothing else is raised."""

    @property
    def folder(self) -> Path:
        """Where the private keys are kept (shown to the editor: never send what is in it)."""
        ...

    def create(self, name: str, slug: str, *, passphrase: str | None = None) -> VerifyingKey:
        """A new random key named ``name``, saved under ``slug`` (encrypted under ``passphrase`` when one is
        given); never overwrites an existing key.

        Raises:
            PackageError: a key with that slug exists already, or it cannot be written.
        """
        ...

    def own(self) -> Sequence[tuple[str, VerifyingKey]]:
        """``(slug, public key)`` of every own key whose private half is here, by slug."""
        ...

    def load(self, name: str, slug: str, *, passphrase: str | None = None) -> SigningKey:
        """The private key saved under ``slug``, named ``name``, opened with ``passphrase`` if it has one.

        Raises:
            PackageError: missing, unreadable or not an ed25519 key; protected by a passphrase that was not
                given or is wrong (``field="passphrase"``).
        """
        ...

    def locked(self, slug: str) -> bool:
        """Whether the private key saved under ``slug`` is protected by a passphrase (never raises)."""
        ...

    def set_passphrase(self, name: str, slug: str, *, old: str | None, new: str | None) -> None:
        """Save the key under ``slug`` again under ``new`` (``None`` or empty: no passphrase) after opening it
        with ``old``; atomic: on any error the key file is left as it was.

        Raises:
            PackageError: ``old`` is missing or wrong, or the new file cannot be written.
        """
        ...

    def passphrase_file(self, path: Path) -> str:
        """The passphrase kept in the file at ``path``.

        Raises:
            PackageError: the file is missing, unreadable or empty (``field="passphrase_file"``).
        """
        ...

    def public_file(self, slug: str) -> bytes:
        """The shareable public key file of the key saved under ``slug``."""
        ...

    def read_public(self, raw: bytes, source: str) -> VerifyingKey:
        """Read a public key file (``source`` names it in errors).

        Raises:
            PackageError: not a truyenthanh public key file, or its key or fingerprint is wrong.
        """
        ...

    def public_key(self, name: str, raw: bytes) -> VerifyingKey:
        """A public key from its raw bytes, as a station keeps a trusted key."""
        ...


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
    locked: bool = False
    """An own key protected by a passphrase."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "fingerprint": self.fingerprint,
            "slug": self.slug or None,
            "added_at": self.added_at.isoformat() if self.added_at else None,
            "added_by": self.added_by,
            "locked": self.locked,
        }


def slug_of(name: str) -> str:
    """A file-name-safe form of a key name (``Đài huyện Tân Sơn`` → ``dai-huyen-tan-son``)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60] or "khoa"


class KeyService:
    """Creates and reads the editor's keys; keeps the station's list of trusted upstream keys."""

    def __init__(
        self,
        *,
        locations: Locations,
        store: Store,
        clock: Clock,
        accounts: AccountService,
        ring: KeyRing,
        passphrase: str | None = None,
        passphrase_file: Path | None = None,
    ) -> None:
        """Args:
        locations: the station's folders (named in errors).
        store: where the station keeps the keys it trusts.
        clock: when a key was trusted.
        accounts: who may change the trusted keys.
        ring: this machine's own signing keys.
        passphrase: the own key's passphrase as given to the process (``TRUYENTHANH_KEY_PASSPHRASE``).
        passphrase_file: the file holding it (setting ``key_passphrase_file``), read at each use, for processes
            that sign unattended.
        """
        self._locations = locations
        self._ring = ring
        self._passphrase = passphrase or None
        self._passphrase_file = passphrase_file
        self._store = store
        self._clock = clock
        self._accounts = accounts

    @property
    def keys_dir(self) -> Path:
        """Folder of own private keys (next to the configuration file)."""
        return self._ring.folder

    # --- own keys ----------------------------------------------------------------------------------------------

    def generate(self, name: str, *, passphrase: str | None = None) -> KeyInfo:
        """Create a new signing key named ``name`` (e.g. the editor's office), protected by ``passphrase`` if
        one is given (``None`` or empty: the file's permissions alone protect it).

        Raises:
            PackageError: a key with that name exists already, or the file cannot be written.
        """
        cleaned = name.strip()
        if not cleaned:
            raise PackageError("Cần tên cho khóa (ví dụ: «Đài TT-TH huyện Tân Sơn»).")
        slug = slug_of(cleaned)
        public = self._ring.create(cleaned, slug, passphrase=passphrase or None)
        return KeyInfo(name=cleaned, fingerprint=public.fingerprint, slug=slug, locked=bool(passphrase))

    def own_keys(self) -> list[KeyInfo]:
        """The signing keys kept on this machine."""
        return [
            KeyInfo(name=public.name, fingerprint=public.fingerprint, slug=slug, locked=self._ring.locked(slug))
            for slug, public in self._ring.own()
        ]

    def own(self, name: str | None = None) -> KeyInfo:
        """The own key called ``name`` (by name, slug or a unique part of it; the only one if ``None``).

        Raises:
            NotFoundError: no such key, or no key at all.
            PackageError: several keys and no name.
        """
        return self._own(name)

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

    def private_key(self, name: str | None = None, *, passphrase: str | None = None) -> SigningKey:
        """Load an own key for signing (the only one, if ``name`` is not given).

        A key under a passphrase is opened with ``passphrase``, else with the one given to the process
        (``TRUYENTHANH_KEY_PASSPHRASE``, then the file named by ``key_passphrase_file``).

        Raises:
            NotFoundError: no such key.
            PackageError: several keys and no name, or the key file is damaged; the key is locked and no
                passphrase was given, or it is wrong (``field="passphrase"``); the passphrase file cannot be read
                (``field="passphrase_file"``).
        """
        info = self._own(name)
        if not self._ring.locked(info.slug):
            return self._ring.load(info.name, info.slug)
        given = passphrase or self.configured_passphrase()
        if not given:
            raise PackageError(self._locked_text(info), field="passphrase")
        return self._ring.load(info.name, info.slug, passphrase=given)

    def locked(self, name: str | None = None) -> bool:
        """Whether the own key (the only one, if ``name`` is not given) is protected by a passphrase.

        Raises:
            NotFoundError: no such key.
            PackageError: several keys and no name.
        """
        return self._ring.locked(self._own(name).slug)

    def needs_passphrase(self, name: str | None = None) -> bool:
        """Whether signing with the own key needs a passphrase that the process was not given (the command line
        asks for it then).

        Raises:
            NotFoundError: no such key.
            PackageError: several keys and no name; the passphrase file is set but cannot be read.
        """
        return self.locked(name) and not self.configured_passphrase()

    def configured_passphrase(self) -> str | None:
        """The passphrase given to this process: ``TRUYENTHANH_KEY_PASSPHRASE``, else the content of the file
        named by ``key_passphrase_file`` (read now), else ``None``.

        Raises:
            PackageError: the file is set but missing, unreadable or empty (``field="passphrase_file"``).
        """
        if self._passphrase:
            return self._passphrase
        if self._passphrase_file is None:
            return None
        return self._ring.passphrase_file(self._passphrase_file)

    def use_passphrase(self, passphrase: str | None) -> None:
        """From now on open the own key with ``passphrase`` (as if given in ``TRUYENTHANH_KEY_PASSPHRASE``):
        what the command line or the TUI does once the person has typed it. ``None`` forgets it."""
        self._passphrase = passphrase or None

    def read_passphrase_file(self, path: Path) -> str:
        """The passphrase kept in the file at ``path`` (its first line), e.g. ``--passphrase-file``.

        Raises:
            PackageError: the file is missing, unreadable or empty (``field="passphrase_file"``).
        """
        return self._ring.passphrase_file(path)

    def signing_problem(self, name: str | None = None) -> str | None:
        """Why a process that cannot ask anyone (the daemon, ``hub run``) cannot sign with the own key, in
        Vietnamese with what to do; ``None`` when it can. Never raises."""
        try:
            self.private_key(name)
        except TruyenthanhError as exc:
            return exc.message
        return None

    def set_passphrase(self, name: str | None = None, *, old: str | None, new: str | None) -> KeyInfo:
        """Protect the own key with ``new``, change its passphrase, or remove it (``new`` ``None`` or empty).

        The key file is rewritten whole and replaces the old one only once written; the public key, and so
        every station's trust in it, stay the same.

        Raises:
            NotFoundError: no such key.
            PackageError: the key is locked and ``old`` is missing or wrong (nothing changed), or the file cannot
                be written (nothing changed).
        """
        info = self._own(name)
        if self._ring.locked(info.slug) and not old:
            raise PackageError(f"Cần mật khẩu hiện tại của khóa «{info.name}» để đổi.", field="passphrase")
        self._ring.set_passphrase(info.name, info.slug, old=old or None, new=new or None)
        return info

    def own_public(self, name: str | None = None) -> VerifyingKey:
        """The public half of an own key, read from its public key file (no passphrase needed).

        Raises:
            NotFoundError: no such key.
            PackageError: several keys and no name, or the public key file is damaged.
        """
        info = self._own(name)
        return self._ring.read_public(self._ring.public_file(info.slug), f"khóa công khai «{info.name}»")

    def _locked_text(self, info: KeyInfo) -> str:
        return (
            f"Khóa ký «{info.name}» được bảo vệ bằng mật khẩu mà chưa có mật khẩu để mở. Ở dòng lệnh: nhập mật khẩu "
            "khi được hỏi, hoặc dùng --passphrase-file TỆP hay biến môi trường TRUYENTHANH_KEY_PASSPHRASE. Với dịch vụ "
            "chạy một mình (dịch vụ phát, tuyến trên): ghi mật khẩu vào một tệp chỉ chủ máy đọc được (chmod 600) "
            f'rồi đặt key_passphrase_file = "ĐƯỜNG_DẪN_TỆP" trong {self._locations.config_file} và khởi động lại.'
        )

    def export(self, name: str | None = None) -> bytes:
        """The public key file of an own key, to send to stations.

        Raises:
            NotFoundError: no such key.
            PackageError: several keys and no name, or the file cannot be read.
        """
        info = self._own(name)
        return self._ring.public_file(info.slug)

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
        key = self._ring.read_public(raw, source)
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

    def trusted_key(self, fingerprint: str) -> VerifyingKey | None:
        """The trusted public key with this fingerprint, if the station trusts one."""
        with self._store.transaction() as uow:
            entry = uow.trusted_keys.find(fingerprint)
        return None if entry is None else self._ring.public_key(entry.name, entry.public_key)

    @staticmethod
    def _info(entry: TrustedKeyEntry) -> KeyInfo:
        return KeyInfo(name=entry.name, fingerprint=entry.fingerprint, added_at=entry.added_at, added_by=entry.added_by)


__all__ = ["KeyInfo", "KeyRing", "KeyService", "SigningKey", "VerifyingKey", "slug_of"]
