"""Issue 19, the hub's files in its database: how fast a hub process serves an offered package from PostgreSQL
(and from SQLite, for comparison), and that serving does not load the file whole into the process.

For each database: a 64 MiB file is kept with ``HubFileRepository.put`` (as ``hub send package`` does), then a
separate process serves it with the hub's file server (:class:`~truyenthanh.adapters.fleet_http.FleetFileServer`
over :class:`~truyenthanh.hub.StoredFile`, 1 MiB read per query) while this one downloads it whole with the
stations' :func:`~truyenthanh.adapters.fleet_http.download` and then fetches its last 1 MiB with a ``Range``
request. Printed: the whole download's rate (MB/s), the ranged request's time, and the serving process's resident
memory before the first request and at its peak while serving.

Run: ``.venv/bin/python -m bench.hub_files``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from tests.pg import start_postgres

from truyenthanh import bootstrap
from truyenthanh.adapters.fleet_http import FleetFileServer, download
from truyenthanh.config import load_settings
from truyenthanh.domain.fleet import FileRef
from truyenthanh.hub import stored_file

SIZE = 64 * 1024 * 1024


def rss_mb() -> float:
    """This process's resident memory (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def serve(data_dir: str, database_url: str) -> None:
    """The child: serve the hub's files until stdin closes; print its port, then its RSS before and at peak."""
    flags = {"database_url": database_url} if database_url else {}
    container = bootstrap.build(load_settings(Path(data_dir), **flags))
    server = FleetFileServer(
        "127.0.0.1", 0, lookup=lambda sha: stored_file(container.store, sha), enrol=lambda c, n: {},
        now=container.clock.now,
    )  # fmt: skip
    server.start()
    stored_file(container.store, "0" * 64)  # the first query made (its connection and imports counted in "before")
    before, peak, done = rss_mb(), 0.0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, rss_mb())

    threading.Thread(target=sample, daemon=True).start()
    print(json.dumps({"port": server.port}), flush=True)
    sys.stdin.read()
    done.set()
    print(json.dumps({"before": before, "peak": max(peak, rss_mb())}), flush=True)
    server.close()
    container.close()


def measure(label: str, folder: Path, database_url: str) -> tuple[str, str, str]:
    """Keep the file, serve it from a child process, fetch it; the printed row."""
    flags = {"database_url": database_url} if database_url else {}
    folder.mkdir()
    container = bootstrap.build(load_settings(folder, **flags))
    container.station.init(name="Sở Văn hoá tỉnh Thử")
    content = os.urandom(SIZE)
    digest = hashlib.sha256(content).hexdigest()
    with container.store.transaction() as uow:
        uow.hub_files.put(digest, "goi.ttpkg", content, at=container.clock.now())
    del content
    container.close()
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.hub_files", "serve", str(folder), database_url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    port = json.loads(child.stdout.readline())["port"]
    url = f"http://127.0.0.1:{port}"
    target = folder / "tai-ve.partial"
    started = time.perf_counter()
    download(url, FileRef(digest, SIZE, 0.0, "goi.ttpkg"), target, timeout=60)
    whole = time.perf_counter() - started
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest
    request = urllib.request.Request(f"{url}/files/{digest}", headers={"Range": f"bytes={SIZE - 2**20}-"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        assert len(response.read()) == 2**20
    ranged = time.perf_counter() - started
    child.stdin.close()
    memory = json.loads(child.stdout.readline())
    child.wait(30)
    return (
        label,
        f"{SIZE / whole / 1e6:.0f} MB/s; last 1 MiB by Range: {ranged * 1000:.0f} ms",
        f"{memory['before']:.0f} MB → peak {memory['peak']:.0f} MB",
    )


def main() -> None:
    """Both databases; one printed line each."""
    root = Path(tempfile.mkdtemp(prefix="bench-hub-files-"))
    server = start_postgres()
    try:
        name = server.create_database()
        rows = [
            measure("PostgreSQL", root / "pg", server.url(name)),
            measure("SQLite", root / "sqlite", ""),
        ]
    finally:
        server.stop()
    print(f"A {SIZE // 2**20} MiB hub file served from the database (download rate; serving process RSS):")
    for label, rate, memory in rows:
        print(f"  {label:<11} {rate:<40} RSS {memory}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
    else:
        main()
