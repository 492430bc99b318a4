"""A private PostgreSQL server for the tests: Debian's ``initdb`` and ``pg_ctl`` in a temporary folder.

The server listens on a free loopback port and on a unix socket in its own folder, with trust authentication for
one test role (its superuser), and tuned for throw-away data (no fsync). Each test gets a fresh database made from
``template0``. PostgreSQL refuses to run as root: as root, the binaries run as the ``postgres`` account and the
folder is handed to it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

ROLE = "truyenthanh"
"""The test role: the cluster's superuser, trusted without a password."""
SERVER_ACCOUNT = "postgres"
"""The account the server runs as when the tests run as root (Debian's ``postgresql`` package makes it)."""


def bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb`` and ``pg_ctl``, or ``None``."""
    found = [
        folder / "bin"
        for folder in Path("/usr/lib/postgresql").glob("*")
        if (folder / "bin" / "initdb").is_file() and (folder / "bin" / "pg_ctl").is_file()
    ]
    if not found:
        return None
    return max(found, key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server(command: list[str]) -> list[str]:
    """``command`` run as the server's account when this process is root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SERVER_ACCOUNT, "--", *command]


@dataclass
class PostgresServer:
    """One running server: its folder, port and the role the tests connect as."""

    folder: Path
    """The temporary folder: ``data`` (the cluster), ``run`` (the unix socket), ``server.log``."""
    port: int
    """The loopback TCP port."""
    binaries: Path
    """Where ``pg_ctl`` was found."""
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def socket_dir(self) -> Path:
        """The folder holding the server's unix socket."""
        return self.folder / "run"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server (psycopg 3, over TCP)."""
        return f"postgresql+psycopg://{ROLE}@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=ROLE, dbname="postgres", autocommit=True)

    def create_database(self) -> str:
        """A new empty database (``TEMPLATE template0``, UTF-8); returns its name."""
        name = f"t{os.getpid()}_{next(self._names)}"
        with self._admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        """Drop ``name``, closing whatever is still connected to it."""
        with self._admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder."""
        subprocess.run(
            _as_server([str(self.binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop"]),
            cwd=self.folder,
            capture_output=True,
            check=False,
            timeout=30,
        )
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        """The server's log so far (for a failure message)."""
        with contextlib.suppress(OSError):
            return (self.folder / "server.log").read_text(encoding="utf-8", errors="replace")
        return ""


def start_postgres() -> PostgresServer:
    """Make a cluster in a new temporary folder and start it; raises ``RuntimeError`` with the server's words.

    The folder is made with :func:`tempfile.mkdtemp` rather than under pytest's own temporary folder, which is
    closed to other accounts (the server may run as ``postgres``).
    """
    binaries = bin_dir()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run scripts/setup.sh")
    folder = Path(tempfile.mkdtemp(prefix="truyenthanh-pg-"))
    (folder / "run").mkdir()
    if os.geteuid() == 0:
        for path in (folder, folder / "run"):
            shutil.chown(path, SERVER_ACCOUNT, SERVER_ACCOUNT)
    initdb = [str(binaries / "initdb"), "-D", str(folder / "data"), "-U", ROLE, "--auth=trust", "-E", "UTF8"]
    done = subprocess.run(
        _as_server([*initdb, "--locale=C.UTF-8", "--no-sync"]), cwd=folder, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stderr}")
    for _attempt in range(3):  # another process may take the free port before the server binds it
        server = PostgresServer(folder=folder, port=_free_port(), binaries=binaries)
        options = (
            f"-p {server.port} -k {server.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=60"
        )
        command = [str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "server.log")]
        started = subprocess.run(
            _as_server([*command, "-o", options, "-w", "-t", "30", "start"]),
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        if started.returncode == 0:
            return server
    log = server.log()
    server.stop()
    raise RuntimeError(f"pg_ctl start failed: {started.stderr}\n{log}")


__all__ = ["ROLE", "PostgresServer", "bin_dir", "start_postgres"]
