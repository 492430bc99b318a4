"""The hub's store of its stations' broadcast logs (issue 19): a station's rows travel as it hashed them, the hub
takes each once and in order, refuses a batch that breaks the chain, and reads them back as the reports do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from truyenthanh import bootstrap
from truyenthanh.domain.broadcast_log import LogEntry
from truyenthanh.domain.enums import Category, Outcome
from truyenthanh.domain.hashchain import GENESIS
from truyenthanh.domain.upstream import LogBatch, LogReceipt, ShippedRow, accept

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _log(container: bootstrap.Container, count: int) -> list[ShippedRow]:
    with container.store.transaction() as uow:
        for n in range(count):
            start = START + timedelta(hours=n)
            uow.broadcast_log.append(
                LogEntry(
                    Outcome.PLAYED,
                    programme_title=f"Bản tin {n}",
                    item_title="Tin xã",
                    category=Category.LOCAL_AFFAIRS,
                    scheduled_start=start,
                    actual_start=start,
                    end=start + timedelta(minutes=15),
                ),
                recorded_at=start + timedelta(minutes=15),
            )
    with container.store.transaction() as uow:
        return uow.broadcast_log.after(0, 100)


def test_rows_travel_once_in_order_and_read_back_as_the_reports_read_them(container: bootstrap.Container) -> None:
    shipped = _log(container, 5)
    assert [row.row_id for row in shipped] == [1, 2, 3, 4, 5]
    assert shipped[0].prev_hash == GENESIS and shipped[1].prev_hash == shipped[0].row_hash
    batch = LogBatch.decode(LogBatch("xa-an-binh", tuple(shipped[:3])).encode())
    assert batch.rows == tuple(shipped[:3])

    with container.store.transaction() as uow:
        taken, problem = accept(*uow.hub_log.head("xa-an-binh"), batch.rows)
        assert problem is None
        uow.hub_log.add("xa-an-binh", taken, received_at=START)
    with container.store.transaction() as uow:  # sent again with two more: only the two are new
        taken, problem = accept(*uow.hub_log.head("xa-an-binh"), shipped)
        assert [row.row_id for row in taken] == [4, 5] and problem is None
        uow.hub_log.add("xa-an-binh", taken, received_at=START)
    with container.store.transaction() as uow:
        assert uow.hub_log.head("xa-an-binh") == (5, shipped[-1].row_hash)
        assert uow.hub_log.counts() == {"xa-an-binh": 5}
        rows = uow.hub_log.rows("xa-an-binh", START + timedelta(hours=1), START + timedelta(hours=3))
    assert [(row.id, row.programme_title, row.airtime_s) for row in rows] == [
        (2, "Bản tin 1", 900.0),
        (3, "Bản tin 2", 900.0),
    ]
    assert rows[0].category is Category.LOCAL_AFFAIRS and rows[0].scheduled_start == START + timedelta(hours=1)


def test_a_gap_or_a_broken_link_is_refused_at_the_row_where_it_shows(container: bootstrap.Container) -> None:
    shipped = _log(container, 4)
    taken, problem = accept(1, shipped[0].row_hash, [shipped[2], shipped[3]])
    assert taken == [] and problem == "thiếu dòng 2–2 của nhật ký (nhận được dòng 3)"
    forged = ShippedRow(3, "f" * 64, shipped[2].row_hash, shipped[2].content)
    taken, problem = accept(0, GENESIS, [shipped[0], shipped[1], forged, shipped[3]])
    assert [row.row_id for row in taken] == [1, 2]
    assert problem == "dòng 3 không nối tiếp dòng 2: chuỗi băm bị đứt"


def test_a_receipt_reads_back_and_an_unreadable_row_names_its_field() -> None:
    receipt = LogReceipt("xa-an-binh", 7, "a" * 64, START, problem="thiếu dòng 5–6 của nhật ký (nhận được dòng 7)")
    assert LogReceipt.decode(receipt.encode()) == receipt
    row = ShippedRow(9, GENESIS, "b" * 64, {"outcome": "không có", "recorded_at": "2026-03-02T01:00:00.000000+00:00"})
    with pytest.raises(Exception, match="Dòng 9 của nhật ký không đọc được") as caught:
        row.log_row()
    assert getattr(caught.value, "field", None) == "content"
