"""What the fleet and hub benches share: many light MQTT clients on one selector loop per worker process, the
worker processes' start and stop, and a process's CPU time and resident memory read from ``/proc``.

A worker is ``python -m <bench module> --swarm <json file>``: it builds its clients, prints ``ready`` once every
one is subscribed, then serves them; each line the parent writes to its stdin is handed to
:meth:`ClientLoop.on_line` on the loop's thread, and closing stdin ends it.
"""

from __future__ import annotations

import functools
import json
import os
import queue
import selectors
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

PER_PROCESS = 500
"""Simulated clients per worker process."""


class ClientLoop:
    """Paho clients served by one thread on one selector (a worker process's body); subclasses add clients with
    :meth:`add` and react in paho's callbacks, which all run on the loop's thread.

    Other threads hand work to the loop with :meth:`post` (paho clients driven by hand are not meant to be
    used from two threads at once).
    """

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.clients: list[mqtt.Client] = []
        self.subscribed = 0
        """Subscriptions acknowledged so far: each client subscribes once (``on_subscribe`` = :meth:`_subscribed`)."""
        self._posted: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self.selector.register(self._wake_read, selectors.EVENT_READ, None)

    def add(self, client: mqtt.Client, host: str, port: int) -> None:
        """Connect ``client`` and serve it from now on."""
        client.connect(host, port, keepalive=120)
        sock = client.socket()
        assert sock is not None, "connect() returned without a socket"
        self.selector.register(sock, selectors.EVENT_READ, client)
        self.clients.append(client)

    def _subscribed(self, *_args: Any) -> None:
        self.subscribed += 1

    def post(self, action: Callable[[], None]) -> None:
        """Run ``action`` on the loop's thread soon (thread-safe)."""
        self._posted.put(action)
        self._wake_write.send(b"\0")

    def on_line(self, line: str) -> None:
        """A line the parent wrote to the worker's stdin (ignored unless a subclass says otherwise)."""

    def run(self) -> None:
        """Serve the clients until stdin closes; print ``ready`` once every client is subscribed."""
        ready = False
        stdin_closed = threading.Event()

        def watch_stdin() -> None:
            for line in sys.stdin:
                self.post(functools.partial(self.on_line, line.strip()))
            stdin_closed.set()
            self.post(lambda: None)

        threading.Thread(target=watch_stdin, daemon=True).start()
        last_misc = 0.0
        while not stdin_closed.is_set():
            for key, _events in self.selector.select(timeout=0.1):
                if key.data is None:
                    self._run_posted()
                    continue
                client: mqtt.Client = key.data
                client.loop_read(max_packets=50)
                sock = client.socket()
                while isinstance(sock, ssl.SSLSocket) and sock.pending():
                    client.loop_read(max_packets=50)
            for client in self.clients:
                if client.want_write():
                    client.loop_write()
            if time.monotonic() - last_misc > 1.0:
                last_misc = time.monotonic()
                for client in self.clients:
                    client.loop_misc()
            if not ready and self.subscribed >= len(self.clients):
                ready = True
                print("ready", flush=True)

    def _run_posted(self) -> None:
        try:
            while self._wake_read.recv(4096):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                action = self._posted.get_nowait()
            except queue.Empty:
                return
            action()


def start_swarms(
    module: str, folder: Path, config: dict[str, Any], boxes: Sequence[dict[str, Any]], per_process: int = PER_PROCESS
) -> list[subprocess.Popen[str]]:
    """Worker processes (``python -m <module> --swarm FILE``) for ``boxes``, at most ``per_process`` each,
    returned once every worker has said ``ready``."""
    workers = []
    for index in range(0, len(boxes), per_process):
        path = folder / f"swarm-{index}.json"
        path.write_text(json.dumps({**config, "boxes": list(boxes[index : index + per_process])}))
        workers.append(subprocess.Popen([sys.executable, "-m", module, "--swarm", str(path)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))  # fmt: skip
    for worker in workers:
        assert worker.stdout is not None
        line = worker.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"a swarm worker did not start (exit {worker.poll()})")
    return workers


def tell_swarms(workers: Sequence[subprocess.Popen[str]], line: str) -> None:
    """Write ``line`` to every worker (its :meth:`ClientLoop.on_line`)."""
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write(line + "\n")
        worker.stdin.flush()


def stop_swarms(workers: Sequence[subprocess.Popen[str]]) -> None:
    """Close the workers' stdin and wait for them."""
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.close()
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


__all__ = ["PER_PROCESS", "ClientLoop", "cpu_seconds", "rss_mb", "start_swarms", "stop_swarms", "tell_swarms"]
