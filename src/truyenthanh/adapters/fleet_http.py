"""The station's file server for its loudspeaker clusters (issue 18): audio files by sha256, the time, enrolment.

- ``GET``/``HEAD /files/<sha256>``: the file (on disk, or a :class:`FileSource` such as a hub's database), streamed
  in blocks of at most 1 MiB; ``Range: bytes=a-b``, ``a-`` or ``-n``
  gives 206 with ``Content-Range`` (416 when it cannot be satisfied); ``ETag`` is the digest; 404 for a digest
  the station does not serve. Only 64 lowercase hex digits are accepted as a name.
- ``GET /time``: ``{"now": "<ISO 8601 with milliseconds>"}``, the station's clock (receivers measure their
  offset against it).
- ``POST /enrol`` with ``{"code": ..., "name": ...}`` (JSON, at most 4 KiB): 200 with the
  :class:`~truyenthanh.domain.fleet.Enrolment`, 403 with ``{"error": "<Vietnamese>"}`` when the code is refused,
  400 for a body that cannot be read.

Plain HTTP: files are checked by their sha256 and enrolment answers carry a one-time password over the station's
own network; put it behind TLS when the link crosses the Internet.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

from truyenthanh.domain.fleet import FileRef, when
from truyenthanh.errors import FleetError

log = logging.getLogger(__name__)

BLOCK = 64 * 1024
READ_BLOCK = 1024 * 1024
"""Bytes read from a file per step while serving it (one database query each for a hub's files)."""
MAX_ENROL_BODY = 4096
_FILE_PATH = re.compile(r"/files/([0-9a-f]{64})")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def parse_range(header: str, size: int) -> tuple[int, int]:
    """The inclusive ``(first, last)`` byte range of a ``Range`` header for a file of ``size`` bytes.

    Raises:
        ValueError: the range cannot be satisfied (or names several ranges, which we do not serve).
    """
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        raise ValueError(header)
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        raise ValueError(header)
    if not first_text:
        length = int(last_text)
        if length == 0 or size == 0:
            raise ValueError(header)
        return max(0, size - length), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        raise ValueError(header)
    return first, min(last, size - 1)


class FileSource(Protocol):
    """A served file that is not on this machine's disk (a hub's files are in its database)."""

    @property
    def size(self) -> int:
        """Its size in bytes."""
        ...

    def read(self, first: int, length: int) -> bytes:
        """``length`` bytes from offset ``first`` (fewer at the end). Called on a request thread.

        Raises:
            TruyenthanhError: the bytes cannot be read now (the request is cut short and logged).
        """
        ...


class _DiskFile:
    """A file on disk as a :class:`FileSource`."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.size = path.stat().st_size

    def read(self, first: int, length: int) -> bytes:
        with self._path.open("rb") as handle:
            handle.seek(first)
            return handle.read(length)


class FleetFileServer:
    """An HTTP server on its own daemon thread (one more thread per request being served)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        lookup: Callable[[str], Path | FileSource | None],
        enrol: Callable[[str, str], dict[str, Any]],
        now: Callable[[], datetime],
        share_port: bool = False,
    ) -> None:
        """Bind ``host:port`` (``0`` picks a free port: see :attr:`port`); nothing is served before :meth:`start`.

        Args:
            lookup: the file for a sha256 (a path on disk or a :class:`FileSource`), or ``None``; called on a
                request thread.
            enrol: ``enrol(code, name)`` returns the enrolment as a dict or raises :class:`FleetError`.
            now: the station's clock (timezone-aware).
            share_port: bind with ``SO_REUSEPORT``, so several processes of the same user serve one port (the
                kernel spreads connections among them; when one dies the others take every new connection).
        """
        callables = {"lookup": staticmethod(lookup), "enrol": staticmethod(enrol), "now": staticmethod(now)}
        server_class = _SharedServer if share_port else _Server
        self._server = server_class((host, port), type("FleetHandler", (_Handler,), callables))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve in the background."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.1,), name="fleet-http", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        """Stop serving and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    """Logs a failed request (a receiver that hung up mid-file) instead of printing it on stderr."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.warning("fleet file server: request from %s failed", client_address, exc_info=True)


class _SharedServer(_Server):
    """A server whose port other processes of the same user may bind too (``SO_REUSEPORT``)."""

    allow_reuse_port = True


class _Handler(BaseHTTPRequestHandler):
    """One request. The server's callables are class attributes of a per-server subclass."""

    protocol_version = "HTTP/1.1"
    server_version = "truyenthanh-fleet"
    lookup: Callable[[str], Path | FileSource | None]
    enrol: Callable[[str, str], dict[str, Any]]
    now: Callable[[], datetime]

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._get(body=True)

    def do_HEAD(self) -> None:
        self._get(body=False)

    def do_POST(self) -> None:
        if self.path != "/enrol":
            self._json(HTTPStatus.NOT_FOUND, {"error": "Không có địa chỉ này."})
            return
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = -1
        if not 0 < length <= MAX_ENROL_BODY:
            self._json(HTTPStatus.BAD_REQUEST, {"error": "Yêu cầu đăng ký phải là JSON, tối đa 4 KiB."})
            return
        try:
            data = json.loads(self.rfile.read(length).decode("utf-8"))
            code, name = data["code"], data["name"]
            if not isinstance(code, str) or not isinstance(name, str):
                raise TypeError("code/name")
        except (ValueError, KeyError, TypeError):
            self._json(HTTPStatus.BAD_REQUEST, {"error": "Yêu cầu đăng ký cần hai trường «code» và «name»."})
            return
        try:
            answer = type(self).enrol(code, name)
        except FleetError as exc:
            self._json(HTTPStatus.FORBIDDEN, {"error": exc.message, "field": exc.field})
            return
        self._json(HTTPStatus.OK, answer)

    def _get(self, *, body: bool) -> None:
        if self.path == "/time":
            self._json(HTTPStatus.OK, {"now": when(type(self).now())}, body=body)
            return
        match = _FILE_PATH.fullmatch(self.path)
        found = type(self).lookup(match.group(1)) if match else None
        if isinstance(found, Path):
            found = _DiskFile(found) if found.is_file() else None
        if match is None or found is None:
            self._json(HTTPStatus.NOT_FOUND, {"error": "Không có tệp này trên đài."}, body=body)
            return
        self._file(found, match.group(1), body=body)

    def _file(self, source: FileSource, digest: str, *, body: bool) -> None:
        size = source.size
        first, last = 0, size - 1
        status = HTTPStatus.OK
        header = self.headers.get("Range")
        if header:
            try:
                first, last = parse_range(header, size)
            except ValueError:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = HTTPStatus.PARTIAL_CONTENT
        length = max(0, last - first + 1)
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{digest}"')
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        if not body:
            return
        offset, end = first, first + length
        while offset < end:
            block = source.read(offset, min(READ_BLOCK, end - offset))
            if not block:
                break
            self.wfile.write(block)
            offset += len(block)

    def _json(self, status: HTTPStatus, data: dict[str, Any], *, body: bool = True) -> None:
        raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if body:
            self.wfile.write(raw)


def download(files_url: str, ref: FileRef, partial: Path, *, timeout: float) -> int:
    """The client's half: fetch ``ref`` from a file server at ``files_url`` into ``partial``, resuming what an
    earlier attempt left there with a ``Range`` request, flushed to disk; returns the bytes received this time.
    The caller checks size and sha256 and renames the file into place.

    Raises:
        FleetError: the server cannot be reached or answers an error (what was received is kept for the next
            attempt, except after 416: a partial file longer than the server's is discarded).
    """
    have = partial.stat().st_size if partial.exists() else 0
    if have >= ref.size:
        partial.unlink()
        have = 0
    url = f"{files_url.rstrip('/')}/files/{ref.sha256}"
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    received = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            resumed = have > 0 and response.status == HTTPStatus.PARTIAL_CONTENT
            with partial.open("ab" if resumed else "wb") as out:
                while chunk := response.read(BLOCK):
                    out.write(chunk)
                    received += len(chunk)
                out.flush()
                os.fsync(out.fileno())
    except urllib.error.HTTPError as exc:
        if exc.code == HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE:
            partial.unlink(missing_ok=True)
        raise FleetError(f"Không tải được tệp «{ref.name or ref.sha256}» từ {url}: máy chủ trả lời {exc.code}.",
                         field="files_url") from exc  # fmt: skip
    except (OSError, urllib.error.URLError) as exc:
        raise FleetError(f"Không tải được tệp «{ref.name or ref.sha256}» từ {url}: {exc}; phần đã tải được giữ lại.",
                         field="files_url") from exc  # fmt: skip
    return received


__all__ = ["FileSource", "FleetFileServer", "download", "parse_range"]
