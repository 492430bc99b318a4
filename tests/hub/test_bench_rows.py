"""The hub bench's simulated broadcast logs (``bench/hub.py``) are what a station ships: chained as the station
chains its rows, taken whole by the hub's :func:`accept`, and readable by the reports, so the ingestion figure
measures rows the hub really stores."""

from __future__ import annotations

from datetime import timedelta

from bench.hub import FIRST_AIRING, Chain

from truyenthanh.domain.enums import Outcome
from truyenthanh.domain.hashchain import GENESIS, row_hash
from truyenthanh.domain.upstream import LOG_BATCH_ROWS, LogBatch, accept
from truyenthanh.hub.logs import readable


def test_a_simulated_log_is_one_chain_the_hub_takes_whole_batch_by_batch() -> None:
    chain = Chain(7)
    first, second = chain.next_rows(LOG_BATCH_ROWS), chain.next_rows(100)
    assert [r.row_id for r in first + second] == list(range(1, LOG_BATCH_ROWS + 101))
    assert first[0].prev_hash == GENESIS and second[0].prev_hash == first[-1].row_hash
    assert all(row.row_hash == row_hash(row.prev_hash, row.content) for row in first + second)

    taken, problem = accept(0, GENESIS, LogBatch.decode(LogBatch("xa-7", tuple(first)).encode()).rows)
    assert len(taken) == LOG_BATCH_ROWS and problem is None
    taken, problem = accept(taken[-1].row_id, taken[-1].row_hash, second)
    assert [r.row_id for r in taken] == [r.row_id for r in second] and problem is None
    assert readable(taken, None) == (taken, None)


def test_a_simulated_row_reads_as_a_fifteen_minute_airing() -> None:
    row = Chain(2).next_rows(3)[2].log_row()
    assert row.outcome is Outcome.PLAYED and row.airtime_s == 900.0
    assert row.scheduled_start == FIRST_AIRING + timedelta(hours=6, seconds=2)
    assert row.programme_title == "Bản tin số 3"
