"""``truyenthanh tui`` (also ``truyenthanh`` alone): open the operator's TUI on a station.

Textual is imported inside the command, so ``import truyenthanh.cli`` stays light.
"""

from __future__ import annotations

import sys

import click

from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.errors import StorageError


@click.command()
@pass_state
@click.pass_context
def tui(ctx: click.Context, state: CliState) -> None:
    """Mở giao diện điều khiển của đài (không có terminal: in tình trạng của đài)."""
    container = state.container()
    info = container.station.status()  # a station that was never initialised is reported before the screen opens
    if not info["schema_up_to_date"]:
        raise StorageError(
            f"Dữ liệu ở {container.locations.data_dir} là của phiên bản cũ; hãy chạy «truyenthanh init» để nâng cấp."
        )
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo("Không có terminal tương tác: in tình trạng của đài thay cho giao diện.", err=True)
        from truyenthanh.cli import status

        ctx.invoke(status)
        return
    from truyenthanh.tui.app import TruyenthanhApp
    from truyenthanh.tui.backend import StationBackend

    TruyenthanhApp(StationBackend(container)).run()
