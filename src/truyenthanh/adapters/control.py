"""The daemon's local control channel: newline-delimited JSON over a Unix socket (mode 0600, in the station's
runtime folder) or, where there are no Unix sockets, loopback TCP guarded by a random token.

Requests are ``{"cmd": NAME, ...arguments}`` (plus ``"token"`` over TCP); each gets one reply,
``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "Vietnamese message"}``. A ``subscribe`` request
keeps the connection open and streams ``{"event": {...}}`` lines until the client hangs up.

``control.json`` in the runtime folder says how to reach the running daemon; it exists only while one runs.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import queue
import secrets
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from truyenthanh.errors import DaemonError, TruyenthanhError

logger = logging.getLogger(__name__)

ENDPOINT_FILE = "control.json"
SOCKET_FILE = "control.sock"
_MAX_UNIX_PATH = 100
MAX_LINE = 1 << 20
"""Longest request line the daemon reads (bytes); a longer one is refused while it is read, never buffered."""
BACKLOG = 128
"""Connections the kernel holds while every serving thread is busy (``listen``'s backlog)."""
RETRY_PAUSE_S = 0.2
"""Pause before a client's one retry of a connection the daemon was too busy to accept."""
_BUSY = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.ETIMEDOUT, errno.EINPROGRESS})

Handler = Callable[[str, dict[str, Any]], Any]
"""Answers one command: ``(name, arguments) -> JSON-ready result``; raises TruyenthanhError to refuse."""


def _unix_sockets() -> bool:
    return hasattr(socket, "AF_UNIX")


def shared_with_group(runtime_dir: Path) -> bool:
    """Whether the station's operators (its folder's group) may use the control channel: the folder holding the
    runtime folder grants its group read and search (``init`` makes a station folder 0750; the systemd unit's
    state folder is 0750 with the ``truyenthanh`` group). A personal folder (0700, e.g. ``/run/user/UID``)
    keeps the channel to its owner."""
    try:
        return os.name == "posix" and runtime_dir.parent.stat().st_mode & 0o050 == 0o050
    except OSError:
        return False


class _Connection(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        control = self.server.control
        while True:
            # Bounded while it is read: a line without its newline stops at MAX_LINE bytes, never in memory whole.
            raw = self.rfile.readline(MAX_LINE + 1)
            if not raw:
                return
            if len(raw) > MAX_LINE:
                self._send({"ok": False, "error": f"Yêu cầu dài quá {MAX_LINE // 1024} KiB; đã đóng kết nối."})
                return
            try:
                request = json.loads(raw)
                if not isinstance(request, dict):
                    raise ValueError("not an object")
            except ValueError:
                self._send({"ok": False, "error": "Yêu cầu không phải JSON hợp lệ."})
                continue
            if control.token is not None and not secrets.compare_digest(str(request.get("token", "")), control.token):
                self._send({"ok": False, "error": "Sai mã truy cập kênh điều khiển."})
                return
            command = str(request.pop("cmd", ""))
            request.pop("token", None)
            if command == "subscribe":
                self._stream(control)
                return
            try:
                reply = {"ok": True, "result": control.handler(command, request)}
            except TruyenthanhError as exc:
                reply = {"ok": False, "error": exc.message}
            except Exception as exc:  # the daemon must outlive any bad command
                reply = {"ok": False, "error": f"Lỗi khi thực hiện lệnh «{command}»: {exc}"}
            if not self._send(reply):
                return

    def _send(self, message: dict[str, Any]) -> bool:
        try:
            self.wfile.write(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
            self.wfile.flush()
        except OSError:
            return False
        return True

    def _stream(self, control: ControlServer) -> None:
        inbox: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        control.add_listener(inbox)  # before the reply, so no event published after it is lost
        try:
            if not self._send({"ok": True, "result": None}):
                return
            while True:
                event = inbox.get()
                if event is None or not self._send({"event": event}):
                    return
        finally:
            control.remove_listener(inbox)


class _Server(socketserver.ThreadingMixIn, socketserver.BaseServer):
    daemon_threads = True
    request_queue_size = BACKLOG
    control: ControlServer


class _UnixServer(_Server, socketserver.TCPServer):
    """``socketserver.UnixStreamServer``, which exists only where ``AF_UNIX`` does: the family is looked up when
    a server is built, so this module imports on Windows too."""

    def __init__(self, path: str, handler: type[socketserver.BaseRequestHandler]) -> None:
        self.address_family = socket.AF_UNIX
        super().__init__(path, handler)  # type: ignore[arg-type]  # a Unix socket's address is its path


class _TcpServer(_Server, socketserver.TCPServer):
    allow_reuse_address = True


class ControlServer:
    """Serves control requests and streams events to subscribers from its own threads.

    Args:
        runtime_dir: the station's runtime folder (created 0700 if missing).
        handler: answers commands; called from connection threads, so it must be thread-safe.
        force_tcp: use loopback TCP even where Unix sockets exist (the ``control_transport = "tcp"`` setting,
            and tests of the fallback).
    """

    def __init__(self, runtime_dir: Path, handler: Handler, *, force_tcp: bool = False) -> None:
        self.runtime_dir = runtime_dir
        self.handler = handler
        self.token: str | None = None
        self._force_tcp = force_tcp
        self._file_mode = 0o600
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._listeners: list[queue.SimpleQueue[dict[str, Any] | None]] = []
        self._lock = threading.Lock()

    @property
    def endpoint_file(self) -> Path:
        """Where clients learn how to connect."""
        return self.runtime_dir / ENDPOINT_FILE

    def start(self) -> None:
        """Bind, write ``control.json`` and serve in a background thread.

        Raises:
            DaemonError: the socket cannot be bound.
        """
        self.runtime_dir.mkdir(parents=True, exist_ok=True)
        group = shared_with_group(self.runtime_dir)
        with contextlib.suppress(OSError):
            self.runtime_dir.chmod(0o750 if group else 0o700)
        path = self.runtime_dir / SOCKET_FILE
        try:
            if _unix_sockets() and not self._force_tcp and len(str(path)) <= _MAX_UNIX_PATH:
                path.unlink(missing_ok=True)  # left by a daemon that was killed; we hold the lock
                old_umask = os.umask(0o177)
                try:
                    server: _Server = _UnixServer(str(path), _Connection)
                finally:
                    os.umask(old_umask)
                path.chmod(0o660 if group else 0o600)
                endpoint: dict[str, Any] = {"transport": "unix", "path": str(path)}
            else:
                # The token is the channel's secret: control.json is readable by the station's users only.
                self.token = secrets.token_hex(16)
                server = _TcpServer(("127.0.0.1", 0), _Connection)
                endpoint = {"transport": "tcp", "host": "127.0.0.1", "port": server.server_address[1]}
                endpoint["token"] = self.token
        except OSError as exc:
            raise DaemonError(f"Không mở được kênh điều khiển ở {self.runtime_dir}: {exc.strerror or exc}.") from exc
        self._file_mode = 0o640 if group else 0o600
        server.control = self
        self._server = server
        try:
            _write_private(self.endpoint_file, json.dumps({**endpoint, "pid": os.getpid()}), mode=self._file_mode)
        except OSError as exc:
            if endpoint["transport"] != "unix":
                server.server_close()
                raise DaemonError(
                    f"Không ghi được {self.endpoint_file} ({exc.strerror or exc}): các lệnh không tìm được dịch vụ."
                ) from exc
            # A full or read-only disk must not keep the daemon off air: clients find the socket by its path.
            logger.warning("cannot write %s (%s); clients will use %s", self.endpoint_file, exc, path)
        self._thread = threading.Thread(target=server.serve_forever, args=(0.2,), name="control", daemon=True)
        self._thread.start()

    def publish(self, event: dict[str, Any]) -> None:
        """Send an event to every subscriber (never blocks)."""
        with self._lock:
            listeners = list(self._listeners)
        for inbox in listeners:
            inbox.put(event)

    def add_listener(self, inbox: queue.SimpleQueue[dict[str, Any] | None]) -> None:
        """Register a subscriber's inbox."""
        with self._lock:
            self._listeners.append(inbox)

    def remove_listener(self, inbox: queue.SimpleQueue[dict[str, Any] | None]) -> None:
        """Forget a subscriber's inbox."""
        with self._lock:
            if inbox in self._listeners:
                self._listeners.remove(inbox)

    def stop(self) -> None:
        """Stop serving, end every subscription, remove ``control.json`` and the socket."""
        with self._lock:
            listeners, self._listeners = self._listeners, []
        for inbox in listeners:
            inbox.put(None)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.endpoint_file.unlink(missing_ok=True)
        (self.runtime_dir / SOCKET_FILE).unlink(missing_ok=True)


def _busy(exc: OSError) -> bool:
    """The daemon is there but did not accept in time (a full listen queue), as opposed to gone."""
    return isinstance(exc, TimeoutError) or exc.errno in _BUSY


def _write_private(path: Path, text: str, *, mode: int = 0o600) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)  # created afresh, so the mode below is the file's mode
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            if mode != 0o600 and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            handle.write(text)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class ControlClient:
    """Talks to the running daemon of one station. Each call opens its own connection.

    Args:
        runtime_dir: the station's runtime folder.
        timeout: seconds to wait for connecting and for each reply.
    """

    def __init__(self, runtime_dir: Path, *, timeout: float = 5.0) -> None:
        self.runtime_dir = runtime_dir
        self.timeout = timeout

    def _endpoint(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.runtime_dir / ENDPOINT_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            socket_path = self.runtime_dir / SOCKET_FILE
            if _unix_sockets() and socket_path.is_socket():  # a daemon on a full disk could not write the file
                return {"transport": "unix", "path": str(socket_path)}
            raise DaemonError(
                "Dịch vụ phát của đài này không chạy (không thấy kênh điều khiển trong "
                f"{self.runtime_dir}). Hãy chạy «truyenthanh daemon»."
            ) from exc

    def _connect(self) -> tuple[socket.socket, str | None]:
        """A connected socket (and the TCP token): one retry after :data:`RETRY_PAUSE_S` when the daemon was too
        busy to accept; the error says whether the daemon is down or busy."""
        endpoint = self._endpoint()
        try:
            return self._open(endpoint)
        except OSError as first:
            if not _busy(first):
                raise self._down(endpoint, first) from first
        time.sleep(RETRY_PAUSE_S)
        try:
            return self._open(endpoint)
        except OSError as second:
            if not _busy(second):
                raise self._down(endpoint, second) from second
            raise DaemonError(
                f"Dịch vụ phát (PID {endpoint.get('pid', '?')}) đang chạy nhưng quá bận, không nhận kết nối sau "
                f"{self.timeout:g} giây và một lần thử lại ({second.strerror or second}). Hãy thử lại sau ít phút."
            ) from second

    def _open(self, endpoint: dict[str, Any]) -> tuple[socket.socket, str | None]:
        """Connect once, blocking for at most :attr:`timeout` seconds."""
        if endpoint.get("transport") == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                # A Unix socket's connect in Python's timeout mode is non-blocking and fails at once with EAGAIN
                # when the listen queue is full; a blocking connect bounded by SO_SNDTIMEO waits for a place.
                seconds = int(self.timeout)
                micros = int((self.timeout - seconds) * 1_000_000)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", seconds, micros))
                sock.connect(str(endpoint["path"]))
                sock.settimeout(self.timeout)
            except OSError:
                sock.close()
                raise
            return sock, None
        sock = socket.create_connection((str(endpoint["host"]), int(endpoint["port"])), timeout=self.timeout)
        return sock, str(endpoint.get("token", ""))

    def _down(self, endpoint: dict[str, Any], exc: OSError) -> DaemonError:
        """The error for a daemon that does not listen any more."""
        return DaemonError(
            f"Dịch vụ phát không chạy: kênh điều khiển của PID {endpoint.get('pid', '?')} không còn ai nghe "
            f"({exc.strerror or exc}); có thể dịch vụ vừa dừng. Hãy chạy «truyenthanh daemon»."
        )

    def is_running(self) -> bool:
        """Whether a daemon answers."""
        try:
            self.request("ping")
        except DaemonError:
            return False
        return True

    def request(self, command: str, **arguments: Any) -> Any:
        """Send one command and return its result.

        Raises:
            DaemonError: the daemon is not running, did not answer in time, or refused the command (its
                Vietnamese message).
        """
        sock, token = self._connect()
        with sock, sock.makefile("rwb") as stream:
            message: dict[str, Any] = {"cmd": command, **arguments}
            if token is not None:
                message["token"] = token
            try:
                stream.write(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
                stream.flush()
                line = stream.readline()
            except OSError as exc:
                raise DaemonError(f"Dịch vụ phát không trả lời lệnh «{command}»: {exc}.") from exc
        if not line:
            raise DaemonError(f"Dịch vụ phát đóng kết nối khi nhận lệnh «{command}».")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise DaemonError(str(reply.get("error", "lệnh bị từ chối")))
        return reply.get("result")

    @contextlib.contextmanager
    def events(self) -> Iterator[Iterator[dict[str, Any]]]:
        """Subscribe to the daemon's events: ``with client.events() as stream: for event in stream: ...``.

        The iterator ends when the daemon stops. Reading blocks (no timeout) until the next event.

        Raises:
            DaemonError: the daemon is not running or refused the subscription.
        """
        sock, token = self._connect()
        stream = sock.makefile("rwb")
        try:
            message: dict[str, Any] = {"cmd": "subscribe"}
            if token is not None:
                message["token"] = token
            stream.write(json.dumps(message).encode("utf-8") + b"\n")
            stream.flush()
            first = json.loads(stream.readline() or b"{}")
            if not first.get("ok"):
                raise DaemonError(str(first.get("error", "Dịch vụ phát từ chối đăng ký nhận sự kiện.")))
            sock.settimeout(None)

            def lines() -> Iterator[dict[str, Any]]:
                for raw in stream:
                    event = json.loads(raw).get("event")
                    if isinstance(event, dict):
                        yield event

            yield lines()
        finally:
            stream.close()
            sock.close()


__all__ = ["BACKLOG", "MAX_LINE", "ControlClient", "ControlServer", "Handler", "shared_with_group"]
