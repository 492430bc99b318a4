"""Issue 19's hub figures, every server part real: a private PostgreSQL (Debian's ``initdb``/``pg_ctl`` in a
temporary folder on a free port, as the tests start it), a private mosquitto written by ``truyenthanh hub broker
config``, and ``truyenthanh hub run`` on the PostgreSQL URL. The stations are simulated: light paho clients,
several hundred per worker process on one selector loop (:mod:`bench.swarm`), each enrolled for real (a zone added
at the hub, a one-time code, ``POST /enrol`` through the receiver's own client) and answering as a station does:

* a package notice: the signature and sequence checked (:func:`~truyenthanh.domain.fleet.judge` with the hub's
  key), the ``.ttpkg`` fetched from the hub's file server with the real downloader
  (:func:`~truyenthanh.daemon.upstream.fetch_file` over :func:`~truyenthanh.adapters.fleet_http.download`) and
  checked, then acknowledged (it is not imported: that is the station's own work, measured by its own benches);
* an emergency: checked, then acknowledged with ``heard_at``;
* its broadcast log: chained rows (content as :func:`~truyenthanh.domain.records.broadcast_content` makes it,
  hashed as :func:`~truyenthanh.domain.hashchain.row_hash` does) sent as :class:`LogBatch` messages of
  :data:`LOG_BATCH_ROWS` rows, the next batch when the hub's retained :class:`LogReceipt` names the last row
  sent (resent from the receipt's row when it names a problem).

Printed: package fan-out and emergency fan-out (from the operator's send, through :class:`HubDesk` as the CLI
does, to each station's acknowledgement arriving at the broker: median and worst per station over the trials, and
until every answer is stored in PostgreSQL by the hub), the log ingestion rate into PostgreSQL (rows per second,
until every station's receipt names its last row; checked against the rows the hub holds), beside the rate of
the hub's log store alone in this process (the same rows, no broker) as a baseline; the hub's resident memory
idle with every station connected, and at its peak during ingestion.

Run: ``.venv/bin/python -m bench.hub [--stations 150] [--rows 2000] [--trials 3] [--quick]`` (``--quick``: 10
stations, 600 rows each, one trial).
"""

from __future__ import annotations

import argparse
import base64
import functools
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from tests.fleet.mosquitto import Mosquitto
from tests.integration.fleet_rig import wait_for
from tests.integration.test_cli import write_role_settings
from tests.pg import PostgresServer, start_postgres
from tests.streams import free_port

from bench.swarm import ClientLoop, rss_mb, start_swarms, stop_swarms, tell_swarms
from truyenthanh import bootstrap
from truyenthanh.adapters.signing import PublicKey
from truyenthanh.config import load_settings
from truyenthanh.daemon.upstream import fetch_file
from truyenthanh.domain.enums import Category, ItemKind, Outcome, Priority
from truyenthanh.domain.fleet import (
    COMMAND_MAX_AGE,
    Action,
    Command,
    CommandAck,
    Envelope,
    FileRef,
    Kind,
    judge,
    receiver_topic,
    zone_topic,
)
from truyenthanh.domain.hashchain import GENESIS, row_hash
from truyenthanh.domain.records import broadcast_content
from truyenthanh.domain.upstream import (
    LOG_BATCH_ROWS,
    LOG_LEAF,
    RECEIPT_LEAF,
    LogBatch,
    LogReceipt,
    PackageNotice,
    ShippedRow,
    StationHealth,
    accept,
)
from truyenthanh.errors import TruyenthanhError
from truyenthanh.hub import hub_link, hub_settings
from truyenthanh.hub.desk import HubDesk
from truyenthanh.receiver.runtime import enrol
from truyenthanh.receiver.state import ReceiverState

HUB_ID = "tinh-do"
HUB_NAME = "Sở Văn hoá, Thể thao và Du lịch tỉnh Đo"
OPERATOR = "Lê Thị Hoa"
PACKAGE_SOURCE = Path(__file__).resolve().parent.parent / "schedules" / "truyen-thong-chinh-sach-48.toml"
"""The example programme file an upstream editor wrote: built and signed at the hub as the package sent."""
FIRST_AIRING = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
"""When the simulated logs begin (a row every two hours: 2,000 rows span about five and a half months)."""
DOWNLOADS_PER_PROCESS = 8
"""Package downloads at once in one worker process."""
_CATEGORIES = (Category.LOCAL_AFFAIRS, Category.POLICY_LAW, Category.SECURITY_DEFENCE, Category.MUSIC)


# ------------------------------------------------------------------------------------------ the stations' logs


class Chain:
    """One simulated station's broadcast log, made as it is shipped: row ``n`` aired at
    :data:`FIRST_AIRING` plus ``2n`` hours, each row chained to the one before."""

    def __init__(self, station: int) -> None:
        self.station = station
        self.made = 0
        self.head = GENESIS

    def next_rows(self, count: int) -> list[ShippedRow]:
        """The next ``count`` rows of the chain."""
        rows = []
        for row_id in range(self.made + 1, self.made + count + 1):
            start = FIRST_AIRING + timedelta(hours=2 * row_id, seconds=self.station)
            content = broadcast_content(
                {
                    "programme_title": f"Bản tin số {row_id}",
                    "item_title": "Tin của xã",
                    "item_kind": ItemKind.AUDIO,
                    "category": _CATEGORIES[row_id % len(_CATEGORIES)],
                    "language": "vi",
                    "priority": Priority.NORMAL,
                    "scheduled_start": start,
                    "actual_start": start,
                    "end": start + timedelta(minutes=15),
                    "outcome": Outcome.PLAYED,
                    "reason": "",
                    "outages": [],
                    "recorded_at": start + timedelta(minutes=15),
                }
            )
            digest = row_hash(self.head, content)
            rows.append(ShippedRow(row_id, self.head, digest, content))
            self.head = digest
        self.made += count
        return rows


# ------------------------------------------------------------------------------------- the simulated stations


@dataclass
class SimStation:
    """One simulated station's state in a worker."""

    slug: str
    zone: str
    folder: Path
    chain: Chain
    client: mqtt.Client | None = None
    last_seq: int = 0
    sent_upto: int = 0
    pending: list[ShippedRow] = field(default_factory=list)
    """The last batch sent, kept until the receipt names its last row (resent from a receipt's problem)."""


class HubSwarm(ClientLoop):
    """Many simulated stations of one hub on one selector loop (a worker process's body). The parent writes
    ``ship`` to start every station's log shipping."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.hub = str(config["hub"])
        self.public = PublicKey("hub", base64.b64decode(config["public_key"]))
        self.rows = int(config["rows"])
        self.files_url = str(config["files_url"])
        self.shipping = False
        self.downloads = ThreadPoolExecutor(DOWNLOADS_PER_PROCESS)
        context = ssl.create_default_context(cadata=config["ca_pem"])
        self.stations: list[SimStation] = []
        for box in config["boxes"]:
            station = SimStation(box["slug"], box["zone"], Path(box["folder"]), Chain(int(box["index"])))
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"{self.hub}-{station.slug}",
                                 clean_session=True, protocol=MQTTProtocolVersion.MQTTv311)  # fmt: skip
            client.username_pw_set(box["username"], box["password"])
            client.tls_set_context(context)
            offline = StationHealth(station.slug, station.zone, False, datetime.now(UTC), version="bench")
            client.will_set(receiver_topic(self.hub, station.slug, "status"), offline.encode(), qos=1, retain=True)
            client.on_connect = self._connected(station)
            client.on_subscribe = self._subscribed
            client.on_message = self._message(station)
            station.client = client
            self.add(client, config["host"], int(config["port"]))
            self.stations.append(station)

    def _connected(self, station: SimStation) -> Any:
        def handle(client: mqtt.Client, _userdata: Any, _flags: Any, _reason: Any, _properties: Any) -> None:
            client.subscribe([(zone_topic(self.hub, station.zone, "command"), 1),
                              (receiver_topic(self.hub, station.slug, "inbox"), 1),
                              (zone_topic(self.hub, station.zone, RECEIPT_LEAF), 1)])  # fmt: skip
            health = StationHealth(station.slug, station.zone, True, datetime.now(UTC), version="bench")
            client.publish(receiver_topic(self.hub, station.slug, "status"), health.encode(), qos=1, retain=True)

        return handle

    def _message(self, station: SimStation) -> Any:
        def handle(_client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
            if message.topic.endswith("/" + RECEIPT_LEAF):
                self._receipt(station, LogReceipt.decode(bytes(message.payload)))
                return
            envelope = Envelope.decode(bytes(message.payload))
            live = envelope.kind is Kind.COMMAND
            refusal = judge(envelope, station=self.hub, verify=self.public.verify, last_seq=station.last_seq,
                            now=datetime.now(UTC), max_age=COMMAND_MAX_AGE if live else None)  # fmt: skip
            if refusal is not None:
                print(f"{station.slug} refused message {envelope.seq}: {refusal.text}", file=sys.stderr)
                return
            station.last_seq = envelope.seq
            if envelope.kind is Kind.PACKAGE:
                notice = PackageNotice.from_dict(envelope.body)
                self.downloads.submit(self._fetch, station, notice)
            elif live:
                command = Command.from_dict(envelope.body)
                heard = datetime.now(UTC) if command.action is Action.EMERGENCY else None
                self._answer(station, command.command_id, ok=True, heard_at=heard)

        return handle

    def _answer(self, station: SimStation, ident: str, *, ok: bool, reason: str = "", heard_at: Any = None) -> None:
        ack = CommandAck(ident, station.slug, datetime.now(UTC), ok, heard_at=heard_at, reason=reason)
        assert station.client is not None
        station.client.publish(receiver_topic(self.hub, station.slug, "ack"), ack.encode(), qos=1)

    def _fetch(self, station: SimStation, notice: PackageNotice) -> None:
        """A download thread's work: fetch and check the package, then answer from the loop's thread. The file is
        removed afterwards, so that every trial downloads it again."""
        try:
            path, _received = fetch_file(
                self.files_url,
                station.folder / "files",
                FileRef(notice.sha256, notice.size, 0.0, notice.name),
                ".ttpkg",
            )
            path.unlink()
            ok, reason = True, "bench: đã tải và kiểm tra sha256 (không nhập)"
        except TruyenthanhError as exc:
            ok, reason = False, exc.message
        self.post(lambda: self._answer(station, notice.notice_id, ok=ok, reason=reason))

    def on_line(self, line: str) -> None:
        """``ship``: every station sends its first batch of log rows."""
        if line == "ship":
            self.shipping = True
            for station in self.stations:
                self._send_rows(station, station.chain.next_rows(min(LOG_BATCH_ROWS, self.rows)))

    def _send_rows(self, station: SimStation, rows: list[ShippedRow]) -> None:
        if not rows:
            return
        station.pending = rows
        station.sent_upto = rows[-1].row_id
        assert station.client is not None
        batch = LogBatch(station.slug, tuple(rows)).encode()
        station.client.publish(receiver_topic(self.hub, station.slug, LOG_LEAF), batch, qos=1)

    def _receipt(self, station: SimStation, receipt: LogReceipt) -> None:
        if not self.shipping:
            return
        if receipt.problem is not None and receipt.last_id < station.sent_upto:
            self._send_rows(station, [row for row in station.pending if row.row_id > receipt.last_id])
        elif receipt.last_id == station.sent_upto and station.chain.made < self.rows:
            self._send_rows(station, station.chain.next_rows(min(LOG_BATCH_ROWS, self.rows - station.chain.made)))


def swarm_main(path: str) -> None:
    """The worker process: one :class:`HubSwarm` over the stations in the JSON file ``path``."""
    HubSwarm(json.loads(Path(path).read_text())).run()


# ---------------------------------------------------------------------------------------------------- the hub


class Answers:
    """What the bench hears on the hub's broker, logged in as the hub: acknowledgements and log receipts, each
    with the monotonic time it arrived."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.acks: dict[str, dict[str, float]] = {}
        self.receipts: dict[str, tuple[int, float, str | None]] = {}
        self.problems = 0

    def ack(self, _topic: str, payload: bytes) -> None:
        """An acknowledgement arrived."""
        arrived = time.monotonic()
        ack = CommandAck.decode(payload)
        with self._lock:
            self.acks.setdefault(ack.command_id, {}).setdefault(ack.receiver, arrived)

    def receipt(self, _topic: str, payload: bytes) -> None:
        """A log receipt arrived."""
        arrived = time.monotonic()
        receipt = LogReceipt.decode(payload)
        with self._lock:
            self.receipts[receipt.station] = (receipt.last_id, arrived, receipt.problem)
            self.problems += receipt.problem is not None

    def acked(self, ident: str) -> dict[str, float]:
        """The stations that acknowledged ``ident`` so far, with when."""
        with self._lock:
            return dict(self.acks.get(ident, {}))

    def logged(self) -> dict[str, tuple[int, float, str | None]]:
        """Every station's last receipt so far."""
        with self._lock:
            return dict(self.receipts)


@dataclass
class HubBench:
    """The running hub, its database, broker and simulated stations. Build with :func:`hub_bench`."""

    folder: Path
    env: dict[str, str]
    process: subprocess.Popen[str]
    container: bootstrap.Container
    answers: Answers
    package: Path
    slugs: list[str]
    workers: list[subprocess.Popen[str]]
    enrol_s: float
    """Seconds to add and enrol every station."""

    @property
    def desk(self) -> HubDesk:
        """The operator's desk, as the CLI builds it."""
        return HubDesk(self.container)


def _cli(env: dict[str, str], folder: Path, *args: str) -> str:
    """``truyenthanh --data-dir FOLDER ARGS``, which must succeed; its stdout."""
    command = [sys.executable, "-m", "truyenthanh", "--data-dir", str(folder), *args]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        raise RuntimeError(f"truyenthanh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _hub_env(folder: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUYENTHANH_")}
    env.update(
        TRUYENTHANH_DATABASE_URL=database_url,
        TRUYENTHANH_TTS_ENGINE="espeak",
        TRUYENTHANH_SINGLE_OPERATOR="true",
        TRUYENTHANH_SINGLE_OPERATOR_NAME=OPERATOR,
        TRUYENTHANH_HUB_ID=HUB_ID,
        TRUYENTHANH_HUB_BROKER_HOST="127.0.0.1",
        TRUYENTHANH_HUB_BROKER_PORT=str(free_port()),
        TRUYENTHANH_HUB_PUBLIC_HOST="127.0.0.1",
        TRUYENTHANH_HUB_HTTP_HOST="127.0.0.1",
        TRUYENTHANH_HUB_HTTP_PORT=str(free_port()),
    )
    write_role_settings(folder, env)
    return env


def _start_hub(folder: Path, env: dict[str, str], log: IO[str]) -> subprocess.Popen[str]:
    """``truyenthanh hub run``, waited for until its file server answers."""
    process = subprocess.Popen([sys.executable, "-m", "truyenthanh", "hub", "--data-dir", str(folder), "run"],
                               env=env, stdout=log, stderr=subprocess.STDOUT, text=True)  # fmt: skip

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"hub run exited ({process.returncode}): see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{env['TRUYENTHANH_HUB_HTTP_PORT']}/time", timeout=1):
                return True
        except OSError:
            return False

    wait_for(answers, "the hub's file server", 60)
    return process


def _hub_container(folder: Path, env: dict[str, str]) -> bootstrap.Container:
    """The hub's services in this process (settings read with the hub's environment)."""
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in env.items() if k.startswith("TRUYENTHANH_")})
    try:
        return bootstrap.build(hub_settings(load_settings(folder)))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _enrol_all(container: bootstrap.Container, root: Path, files_url: str, count: int) -> list[dict[str, Any]]:
    """``count`` stations added at the hub and enrolled with one-time codes through ``POST /enrol``."""
    boxes = []
    for index in range(count):
        name = f"Xã Thử Nghiệm {index + 1:03d}"
        zone = container.fleet.add_zone(OPERATOR, name)
        code = container.fleet.issue_code(OPERATOR, zone.slug).code
        folder = root / f"xa-{index:03d}"
        folder.mkdir(parents=True)
        enrolment = enrol(ReceiverState(folder), files_url, code, name)
        boxes.append({"slug": enrolment.receiver, "zone": enrolment.zone, "username": enrolment.username,
                      "password": enrolment.password, "folder": str(folder), "index": index,
                      "public_key": enrolment.station_public_key, "ca_pem": enrolment.broker_ca_pem,
                      "host": enrolment.broker_host, "port": enrolment.broker_port})  # fmt: skip
    return boxes


@contextmanager
def hub_bench(stations: int, rows: int, root: Path, database_url: str) -> Iterator[HubBench]:
    """The hub on ``database_url`` with its broker, ``stations`` simulated stations enrolled and connected (each
    to ship ``rows`` log rows when told); everything stopped on exit."""
    folder = root / "hub"
    env = _hub_env(folder, database_url)
    _cli(env, folder, "hub", "init", "--name", HUB_NAME)
    port = env["TRUYENTHANH_HUB_BROKER_PORT"]
    _cli(env, folder, "hub", "broker", "config", "--port", port, "--bind", "127.0.0.1", "--host", "127.0.0.1")
    package = root / "chinh-sach-48.ttpkg"
    _cli(env, folder, "package", "build", str(PACKAGE_SOURCE), "-o", str(package))
    _cli(env, folder, "package", "sign", str(package))
    broker = Mosquitto.existing(folder / "broker", station=HUB_ID)
    broker.start()
    log = open(root / "hub.log", "a", encoding="utf-8")  # noqa: SIM115
    process: subprocess.Popen[str] | None = None
    container: bootstrap.Container | None = None
    workers: list[subprocess.Popen[str]] = []
    try:
        process = _start_hub(folder, env, log)
        container = _hub_container(folder, env)
        files_url = f"http://127.0.0.1:{env['TRUYENTHANH_HUB_HTTP_PORT']}"
        started = time.monotonic()
        boxes = _enrol_all(container, root / "stations", files_url, stations)
        enrol_s = time.monotonic() - started
        answers = Answers()
        link = hub_link(container, "bench")
        link.subscribe(receiver_topic(HUB_ID, "+", "ack"), answers.ack)
        link.subscribe(zone_topic(HUB_ID, "+", RECEIPT_LEAF), answers.receipt)
        link.start()
        assert link.wait_connected(10), "the bench could not reach the hub's broker"
        first = boxes[0]
        config = {"hub": HUB_ID, "host": first["host"], "port": first["port"], "ca_pem": first["ca_pem"],
                  "public_key": first["public_key"], "files_url": files_url, "rows": rows}  # fmt: skip
        workers = start_swarms("bench.hub", root, config, boxes)
        bench = HubBench(
            folder, env, process, container, answers, package, [b["slug"] for b in boxes], workers, enrol_s
        )
        wait_for(lambda: all(v.online for v in bench.desk.stations()), f"{stations} stations online at the hub", 120,
                 every=0.5)  # fmt: skip
        try:
            yield bench
        finally:
            link.close()
    finally:
        stop_swarms(workers)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if container is not None:
            container.close()
        broker.kill()
        log.close()


# -------------------------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Fanout:
    """One sending's figures, in seconds from the operator's send."""

    per_station: list[float]
    """Each station's acknowledgement's arrival at the broker's side."""
    stored: float
    """Until the hub held every answer in PostgreSQL."""


def fanout(bench: HubBench, send: Callable[[], str], timeout: float = 120.0) -> Fanout:
    """Send (``send`` returns the sending's id) and wait for every station's answer, heard and stored."""
    count = len(bench.slugs)
    started = time.monotonic()
    ident = send()
    acked = wait_for(lambda: (got if len(got := bench.answers.acked(ident)) >= count else None),
                     f"{count} answers to {ident}", timeout, every=0.005)  # fmt: skip
    wait_for(lambda: len(bench.desk.answers(ident)) >= count, f"{count} answers to {ident} stored", timeout, every=0.05)
    stored = time.monotonic() - started
    refused = [slug for slug, answer in bench.desk.answers(ident).items() if not answer.get("ok")]
    if refused:
        raise RuntimeError(f"{len(refused)} stations refused {ident}: {refused[:5]}")
    return Fanout([at - started for at in acked.values()], stored)


def ingestion(bench: HubBench, rows: int, workers: list[subprocess.Popen[str]]) -> tuple[float, float]:
    """Seconds until every station's receipt names its last row, and the hub's peak RSS (MB) meanwhile."""
    peak = rss_mb(bench.process.pid)
    sampling = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not sampling.wait(0.2):
            peak = max(peak, rss_mb(bench.process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    count = len(bench.slugs)

    def done() -> bool:
        receipts = bench.answers.logged()
        return len(receipts) >= count and all(last == rows for last, _at, _problem in receipts.values())

    started = time.monotonic()
    tell_swarms(workers, "ship")
    try:
        wait_for(done, f"{count} stations' logs at the hub", 60 + count * rows / 500, every=0.05)
    finally:
        sampling.set()
        sampler.join()
    elapsed = max(at for _last, at, _problem in bench.answers.logged().values()) - started
    with bench.container.store.transaction() as uow:
        held = uow.hub_log.counts()
    wrong = {slug: held.get(slug, 0) for slug in bench.slugs if held.get(slug, 0) != rows}
    if wrong:
        raise RuntimeError(f"the hub holds other row counts than {rows}: {dict(list(wrong.items())[:5])}")
    return elapsed, peak


def store_alone(container: bootstrap.Container, stations: int, rows: int) -> float:
    """Rows per second the hub's log store takes in this process, batch by batch as the hub does (the head,
    :func:`accept`, add, one transaction a batch), without the broker: the ceiling the hub's ingestion is
    compared with. The rows are made before the clock starts."""
    batches: list[tuple[str, list[ShippedRow]]] = []
    for index in range(stations):
        chain = Chain(index)
        while chain.made < rows:
            batches.append((f"nen-{index}", chain.next_rows(min(LOG_BATCH_ROWS, rows - chain.made))))
    started = time.monotonic()
    for slug, batch in batches:
        with container.store.transaction() as uow:
            taken, problem = accept(*uow.hub_log.head(slug), batch)
            assert problem is None, problem
            uow.hub_log.add(slug, taken, received_at=datetime.now(UTC))
    return stations * rows / (time.monotonic() - started)


def send_package(bench: HubBench) -> str:
    """The operator sends the example package to every station; the sending's id."""
    return bench.desk.send_package(OPERATOR, bench.package).command_id


def send_emergency(bench: HubBench) -> str:
    """The operator sends a spoken emergency to every station; the sending's id."""
    return bench.desk.send_emergency(OPERATOR, "Bão số 9 sắp đổ bộ, mời bà con ở trong nhà.").command_id


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def measure(args: argparse.Namespace, server: PostgresServer) -> list[tuple[str, str, str]]:
    """Every figure, as table rows (figure, measured, goal)."""
    n, rows_each = args.stations, args.rows
    table: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        print(f"Khởi động tuyến trên và ghi danh {n} đài…", file=sys.stderr)
        with hub_bench(n, rows_each, Path(tmp), server.url(server.create_database())) as bench:
            table.append((f"{n} stations added and enrolled (POST /enrol)", f"{bench.enrol_s:.1f} s", ""))
            time.sleep(2.0)
            idle = rss_mb(bench.process.pid)
            for label, send, goal in (("package", send_package, ""), ("emergency", send_emergency, "< 2 s")):
                print(f"Đo gửi {label} tới {n} đài ({args.trials} lần)…", file=sys.stderr)
                trials = [fanout(bench, functools.partial(send, bench)) for _ in range(args.trials)]
                times = [t for trial in trials for t in trial.per_station]
                kind = (
                    f"package ({bench.package.stat().st_size / 1024:.0f} KB over HTTP)" if label == "package" else label
                )
                table.append((f"{kind} to {n} stations: per station, median / worst",
                              f"{_ms(statistics.median(times))} / {_ms(max(times))}", goal))  # fmt: skip
                table.append(("  every answer stored at the hub, median of trials",
                              _ms(statistics.median(t.stored for t in trials)), ""))  # fmt: skip
            print(f"Đo nhận nhật ký: {n} đài × {rows_each} dòng…", file=sys.stderr)
            seconds, peak = ingestion(bench, rows_each, bench.workers)
            rate = n * rows_each / seconds
            table.append((f"log ingestion into PostgreSQL, {n} × {rows_each} rows", f"{rate:,.0f} rows/s", ""))
            baseline = store_alone(bench.container, min(n, 10), rows_each)
            table.append(("  the hub's log store alone, same rows, no broker", f"{baseline:,.0f} rows/s", ""))
            table.append(("  ratio hub / store alone", f"{rate / baseline:.2f}", ""))
            table.append(
                (f"hub RSS: idle with {n} stations / peak during ingestion", f"{idle:.0f} / {peak:.0f} MB", "")
            )
    return table


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stations", type=int, default=150, help="simulated stations (default 150)")
    parser.add_argument("--rows", type=int, default=2000, help="log rows each station ships (default 2000)")
    parser.add_argument("--trials", type=int, default=3, help="sendings of each kind (default 3)")
    parser.add_argument("--quick", action="store_true", help="10 stations, 600 rows each, one trial")
    parser.add_argument("--swarm", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.swarm:
        swarm_main(args.swarm)
        return
    if args.quick:
        args.stations, args.rows, args.trials = 10, 600, 1
    server = start_postgres()
    try:
        table = measure(args, server)
    finally:
        server.stop()
    print(f"{'figure':<66} {'measured':>20} {'goal':>6}")
    for name, value, goal in table:
        print(f"{name:<66} {value:>20} {goal:>6}")


if __name__ == "__main__":
    main()
