"""The file key ring: own signing keys as real files (real ed25519 keys), as the key service uses them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from truyenthanh.adapters.key_ring import FileKeyRing
from truyenthanh.errors import PackageError
from truyenthanh.services.keys import KeyRing


def test_a_created_key_is_listed_loaded_exported_and_never_overwritten(tmp_path: Path) -> None:
    ring: KeyRing = FileKeyRing(tmp_path / "keys")
    public = ring.create("Đài TT-TH huyện Tân Sơn", "dai-tt-th-huyen-tan-son")
    assert [(slug, key.fingerprint) for slug, key in ring.own()] == [("dai-tt-th-huyen-tan-son", public.fingerprint)]
    private = ring.load("Đài TT-TH huyện Tân Sơn", "dai-tt-th-huyen-tan-son")
    signature = private.sign(b"manifest")
    assert private.public.fingerprint == public.fingerprint
    shared = ring.read_public(ring.public_file("dai-tt-th-huyen-tan-son"), "khoa.pub.json")
    assert shared.name == "Đài TT-TH huyện Tân Sơn"
    assert shared.verify(b"manifest", signature)
    assert not shared.verify(b"manifest sua", signature)
    assert ring.public_key(shared.name, shared.raw).verify(b"manifest", signature)
    assert stat.S_IMODE((tmp_path / "keys" / "dai-tt-th-huyen-tan-son.pem").stat().st_mode) == 0o600
    with pytest.raises(PackageError, match="không ghi đè"):
        ring.create("Đài TT-TH huyện Tân Sơn", "dai-tt-th-huyen-tan-son")
    assert ring.load("x", "dai-tt-th-huyen-tan-son").public.fingerprint == public.fingerprint


def test_a_public_file_without_its_private_half_is_not_an_own_key(tmp_path: Path) -> None:
    ring = FileKeyRing(tmp_path)
    ring.create("Khóa A", "khoa-a")
    (tmp_path / "khoa-a.pem").unlink()
    assert ring.own() == []
    with pytest.raises(PackageError, match="Không có khóa «Khóa A»"):
        ring.load("Khóa A", "khoa-a")


def test_a_damaged_public_key_file_is_refused_with_its_name(tmp_path: Path) -> None:
    ring = FileKeyRing(tmp_path)
    with pytest.raises(PackageError, match=r"lạ\.pub\.json không phải tệp khóa công khai"):
        ring.read_public(b'{"format": "khac"}', "lạ.pub.json")
    with pytest.raises(PackageError, match="Không đọc được khóa công khai"):
        ring.public_file("khong-co")
