"""A package the daemon imports itself (as its upstream part does) reaches its timer with nobody asking for a
rebuild: the daemon's status lists the new airing at once, and it airs on time (frozen clock,
:class:`~tests.fakes.FakePlayout`, a real signed package imported into a real SQLite station)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.daemon.conftest import Station, hn
from tests.fakes import FrozenClock
from tests.people import ADMIN
from truyenthanh import bootstrap
from truyenthanh.config import load_settings
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import Outcome

KEY_NAME = "Đài PT-TH tỉnh"
PROGRAMME_FILE = """format_version = 2

[package]
id = "tinh/ban-tin-trua"
version = 1
title = "Bản tin trưa của tỉnh"
author = "Phòng Văn hóa - Xã hội"
upstream = "Đài tỉnh"

[[programme]]
key = "ban-tin-trua"
title = "Bản tin trưa của tỉnh"

[[programme.item]]
silence = 20
title = "Bản tin"

[[programme.schedule]]
at = 2026-11-23T11:00:00
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """The package, built and signed on the upstream's machine, and the upstream's public key."""
    folder = tmp_path_factory.mktemp("upstream")
    source = folder / "ban-tin-trua.toml"
    source.write_text(PROGRAMME_FILE, encoding="utf-8")
    editor = bootstrap.build(load_settings(folder), clock=FrozenClock(datetime(2026, 11, 20, 1, 0, tzinfo=UTC)))
    try:
        editor.keys.generate(KEY_NAME)
        built = editor.packages.build(source, folder / "ban-tin-trua.ttpkg", sign_with=KEY_NAME).path
        return built, editor.keys.export()
    finally:
        editor.close()


def test_a_package_imported_in_the_daemon_reaches_its_timer_without_a_rebuild(
    station: Station, package: tuple[Path, bytes]
) -> None:
    path, public_key = package
    container = station.container  # the daemon's own container: its commits are the daemon's own
    container.keys.trust(ADMIN, public_key, "tinh.pub.json")
    station.start()
    assert station.daemon.status().upcoming == ()
    outcome = container.packages.import_package(ADMIN, path)
    [programme_id] = outcome.programme_ids
    container.approvals.approve(ADMIN, ContentKind.PROGRAMME, programme_id)
    [upcoming] = station.daemon.status().upcoming  # no reload asked for: the timer saw the commits itself
    assert (upcoming.programme, upcoming.start) == ("Bản tin trưa của tỉnh", hn(11))
    assert station.daemon.timer.refresh() is False  # already current
    station.clock.set(hn(10, 59, 50))
    station.tick()
    station.tick(8.0)  # handed over ahead
    station.tick(40.0)
    [row] = station.log()
    assert (row.item_title, row.outcome, row.actual_start) == ("Bản tin", Outcome.PLAYED, hn(11))
