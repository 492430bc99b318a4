"""A whole IP station for end-to-end fleet tests (issue 18), every part a real process: a private mosquitto
written by ``truyenthanh broker config``, the station daemon with ``fleet_enabled``, and receiver boxes enrolled
with codes from ``truyenthanh zone enroll`` through ``truyenthanh receiver enrol``, each ``receiver run`` playing
into its own PulseAudio null sink on the session's private server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlmodel import select

from tests.fleet.mosquitto import Mosquitto
from tests.integration.test_cli import write_role_settings
from tests.people import ADMIN
from tests.pulse import PulseServer, Recorder, Recording
from tests.streams import free_port
from truyenthanh import bootstrap
from truyenthanh.adapters.control import ControlClient
from truyenthanh.adapters.db.models import ZonePlay
from truyenthanh.config import load_settings
from truyenthanh.domain.station import StationRules
from truyenthanh.services.fleet import ReceiverView

STATION_ID = "xa-e2e"
OPERATOR = "Trần Văn Bình"


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 20.0, *, every: float = 0.05) -> Any:
    """Poll ``condition()`` until it is truthy (and return it); fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@dataclass
class Box:
    """One loudspeaker-cluster box: its state folder, its null sink, its ``receiver run`` process."""

    name: str
    zone: str
    state_dir: Path
    sink: str
    receiver: str = ""
    """Its slug, as the station named it at enrolment."""
    process: subprocess.Popen[bytes] | None = None
    module: str = ""
    """The ``pactl`` module index of its null sink."""

    @property
    def running(self) -> bool:
        """Whether its process is alive."""
        return self.process is not None and self.process.poll() is None


@dataclass
class FleetRig:
    """The station, its broker and its boxes. Build with :func:`fleet_rig`."""

    folder: Path
    env: dict[str, str]
    pulse: PulseServer
    broker: Mosquitto
    boxes: dict[str, Box] = field(default_factory=dict)
    daemon: subprocess.Popen[str] | None = None
    _logs: list[IO[Any]] = field(default_factory=list)

    # ------------------------------------------------------------------------------------------ commands

    def cli(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """``truyenthanh --data-dir STATION ARGS`` as the station's operator types it."""
        return subprocess.run(
            [sys.executable, "-m", "truyenthanh", "--data-dir", str(self.folder), *args],
            env={**self.env, **(env or {})}, capture_output=True, text=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip

    def ok(self, *args: str) -> str:
        """Run a station command that must succeed; its stdout."""
        done = self.cli(*args)
        assert done.returncode == 0, f"truyenthanh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def receiver_cli(self, box: Box, *args: str) -> subprocess.CompletedProcess[str]:
        """``truyenthanh receiver ARGS --state-dir BOX``."""
        return subprocess.run(
            [sys.executable, "-m", "truyenthanh", "receiver", *args, "--state-dir", str(box.state_dir)],
            env=self.env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    # ------------------------------------------------------------------------------------------ processes

    def start_daemon(self) -> None:
        """Start ``truyenthanh daemon`` and wait until its control socket answers."""
        log = open(self.folder / "daemon.log", "a", encoding="utf-8")  # noqa: SIM115
        self._logs.append(log)
        self.daemon = subprocess.Popen(
            [sys.executable, "-m", "truyenthanh", "--data-dir", str(self.folder), "daemon"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        client = ControlClient(self.folder / "run")
        process = self.daemon
        wait_for(lambda: process.poll() is not None or client.is_running(), "the daemon's control socket", 30)
        assert process.poll() is None, "the daemon exited:\n" + self.daemon_log()

    def daemon_log(self) -> str:
        """What the daemon wrote."""
        path = self.folder / "daemon.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def enrol(self, name: str, zone: str) -> Box:
        """Issue a one-time code for ``zone`` and enrol a new box named ``name`` with it, on its own null sink."""
        issued = json.loads(self.ok("zone", "enroll", zone, "--json"))
        index = len(self.boxes)
        box = Box(name, zone, self.folder.parent / f"box-{index}", f"cum{index}_{os.getpid()}")
        done = self.receiver_cli(box, "enrol", issued["url"], issued["code"], "--name", name)
        assert done.returncode == 0, done.stderr
        box.receiver = json.loads((box.state_dir / "enrolment.json").read_text())["receiver"]
        loaded = subprocess.run(
            ["pactl", "load-module", "module-null-sink", f"sink_name={box.sink}", "rate=48000", "channels=2"],
            env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        box.module = loaded.stdout.strip()
        self.boxes[box.receiver] = box
        return box

    def run_box(self, box: Box) -> None:
        """Start ``truyenthanh receiver run`` for ``box`` on its sink."""
        log = open(box.state_dir.parent / f"{box.receiver}.log", "ab")  # noqa: SIM115
        self._logs.append(log)
        box.process = subprocess.Popen(
            [sys.executable, "-m", "truyenthanh", "receiver", "run", "--device", f"pulse:{box.sink}",
             "--state-dir", str(box.state_dir)],
            env={**self.env, "PYTHONUNBUFFERED": "1"}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def kill_box(self, box: Box) -> None:
        """SIGKILL the box's process: no goodbye, no flush."""
        if box.process is not None and box.running:
            os.kill(box.process.pid, signal.SIGKILL)
            box.process.wait(timeout=10)

    def box_log(self, box: Box) -> str:
        """What the box wrote."""
        path = box.state_dir.parent / f"{box.receiver}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        """Every process's log, for an assertion's message."""
        parts = [f"--- daemon\n{self.daemon_log()[-4000:]}", f"--- mosquitto\n{self.broker.log_text()[-2000:]}"]
        parts += [f"--- {b.receiver}\n{self.box_log(b)[-3000:]}" for b in self.boxes.values()]
        return "\n".join(parts)

    def close(self) -> None:
        """Stop every process this rig started and unload the sinks."""
        for box in self.boxes.values():
            if box.process is not None and box.running:
                box.process.terminate()
                try:
                    box.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.kill_box(box)
            if box.module:
                subprocess.run(["pactl", "unload-module", box.module], env=self.env, capture_output=True, check=False)
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self.broker.kill()
        for log in self._logs:
            log.close()

    # ------------------------------------------------------------------------------------------ reading

    @contextmanager
    def container(self, **env: str) -> Iterator[bootstrap.Container]:
        """The station's services in this process (its database file, its settings plus ``env``)."""
        env = {**{k: v for k, v in self.env.items() if k.startswith("TRUYENTHANH_")}, **env}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            built = bootstrap.build(load_settings(self.folder))
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        try:
            yield built
        finally:
            built.close()

    def receivers(self) -> dict[str, ReceiverView]:
        """The station's view of its receivers, by slug."""
        with self.container() as built:
            return {view.slug: view for view in built.fleet.receivers()}

    def zone_plays(self) -> list[ZonePlay]:
        """Every as-played record the station stored."""
        with self.container() as built, built.db.session() as session:
            rows = list(session.exec(select(ZonePlay).order_by(ZonePlay.id)))  # type: ignore[arg-type]
            for row in rows:
                session.expunge(row)
            return rows

    def all_online(self) -> bool:
        """Every running box is online with its schedule on the station's side."""
        views = self.receivers()
        return all(
            box.receiver in views and views[box.receiver].online and views[box.receiver].status is not None
            for box in self.boxes.values()
            if box.running
        )

    @contextmanager
    def recording(self, *receivers: str, local: bool = False) -> Iterator[dict[str, Recording]]:
        """Record the sinks of ``receivers`` (all boxes if none named), and the station's own ``speaker`` with
        ``local``, while the block runs; the dict is filled when the block ends."""
        names = list(receivers or self.boxes)
        sinks = {name: self.boxes[name].sink for name in names}
        if local:
            sinks["local"] = "speaker"
        heard: dict[str, Recording] = {}
        with ExitStack() as stack:
            pending = {
                name: stack.enter_context(Recorder(self.pulse, sink=sink).record()) for name, sink in sinks.items()
            }
            try:
                yield heard
            finally:
                stack.close()
                heard.update({name: got[0] for name, got in pending.items() if got})


def heard_at(recording: Recording, threshold: float = 0.01) -> float | None:
    """The wall-clock time (``time.time()``) of the first sound in ``recording``, or ``None`` if silent."""
    first = recording.first_sound(threshold)
    return None if first is None else recording.started_at + first


def sound_after(recording: Recording, moment: float, threshold: float = 0.01) -> float:
    """Seconds of sound in ``recording`` after wall-clock ``moment`` (10 ms windows louder than ``threshold``)."""
    windows = recording.rms_windows(0.01)
    skip = max(0, int((moment - recording.started_at) / 0.01))
    return sum(0.01 for level in windows[skip:] if level > threshold)


def fleet_rig(root: Path, pulse: PulseServer) -> FleetRig:
    """Set up the station in ``root/station``: init, a signing key, zones «Thôn A» and «Thôn B», the broker's
    files by ``broker config`` on a free loopback port, mosquitto started, the daemon started. No boxes yet."""
    folder = root / "station"
    folder.mkdir(parents=True)
    broker_port, http_port = free_port(), free_port()
    env = {k: v for k, v in pulse.env.items() if not k.startswith("TRUYENTHANH_")}
    env.update(
        TRUYENTHANH_OUTPUT="device",
        TRUYENTHANH_TTS_ENGINE="espeak",
        TRUYENTHANH_SINGLE_OPERATOR="true",
        TRUYENTHANH_SINGLE_OPERATOR_NAME=OPERATOR,
        TRUYENTHANH_FLEET_ENABLED="true",
        TRUYENTHANH_FLEET_STATION_ID=STATION_ID,
        TRUYENTHANH_FLEET_BROKER_HOST="127.0.0.1",
        TRUYENTHANH_FLEET_BROKER_PORT=str(broker_port),
        TRUYENTHANH_FLEET_PUBLIC_HOST="127.0.0.1",
        TRUYENTHANH_FLEET_HTTP_HOST="127.0.0.1",
        TRUYENTHANH_FLEET_HTTP_PORT=str(http_port),
    )
    write_role_settings(folder, env)
    rig = FleetRig(folder, env, pulse, broker=None)  # type: ignore[arg-type]
    rig.ok("init")
    rig.ok("keys", "generate", "Đài xã Thử Nghiệm")
    with rig.container() as built:
        built.scheduling.set_rules(ADMIN, StationRules())  # tests run at any hour
    rig.ok("zone", "add", "Thôn A")
    rig.ok("zone", "add", "Thôn B")
    rig.ok("broker", "config", "--port", str(broker_port), "--bind", "127.0.0.1", "--host", "127.0.0.1")
    rig.broker = Mosquitto.existing(folder / "broker", station=STATION_ID)
    rig.broker.start()
    return rig
