"""Opening the station database and bringing its schema up to date.

SQLite runs in WAL mode with foreign keys on and a busy timeout, so the daemon, the TUI and CLI commands can
all have it open at once. A ``postgresql+psycopg://`` URL (the upstream hub's store, issue 19) opens PostgreSQL
through the same models and migrations: no pragmas there, a pool that tests its connections before use.
"""

from __future__ import annotations

import ast
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session

from truyenthanh.errors import StorageError

if TYPE_CHECKING:
    from alembic.config import Config

BUSY_TIMEOUT_MS = 10_000
POOL_SIZE = 5
"""PostgreSQL: connections kept open per process (a hub's workers and its request threads share them)."""
POOL_OVERFLOW = 10
"""PostgreSQL: connections opened beyond :data:`POOL_SIZE` at busy moments, closed again when returned."""
POOL_RECYCLE_S = 1800
"""PostgreSQL: a pooled connection older than this is replaced (firewalls drop idle TCP connections)."""
FOLDER_MODE = 0o750
"""The station folder: the owner (the daemon's account) writes; the operators' group reads; nobody else enters."""
FILE_MODE = 0o640
"""The database and its WAL files: they hold the password hashes, so other local users must not read them."""


_DISK_TROUBLE = (
    "disk is full",
    "disk I/O error",
    "readonly database",
    "read-only file system",
    "unable to open",
    "No space left on device",
)
"""SQLite's words (and PostgreSQL's, the last) for a full, read-only or failing disk."""


def disk_trouble(exc: BaseException) -> bool:
    """Whether an SQLite error comes from a full, read-only or failing disk rather than from the data."""
    text_of = str(getattr(exc, "orig", None) or exc)
    return any(words in text_of for words in _DISK_TROUBLE)


def disk_message(path: str | None, exc: BaseException) -> str:
    """The Vietnamese message for a database that cannot be written (what, where, what to do)."""
    reason = str(getattr(exc, "orig", None) or exc)
    return (
        f"Không ghi được cơ sở dữ liệu {path}: đĩa đã đầy, chỉ cho đọc hoặc bị lỗi ({reason}). Dữ liệu của đài "
        "vẫn như cũ. Hãy giải phóng chỗ trống trên đĩa (hoặc sửa lỗi đĩa) rồi làm lại."
    )


def _configure(connection: sqlite3.Connection) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _connector(path: str) -> Any:
    """Opens the station's SQLite file; on a full or read-only disk (WAL needs to create its files) it opens
    it immutable instead, so everything can still be read (writes then fail with :func:`disk_message`, and the
    pool is emptied so the next connection tries the normal way again)."""

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        try:
            _configure(connection)
        except sqlite3.OperationalError as exc:
            connection.close()
            if not disk_trouble(exc) or not Path(path).is_file():
                raise
            connection = sqlite3.connect(f"{Path(path).as_uri()}?immutable=1", uri=True, check_same_thread=False)
            connection.execute("PRAGMA foreign_keys=ON")
        return connection

    return connect


def sqlite_url(path: Path) -> str:
    """SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """Create an engine for the station database (nothing is opened until first use).

    An SQLite file gets the pragmas above; PostgreSQL gets a pool that checks each connection before handing it
    out (the server may have restarted) and replaces old ones; any other URL is passed to SQLAlchemy as is.
    """
    if url.startswith("postgresql"):
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_recycle=POOL_RECYCLE_S,
        )
    if not url.startswith("sqlite:///") or url in ("sqlite:///", "sqlite:///:memory:"):
        return create_engine(url)
    return create_engine(url, creator=_connector(url.removeprefix("sqlite:///")))


def where(engine: Engine) -> str:
    """Where a database is, for a message: the SQLite file, or the server's URL without its password."""
    if engine.dialect.name == "sqlite":
        return str(engine.url.database)
    return engine.url.render_as_string(hide_password=True)


# Alembic is imported only where migrations are read: loading it costs about half a second, which every
# CLI command would otherwise pay at start-up.
def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("truyenthanh.adapters.db") / "migrations"))
    return config


def head_revision() -> str:
    """The newest migration this program knows.

    Read from the migration files' ``revision``/``down_revision`` assignments rather than through Alembic,
    which would stay in the daemon's memory for good (about 11 MB) just to answer this at start-up;
    ``test_upgrade_from_empty_matches_the_models`` checks it against the head Alembic upgrades to.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (resources.files("truyenthanh.adapters.db") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py"):
            continue
        values = {
            target.id: node.value
            for node in ast.parse(script.read_text(encoding="utf-8")).body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        if "revision" not in values:
            continue  # the package's __init__.py
        revisions.add(ast.literal_eval(values["revision"]))
        down = ast.literal_eval(values["down_revision"])
        parents.update(down if isinstance(down, tuple) else [down])
    (head,) = revisions - parents  # exactly one head (test_upgrade_from_empty_matches_the_models)
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration a database is at, or ``None`` for an empty database."""
    # Read Alembic's version table directly: the TUI and the daemon ask this at start-up, and importing
    # Alembic for it would cost about 100 ms there.
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema; running it on an up-to-date database changes nothing.

    Raises:
        StorageError: the database cannot be opened or written, or is newer than this program.
    """
    from alembic import command
    from alembic.script import ScriptDirectory

    known = {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}
    try:
        at = current_revision(engine)
        if at is not None and at not in known:
            raise StorageError(
                f"Cơ sở dữ liệu {where(engine)} do một phiên bản mới hơn của chương trình tạo "
                f"(lần nâng cấp «{at}»). Hãy cài phiên bản mới hơn.",
            )
        with engine.begin() as connection:
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        if disk_trouble(exc):
            engine.dispose()
            raise StorageError(disk_message(where(engine), exc)) from exc
        raise StorageError(f"Không mở hoặc không ghi được cơ sở dữ liệu {where(engine)}: {exc.orig}") from exc


def protect(db: Database, folder: Path) -> None:
    """Close the station to other local users and give it its secret chain key (see ``chainkey``).

    The folder becomes 0750 and the database files 0640 (group: the station's operators, see README); the key
    file is made 0600 if the station has none.

    Raises:
        StorageError: the folder or a file cannot be changed (named, with the reason).
    """
    from truyenthanh.adapters.db import chains

    database_file = Path(db.engine.url.database or "") if db.engine.dialect.name == "sqlite" else None
    try:
        folder.chmod(FOLDER_MODE)
        files = (
            ()
            if database_file is None
            else (database_file, *(database_file.with_name(database_file.name + s) for s in ("-wal", "-shm")))
        )
        for path in files:
            if path.is_file():
                path.chmod(FILE_MODE)
    except OSError as exc:
        raise StorageError(f"Không đặt được quyền truy cập cho {exc.filename}: {exc.strerror}.") from exc
    with db.session() as session:
        chains.station_key(session)


_UNDEFINED_TABLE_OR_COLUMN = ("42P01", "42703")
"""PostgreSQL's SQLSTATE for a missing table (relation) and a missing column."""


def _missing(exc: SQLAlchemyError) -> str | None:
    """The table or column a database error says is missing (SQLite's and PostgreSQL's words), or ``None``."""
    detail = str(getattr(exc, "orig", None) or exc)
    if detail.startswith(("no such table", "no such column")):
        return detail.partition(":")[2].strip()
    if getattr(getattr(exc, "orig", None), "sqlstate", None) in _UNDEFINED_TABLE_OR_COLUMN:
        # 'relation "user" does not exist' / 'column programme.created_by does not exist'
        first = detail.splitlines()[0]
        return first.split('"')[1] if first.count('"') >= 2 else first.split()[1]
    return None


def _operational_message(path: str | None, exc: SQLAlchemyError) -> str:
    """Vietnamese for a database error: a missing table or column means a station never initialised or made by an
    older version (the database says it in English), which ``truyenthanh init`` creates or upgrades."""
    detail = str(getattr(exc, "orig", None) or exc)
    if detail.startswith(("connection failed", "connection to server")):  # psycopg: the server cannot be reached
        return (
            f"Không kết nối được máy chủ cơ sở dữ liệu {path} ({detail.splitlines()[0]}): hãy kiểm tra máy chủ "
            "PostgreSQL đang chạy và địa chỉ, cổng, tài khoản trong «database_url»."
        )
    missing = _missing(exc)
    if missing is not None:
        return (
            f"Dữ liệu ở {path} chưa được khởi tạo hoặc là của phiên bản cũ (thiếu «{missing}»): hãy chạy "
            "«truyenthanh init» để tạo hoặc nâng cấp."
        )
    return f"Lỗi cơ sở dữ liệu {path}: {detail}"


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT", "CREATE", "DROP", "ALTER", "TRUNCATE")
"""How the statements that change a database begin (a read never moves :meth:`Database.change_counter`)."""


def is_write(statement: str) -> bool:
    """Whether an SQL statement changes the database (by its first word)."""
    return statement.lstrip().upper().startswith(_WRITES)


class _Writes(threading.local):
    """How many writing statements this thread has run through the engine."""

    count = 0


class Database:
    """The station database: an engine and a way to open sessions. Thread-safe; one per process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._counter_connection: sqlite3.Connection | None = None
        self._counter_lock = threading.Lock()
        self._counter_calls = 0
        self._counter_epoch = 0
        self._counter_last = 0
        self._writes = _Writes()
        self._own_commits = 0
        """Sessions of this process that committed a change (see :meth:`change_counter`)."""
        self._seen: tuple[int, int] = (-1, -1)
        self._generation = 0
        event.listen(engine, "after_cursor_execute", self._noted)

    def _noted(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        """Count a writing statement on this thread (SQLAlchemy calls it after every statement it runs)."""
        if is_write(statement):
            self._writes.count += 1

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back on any error."""
        session = Session(self.engine, expire_on_commit=False)
        writes = self._writes.count
        try:
            yield session
            session.commit()
            if self._writes.count != writes:  # counted once committed, so a poller never reads ahead of the data
                with self._counter_lock:
                    self._own_commits += 1
        except SQLAlchemyError as exc:
            session.rollback()
            sqlite = self.engine.dialect.name == "sqlite"
            folder = Path(self.engine.url.database or "").parent
            if sqlite and isinstance(exc, OperationalError) and not folder.is_dir():  # nothing is there yet
                raise StorageError(
                    f"Chưa có đài nào ở {folder}: hãy chạy «truyenthanh init» (hoặc «init --demo»)."
                ) from exc
            if isinstance(exc, OperationalError) and disk_trouble(exc):
                self.engine.dispose()  # a connection opened read-only while the disk was full must not stay
                raise StorageError(disk_message(where(self.engine), exc)) from exc
            if isinstance(exc, OperationalError) or _missing(exc) is not None:
                raise StorageError(_operational_message(where(self.engine), exc)) from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def change_counter(self) -> int:
        """A number that changes whenever anyone commits a change to the database: another process, or this
        one (any of its sessions that wrote, whichever thread). Compare it only within this process.

        Cheap enough to poll several times a second. Two sources are read side by side, and the number moves when
        either does: the sessions of this process that committed a change (counted here, after the commit), and
        the database's own sign of commits from any connection: SQLite's ``PRAGMA data_version`` on a connection
        kept for it; on PostgreSQL the server's write-ahead-log insert position (every committed write moves it; so
        may the server's own housekeeping, which only costs the caller a needless re-read). On other databases
        it changes on every call, so callers fall back to comparing content. A session that only read moves
        neither.
        """
        outside = self._outside_counter()
        with self._counter_lock:
            seen = (outside, self._own_commits)
            if seen != self._seen:
                self._seen = seen
                self._generation += 1
            return self._generation

    def _outside_counter(self) -> int:
        """The database's own sign of commits (see :meth:`change_counter`)."""
        if self.engine.dialect.name == "postgresql":
            return self._wal_position()
        if self.engine.dialect.name != "sqlite" or not self.engine.url.database:
            self._counter_calls += 1
            return self._counter_calls
        with self._counter_lock:
            try:
                if self._counter_connection is None:
                    self._counter_connection = sqlite3.connect(self.engine.url.database, check_same_thread=False)
                    self._counter_epoch += 1
                version = int(self._counter_connection.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if not disk_trouble(exc):
                    raise
                # A full or read-only disk (no -shm file can be made): nobody can commit meanwhile, so the last
                # number stands; the connection is made again once the disk is back, under a new epoch so the
                # number then differs and callers read the database afresh.
                if self._counter_connection is not None:
                    self._counter_connection.close()
                    self._counter_connection = None
                return self._counter_last
            self._counter_last = self._counter_epoch * 1_000_000_000 + version
            return self._counter_last

    def _wal_position(self) -> int:
        """PostgreSQL's write-ahead-log insert position in bytes (see :meth:`change_counter`): not the write
        position, which lags behind commits made with ``synchronous_commit = off``. While the server cannot be
        reached the last position stands: it differs once the server is back and anything was written."""
        try:
            with self.engine.connect() as connection:
                position = connection.execute(text("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")).scalar_one()
        except OperationalError:
            return self._counter_last
        self._counter_last = int(position)
        return self._counter_last

    def dispose(self) -> None:
        """Close every pooled connection."""
        with self._counter_lock:
            if self._counter_connection is not None:
                self._counter_connection.close()
                self._counter_connection = None
        self.engine.dispose()
