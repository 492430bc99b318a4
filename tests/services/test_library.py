"""The library service with real ffmpeg, a real SQLite file and a real media folder."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from tests.media import corrupt, make_tone, truncate
from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.adapters.db.assets import asset_row
from truyenthanh.adapters.db.models import AudioAsset
from truyenthanh.adapters.db.store import SqlUnitOfWork
from truyenthanh.domain.content import DuplicateAssetError
from truyenthanh.domain.enums import AssetSource, Category
from truyenthanh.errors import LibraryError, NotFoundError
from truyenthanh.services.library import AUDIO_EXTENSIONS


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One good file per supported format plus broken ones, all made by ffmpeg once for this module."""
    folder = tmp_path_factory.mktemp("samples")
    made = {
        ext: make_tone(folder / f"tone{ext}", seconds=3.0, level_dbfs=-23.0)
        for ext in AUDIO_EXTENSIONS
        if ext != ".oga"
    }
    made[".oga"] = folder / "tone.oga"
    made[".oga"].write_bytes(made[".ogg"].read_bytes())
    made["truncated.mp3"] = truncate(made[".mp3"], folder / "cut.mp3")
    made["truncated.wav"] = truncate(made[".wav"], folder / "cut.wav")
    made["truncated.flac"] = truncate(made[".flac"], folder / "cut.flac")
    made["truncated.ogg"] = truncate(made[".ogg"], folder / "cut.ogg")
    made["truncated.m4a"] = truncate(made[".m4a"], folder / "cut.m4a")
    made["corrupt.flac"] = corrupt(made[".flac"], folder / "damaged.flac")
    made["corrupt.mp3"] = corrupt(made[".mp3"], folder / "damaged.mp3")
    empty = folder / "empty.wav"
    empty.write_bytes(b"")
    made["empty"] = empty
    text = folder / "thong_bao.mp3"
    text.write_text("Đây là văn bản, không phải âm thanh.\n", encoding="utf-8")
    made["text"] = text
    picture = folder / "anh.wav"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    made["picture"] = picture
    unsupported = folder / "bai_hat.wma"
    unsupported.write_bytes(made[".wav"].read_bytes())
    made["unsupported"] = unsupported
    return made


def _files_and_rows(container: bootstrap.Container) -> tuple[set[str], set[str]]:
    media = container.locations.media_dir
    on_disk = {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}
    with container.db.session() as session:
        rows = {row.path for row in session.exec(select(AudioAsset))}
    return on_disk, rows


def test_every_supported_format_imports_with_probe_and_loudness(
    container: bootstrap.Container, samples: dict[str, Path]
) -> None:
    files = [samples[ext] for ext in AUDIO_EXTENSIONS]
    seen: list[Path] = []
    report = container.library.add(ADMIN, files, category=Category.MUSIC, progress=seen.append)
    assert seen == files
    assert report.failures == []
    # .ogg and .oga hold the same bytes: the second is a duplicate, not a second copy.
    assert len(report.imported) == len(AUDIO_EXTENSIONS) - 1
    assert [r.path.suffix for r in report.duplicates] == [".oga"]
    for asset in report.imported:
        assert asset.duration_s == pytest.approx(3.0, abs=0.1)
        assert asset.channels == 2
        assert asset.sample_rate == 48000
        assert asset.category is Category.MUSIC
        # A stereo 1 kHz sine at -23 dBFS peak reads -23 LUFS (EBU Tech 3341); lossy codecs wobble a little.
        assert asset.loudness_lufs == pytest.approx(-23.0, abs=0.6)
        assert asset.true_peak_dbtp is not None
        assert -23.5 < asset.true_peak_dbtp < -19.5
        assert (container.library.absolute_path(asset)).is_file()
    codecs = {a.path.rsplit(".", 1)[1]: a.codec for a in report.imported}
    assert codecs == {"mp3": "mp3", "wav": "pcm_s16le", "ogg": "vorbis", "flac": "flac", "m4a": "aac", "aac": "aac"}
    on_disk, rows = _files_and_rows(container)
    assert on_disk == rows


def test_a_vbr_mp3_without_length_header_is_not_taken_for_truncated(
    container: bootstrap.Container, tmp_path: Path
) -> None:
    vbr = tmp_path / "vbr.mp3"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=f=300:d=4", "-f", "lavfi", "-i",
         "anoisesrc=d=4:a=0.3", "-filter_complex", "[0][1]concat=n=2:v=0:a=1", "-c:a", "libmp3lame", "-q:a", "2",
         "-write_xing", "0", str(vbr)],
        check=True,
    )  # fmt: skip
    report = container.library.add(ADMIN, [vbr])
    assert report.failures == []
    # ffprobe guesses the length from the first frames' bitrate; the stored length is what really decodes.
    assert report.imported[0].duration_s == pytest.approx(8.0, abs=0.06)


def test_same_bytes_under_another_name_are_not_copied_twice(
    container: bootstrap.Container, samples: dict[str, Path], tmp_path: Path
) -> None:
    first = container.library.add(ADMIN, [samples[".wav"]], title="Thông báo lịch tiêm chủng")
    copy = tmp_path / "ban_sao.wav"
    copy.write_bytes(samples[".wav"].read_bytes())
    again = container.library.add(ADMIN, [copy])
    assert again.imported == []
    assert again.duplicates[0].duplicate_of == first.imported[0]
    on_disk, rows = _files_and_rows(container)
    assert len(on_disk) == len(rows) == 1


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("truncated.mp3", "cắt cụt"),
        ("truncated.wav", "hỏng"),
        ("truncated.flac", "hỏng"),
        ("truncated.ogg", "cắt cụt"),
        ("truncated.m4a", "không đọc được"),
        ("corrupt.flac", "hỏng"),
        ("corrupt.mp3", "hỏng"),
        ("empty", "rỗng"),
        ("text", "không đọc được"),
        ("picture", "không đọc được"),
        ("unsupported", "không được hỗ trợ"),
    ],
)
def test_a_bad_file_is_named_and_refused_while_the_others_import(
    container: bootstrap.Container, samples: dict[str, Path], sample: str, expected: str
) -> None:
    bad = samples[sample]
    report = container.library.add(ADMIN, [samples[".wav"], bad, samples[".flac"]])
    assert [a.path.rsplit(".", 1)[1] for a in report.imported] == ["wav", "flac"]
    [failure] = report.failures
    assert failure.path == bad
    assert failure.error is not None
    assert str(bad) in failure.error
    assert expected in failure.error
    on_disk, rows = _files_and_rows(container)
    assert on_disk == rows
    assert len(rows) == 2


def test_a_failure_after_copying_leaves_no_file_and_no_row(
    container: bootstrap.Container, samples: dict[str, Path]
) -> None:
    inspected = container.library.inspect(samples[".flac"])
    with pytest.raises(RuntimeError), container.library.staged() as (uow, staging):
        staging.stage(samples[".flac"], inspected.media_path)
        uow.assets.add(inspected.record(title="x", category=Category.OTHER, language="vi", source=AssetSource.IMPORTED))
        raise RuntimeError("mất điện giữa chừng")
    on_disk, rows = _files_and_rows(container)
    assert on_disk == rows == set()
    assert not any(container.locations.media_dir.rglob("*.part"))


def test_a_failed_commit_removes_the_published_file(container: bootstrap.Container, samples: dict[str, Path]) -> None:
    kept = container.library.add(ADMIN, [samples[".wav"]]).imported[0]
    inspected = container.library.inspect(samples[".flac"])
    record = inspected.record(title="x", category=Category.OTHER, language="vi", source=AssetSource.IMPORTED)
    with pytest.raises(IntegrityError), container.library.staged() as (uow, staging):
        staging.stage(samples[".flac"], inspected.media_path)
        # The repository would refuse the clash at once; the row is added unflushed so that the commit itself
        # fails (a unique path violated) after the file was published.
        assert isinstance(uow, SqlUnitOfWork)
        uow.session.add(asset_row(replace(record, path=kept.path)))
    on_disk, rows = _files_and_rows(container)
    assert on_disk == rows == {kept.path}


def test_list_filters_and_searches_without_diacritics(container: bootstrap.Container, samples: dict[str, Path]) -> None:
    library = container.library
    tiem = library.add(
        ADMIN, [samples[".wav"]], title="Thông báo tiêm chủng", category=Category.ADMINISTRATION
    ).imported[0]
    mong = library.add(ADMIN, [samples[".mp3"]], title="Bản tin tiếng Mông", language="hmn").imported[0]
    luat = library.add(ADMIN, [samples[".flac"]], title="Luật Đất đai 2024", category=Category.POLICY_LAW).imported[0]
    assert [a.id for a in library.list()] == [luat.id, mong.id, tiem.id]
    assert library.list(category=Category.POLICY_LAW) == [luat]
    assert library.list(language="hmn") == [mong]
    assert library.list(search="thong bao") == [tiem]
    assert library.list(search="ĐẤT ĐAI") == [luat]
    assert library.list(search="dat dai") == [luat]
    assert library.list(search="bản tin", language="vi") == []


def test_update_changes_only_what_is_given(container: bootstrap.Container, samples: dict[str, Path]) -> None:
    asset = container.library.add(ADMIN, [samples[".wav"]]).imported[0]
    assert asset.title == "tone"
    changed = container.library.update(ADMIN, asset.id, title="  Nhạc hiệu mới  ", language="tay")
    assert (changed.title, changed.language, changed.category) == ("Nhạc hiệu mới", "tay", Category.OTHER)
    again = container.library.update(ADMIN, asset.id, category=Category.MUSIC)
    assert (again.title, again.language, again.category) == ("Nhạc hiệu mới", "tay", Category.MUSIC)
    assert container.library.get(asset.id) == again
    with pytest.raises(LibraryError, match="Tiêu đề"):
        container.library.update(ADMIN, asset.id, title="   ")
    with pytest.raises(LibraryError, match="ngôn ngữ"):
        container.library.update(ADMIN, asset.id, language="Tiếng Việt")
    with pytest.raises(NotFoundError, match="số 999"):
        container.library.update(ADMIN, 999, title="x")
    assert container.library.get(asset.id) == again


def test_title_is_refused_for_several_files(container: bootstrap.Container, samples: dict[str, Path]) -> None:
    with pytest.raises(LibraryError, match="một tệp"):
        container.library.add(ADMIN, [samples[".wav"], samples[".mp3"]], title="Chung")
    assert container.library.list() == []


def test_a_record_refused_as_a_duplicate_leaves_no_staged_file(
    container: bootstrap.Container, samples: dict[str, Path]
) -> None:
    library = container.library
    kept = library.add(ADMIN, [samples[".ogg"]]).imported[0]
    inspected = library.inspect(samples[".ogg"])
    assert (inspected.sha256, inspected.media_path) == (kept.sha256, kept.path)
    elsewhere = "library/ban-sao.ogg"
    record = inspected.record(
        title="Bản sao", category=Category.OTHER, language="vi", source=AssetSource.IMPORTED, path=elsewhere
    )
    with pytest.raises(DuplicateAssetError, match="đã có trong thư viện"), library.staged() as (uow, staging):
        staging.stage(samples[".ogg"], elsewhere)
        uow.assets.add(record)
    on_disk, rows = _files_and_rows(container)
    assert on_disk == rows == {kept.path}
    assert library.find_by_sha(kept.sha256) == kept
