"""Speech in the daemon never waits on the network (frozen clock, FakePlayout, gTTS over intercepted HTTP): an
emergency bulletin is read by the offline voice at once and its repeats use gTTS once it has arrived; an
airing prepared closer to its start than the gTTS timeout is read offline, one further ahead by gTTS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import responses

from tests.daemon.conftest import Station, schedule
from tests.people import ADMIN
from tests.speechfakes import GTTS_URL, FakeGoogle, make_mp3
from truyenthanh import bootstrap
from truyenthanh.adapters.db.models import Announcement, Programme, ProgrammeItem
from truyenthanh.domain.enums import ContentStatus, ItemKind, Outcome, Priority
from truyenthanh.protocol import Problem

BULLETIN = "Bão số 3 sắp đổ bộ, tàu thuyền không ra khơi."


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle(mp3=make_mp3())
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, GTTS_URL, callback=fake)
        yield fake


@pytest.fixture
def background(station: Station) -> list[Callable[[], None]]:
    """The speech service's background work, run when the test says (as if the network answered then)."""
    queued: list[Callable[[], None]] = []
    station.container.speech.spawn = queued.append
    return queued


def announcement_programme(container: bootstrap.Container, title: str, text: str) -> int:
    """An approved programme that reads one approved announcement."""
    with container.db.session() as session:
        announcement = Announcement(title=title, text=text, status=ContentStatus.APPROVED, approved_by="Lê Văn Quản")
        programme = Programme(title=title, status=ContentStatus.APPROVED, approved_by="Lê Văn Quản")
        session.add_all([announcement, programme])
        session.flush()
        assert programme.id is not None and announcement.id is not None
        session.add(ProgrammeItem(programme_id=programme.id, position=0, kind=ItemKind.ANNOUNCEMENT,
                                  announcement_id=announcement.id))  # fmt: skip
        return announcement.id


def engine_of(container: bootstrap.Container, announcement_id: int) -> str | None:
    with container.db.session() as session:
        row = session.get(Announcement, announcement_id)
        assert row is not None
        return row.engine


def test_an_emergency_is_read_offline_at_once_and_repeated_with_gtts(
    station: Station, google: FakeGoogle, background: list[Callable[[], None]]
) -> None:
    station.start()
    permit = station.container.approvals.send_emergency(ADMIN, text=BULLETIN).token
    state = station.daemon.emergency(text=BULLETIN, repeat=2, every_min=120, permit=permit)
    assert google.requests == []  # the bulletin did not wait for gTTS
    assert station.fake.commands[0] == ("preempt", ("emergency:1:1/alert", "emergency:1:1/pad"))
    station.tick(10.0)
    station.tick(10.0)
    first = [r for r in station.log() if r.priority is Priority.EMERGENCY][-1]
    assert (first.engine, first.outcome) == ("espeak", Outcome.PLAYED)
    notices = [e.message for e in station.events() if isinstance(e, Problem)]
    assert any("bản gTTS đang được tạo để dùng cho các lần phát sau" in n for n in notices)
    background.pop()()  # gTTS answers after the first airing
    assert google.requests
    running = station.daemon.status().emergency
    assert running is not None and running.engine == "gtts"
    saved = station.state()["emergency"]  # a restart carries on with the gTTS reading
    assert saved["engine"] == "gtts" and saved["source"] == running.source
    station.clock.set(state.next_at)  # type: ignore[arg-type]
    station.daemon.emergencies.repeat()
    station.tick(10.0)
    station.tick(10.0)
    repeat = [r for r in station.log() if r.priority is Priority.EMERGENCY][-1]
    assert (repeat.engine, repeat.outcome, repeat.reason) == ("gtts", Outcome.PLAYED, "Khẩn cấp, lần 2/2.")


def test_an_airing_due_sooner_than_gtts_can_answer_is_prepared_offline(
    station: Station, google: FakeGoogle, background: list[Callable[[], None]]
) -> None:
    soon = announcement_programme(station.container, "Họp thôn", "Bà con thôn 2 họp lúc 19h30 tại nhà văn hóa.")
    later = announcement_programme(station.container, "Tiêm phòng", "Tiêm phòng dại cho chó mèo ngày 25/11.")
    schedule(station.container, "Họp thôn", station.clock.now() + timedelta(seconds=5))
    schedule(station.container, "Tiêm phòng", station.clock.now() + timedelta(hours=1))
    station.start()
    now = station.clock.now()
    # What the timer's preparation job hands over (the job itself runs on a scheduler thread).
    station.daemon.airings.prepare(station.container.scheduling.occurrences(now, now + timedelta(hours=2)))
    assert engine_of(station.container, soon) == "espeak"  # read offline now: no time for gTTS
    assert engine_of(station.container, later) == "gtts"  # an hour ahead: gTTS had all the time it needs
    assert {text for text, _ in google.requests} and all("họp" not in text for text, _ in google.requests)
    background.pop()()
    assert engine_of(station.container, soon) == "gtts"  # for its next airing


def test_a_scheduled_announcement_read_by_espeak_is_logged_with_its_engine(
    station: Station, google: FakeGoogle, background: list[Callable[[], None]]
) -> None:
    soon = announcement_programme(station.container, "Họp thôn", "Bà con thôn 2 họp lúc 19h30 tại nhà văn hóa.")
    schedule(station.container, "Họp thôn", station.clock.now() + timedelta(seconds=5))
    station.start()
    now = station.clock.now()
    station.daemon.airings.prepare(station.container.scheduling.occurrences(now, now + timedelta(minutes=1)))
    assert engine_of(station.container, soon) == "espeak"
    for _ in range(30):
        station.tick(1.0)
    rows = station.log()
    assert [(r.programme_title, r.outcome, r.engine) for r in rows] == [("Họp thôn", Outcome.PLAYED, "espeak")]
    assert station.container.speech.engines([soon, soon, 999]) == {soon: "espeak"}
