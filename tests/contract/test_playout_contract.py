"""One contract for the speaker: the same assertions run against :class:`tests.fakes.FakePlayout` and the real
engine writing to a file (no sound device), so daemon tests on the fake tell the truth about the engine."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fakes import FakePlayout, FrozenClock
from truyenthanh.adapters.playout import PlayoutEngine, make_output
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.playout import EndReason, ItemEnded, ItemStarted, PlayItem, PlayoutEvent
from truyenthanh.services.ports import Playout

RATE = 48_000


def silence(key: str, seconds: float, **fields: object) -> PlayItem:
    """A silence item (the real engine plays it without any file)."""
    return PlayItem(key=key, title=f"Mục {key}", kind=ItemKind.SILENCE, duration_s=seconds, **fields)  # type: ignore[arg-type]


@dataclass
class Rig:
    """A speaker under test, the events it delivered, and a way to let time pass on its own clock."""

    playout: Playout
    wait: Callable[[Callable[[], bool], float], bool]
    """Let up to that many seconds pass until the condition holds; whether it did."""
    seen: list[PlayoutEvent] = field(default_factory=list)

    def summary(self) -> list[tuple[str, str, str]]:
        """The events as (kind, item key, reason or replaced key)."""
        out = []
        for event in list(self.seen):
            if isinstance(event, ItemStarted):
                out.append(("start", event.item.key, event.replaced.key if event.replaced else ""))
            elif isinstance(event, ItemEnded):
                out.append(("end", event.item.key, event.reason.value))
        return out

    def started(self, key: str, times: int = 1) -> bool:
        """Whether ``key`` started at least ``times`` times."""
        return sum(1 for e in list(self.seen) if isinstance(e, ItemStarted) and e.item.key == key) >= times

    def ended(self, key: str) -> ItemEnded | None:
        """The last end of ``key`` so far."""
        ends = [e for e in list(self.seen) if isinstance(e, ItemEnded) and e.item.key == key]
        return ends[-1] if ends else None


def fake_rig() -> Iterator[Rig]:
    clock = FrozenClock()
    fake = FakePlayout(clock)

    def wait(condition: Callable[[], bool], seconds: float) -> bool:
        deadline = clock.now().timestamp() + seconds
        while not condition():
            if clock.now().timestamp() >= deadline:
                return False
            fake.advance(0.01)
        return True

    rig = Rig(fake, wait)
    fake.subscribe(rig.seen.append)
    fake.open()
    yield rig
    fake.close()


def engine_rig(target: Path) -> Iterator[Rig]:
    engine = PlayoutEngine(make_output(f"file:{target}", device=None, rate=RATE, buffer_ms=20, realtime=True))

    def wait(condition: Callable[[], bool], seconds: float) -> bool:
        deadline = time.monotonic() + seconds + 5.0  # a busy machine starts decoders late
        while not condition():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    rig = Rig(engine, wait)
    engine.subscribe(rig.seen.append)
    engine.open()
    yield rig
    engine.close()


@pytest.fixture(params=["fake", "engine"])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    """The fake, then the real engine writing a WAV file."""
    yield from fake_rig() if request.param == "fake" else engine_rig(tmp_path / "out.wav")


def test_items_follow_each_other_in_order_and_finish_at_their_length(rig: Rig) -> None:
    rig.playout.enqueue([silence("a", 0.3), silence("b", 0.2)])
    assert rig.wait(lambda: rig.ended("b") is not None, 2.0)
    assert rig.summary() == [
        ("start", "a", ""),
        ("end", "a", "finished"),
        ("start", "b", ""),
        ("end", "b", "finished"),
    ]
    ended = rig.ended("a")
    assert ended is not None and ended.position_s == pytest.approx(0.3, abs=0.03)
    first, second = (e for e in rig.seen if isinstance(e, ItemStarted))
    assert (second.at - first.at).total_seconds() == pytest.approx(0.3, abs=0.03)  # gapless
    assert rig.playout.status().playing is None


def test_skip_ends_only_the_named_item_and_the_next_one_follows(rig: Rig) -> None:
    rig.playout.enqueue([silence("a", 30.0), silence("b", 0.2)])
    assert rig.wait(lambda: rig.started("a"), 1.0)
    rig.playout.skip("b")  # not on air: nothing happens
    rig.wait(lambda: False, 0.05)
    assert rig.ended("a") is None
    rig.playout.skip("a")
    assert rig.wait(lambda: rig.ended("b") is not None, 2.0)
    assert rig.summary() == [
        ("start", "a", ""),
        ("end", "a", "skipped"),
        ("start", "b", ""),
        ("end", "b", "finished"),
    ]


def test_preempt_cuts_in_and_the_interrupted_item_resumes_where_it_stopped(rig: Rig) -> None:
    rig.playout.enqueue([silence("a", 30.0)])
    assert rig.wait(lambda: rig.started("a"), 1.0)
    rig.wait(lambda: rig.playout.status().position_s >= 0.2, 1.0)
    rig.playout.preempt([silence("e", 0.2)], resume=True)
    assert rig.wait(lambda: rig.started("a", times=2), 2.0)
    assert rig.summary() == [
        ("start", "a", ""),
        ("end", "a", "preempted"),
        ("start", "e", ""),
        ("end", "e", "finished"),
        ("start", "a", ""),
    ]
    cut = rig.ended("a")
    assert cut is not None and cut.reason is EndReason.PREEMPTED and cut.position_s >= 0.2
    assert rig.playout.status().position_s >= cut.position_s


def test_preempt_without_resume_restarts_the_interrupted_item(rig: Rig) -> None:
    rig.playout.enqueue([silence("a", 30.0)])
    assert rig.wait(lambda: rig.started("a"), 1.0)
    rig.wait(lambda: rig.playout.status().position_s >= 0.2, 1.0)
    rig.playout.preempt([silence("e", 0.1)], resume=False)
    assert rig.wait(lambda: rig.started("a", times=2), 2.0)
    assert rig.playout.status().position_s < 0.2


def test_stop_silences_now_and_clears_the_queue(rig: Rig) -> None:
    rig.playout.enqueue([silence("a", 30.0), silence("b", 0.1)])
    assert rig.wait(lambda: rig.started("a"), 1.0)
    rig.playout.stop()
    assert rig.wait(lambda: rig.ended("a") is not None, 1.0)
    rig.wait(lambda: False, 0.2)
    assert rig.summary() == [("start", "a", ""), ("end", "a", "stopped")]
    status = rig.playout.status()
    assert status.playing is None and status.queued == ()


def test_a_missing_file_is_replaced_by_its_fallback(rig: Rig, tmp_path: Path) -> None:
    missing = PlayItem(key="m", title="Mất tệp", kind=ItemKind.AUDIO, source=tmp_path / "khong-co.wav",
                       fallback=silence("fb", 0.2))  # fmt: skip
    rig.playout.enqueue([missing])
    assert rig.wait(lambda: rig.ended("fb") is not None, 2.0)
    assert rig.summary() == [("end", "m", "failed"), ("start", "fb", "m"), ("end", "fb", "finished")]
    failed = rig.ended("m")
    assert failed is not None and "«Mất tệp»" in failed.detail


def test_position_grows_while_an_item_plays(rig: Rig) -> None:
    rig.playout.enqueue([silence("a", 30.0, start_offset_s=2.0)])
    assert rig.wait(lambda: rig.started("a"), 1.0)
    assert rig.wait(lambda: rig.playout.status().position_s >= 2.2, 1.0)
    status = rig.playout.status()
    assert status.playing is not None and status.playing.key == "a"
    assert 2.2 <= status.position_s < 30.0
