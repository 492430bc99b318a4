"""Starting the daemon at boot: a systemd unit on Linux, a scheduled task on Windows
(``truyenthanh service install|remove``, and ``scripts/install.sh``).

The unit written is ``deploy/truyenthanh.service`` with this station's paths and user filled in (a test keeps
the two identical for the default paths). The Windows task is untested by our CI (see the README).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from truyenthanh.errors import DaemonError

UNIT_NAME = "truyenthanh.service"
TASK_NAME = "truyenthanh"
DEFAULT_PROGRAM = "/opt/truyenthanh/venv/bin/truyenthanh"
DEFAULT_DATA_DIR = Path("/var/lib/truyenthanh")
DEFAULT_UNIT_DIR = Path("/etc/systemd/system")
STATE_ROOT = Path("/var/lib")
"""systemd's ``StateDirectory=`` names folders below this one."""

_UNIT_TEMPLATE = """# The station's playout daemon as a systemd service (one per station).
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


@dataclass(frozen=True)
class ServicePlan:
    """What the service runs and as whom.

    Attributes:
        program: the installed ``truyenthanh`` program.
        data_dir: the station folder (``TRUYENTHANH_DATA_DIR``).
        user: the account the daemon runs as.
        group: its group; operators in this group may read the station and use the control socket.
        documentation: the README's address, for ``systemctl status``.
    """

    program: str = DEFAULT_PROGRAM
    data_dir: Path = DEFAULT_DATA_DIR
    user: str = "truyenthanh"
    group: str = "truyenthanh"
    documentation: str = "file:///opt/truyenthanh/README.md"


def systemd_unit(plan: ServicePlan) -> str:
    """The unit file's text for this plan.

    A station folder below ``/var/lib`` is a ``StateDirectory=`` (systemd creates it, owned by the user, 0750);
    elsewhere the installer creates it and the unit only names it writable.

    Raises:
        DaemonError: a path or name the unit cannot hold (a space or a newline).
    """
    for label, value in (("program", plan.program), ("data_dir", str(plan.data_dir)), ("user", plan.user)):
        if any(char.isspace() for char in value) or not value:
            raise DaemonError(f"Không ghi được dịch vụ systemd: «{label}» = «{value}» rỗng hoặc có khoảng trắng.")
    state_directory = ""
    if plan.data_dir.parent == STATE_ROOT:
        state_directory = (
            f"StateDirectory={plan.data_dir.name}\n"
            "# Group-readable (operators), written by the daemon's user only; new files follow UMask.\n"
            "StateDirectoryMode=0750\n"
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
        The unit file written.

    Raises:
        DaemonError: a file cannot be written or ``systemctl`` failed (its message quoted).
    """
    text = systemd_unit(plan)
    target = unit_dir / UNIT_NAME
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
        _run(["systemctl", "enable", "--now", UNIT_NAME])
    return target


def remove_systemd(*, unit_dir: Path = DEFAULT_UNIT_DIR, stop: bool = True) -> bool:
    """Stop and disable the service and delete its unit; the station's data stays. Returns whether a unit was
    there.

    Raises:
        DaemonError: ``systemctl`` failed, or the unit cannot be deleted.
    """
    target = unit_dir / UNIT_NAME
    if not target.exists():
        return False
    if stop:
        _run(["systemctl", "disable", "--now", UNIT_NAME])
    try:
        target.unlink()
    except OSError as exc:
        raise DaemonError(f"Không xóa được {target}: {exc.strerror}.") from exc
    if stop:
        _run(["systemctl", "daemon-reload"])
    return True


def windows_task(plan: ServicePlan) -> list[str]:
    """The ``schtasks`` command that starts the daemon at every boot, as SYSTEM (untested by our CI)."""
    action = subprocess.list2cmdline([plan.program, "--data-dir", str(plan.data_dir), "daemon"])
    return ["schtasks", "/Create", "/TN", TASK_NAME, "/TR", action, "/SC", "ONSTART", "/RU", "SYSTEM", "/F"]


def install_windows(plan: ServicePlan) -> None:
    """Create the boot task and start it now (untested by our CI).

    Raises:
        DaemonError: ``schtasks`` failed (its message quoted).
    """
    _run(windows_task(plan))
    _run(["schtasks", "/Run", "/TN", TASK_NAME])


def remove_windows() -> None:
    """Stop and delete the boot task (untested by our CI).

    Raises:
        DaemonError: ``schtasks`` failed (its message quoted).
    """
    _run(["schtasks", "/End", "/TN", TASK_NAME])
    _run(["schtasks", "/Delete", "/TN", TASK_NAME, "/F"])


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
    "DEFAULT_DATA_DIR",
    "DEFAULT_UNIT_DIR",
    "TASK_NAME",
    "UNIT_NAME",
    "ServicePlan",
    "install_systemd",
    "install_windows",
    "installed_program",
    "remove_systemd",
    "remove_windows",
    "systemd_unit",
    "windows_task",
]
