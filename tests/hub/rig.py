"""A hub and its stations for the hub tests (issue 19), every part a real process: a private mosquitto written by
``truyenthanh hub broker config``, ``truyenthanh hub run``, and station daemons enrolled with codes from
``hub station enroll`` through ``truyenthanh upstream enrol``, each playing into its own PulseAudio null sink."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tests.fleet.mosquitto import Mosquitto
from tests.integration.fleet_rig import wait_for
from tests.integration.test_cli import write_role_settings
from tests.people import ADMIN
from tests.pulse import PulseServer
from tests.streams import free_port
from truyenthanh import bootstrap
from truyenthanh.adapters.control import ControlClient
from truyenthanh.config import load_settings
from truyenthanh.domain.station import StationRules
from truyenthanh.hub import hub_settings

HUB_ID = "tinh-thu"
HUB_NAME = "Sở Văn hoá, Thể thao và Du lịch tỉnh Thử"
OPERATOR = "Lê Thị Hoa"


@dataclass
class Commune:
    """One station subscribed to the hub: its folder, its null sink, its daemon."""

    name: str
    folder: Path
    sink: str
    env: dict[str, str]
    slug: str = ""
    module: str = ""
    daemon: subprocess.Popen[str] | None = None

    def log(self) -> str:
        """What its daemon wrote."""
        path = self.folder / "daemon.log"
        return path.read_text(errors="replace") if path.exists() else ""


@dataclass
class HubRig:
    """The hub, its broker and its stations. Build with :func:`hub_rig`."""

    root: Path
    env: dict[str, str]
    pulse: PulseServer
    broker: Mosquitto | None = None
    process: subprocess.Popen[str] | None = None
    communes: dict[str, Commune] = field(default_factory=dict)
    _logs: list[IO[Any]] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        """The hub's data folder."""
        return self.root / "hub"

    def run(self, *args: str, env: dict[str, str] | None = None, data_dir: Path | None = None) -> str:
        """``truyenthanh --data-dir FOLDER ARGS`` (the hub's folder by default), which must succeed; its stdout."""
        done = subprocess.run(
            [sys.executable, "-m", "truyenthanh", "--data-dir", str(data_dir or self.folder), *args],
            env=env or self.env, capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert done.returncode == 0, f"truyenthanh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start_hub(self) -> None:
        """``truyenthanh hub run``, waited for until its file server answers."""
        log = open(self.folder / "hub.log", "a", encoding="utf-8")  # noqa: SIM115
        self._logs.append(log)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "truyenthanh", "hub", "--data-dir", str(self.folder), "run"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        port = int(self.env["TRUYENTHANH_HUB_HTTP_PORT"])

        def answers() -> bool:
            import urllib.request

            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/time", timeout=1):
                    return True
            except OSError:
                return False

        wait_for(answers, "the hub's file server", 30)

    def add_commune(self, name: str, **settings: str) -> Commune:
        """A new station ``name`` with its own sink, added at the hub and enrolled with a one-time code."""
        index = len(self.communes)
        folder = self.root / f"xa-{index}"
        sink = f"xa{index}_{os.getpid()}"
        env = {**self.env, "PULSE_SINK": sink, **settings}
        write_role_settings(folder, env)
        loaded = subprocess.run(
            ["pactl", "load-module", "module-null-sink", f"sink_name={sink}", "rate=48000", "channels=2"],
            env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        commune = Commune(name, folder, sink, env, module=loaded.stdout.strip())
        self.run("init", "--name", name, env=env, data_dir=folder)
        built = bootstrap.build(load_settings(folder, **_settings_from(env)))
        try:
            built.scheduling.set_rules(ADMIN, StationRules())  # no quiet hours: tests run at any hour
        finally:
            built.close()
        self.run("hub", "station", "add", name)
        issued = json.loads(self.run("hub", "station", "enroll", name, "--json"))
        self.run("upstream", "enrol", issued["url"], issued["code"], env=env, data_dir=folder)
        commune.slug = json.loads((folder / "upstream" / "enrolment.json").read_text())["receiver"]
        self.communes[commune.slug] = commune
        return commune

    def start_daemon(self, commune: Commune) -> None:
        """The station's ``truyenthanh daemon``, waited for until its control socket answers."""
        log = open(commune.folder / "daemon.log", "a", encoding="utf-8")  # noqa: SIM115
        self._logs.append(log)
        commune.daemon = subprocess.Popen(
            [sys.executable, "-m", "truyenthanh", "--data-dir", str(commune.folder), "daemon"],
            env=commune.env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        client = ControlClient(commune.folder / "run")
        process = commune.daemon
        wait_for(lambda: process.poll() is not None or client.is_running(), "a station daemon", 30)
        assert process.poll() is None, "the daemon exited:\n" + commune.log()

    def stations(self) -> dict[str, dict[str, Any]]:
        """``hub stations --json`` by slug."""
        return {s["slug"]: s for s in json.loads(self.run("hub", "stations", "--json"))}

    def logs(self) -> str:
        """Every process's log, for an assertion's message."""
        hub = (self.folder / "hub.log").read_text(errors="replace") if (self.folder / "hub.log").exists() else ""
        parts = [f"--- hub\n{hub[-3000:]}"]
        parts += [f"--- {c.slug}\n{c.log()[-3000:]}" for c in self.communes.values()]
        return "\n".join(parts)

    @contextmanager
    def container(self) -> Iterator[bootstrap.Container]:
        """The hub's services in this process."""
        saved = dict(os.environ)
        os.environ.update({k: v for k, v in self.env.items() if k.startswith("TRUYENTHANH_")})
        try:
            built = bootstrap.build(hub_settings(load_settings(self.folder)))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        try:
            yield built
        finally:
            built.close()

    def close(self) -> None:
        """Stop every process this rig started and unload the sinks."""
        processes = [c.daemon for c in self.communes.values()] + [self.process]
        running = [p for p in processes if p is not None and p.poll() is None]
        for process in running:  # all at once: each takes a few seconds to say goodbye
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for commune in self.communes.values():
            if commune.module:
                subprocess.run(
                    ["pactl", "unload-module", commune.module], env=self.env, capture_output=True, check=False
                )
        if self.broker is not None:
            self.broker.kill()
        for log in self._logs:
            log.close()


def _settings_from(env: dict[str, str]) -> dict[str, Any]:
    """The ``TRUYENTHANH_*`` variables of ``env`` as settings keywords (they would otherwise need os.environ)."""
    prefix = "TRUYENTHANH_"
    return {k[len(prefix) :].lower(): v for k, v in env.items() if k.startswith(prefix) and k != "TRUYENTHANH_DATA_DIR"}


def hub_rig(root: Path, pulse: PulseServer, *, database_url: str | None = None) -> HubRig:
    """The hub in ``root/hub``: init (with its signing key), its broker configured on a free loopback port and
    started, ``hub run`` started. No stations yet. ``database_url`` (in the hub's config file, so its stations,
    whose environment starts from the hub's, keep their own SQLite file) puts the hub's store elsewhere, e.g. on
    PostgreSQL."""
    broker_port, http_port = free_port(), free_port()
    env = {k: v for k, v in pulse.env.items() if not k.startswith("TRUYENTHANH_")}
    env.update(
        TRUYENTHANH_OUTPUT="device",
        TRUYENTHANH_TTS_ENGINE="espeak",
        TRUYENTHANH_SINGLE_OPERATOR="true",
        TRUYENTHANH_SINGLE_OPERATOR_NAME=OPERATOR,
        TRUYENTHANH_HUB_ID=HUB_ID,
        TRUYENTHANH_HUB_BROKER_HOST="127.0.0.1",
        TRUYENTHANH_HUB_BROKER_PORT=str(broker_port),
        TRUYENTHANH_HUB_PUBLIC_HOST="127.0.0.1",
        TRUYENTHANH_HUB_HTTP_HOST="127.0.0.1",
        TRUYENTHANH_HUB_HTTP_PORT=str(http_port),
        TRUYENTHANH_UPSTREAM_STATUS_S="2",
    )
    rig = HubRig(root, env, pulse)
    write_role_settings(rig.folder, env)
    if database_url is not None:
        with (rig.folder / "truyenthanh.toml").open("a", encoding="utf-8") as config:
            config.write(f"database_url = {json.dumps(database_url)}\n")
    rig.run("hub", "init", "--name", HUB_NAME)
    rig.run("hub", "broker", "config", "--port", str(broker_port), "--bind", "127.0.0.1", "--host", "127.0.0.1")
    rig.broker = Mosquitto.existing(rig.folder / "broker", station=HUB_ID)
    rig.broker.start()
    rig.start_hub()
    return rig
