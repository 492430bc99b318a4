"""The sound outputs an operator can choose for the station (``output_device``) and for previews
(``preview_device``): PulseAudio's sinks (``pulse:SINK``, played natively) and PortAudio's output devices."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

PACTL_TIMEOUT_S = 3.0
"""Longest wait for ``pactl`` (a hung PulseAudio server must not hang the setup screen)."""


@dataclass(frozen=True)
class SoundDevice:
    """One output the station can play on."""

    name: str
    """The value of ``output_device`` / ``preview_device`` that picks it (``pulse:SINK`` or a PortAudio name)."""
    label: str
    """What the operator reads (Vietnamese where we write it, the system's description otherwise)."""


def _pactl(*args: str) -> str | None:
    """``pactl ARGS``' output, or ``None`` without a PulseAudio server that answers."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return None
    try:
        done = subprocess.run([pactl, *args], capture_output=True, text=True, timeout=PACTL_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def default_sink() -> str | None:
    """The PulseAudio server's default sink as ``pulse:SINK`` (where an unset ``output_device`` plays), or
    ``None`` without a server."""
    found = (_pactl("get-default-sink") or "").strip()
    return f"pulse:{found}" if found else None


def output_devices() -> list[SoundDevice]:
    """Every output the station can play on: PulseAudio's sinks first, then PortAudio's output devices (blocks
    up to a few seconds: call it from a worker). Empty when the machine has no sound output at all."""
    found: list[SoundDevice] = []
    for line in (_pactl("list", "short", "sinks") or "").splitlines():
        parts = line.split("\t")
        if len(parts) > 1 and parts[1]:
            found.append(SoundDevice(f"pulse:{parts[1]}", f"PulseAudio: {parts[1]}"))
    try:
        import sounddevice  # loads PortAudio: only here, never at import

        devices = sounddevice.query_devices()
    except (OSError, RuntimeError):  # no PortAudio library, or PortAudio could not start
        return found
    for device in devices:
        if int(device["max_output_channels"]) > 0:
            found.append(SoundDevice(str(device["name"]), f"Thiết bị: {device['name']}"))
    return found


__all__ = ["SoundDevice", "default_sink", "output_devices"]
