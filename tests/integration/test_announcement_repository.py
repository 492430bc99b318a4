"""The repository methods speech and scheduling read and write through, on a real SQLite file: announcements read
aloud and their renderings recorded, and a programme found by id or title."""

from __future__ import annotations

from datetime import UTC, datetime

from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Announcement
from truyenthanh.domain.content import AnnouncementScript, AssetRecord, ProgrammeRecord
from truyenthanh.domain.enums import AssetSource, Category

RENDERED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _announcement(container: bootstrap.Container, title: str, engine: str | None = None) -> int:
    with container.db.session() as session:
        row = Announcement(
            title=title, text=f"{title}: UBND xã thông báo.", category=Category.LOCAL_AFFAIRS, engine=engine
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _rendering_asset(container: bootstrap.Container) -> int:
    with container.store.transaction() as uow:
        stored, _change = uow.assets.add(
            AssetRecord(
                path="library/rendering.wav",
                sha256="e" * 64,
                duration_s=4.0,
                format="wav",
                channels=1,
                sample_rate=22050,
                title="Tiêm chủng",
                source=AssetSource.TTS,
                engine="espeak",
                voice="vi",
            )
        )
    assert stored.id is not None
    return stored.id


def test_a_rendering_is_recorded_on_its_announcement_with_the_row_before_and_after(
    container: bootstrap.Container,
) -> None:
    ident = _announcement(container, "Tiêm chủng")
    asset_id = _rendering_asset(container)
    with container.store.transaction() as uow:
        assert uow.announcements.script(ident) == AnnouncementScript(
            id=ident,
            title="Tiêm chủng",
            text="Tiêm chủng: UBND xã thông báo.",
            category=Category.LOCAL_AFFAIRS,
            spoken_text="",
            engine=None,
            voice=None,
            asset_id=None,
        )
        change = uow.announcements.record_rendering(
            ident, spoken_text="ủy ban nhân dân xã", engine="espeak", voice="vi", asset_id=asset_id, at=RENDERED
        )
        assert (
            uow.announcements.record_rendering(
                999, spoken_text="x", engine="espeak", voice="vi", asset_id=asset_id, at=RENDERED
            )
            is None
        )
        assert uow.announcements.script(999) is None
    assert change is not None and change.entity == "announcement" and change.entity_id == ident
    assert change.before is not None and change.after is not None
    assert (change.before["engine"], change.before["asset_id"]) == (None, None)
    assert (change.after["engine"], change.after["voice"], change.after["asset_id"]) == ("espeak", "vi", asset_id)
    with container.store.transaction() as uow:
        stored = uow.announcements.script(ident)
        ref = uow.announcements.get(ident)
    assert stored is not None and ref is not None
    assert (stored.spoken_text, stored.engine, stored.voice, stored.asset_id) == (
        "ủy ban nhân dân xã",
        "espeak",
        "vi",
        asset_id,
    )
    assert ref.asset_id == asset_id
    with container.db.session() as session:
        row = session.get(Announcement, ident)
        assert row is not None and row.updated_at == RENDERED


def test_announcements_rendered_by_another_engine_are_listed_in_id_order(container: bootstrap.Container) -> None:
    offline = _announcement(container, "Một", engine="espeak")
    online = _announcement(container, "Hai", engine="gtts")
    never = _announcement(container, "Ba")
    other = _announcement(container, "Bốn", engine="espeak")
    with container.store.transaction() as uow:
        assert uow.announcements.rendered_without("gtts") == [offline, other]
        assert uow.announcements.rendered_without("gtts", [other, online, never, 999]) == [other]
        assert uow.announcements.rendered_without("gtts", []) == []
        assert uow.announcements.rendered_without("espeak") == [online]


def test_a_programme_is_found_by_id_then_by_exact_title(container: bootstrap.Container) -> None:
    with container.store.transaction() as uow:
        first = uow.programmes.add(ProgrammeRecord(title="Bản tin sáng", created_at=RENDERED)).entity_id
        numbered = uow.programmes.add(ProgrammeRecord(title="2026", created_at=RENDERED)).entity_id
    assert isinstance(first, int)
    with container.store.transaction() as uow:
        by_id = uow.programmes.find(first)
        by_digits = uow.programmes.find(str(first))
        by_title = uow.programmes.find("Bản tin sáng")
        by_numeric_title = uow.programmes.find("2026")  # no programme 2026: the title matches
        assert uow.programmes.find("bản tin sáng") is None
        assert uow.programmes.find(999) is None
    assert by_id is not None and by_id == by_digits == by_title
    assert (by_id.id, by_id.title, by_id.created_at) == (first, "Bản tin sáng", RENDERED)
    assert by_numeric_title is not None and by_numeric_title.id == numbered
