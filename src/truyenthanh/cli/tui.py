"""``truyenthanh tui`` (also ``truyenthanh`` alone): open the operator's TUI on a station.

Textual is imported inside the command, so ``import truyenthanh.cli`` stays light; the database layer is loaded
by the app after its first frame.
"""

from __future__ import annotations

import sys
from functools import partial
from typing import TYPE_CHECKING

import click

from truyenthanh import locations
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.errors import StorageError

if TYPE_CHECKING:
    from truyenthanh.tui.backend import StationBackend


@click.command()
@pass_state
@click.pass_context
def tui(ctx: click.Context, state: CliState) -> None:
    """Mở giao diện điều khiển của đài (không có terminal: in tình trạng của đài)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo("Không có terminal tương tác: in tình trạng của đài thay cho giao diện.", err=True)
        from truyenthanh.cli import status

        ctx.invoke(status)
        return
    # A station that was never initialised is reported before the screen opens. The settings (pydantic, about
    # 0.2 s) are read only on that path: on the usual one the app reads them after its first frame.
    where = locations.resolve(state.data_dir if state.data_dir is not None else locations.data_dir_from_env())
    if not where.db_path.exists() and state.settings().database_url is None:
        raise StorageError(f"Chưa có đài nào ở {where.data_dir}. Hãy chạy «truyenthanh init» (hoặc «init --demo»).")
    from truyenthanh.tui.app import TruyenthanhApp

    TruyenthanhApp(partial(open_backend, state), setup_on_first_start=True).run()


def open_backend(state: CliState) -> StationBackend:
    """The TUI's station facade; the app calls this in a worker after its first frame (it loads the database
    layer, about half a second).

    Raises:
        StorageError: the station has not been initialised or cannot be opened.
    """
    from truyenthanh.tui.backend import StationBackend

    container = state.container()
    container.station.revision()
    return StationBackend(container)
