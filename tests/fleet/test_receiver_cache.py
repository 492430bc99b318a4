"""The receiver's files on disk: the cache against the real file server (Range resume, sha256 check, a damaged
file fetched again), the outbox and the state folder."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from truyenthanh.adapters.fleet_http import FleetFileServer
from truyenthanh.domain.fleet import Enrolment, FileRef, Kind
from truyenthanh.errors import FleetError
from truyenthanh.receiver.cache import FileCache
from truyenthanh.receiver.outbox import Outbox
from truyenthanh.receiver.state import ReceiverState


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[FleetFileServer, dict[str, Path]]]:
    """The real file server on a free loopback port, serving the files put in the returned dict."""
    files: dict[str, Path] = {}

    def refuse(_code: str, _name: str) -> dict[str, object]:
        raise FleetError("Mã ghi danh không đúng.")

    server = FleetFileServer("127.0.0.1", 0, lookup=files.get, enrol=refuse, now=lambda: datetime.now(UTC))
    server.start()
    yield server, files
    server.close()


def _file(folder: Path, files: dict[str, Path], size: int = 300_000) -> tuple[FileRef, bytes]:
    data = os.urandom(size)
    digest = hashlib.sha256(data).hexdigest()
    path = folder / "library" / digest
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    files[digest] = path
    return FileRef(sha256=digest, size=size, duration_s=1.0, name="Bản tin"), data


def test_a_cut_download_resumes_with_a_range_request(
    served: tuple[FleetFileServer, dict[str, Path]], tmp_path: Path
) -> None:
    server, files = served
    ref, data = _file(tmp_path, files)
    cache = FileCache(tmp_path / "cache", f"http://127.0.0.1:{server.port}")
    (tmp_path / "cache" / ".partial").mkdir(parents=True)
    (tmp_path / "cache" / ".partial" / ref.sha256).write_bytes(data[:100_000])  # the link dropped here
    path = cache.fetch(ref)
    assert path.read_bytes() == data
    assert cache.downloaded_bytes == len(data) - 100_000, "the download started over instead of resuming"
    assert not (tmp_path / "cache" / ".partial" / ref.sha256).exists()


def test_wrong_bytes_are_discarded_and_never_enter_the_cache(
    served: tuple[FleetFileServer, dict[str, Path]], tmp_path: Path
) -> None:
    server, files = served
    ref, data = _file(tmp_path, files)
    cache = FileCache(tmp_path / "cache", f"http://127.0.0.1:{server.port}")
    (tmp_path / "cache" / ".partial").mkdir(parents=True)
    (tmp_path / "cache" / ".partial" / ref.sha256).write_bytes(b"\0" * 100_000)  # a damaged partial
    with pytest.raises(FleetError, match="sai") as caught:
        cache.fetch(ref)
    assert caught.value.field == "sha256"
    assert not cache.path(ref.sha256).exists()
    assert not (tmp_path / "cache" / ".partial" / ref.sha256).exists()
    assert cache.fetch(ref).read_bytes() == data


def test_a_damaged_cached_file_is_noticed_and_fetched_again(
    served: tuple[FleetFileServer, dict[str, Path]], tmp_path: Path
) -> None:
    server, files = served
    ref, data = _file(tmp_path, files)
    cache = FileCache(tmp_path / "cache", f"http://127.0.0.1:{server.port}")
    assert cache.ensure([ref]) == []
    assert cache.valid(ref)
    damaged = bytearray(data)
    damaged[1000] ^= 0xFF
    cache.path(ref.sha256).write_bytes(bytes(damaged))  # same size, new mtime
    assert cache.missing([ref]) == [ref]
    assert cache.ensure([ref]) == []
    assert cache.path(ref.sha256).read_bytes() == data


def test_an_unreachable_station_leaves_nothing_in_the_cache(tmp_path: Path) -> None:
    ref = FileRef(sha256="a" * 64, size=10, duration_s=1.0, name="Bản tin")
    cache = FileCache(tmp_path / "cache", "http://127.0.0.1:9")
    with pytest.raises(FleetError, match="Không tải được tệp «Bản tin»"):
        cache.fetch(ref)
    assert cache.ensure([ref]) == [ref]
    assert not cache.path(ref.sha256).exists()


def test_the_outbox_keeps_order_and_each_key_once_across_a_reopen(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite")
    assert outbox.add("loa-a/1/0", "played", b"one")
    assert outbox.add("ack:c1", "ack", b"two")
    assert not outbox.add("loa-a/1/0", "played", b"again")
    outbox.close()
    outbox = Outbox(tmp_path / "outbox.sqlite")
    assert [(m.key, m.leaf, m.payload) for m in outbox.pending()] == [
        ("loa-a/1/0", "played", b"one"),
        ("ack:c1", "ack", b"two"),
    ]
    outbox.mark_sent("loa-a/1/0")
    assert outbox.count() == 1
    assert outbox.has("loa-a/1/0"), "a sent record is remembered, so it is never written again"
    assert not outbox.add("loa-a/1/0", "played", b"one")
    outbox.close()


def test_the_enrolment_is_private_and_a_damaged_state_file_is_named(tmp_path: Path) -> None:
    state = ReceiverState(tmp_path / "rx")
    with pytest.raises(FleetError, match="chưa được ghi danh"):
        state.require_enrolment()
    enrolment = Enrolment("xa", "loa-a", "thon-a", "127.0.0.1", 8883, "loa-a", "mk", "PEM", "a2V5", "http://x")
    state.save_enrolment(enrolment)
    assert stat.S_IMODE(state.enrolment_path.stat().st_mode) == 0o600
    assert state.require_enrolment() == enrolment
    state.save_seq(Kind.COMMAND, 7)
    assert state.last_seq(Kind.COMMAND) == 7 and state.last_seq(Kind.SCHEDULE) == 0
    state.seq_path.write_text('{"command": 7,', encoding="utf-8")
    with pytest.raises(FleetError, match=str(state.seq_path)) as caught:
        state.last_seq(Kind.COMMAND)
    assert caught.value.field == "state_dir"
    assert sorted(p.name for p in state.folder.iterdir()) == ["cache", "enrolment.json", "seq.json"]
