"""How long the ``truyenthanh`` command takes to start, the part an operator waits through before an emergency
goes out.

Each command is run ``--runs`` times as a fresh process on a new station (``truyenthanh init``, no daemon) and
timed from start to exit: wall-clock time and the child's CPU time (user + system, which a shared machine
disturbs less). Baselines in the same run: ``python -c pass`` (the interpreter alone) and ``python -c "import
click"``. Commands:

- ``emergency --help``: parsing and the command's module, no station;
- ``emergency TEXT`` with no daemon running: everything it does before it sends (settings, the station's
  database, the single operator's login), up to the daemon's refusal;
- ``status``: the station's figures from its database.

Each line prints the median and the best run, and the median above the interpreter's.

Run: ``.venv/bin/python -m bench.cli_start [--runs N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS: list[tuple[str, list[str]]] = [
    ("python -c pass (baseline)", ["-c", "pass"]),
    ('python -c "import click" (baseline)', ["-c", "import click"]),
    ("truyenthanh emergency --help", ["-m", "truyenthanh", "emergency", "--help"]),
    ("truyenthanh emergency TEXT (no daemon)", ["-m", "truyenthanh", "emergency", "Thử còi báo động"]),
    ("truyenthanh status", ["-m", "truyenthanh", "status"]),
]


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """One run: wall-clock seconds and the child's CPU seconds (user + system)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, _status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = 0  # reaped by wait4
    return wall, usage.ru_utime + usage.ru_stime


def station(folder: Path) -> dict[str, str]:
    """A new single-operator station in ``folder``; the environment that points the command at it."""
    env = {**os.environ, "TRUYENTHANH_DATA_DIR": str(folder)}
    env.pop("TRUYENTHANH_USER", None)
    subprocess.run(
        [sys.executable, "-m", "truyenthanh", "init", "--name", "Đài xã Thử"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    config = folder / "truyenthanh.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("# single_operator = false", "single_operator = true")
    text = text.replace('# single_operator_name = ""', 'single_operator_name = "Nguyễn Văn Thử"')
    config.write_text(text, encoding="utf-8")
    return env


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each command (default 9)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        env = station(Path(tmp) / "station")
        for _label, args in COMMANDS:  # warm the file cache and the bytecode
            run_once(args, env)
        figures: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label, _ in COMMANDS}
        for _ in range(runs):  # interleaved, so a busy moment falls on every command alike
            for label, args in COMMANDS:
                wall, cpu = run_once(args, env)
                figures[label][0].append(wall)
                figures[label][1].append(cpu)
    base_wall = statistics.median(figures[COMMANDS[0][0]][0])
    base_cpu = statistics.median(figures[COMMANDS[0][0]][1])
    print(f"CLI start ({runs} runs each, {os.cpu_count()} CPUs; seconds: median / best; above the interpreter)")
    for label, _args in COMMANDS:
        walls, cpus = figures[label]
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(
            f"  {label:42s} wall {wall:6.3f} / {min(walls):6.3f}  (+{wall - base_wall:6.3f})   "
            f"cpu {cpu:6.3f} / {min(cpus):6.3f}  (+{cpu - base_cpu:6.3f})"
        )


if __name__ == "__main__":
    main()
