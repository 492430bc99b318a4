"""``scripts/install.sh`` run as on a station box, with a real systemd as PID 1: the machine's own root booted in
a container (``systemd-nspawn --volatile=overlay --boot``: every change lands in a tmpfs overlay and is gone when
the container stops), the installer run inside it (run time only, no dev extra, from a copy of the source, with
``systemctl enable --now``), the service active under systemd, and ``truyenthanh status`` of an operator in the
service's group answering through the installed daemon's control socket.

The container has its own network namespace (loopback only), so nothing it starts can reach or collide with the
machine's ports; pip therefore installs from a wheelhouse the test fills beforehand with the package's
dependencies (the package itself is built inside, from the copied source, as install.sh does). The services the
test machine runs for other tests (PostgreSQL, mosquitto) are masked in the container: a station installed
without --broker runs neither.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _NO_INTERNET
from tests.integration.test_install import _NOT_SOURCE, ROOT

pytestmark = [pytest.mark.slow]

SOURCE_IN_CONTAINER = "/srv/truyenthanh-source"
WHEELS_IN_CONTAINER = "/srv/truyenthanh-wheels"
PROGRAM = "/opt/truyenthanh/venv/bin/truyenthanh"
DATA_DIR = "/var/lib/truyenthanh"
MASKED = ("postgresql.service", "mosquitto.service")
"""Services of the test machine that a station does not run: not started in the container."""

CONTAINER_LIFETIME_S = 300
"""Hard limit on the container's life (``timeout`` kills it even if the test process dies)."""


def _missing_capability() -> str | None:
    """Why a systemd container cannot boot on this machine, or None when it can be tried."""
    if os.geteuid() != 0:
        return "systemd-nspawn needs root"
    for tool in ("systemd-nspawn", "unshare", "nsenter", "timeout"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/setup.sh installs systemd-container)"
    if not Path("/usr/lib/systemd/systemd").is_file():
        return "systemd is not installed"
    return None


def _host_env() -> dict[str, str]:
    """The environment for pip on the machine: the closed proxy the tests put in front of the Internet is left
    out, so pip reaches the package index (or its cache) as scripts/setup.sh does."""
    return {key: value for key, value in os.environ.items() if value != _NO_INTERNET}


def _fill_wheelhouse(wheels: Path) -> None:
    """Wheels of everything install.sh will ask pip for: pip itself, the build backend and the package's
    run-time dependencies (no dev or bench extra)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = ["pip", *project["build-system"]["requires"], *project["project"]["dependencies"]]
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "-w", str(wheels)]
    result = subprocess.run(
        [*command, *wanted], env=_host_env(), capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _descendants(pid: int) -> Iterator[int]:
    """Every process below ``pid``, breadth first."""
    pending = [pid]
    while pending:
        current = pending.pop(0)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text(encoding="ascii").split()
        except OSError:
            continue
        for child in map(int, children):
            yield child
            pending.append(child)


def _comm(pid: int) -> str:
    """A process's command name, or "" once it is gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class Container:
    """A booted container, reached through its PID 1 (``leader``) with nsenter."""

    leader: int
    log: Path

    def run(
        self, *command: str, user: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Runs ``command`` inside the container with a clean environment (as root, or as ``user``)."""
        variables = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8", **(env or {})}
        prefix = ["nsenter", "--target", str(self.leader), "--all"]
        if user is not None:
            prefix += ["runuser", "-u", user, "--"]
        line = [*prefix, "env", "-i", *(f"{key}={value}" for key, value in variables.items()), *command]
        return subprocess.run(line, capture_output=True, text=True, timeout=180, check=False)

    def journal(self, unit: str) -> str:
        """The last lines ``unit`` wrote to the container's journal (for failure messages)."""
        result = self.run("journalctl", "--no-pager", "-n", "40", "-u", unit)
        return result.stdout + result.stderr


def _find(spawner: subprocess.Popen[bytes], command: str, log: Path) -> int:
    """PID (in this namespace) of the first process named ``command`` below ``spawner``, once it is there."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert spawner.poll() is None, f"systemd-nspawn stopped: {log.read_text(errors='replace')}"
        for pid in _descendants(spawner.pid):
            if _comm(pid) == command:
                return pid
        time.sleep(0.1)
    raise AssertionError(f"no {command} after 30 s: {log.read_text(errors='replace')}")


def _wait_until_booted(container: Container) -> None:
    """Until the container's systemd has finished booting. ``degraded`` (a unit of the machine's own that fails
    in a container) is accepted: the station's service is checked by itself afterwards."""
    deadline, state = time.monotonic() + 60, ""
    while time.monotonic() < deadline and state not in {"running", "degraded"}:
        state = container.run("systemctl", "is-system-running", "--wait").stdout.strip()
        if state not in {"running", "degraded"}:
            time.sleep(0.2)  # systemd's private socket is not there yet
    failed = container.run("systemctl", "--failed", "--no-pager", "--plain").stdout
    assert state in {"running", "degraded"}, f"the container's systemd is «{state}»:\n{failed}"


def _stop(spawner: subprocess.Popen[bytes], nspawn: int | None, name: str) -> None:
    """Powers the container off: SIGTERM to nspawn halts it cleanly; if that hangs, SIGKILL to nspawn, the init
    of the PID namespace that holds the container, takes every process inside with it."""
    if spawner.poll() is not None:
        return
    if nspawn is not None and _comm(nspawn) == "systemd-nspawn":
        os.kill(nspawn, signal.SIGTERM)
        try:
            spawner.wait(timeout=30)
            return
        except subprocess.TimeoutExpired:
            os.kill(nspawn, signal.SIGKILL)
    try:
        spawner.wait(timeout=10)
    except subprocess.TimeoutExpired:
        spawner.kill()  # timeout itself: its unshare goes, and --kill-child takes nspawn's namespace with it
        spawner.wait(timeout=10)
    # nspawn removes its mount-propagation folder on a clean stop only (the machine's /run may be on disk).
    shutil.rmtree(Path("/run/systemd/nspawn/propagate") / name, ignore_errors=True)


@contextmanager
def booted(tmp_path: Path, *, source: Path, wheels: Path) -> Iterator[Container]:
    """This machine's root booted with systemd in a throw-away container; ``source`` is bound read-write (pip
    builds inside it) and ``wheels`` read-only. Stopped, and every mount gone with its namespace, on exit.

    The chain is ``timeout`` > ``unshare`` (private mount and PID namespaces) > ``systemd-nspawn`` (PID 1 there)
    > the container's systemd: if the test process dies, ``timeout`` ends ``unshare``, whose child nspawn is
    killed with it (``--kill-child``), and the kernel kills everything in nspawn's PID namespace."""
    root, log = tmp_path / "root", tmp_path / "nspawn.log"
    root.mkdir()
    name = f"tt-install-{os.getpid()}"
    # nspawn refuses "/" itself as the directory: a bind of it, made in the private mount namespace so that it
    # never shows on the machine, is accepted, and --volatile=overlay puts a tmpfs over it.
    nspawn = ["systemd-nspawn", f"--directory={root}", "--volatile=overlay", "--boot", "--register=no"]
    nspawn += ["--keep-unit", "--private-network", f"--machine={name}", "--console=pipe"]
    nspawn += [f"--bind={source}:{SOURCE_IN_CONTAINER}", f"--bind-ro={wheels}:{WHEELS_IN_CONTAINER}"]
    nspawn += [f"systemd.mask={unit}" for unit in MASKED]  # the container's systemd reads them as its cmdline
    command = ["timeout", "--kill-after=10", str(CONTAINER_LIFETIME_S)]
    command += ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "--mount", "--propagation", "private"]
    command += ["bash", "-c", 'mount --bind / "$1" && shift && exec "$@"', "bash", str(root), *nspawn]
    with log.open("wb") as output:
        spawner = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
    nspawn_pid: int | None = None
    try:
        nspawn_pid = _find(spawner, "systemd-nspawn", log)
        container = Container(_find(spawner, "systemd", log), log)
        _wait_until_booted(container)
        yield container
    finally:
        _stop(spawner, nspawn_pid, name)


def _status(container: Container, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``truyenthanh status`` as the operator «vanhanh», a member of the service's group."""
    env = {"TRUYENTHANH_DATA_DIR": DATA_DIR}
    return container.run(PROGRAM, "status", *arguments, user="vanhanh", env=env)


def _running_status(container: Container, main_pid: str) -> dict[str, Any]:
    """The status whose daemon is the service's main process (waits while systemd restarts it)."""
    deadline, status = time.monotonic() + 30, dict[str, Any]()
    while time.monotonic() < deadline:
        answer = _status(container, "--json")
        assert answer.returncode == 0, answer.stdout + answer.stderr
        status.clear()
        status.update(json.loads(answer.stdout))
        if status["daemon"].get("running") and str(status["daemon"].get("pid")) == main_pid:
            return status
        time.sleep(0.3)
    raise AssertionError(f"status never showed PID {main_pid} running: {status}\n{container.journal('truyenthanh')}")


def _main_pid(container: Container) -> str:
    """The service's main PID as systemd sees it (waits for it to be active)."""
    deadline, state = time.monotonic() + 60, ""
    while time.monotonic() < deadline:
        state = container.run("systemctl", "is-active", "truyenthanh").stdout.strip()
        if state == "active":
            return container.run("systemctl", "show", "--property=MainPID", "--value", "truyenthanh").stdout.strip()
        time.sleep(0.3)
    raise AssertionError(f"truyenthanh.service is «{state}»:\n{container.journal('truyenthanh')}")


def test_install_sh_starts_the_station_as_a_systemd_service(tmp_path: Path) -> None:
    """install.sh with its defaults (/opt/truyenthanh, /var/lib/truyenthanh, the user «truyenthanh», the unit in
    /etc/systemd/system, enabled and started) on a booted systemd; about 25 s here, 50 s beside a second run."""
    missing = _missing_capability()
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must boot a systemd container: {missing}")
        pytest.skip(missing)
    source, wheels = tmp_path / "source", tmp_path / "wheels"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    _fill_wheelhouse(wheels)

    with booted(tmp_path, source=source, wheels=wheels) as container:
        pip = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": WHEELS_IN_CONTAINER}
        script = f"{SOURCE_IN_CONTAINER}/scripts/install.sh"
        installed = container.run("bash", script, "--source", SOURCE_IN_CONTAINER, "--no-system-packages", env=pip)
        assert installed.returncode == 0, installed.stdout + installed.stderr
        assert "Đã bật và chạy dịch vụ phát" in installed.stdout

        probe = "import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) for m in sys.argv[1:]))"
        dev_only = container.run("/opt/truyenthanh/venv/bin/python", "-c", probe, "pytest", "ruff", "pydub", "numpy")
        assert dev_only.returncode == 0, "a test tool or the bench extra was installed"
        assert container.run("systemctl", "is-enabled", "truyenthanh").stdout.strip() == "enabled"
        main_pid = _main_pid(container)
        owner = container.run("ps", "-o", "user=", "-p", main_pid).stdout.strip()
        assert owner == "truyenthanh", container.journal("truyenthanh")

        # An operator in the service's group (README: «usermod -aG truyenthanh NAME») asks the daemon.
        added = container.run("useradd", "--no-create-home", "--groups", "truyenthanh", "vanhanh")
        assert added.returncode == 0, added.stderr
        assert _running_status(container, main_pid)["daemon"]["output"] == "device"
        human = _status(container)
        assert human.returncode == 0, human.stdout + human.stderr
        assert f"Dịch vụ phát: đang chạy (PID {main_pid})" in human.stdout

        # systemd, not the test, keeps it running: a killed daemon comes back (Restart=always) and answers.
        assert container.run("kill", "-KILL", main_pid).returncode == 0
        deadline, restarted = time.monotonic() + 30, main_pid
        while restarted in {main_pid, "0", ""} and time.monotonic() < deadline:
            time.sleep(0.3)
            restarted = _main_pid(container)
        assert restarted not in {main_pid, "0", ""}, container.journal("truyenthanh")
        assert _running_status(container, restarted)["daemon"]["running"] is True
    shutil.rmtree(wheels)  # tens of megabytes: not kept in the temporary folder
