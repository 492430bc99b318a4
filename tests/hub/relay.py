"""A TCP relay between one station and the broker, to cut that station's link and only its link.

A real network outage at one commune cannot be made on a shared test machine without root and packet filters;
the relay is the edge instead: the station's enrolment points at the relay's port, the relay forwards every
byte to the broker, and :meth:`TcpRelay.cut` closes the station's live connections and refuses new ones (as a
dead 4G link does: the broker sees the socket close and publishes the station's last will) until
:meth:`TcpRelay.restore`. Everything above TCP (TLS, MQTT, the broker's session) is the real thing.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading

BUFFER = 65536


class TcpRelay:
    """Forward ``127.0.0.1:port`` to ``target_host:target_port`` until cut. Thread-safe.

    Args:
        target_host: where the broker listens.
        target_port: its port.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        """The loopback port the station connects to (chosen by :meth:`start`, kept across cuts)."""
        self.cuts = 0
        """How many times the link was cut (each cut closes the live connections)."""

    def start(self) -> None:
        """Listen on a free loopback port and forward what comes in."""
        self._listen()

    def cut(self) -> None:
        """Close every forwarded connection and stop listening (new connections are refused)."""
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, []
            self.cuts += 1
        if listener is not None:
            listener.close()
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def restore(self) -> None:
        """Listen again on the same port."""
        self._listen()

    def close(self) -> None:
        """Cut for good."""
        self.cut()

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(8)
        listener.settimeout(0.2)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), name="tcp-relay", daemon=True)
        self._thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            with self._lock:
                if self._listener is not listener:
                    return
            try:
                inside, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                outside = socket.create_connection(self._target, timeout=5)
            except OSError:
                inside.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    inside.close()
                    outside.close()
                    return
                self._pairs.append((inside, outside))
            threading.Thread(target=self._pump, args=(inside, outside), name="tcp-relay-pump", daemon=True).start()

    def _pump(self, inside: socket.socket, outside: socket.socket) -> None:
        """Copy bytes both ways until either end closes (or :meth:`cut` closes both)."""
        peers = {inside: outside, outside: inside}
        with selectors.DefaultSelector() as selector:
            try:
                for end in peers:
                    end.setblocking(True)
                    selector.register(end, selectors.EVENT_READ)
                while True:
                    for key, _events in selector.select(timeout=1.0):
                        source: socket.socket = key.fileobj  # type: ignore[assignment]
                        data = source.recv(BUFFER)
                        if not data:
                            raise ConnectionError("closed")
                        peers[source].sendall(data)
            except (OSError, ValueError, ConnectionError):
                pass
        for end in peers:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        with self._lock:
            if (inside, outside) in self._pairs:
                self._pairs.remove((inside, outside))


__all__ = ["TcpRelay"]
