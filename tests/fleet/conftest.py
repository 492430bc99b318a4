"""Fixtures of the fleet tests: a private, real mosquitto on a free loopback port."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fleet.mosquitto import MISSING, Mosquitto, make_accounts

RECEIVERS = (("loa-a", "thon-a"), ("loa-b", "thon-b"), ("loa-c", "thon-a"))
"""The receivers (slug, zone) the default broker knows."""


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """A running mosquitto with the station's account and :data:`RECEIVERS`; killed at teardown."""
    if shutil.which("mosquitto") is None:
        pytest.fail(MISSING)
    accounts, passwords = make_accounts(RECEIVERS)
    server = Mosquitto(tmp_path / "broker", accounts, passwords)
    try:
        server.start()
        yield server
    finally:
        server.kill()
