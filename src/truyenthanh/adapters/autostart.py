"""Starting the station's programs at boot: a systemd unit on Linux, a scheduled task on Windows
(``truyenthanh service install|remove [--serve|--broker|--receiver]``, and ``scripts/install.sh``).

Four programs can be started: the playout daemon (:data:`DAEMON`), the operator's TUI in a browser
(:data:`SERVE`, ``truyenthanh serve``), the station's MQTT broker (:data:`BROKER`, Mosquitto on the configuration
``truyenthanh broker config`` writes) and, on a loudspeaker-cluster box, the receiver (:data:`RECEIVER`,
``truyenthanh receiver run``). The units written are ``deploy/truyenthanh.service``,
``deploy/truyenthanh-serve.service``, ``deploy/truyenthanh-broker.service`` and
``deploy/truyenthanh-receiver.service`` with this machine's paths, user and address filled in (tests keep each
identical to its shipped file for the default plan). The Windows tasks are untested by our CI (see the README).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from truyenthanh.errors import DaemonError

DEFAULT_PROGRAM = "/opt/truyenthanh/venv/bin/truyenthanh"
DEFAULT_DATA_DIR = Path("/var/lib/truyenthanh")
DEFAULT_UNIT_DIR = Path("/etc/systemd/system")
DEFAULT_SERVE_HOST = "0.0.0.0"
"""Address the boot-started ``truyenthanh serve`` listens on: every interface, so the commune's LAN reaches it."""
DEFAULT_SERVE_PORT = 8720
DEFAULT_MOSQUITTO = "/usr/sbin/mosquitto"
"""Debian's ``mosquitto`` program (package ``mosquitto``)."""
DEFAULT_RECEIVER_DIR = Path("/var/lib/truyenthanh-receiver")
"""A cluster box's state folder (its enrolment, its copy of the zone's schedule, its file cache, its outbox)."""
STATE_ROOT = Path("/var/lib")
"""systemd's ``StateDirectory=`` names folders below this one."""

_AUDIO_HARDENING = """\
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths={data_dir}
{state_directory}UMask=0027
PrivateTmp=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=no
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=no
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
CapabilityBoundingSet=
AmbientCapabilities=
# Audio must not be starved by other work on a small box.
Nice=-5
IOSchedulingClass=realtime
MemoryMax=256M

[Install]
WantedBy=multi-user.target
"""
"""The end of the daemon's and the receiver's units: hardening for a process that plays sound, priority,
memory cap, install target."""

_UNIT_TEMPLATE = (
    """# The station's playout daemon as a systemd service (one per station).
#
# Installed by scripts/install.sh or «truyenthanh service install», which write the real paths in place of
# /opt/truyenthanh. By hand: copy to /etc/systemd/system/truyenthanh.service, adjust the paths, then
# systemctl daemon-reload && systemctl enable --now truyenthanh
#
# The daemon runs as the user "truyenthanh" in the group "truyenthanh". Operators whose accounts are in that
# group (usermod -aG truyenthanh NAME) can read the station's data and reach the daemon's control socket
# (run/control.sock, mode 0660 because the station folder is group-readable); only the daemon's user writes.
[Unit]
Description=Truyền thanh xã: dịch vụ phát theo lịch (truyenthanh daemon)
Documentation={documentation}
After=network-online.target sound.target time-sync.target
Wants=network-online.target
# Start again even after repeated crashes: a station must keep trying (systemd reads this in [Unit] only).
StartLimitIntervalSec=0

[Service]
# The daemon says READY=1 once it plays and listens, then WATCHDOG=1 at every heartbeat (2 s) over the socket
# named in NOTIFY_SOCKET; systemd restarts it if the heartbeat stops for WatchdogSec.
Type=notify
NotifyAccess=main
WatchdogSec=30
TimeoutStartSec=120
User={user}
Group={group}
SupplementaryGroups=audio
Environment=TRUYENTHANH_DATA_DIR={data_dir}
ExecStart={program} daemon
# Clean stop: the daemon logs the item it cuts and saves its state on SIGTERM («truyenthanh control shutdown»
# does the same without a signal).
KillSignal=SIGTERM
TimeoutStopSec=20
Restart=always
RestartSec=2

# Hardening: the daemon needs its data folder, the sound devices and loopback only.
"""
    + _AUDIO_HARDENING
)

_SERVE_UNIT_TEMPLATE = """\
# The operator's TUI in a browser (truyenthanh serve) as a systemd service, beside truyenthanh.service.
#
# Installed by «truyenthanh service install --serve», which writes the real paths and address in place of
# /opt/truyenthanh and 0.0.0.0:8720. Set the station access password first (it is required on any address but
# loopback):
#   sudo -u truyenthanh TRUYENTHANH_DATA_DIR=/var/lib/truyenthanh /opt/truyenthanh/venv/bin/truyenthanh serve password
# By hand: copy to /etc/systemd/system/truyenthanh-serve.service, adjust the paths and the address, then
#   systemctl daemon-reload && systemctl enable --now truyenthanh-serve
#
# On the commune's LAN it serves HTTPS with the certificate in /var/lib/truyenthanh/web (self-signed, made on first
# start) unless --cert/--key name the station's own. Behind a reverse proxy on the same box keep the default
# --host 127.0.0.1 and add --trust-proxy (see README, «Giao diện trong trình duyệt»).
# Each browser session is one TUI process (about 85 MB resident: python -m bench.serve), started and ended by this
# service.
[Unit]
Description=Truyền thanh xã: giao diện điều khiển trong trình duyệt (truyenthanh serve)
Documentation={documentation}
After=network-online.target truyenthanh.service
Wants=network-online.target
StartLimitIntervalSec=0

[Service]
Type=simple
User={user}
Group={group}
Environment=TRUYENTHANH_DATA_DIR={data_dir}
ExecStart={program} serve --host {host} --port {port}
KillSignal=SIGTERM
TimeoutStopSec=20
Restart=always
RestartSec=2

# Hardening: the sessions read and write the station's data and reach the daemon's control socket only.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths={data_dir}
UMask=0027
PrivateTmp=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
CapabilityBoundingSet=
AmbientCapabilities=
# Below the daemon: a busy browser session must never delay a broadcast.
Nice=5
MemoryMax=1G
TasksMax=256

[Install]
WantedBy=multi-user.target
"""

_RECEIVER_UNIT_TEMPLATE = (
    """\
# A loudspeaker-cluster box's receiver (truyenthanh receiver run) as a systemd service (one per box).
#
# Installed by «scripts/install.sh --receiver» or «truyenthanh service install --receiver», which write the real
# paths in place of /opt/truyenthanh and /var/lib/truyenthanh-receiver. It starts only once the box is enrolled
# (ConditionPathExists below): enrol, then start it:
#   sudo -u truyenthanh /opt/truyenthanh/venv/bin/truyenthanh receiver enrol http://STATION:8730 CODE \\
#     --name "Cụm loa thôn Đông" --state-dir /var/lib/truyenthanh-receiver
#   systemctl start truyenthanh-receiver
# The box plays on its own clock from its own copy of the schedule: it needs an accurate clock (NTP through
# systemd-timesyncd or chrony, or a real-time clock module), hence time-sync.target below.
[Unit]
Description=Truyền thanh xã: máy thu cụm loa (truyenthanh receiver run)
Documentation={documentation}
After=network-online.target sound.target time-sync.target
Wants=network-online.target time-sync.target
ConditionPathExists={data_dir}/enrolment.json
# Start again even after repeated crashes: a box must keep trying (systemd reads this in [Unit] only).
StartLimitIntervalSec=0

[Service]
Type=simple
User={user}
Group={group}
SupplementaryGroups=audio
Environment=TRUYENTHANH_RECEIVER_DIR={data_dir}
ExecStart={program} receiver run --state-dir {data_dir}
# Clean stop on SIGTERM: the receiver closes its link and its outbox (records not yet delivered stay queued on
# disk and go to the station when it runs again).
KillSignal=SIGTERM
TimeoutStopSec=20
Restart=always
RestartSec=2

# Hardening: the receiver needs its state folder, the sound devices and the network (broker, file server).
"""
    + _AUDIO_HARDENING
)

_BROKER_UNIT_TEMPLATE = """\
# The station's MQTT broker for its loudspeaker clusters: Debian's mosquitto on the configuration that
# «truyenthanh broker config» writes in the station folder (TLS listener, one account per receiver, ACLs).
#
# Installed by «scripts/install.sh --broker» or «truyenthanh service install --broker». It runs as the station's
# own user, not as Debian's mosquitto.service: the broker's files (passwd, keys) are the station's, mode 0600, and
# the daemon reloads the broker (SIGHUP to broker/mosquitto.pid) when a receiver enrols. It starts once
# «broker config» has written broker/mosquitto.conf (ConditionPathExists below):
#   sudo -u truyenthanh TRUYENTHANH_DATA_DIR=/var/lib/truyenthanh /opt/truyenthanh/venv/bin/truyenthanh \\
#     broker config --host ADDRESS_THE_BOXES_USE
#   systemctl start truyenthanh-broker
[Unit]
Description=Truyền thanh xã: máy chủ tin nhắn của các cụm loa (Mosquitto)
Documentation={documentation}
After=network-online.target
Wants=network-online.target
Before=truyenthanh.service
ConditionPathExists={data_dir}/broker/mosquitto.conf
StartLimitIntervalSec=0

[Service]
Type=simple
User={user}
Group={group}
ExecStart={mosquitto} -c {data_dir}/broker/mosquitto.conf
# Re-reads the accounts and ACLs (what «truyenthanh zone enroll» changes) without dropping the clients.
ExecReload=/bin/kill -HUP $MAINPID
KillSignal=SIGTERM
TimeoutStopSec=20
Restart=always
RestartSec=2
# One connection per cluster and per operator's screen: more than the default 1024 on a large fleet.
LimitNOFILE=65536

# Hardening: the broker needs its folder (persistence, pid file) and the network only.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths={data_dir}/broker
UMask=0077
PrivateTmp=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
CapabilityBoundingSet=
AmbientCapabilities=
MemoryMax=512M

[Install]
WantedBy=multi-user.target
"""


@dataclass(frozen=True)
class BootService:
    """One of the station's programs that can be started at boot.

    Attributes:
        unit_name: the systemd unit's file name.
        task_name: the Windows scheduled task's name.
        label: what the operator is told it is (Vietnamese).
        status_name: the name given to ``systemctl status`` in messages.
    """

    unit_name: str
    task_name: str
    label: str
    status_name: str


DAEMON = BootService("truyenthanh.service", "truyenthanh", "dịch vụ phát", "truyenthanh")
"""The playout daemon (``truyenthanh daemon``)."""
SERVE = BootService(
    "truyenthanh-serve.service", "truyenthanh-serve", "giao diện trong trình duyệt", "truyenthanh-serve"
)
"""The operator's TUI in a browser (``truyenthanh serve``)."""
BROKER = BootService(
    "truyenthanh-broker.service", "truyenthanh-broker", "máy chủ tin nhắn của các cụm loa", "truyenthanh-broker"
)
"""The station's MQTT broker (Mosquitto on ``<data_dir>/broker/mosquitto.conf``)."""
RECEIVER = BootService(
    "truyenthanh-receiver.service", "truyenthanh-receiver", "máy thu cụm loa", "truyenthanh-receiver"
)
"""A loudspeaker-cluster box's receiver (``truyenthanh receiver run``); its ``data_dir`` is the box's state
folder."""
UNIT_NAME = DAEMON.unit_name
TASK_NAME = DAEMON.task_name


@dataclass(frozen=True)
class ServicePlan:
    """What the service runs and as whom.

    Attributes:
        program: the installed ``truyenthanh`` program.
        data_dir: the station folder (``TRUYENTHANH_DATA_DIR``), or for :data:`RECEIVER` the box's state folder
            (``--state-dir``).
        user: the account the daemon runs as.
        group: its group; operators in this group may read the station and use the control socket.
        documentation: the README's address, for ``systemctl status``.
        service: which program starts at boot (:data:`DAEMON` or :data:`SERVE`).
        host: the address ``truyenthanh serve`` listens on (:data:`SERVE` only).
        port: its TCP port (:data:`SERVE` only).
        mosquitto: the ``mosquitto`` program (:data:`BROKER` only).
    """

    program: str = DEFAULT_PROGRAM
    data_dir: Path = DEFAULT_DATA_DIR
    user: str = "truyenthanh"
    group: str = "truyenthanh"
    documentation: str = "file:///opt/truyenthanh/README.md"
    service: BootService = DAEMON
    host: str = DEFAULT_SERVE_HOST
    port: int = DEFAULT_SERVE_PORT
    mosquitto: str = DEFAULT_MOSQUITTO

    def arguments(self) -> list[str]:
        """The words after the program that start this service: ``daemon``, ``serve --host H --port P``, or
        ``receiver run --state-dir DIR``."""
        if self.service == RECEIVER:
            return ["receiver", "run", "--state-dir", str(self.data_dir)]
        if self.service == BROKER:
            raise DaemonError("Máy chủ tin nhắn chỉ cài được thành dịch vụ systemd (Linux).", field="broker")
        if self.service == SERVE:
            return ["serve", "--host", self.host, "--port", str(self.port)]
        return ["daemon"]


def _check(plan: ServicePlan, *, unit: bool) -> None:
    """Refuse what a systemd unit line (``unit``) or a task's command line cannot hold.

    A unit's ``ExecStart=`` and paths take no spaces; a task's command line quotes them (``C:\\Program Files``).
    """
    values = [("host", plan.host)] if plan.service == SERVE else []
    if plan.service == BROKER:
        values = [("mosquitto", plan.mosquitto)]
    if unit:
        values = [("program", plan.program), ("data_dir", str(plan.data_dir)), ("user", plan.user), *values]
    if plan.service == SERVE and not 1 <= plan.port <= 65535:
        raise DaemonError(
            f"Không ghi được dịch vụ «{plan.service.label}»: cổng {plan.port} phải từ 1 đến 65535.", field="port"
        )
    for label, value in values:
        if any(char.isspace() for char in value) or not value:
            where = "dịch vụ systemd" if unit else "tác vụ Windows"
            raise DaemonError(f"Không ghi được {where}: «{label}» = «{value}» rỗng hoặc có khoảng trắng.", field=label)


def systemd_unit(plan: ServicePlan) -> str:
    """The unit file's text for this plan (the daemon's, serve's or the receiver's, as ``plan.service`` says).

    For the daemon and the receiver, a station (state) folder below ``/var/lib`` is a ``StateDirectory=``
    (systemd creates it, owned by the user, 0750); elsewhere the installer creates it and the unit only names it
    writable. The serve unit only names it writable: the daemon's unit (or the installer) makes it.

    Raises:
        DaemonError: a path, name or address the unit cannot hold (empty, a space or a newline), or a port
            outside 1-65535; its ``field`` names which.
    """
    _check(plan, unit=True)
    state_directory = ""
    if plan.data_dir.parent == STATE_ROOT:
        state_directory = (
            f"StateDirectory={plan.data_dir.name}\n"
            "# Group-readable (operators), written by the daemon's user only; new files follow UMask.\n"
            "StateDirectoryMode=0750\n"
        )
    if plan.service == BROKER:
        return _BROKER_UNIT_TEMPLATE.format(
            mosquitto=plan.mosquitto,
            data_dir=plan.data_dir,
            user=plan.user,
            group=plan.group,
            documentation=plan.documentation,
        )
    if plan.service == RECEIVER:
        return _RECEIVER_UNIT_TEMPLATE.format(
            program=plan.program,
            data_dir=plan.data_dir,
            user=plan.user,
            group=plan.group,
            documentation=plan.documentation,
            state_directory=state_directory.replace("the daemon's user", "the receiver's user"),
        )
    if plan.service == SERVE:
        return _SERVE_UNIT_TEMPLATE.format(
            program=plan.program,
            data_dir=plan.data_dir,
            user=plan.user,
            group=plan.group,
            documentation=plan.documentation,
            host=plan.host,
            port=plan.port,
        )
    return _UNIT_TEMPLATE.format(
        program=plan.program,
        data_dir=plan.data_dir,
        user=plan.user,
        group=plan.group,
        documentation=plan.documentation,
        state_directory=state_directory,
    )


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or exc.stdout or "").strip()[-300:]
        raise DaemonError(f"Lệnh «{' '.join(command)}» lỗi (mã {exc.returncode}): {detail}") from exc
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DaemonError(f"Không chạy được lệnh «{' '.join(command)}»: {exc}") from exc


def install_systemd(plan: ServicePlan, *, unit_dir: Path = DEFAULT_UNIT_DIR, start: bool = True) -> Path:
    """Write the unit, make the station folder the user's (when run as root), and enable and start it.

    Args:
        plan: what to run.
        unit_dir: where unit files go.
        start: ``systemctl daemon-reload`` and ``enable --now`` (off: only write the files, e.g. in an image).

    Returns:
        The unit file written (``plan.service``'s unit name in ``unit_dir``).

    Raises:
        DaemonError: a file cannot be written or ``systemctl`` failed (its message quoted).
    """
    text = systemd_unit(plan)
    target = unit_dir / plan.service.unit_name
    try:
        plan.data_dir.mkdir(parents=True, exist_ok=True)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            shutil.chown(plan.data_dir, plan.user, plan.group)
        plan.data_dir.chmod(0o750)
        unit_dir.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except (OSError, LookupError) as exc:
        raise DaemonError(f"Không cài được dịch vụ vào {target}: {exc}.") from exc
    if start:
        _run(["systemctl", "daemon-reload"])
        _run(["systemctl", "enable", "--now", plan.service.unit_name])
    return target


def remove_systemd(*, unit_dir: Path = DEFAULT_UNIT_DIR, stop: bool = True, service: BootService = DAEMON) -> bool:
    """Stop and disable the service and delete its unit; the station's data stays. Returns whether a unit was
    there.

    Raises:
        DaemonError: ``systemctl`` failed, or the unit cannot be deleted.
    """
    target = unit_dir / service.unit_name
    if not target.exists():
        return False
    if stop:
        _run(["systemctl", "disable", "--now", service.unit_name])
    try:
        target.unlink()
    except OSError as exc:
        raise DaemonError(f"Không xóa được {target}: {exc.strerror}.") from exc
    if stop:
        _run(["systemctl", "daemon-reload"])
    return True


def windows_task(plan: ServicePlan) -> list[str]:
    """The ``schtasks`` command that starts ``plan.service`` at every boot, as SYSTEM (untested by our CI).

    Raises:
        DaemonError: a value the command line cannot hold (as :func:`systemd_unit`), or the broker (a systemd
            service only).
    """
    _check(plan, unit=False)
    # The receiver names its state folder itself (``--state-dir``); the station's programs take ``--data-dir``.
    station = [] if plan.service == RECEIVER else ["--data-dir", str(plan.data_dir)]
    action = subprocess.list2cmdline([plan.program, *station, *plan.arguments()])
    task = plan.service.task_name
    return ["schtasks", "/Create", "/TN", task, "/TR", action, "/SC", "ONSTART", "/RU", "SYSTEM", "/F"]


def install_windows(plan: ServicePlan) -> None:
    """Create the boot task and start it now (untested by our CI).

    Raises:
        DaemonError: ``schtasks`` failed (its message quoted).
    """
    _run(windows_task(plan))
    _run(["schtasks", "/Run", "/TN", plan.service.task_name])


def remove_windows(service: BootService = DAEMON) -> None:
    """Stop and delete the boot task (untested by our CI).

    Raises:
        DaemonError: ``schtasks`` failed (its message quoted).
    """
    _run(["schtasks", "/End", "/TN", service.task_name])
    _run(["schtasks", "/Delete", "/TN", service.task_name, "/F"])


def installed_program() -> str:
    """The ``truyenthanh`` program of this environment (beside the running Python), for the service to run."""
    folder = Path(sys.executable).parent
    for name in ("truyenthanh", "truyenthanh.exe"):
        if (folder / name).is_file():
            return str(folder / name)
    raise DaemonError(
        f"Không thấy chương trình truyenthanh cạnh {sys.executable}; hãy cài gói vào môi trường này trước."
    )


__all__ = [
    "BROKER",
    "DAEMON",
    "DEFAULT_DATA_DIR",
    "DEFAULT_MOSQUITTO",
    "DEFAULT_RECEIVER_DIR",
    "DEFAULT_SERVE_HOST",
    "DEFAULT_SERVE_PORT",
    "DEFAULT_UNIT_DIR",
    "RECEIVER",
    "SERVE",
    "TASK_NAME",
    "UNIT_NAME",
    "BootService",
    "ServicePlan",
    "install_systemd",
    "install_windows",
    "installed_program",
    "remove_systemd",
    "remove_windows",
    "systemd_unit",
    "windows_task",
]
