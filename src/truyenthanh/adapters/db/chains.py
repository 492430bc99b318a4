"""Appending to and checking the two hash chains in the database: the broadcast log and the audit trail.

The pure chain logic (what is hashed, how a whole chain is judged) is in :mod:`truyenthanh.domain.records`; this
module reads and writes the rows.

Append inside the caller's session so the new row commits (or rolls back) with the change it records.
The row is inserted first, which takes SQLite's write lock; only then is the previous row read, so two
processes appending at once cannot both link to the same predecessor. PostgreSQL has no such database-wide
lock: there the chain's own advisory lock (held to the end of the transaction) is taken before the insert, so
ids are drawn and rows linked one appender at a time.

Rows are hashed with the station's secret chain key (:mod:`truyenthanh.adapters.db.chainkey`); a station
without one gets one on its first append, and the audit trail records from which rows each chain is keyed.
A row that cannot be read back (a value no program version writes) is a named problem of the check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Enum as SqlEnum
from sqlalchemy import Select, String, func, text, type_coerce
from sqlalchemy.exc import StatementError
from sqlmodel import Session, SQLModel, col, select

from truyenthanh.adapters.db import chainkey
from truyenthanh.adapters.db.models import AuditEntry, BroadcastLog, ChainAnchor, ChainKeyRecord
from truyenthanh.adapters.db.types import UTCDateTime
from truyenthanh.domain import records
from truyenthanh.domain.hashchain import GENESIS, fingerprint, row_hash
from truyenthanh.domain.records import ChainProblem, ChainReport
from truyenthanh.errors import StorageError

Row = TypeVar("Row", BroadcastLog, AuditEntry)

_CONTENT: dict[type[SQLModel], Callable[[Any], dict[str, Any]]] = {
    BroadcastLog: records.broadcast_content,
    AuditEntry: records.audit_content,
}
_CHAIN_OF: dict[type[SQLModel], str] = {BroadcastLog: records.BROADCAST_CHAIN, AuditEntry: records.AUDIT_CHAIN}
_VERIFY_BATCH = 2000
UNREADABLE = (LookupError, ValueError, TypeError, StatementError)
"""What SQLAlchemy raises for a stored value it cannot turn back into ours (an unknown enum name, a broken date)."""
KEY_ACTION = "chain.key"
"""Audit action recording that the station's chains are keyed from given rows on."""
KEY_ACTOR = "truyenthanh"
"""Audit actor of :data:`KEY_ACTION` (the program itself)."""


def db_file(session: Session) -> Path | None:
    """The SQLite file behind ``session`` (``None`` for an in-memory database: it has no folder for a key)."""
    bind = session.get_bind()
    url = bind.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def now() -> datetime:
    """The current instant (UTC) for the records this module writes itself."""
    return datetime.now(UTC)


def key_place(session: Session) -> chainkey.KeyPlace | None:
    """Where ``session``'s database keeps its chain key: the place bootstrap gave the database (see
    :class:`~truyenthanh.adapters.db.chainkey.KeyPlace`), else beside its SQLite file; ``None`` for an in-memory or
    other database given no place (its chains are hashed without a key)."""
    given = session.info.get(chainkey.SESSION_INFO)
    if isinstance(given, chainkey.KeyPlace):
        return given
    path = db_file(session)
    return None if path is None else chainkey.KeyPlace(chainkey.key_path(path), shared=False)


def _load(session: Session) -> chainkey.ChainKey | None:
    place = key_place(session)
    return chainkey.load_file(place.path) if place is not None else None


def _recorded_keys(session: Session) -> list[str]:
    """The fingerprints of the keys this shared database's chains were keyed with (oldest first)."""
    query = select(ChainKeyRecord.fingerprint).order_by(col(ChainKeyRecord.created_at))
    return list(session.exec(query))


def _checked_shared(session: Session, place: chainkey.KeyPlace, key: chainkey.ChainKey | None) -> None:
    """On a shared database, refuse a machine that lacks the key or holds another one than the audit trail names.

    Raises:
        StorageError: the key file is missing or is not the database's key (naming the file).
    """
    if key is not None and chainkey.fingerprint(key) in place.verified:
        return
    recorded = _recorded_keys(session)
    if key is None and recorded:
        raise StorageError(
            f"Thiếu khóa bí mật của chuỗi nhật ký {place.path}: cơ sở dữ liệu dùng chung đã được ghi bằng khóa có dấu "
            f"vân tay {recorded[-1]}. Hãy chép tệp này từ máy đã tạo nó rồi chạy lại.",
            field="chain_key_file",
        )
    if key is not None and recorded and chainkey.fingerprint(key) not in recorded:
        raise StorageError(
            f"Khóa bí mật {place.path} (dấu vân tay {chainkey.fingerprint(key)}) không phải khóa của cơ sở dữ liệu "
            f"dùng chung (dấu vân tay {recorded[-1]}). Hãy chép đúng tệp từ máy đã tạo nó.",
            field="chain_key_file",
        )
    if key is not None and recorded:
        place.verified.add(chainkey.fingerprint(key))


def station_key(session: Session) -> chainkey.ChainKey | None:
    """The station's chain key; made on first use (an existing chain is keyed from its next row on, and the
    audit trail says so; on a shared database its fingerprint is recorded in ``chain_key_record``). ``None`` for an
    in-memory database.

    Raises:
        StorageError: on a shared database, the key file is missing or another key than the one recorded.
    """
    place = key_place(session)
    if place is None:
        return None
    key = chainkey.load_file(place.path)
    if place.shared:
        _checked_shared(session, place, key)
    if key is not None:
        return key
    first = {
        _CHAIN_OF[model]: int(session.exec(select(func.max(col(model.id)))).one() or 0) + 1
        for model in (BroadcastLog, AuditEntry)
    }
    key, created = chainkey.create_file(place.path, first)
    if created and place.shared:
        session.add(ChainKeyRecord(fingerprint=chainkey.fingerprint(key), key_file=str(key.path), created_at=now()))
        session.flush()
        place.verified.add(chainkey.fingerprint(key))
    if created and any(start > 1 for start in first.values()):
        append(
            session,
            AuditEntry(
                at=now(),
                actor=KEY_ACTOR,
                action=KEY_ACTION,
                entity="chain",
                after={"key_file": str(key.path), "keyed_from": first},
            ),
        )
    return key


def append(session: Session, row: Row) -> Row:
    """Append ``row`` (a new :class:`BroadcastLog` or :class:`AuditEntry`) to its chain in ``session``.

    Sets ``id``, ``prev_hash`` and ``row_hash``; the caller's session commits it. Datetimes must be aware.
    """
    model = type(row)
    key = station_key(session)
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:chain))"), {"chain": f"truyenthanh.{_CHAIN_OF[model]}"}
        )
    row.prev_hash = ""
    row.row_hash = ""
    session.add(row)
    session.flush()
    assert row.id is not None
    previous = session.exec(
        select(model.row_hash).where(col(model.id) < row.id).order_by(col(model.id).desc()).limit(1)
    ).first()
    row.prev_hash = previous or GENESIS
    keying = key.keying(_CHAIN_OF[model]) if key is not None else None
    secret = keying.key if keying is not None and row.id >= keying.keyed_from else None
    row.row_hash = row_hash(row.prev_hash, _CONTENT[model](row), secret)
    session.add(row)
    session.flush()
    return row


def append_broadcast(session: Session, row: BroadcastLog) -> BroadcastLog:
    """Append one broadcast log row (the daemon's path for every broadcast and every miss)."""
    return append(session, row)


def unreadable(session: Session, model: type[Row], row_id: int, exc: Exception) -> str:
    """Why one stored row cannot be read back, naming the field (Vietnamese)."""
    table = model.__table__  # type: ignore[attr-defined]
    raw = session.connection().execute(text(f"SELECT * FROM {table.name} WHERE id = :id"), {"id": row_id}).mappings()
    values: dict[str, Any] = dict(raw.first() or {})
    for column in table.columns:
        value = values.get(column.name)
        if isinstance(column.type, SqlEnum) and value is not None and value not in column.type.enums:
            return f"dòng {row_id}: trường {column.name} có giá trị «{value}» mà chương trình không bao giờ ghi"
    return f"dòng {row_id}: không đọc được ({exc})"


_FIELDS: dict[type[SQLModel], tuple[str, ...]] = {
    BroadcastLog: records.BROADCAST_FIELDS,
    AuditEntry: records.AUDIT_FIELDS,
}
Head = tuple[int, str, str]
"""A row's ``(id, prev_hash, row_hash)``."""


def _columns(model: type[Row]) -> Select[Any]:
    """The columns a check reads: ``id``, ``prev_hash``, ``row_hash``, then the hashed fields in order.

    Plain columns, not ORM objects: their types still turn stored values back into ours (enums, JSON), but
    without building, tracking and expunging one object per row. Times come as their stored text, for
    :func:`_stored_time`.
    """
    table = model.__table__  # type: ignore[attr-defined]
    names = ("id", "prev_hash", "row_hash", *_FIELDS[model])
    columns = [table.c[name] for name in names]
    query: Select[Any] = select(
        *(type_coerce(c, String).label(c.name) if isinstance(c.type, UTCDateTime) else c for c in columns)
    )
    return query


def _time_positions(model: type[Row]) -> tuple[int, ...]:
    """Where :func:`_columns` puts the times (as stored text)."""
    table = model.__table__  # type: ignore[attr-defined]
    names = ("id", "prev_hash", "row_hash", *_FIELDS[model])
    return tuple(index for index, name in enumerate(names) if isinstance(table.c[name].type, UTCDateTime))


def _stored_time(stored: Any) -> str | datetime | None:
    """A stored time as the chain content has it: the text itself when it is already in the one form the program
    writes (``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``: parsing and printing it again gives the same text), else the
    time read back as :class:`UTCDateTime` reads it.

    Raises:
        ValueError, TypeError: the stored value is not a time (as :class:`UTCDateTime` would).
    """
    if stored is None:
        return None
    parsed = datetime.fromisoformat(stored)
    if len(stored) == 32 and stored[10] == "T" and stored[19] == "." and stored.endswith("+00:00"):
        return cast(str, stored)
    return parsed.astimezone(UTC)


def _read(values: Sequence[Any], times: tuple[int, ...]) -> list[Any]:
    """One row's :func:`_columns` values with its times read (see :func:`_stored_time`)."""
    read = list(values)
    for index in times:
        read[index] = _stored_time(read[index])
    return read


def _batch(session: Session, model: type[Row], last: int) -> tuple[list[list[Any]], list[tuple[Head, str]]]:
    """The next rows after ``last``: those read back (as :func:`_columns` values), and the head of each row that
    cannot be read with why."""
    table = model.__table__  # type: ignore[attr-defined]
    times = _time_positions(model)
    connection = session.connection()
    fetched: list[tuple[int, Sequence[Any] | None]]
    try:
        query = _columns(model).where(table.c.id > last).order_by(table.c.id).limit(_VERIFY_BATCH)
        fetched = [(values[0], values) for values in connection.execute(query).all()]
    except UNREADABLE:  # read them one by one below, to name each row that cannot be read
        ids = connection.execute(
            text(f"SELECT id FROM {table.name} WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": _VERIFY_BATCH},
        )
        fetched = [(row_id, None) for row_id in ids.scalars().all()]
    rows: list[list[Any]] = []
    broken: list[tuple[Head, str]] = []
    for row_id, values in fetched:
        try:
            one = (
                values if values is not None else connection.execute(_columns(model).where(table.c.id == row_id)).one()
            )
            rows.append(_read(one, times))
        except UNREADABLE as exc:
            head = connection.execute(
                text(f"SELECT id, prev_hash, row_hash FROM {table.name} WHERE id = :id"), {"id": row_id}
            ).one()
            broken.append(((head[0], head[1], head[2]), unreadable(session, model, row_id, exc)))
    return rows, broken


def _rows(
    session: Session, model: type[Row], problems: list[ChainProblem]
) -> Iterator[tuple[int, str, str, Mapping[str, Any] | None]]:
    """Every row in order as ``(id, prev_hash, row_hash, content)``; an unreadable row has no content and its
    problem is added to ``problems``."""
    content = _CONTENT[model]
    fields = _FIELDS[model]
    last = 0
    while True:
        found, broken = _batch(session, model, last)
        merged: list[tuple[int, str, str, Mapping[str, Any] | None]] = [
            (values[0], values[1], values[2], content(dict(zip(fields, values[3:], strict=True)))) for values in found
        ]
        for (row_id, prev, stored), why in broken:
            problems.append(ChainProblem(row_id, why + ": dữ liệu đã bị sửa ngoài chương trình"))
            merged.append((row_id, prev, stored, None))
        if not merged:
            return
        merged.sort(key=lambda entry: entry[0])
        yield from merged
        last = merged[-1][0]


def _in_chain_order(problem: ChainProblem) -> tuple[bool, int]:
    return problem.row_id is None, problem.row_id or 0


def check(session: Session, model: type[Row]) -> ChainReport:
    """Check one whole chain against its hashes, the station's key and its anchor (reads in batches; memory
    stays flat). Never changes anything: a station without a key is checked with plain hashes."""
    chain = _CHAIN_OF[model]
    stored = session.get(ChainAnchor, chain)
    anchor = None if stored is None else records.ChainAnchor(stored.last_id, stored.last_hash, stored.length)
    place = key_place(session)
    key = _load(session)
    unreadable_rows: list[ChainProblem] = []
    keying = key.keying(chain) if key is not None else None
    checked: tuple[int, list[ChainProblem]] = records.check_chain(
        _rows(session, model, unreadable_rows), anchor, keying
    )
    count, problems = checked
    if unreadable_rows:
        problems.extend(unreadable_rows)
        problems.sort(key=_in_chain_order)
    if key is None and place is not None and any(p.reason.endswith(records.EDITED) for p in problems):
        where = place.path
        problems.append(ChainProblem(None, f"không có khóa bí mật {where}: các dòng ghi bằng khóa không kiểm được"))
    guarded = {f"{chain}_anchor_insert", f"{chain}_anchor_update"} <= _triggers(session, chain)
    return ChainReport(chain=chain, rows=count, problems=problems, guarded=guarded)


_TRIGGERS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :chain",
    "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = to_regclass(:chain)",
}
"""The query naming the triggers on one table, per database."""


def _triggers(session: Session, chain: str) -> set[str]:
    """The names of the triggers on the table of ``chain`` (its name)."""
    query = _TRIGGERS.get(session.get_bind().dialect.name)
    if query is None:
        return set()
    return set(session.connection().execute(text(query), {"chain": chain}).scalars())


def head_fingerprint(session: Session, model: type[Row], up_to: int | None = None) -> tuple[int, str]:
    """The chain's head (last row ``id``, 0 when empty; with ``up_to``, the last row up to that id) and its short
    fingerprint for a printed logbook (:func:`truyenthanh.domain.hashchain.fingerprint`, keyed with the station's
    key when it has one)."""
    query = select(model.id, model.row_hash)
    if up_to is not None:
        query = query.where(col(model.id) <= up_to)
    head = session.exec(query.order_by(col(model.id).desc()).limit(1)).first()
    last_id, last_hash = (head[0] or 0, head[1]) if head is not None else (0, GENESIS)
    key = _load(session)
    return last_id, fingerprint(last_hash, key.secret if key is not None else None)


__all__ = [
    "KEY_ACTION",
    "KEY_ACTOR",
    "UNREADABLE",
    "ChainReport",
    "append",
    "append_broadcast",
    "check",
    "db_file",
    "head_fingerprint",
    "key_place",
    "station_key",
    "unreadable",
]
