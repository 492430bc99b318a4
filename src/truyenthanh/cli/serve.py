"""``truyenthanh serve``: the operator's TUI in a browser (issue 22), and ``serve password`` to set the station
access password asked before it.

Each browser session gets its own app process (``truyenthanh serve session``, started by textual-serve) on the
station's data; the app talks to the daemon as the terminal TUI does, and its own login guards every change.
"""

from __future__ import annotations

import shlex
import ssl
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from truyenthanh.cli.flags import OptionNames, naming
from truyenthanh.cli.login import current_actor, read_new_password
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.errors import ConfigError

if TYPE_CHECKING:
    from truyenthanh.services.web_access import WebAccessService

WEB_FOLDER = "web"
"""Folder of the station's data holding the access password's hash and the generated certificate."""

_NAMES = OptionNames(fields={"host": "--host", "cert": "--cert", "key": "--key", "password": "--stdin"})


def web_access(state: CliState) -> WebAccessService:
    """The access password service of this station."""
    from truyenthanh.adapters.web import AccessPasswordFile
    from truyenthanh.services.web_access import WebAccessService

    container = state.container()
    return WebAccessService(
        settings=container.settings,
        store=container.store,
        clock=container.clock,
        secret=AccessPasswordFile(container.locations.data_dir / WEB_FOLDER / "access-password"),
        accounts=container.accounts,
    )


def session_command(data_dir: Path) -> str:
    """The shell command textual-serve runs for each browser session."""
    words = [sys.executable, "-m", "truyenthanh", "--data-dir", str(data_dir), "serve", "session"]
    if sys.platform == "win32":
        return subprocess.list2cmdline(words)
    return shlex.join(words)


@click.group(invoke_without_command=True)
@click.option("--host", help="Địa chỉ lắng nghe (mặc định 127.0.0.1; địa chỉ khác cần mật khẩu truy cập và HTTPS).")
@click.option("--port", type=int, help="Cổng TCP (mặc định 8720).")
@click.option("--cert", type=click.Path(dir_okay=False, path_type=Path), help="Chứng chỉ HTTPS của đài (PEM).")
@click.option("--key", type=click.Path(dir_okay=False, path_type=Path), help="Khóa bí mật của chứng chỉ (PEM).")
@click.option("--self-signed", is_flag=True, help="Dùng HTTPS với chứng chỉ tự ký (tạo trong thư mục của đài).")
@click.option("--trust-proxy", is_flag=True, help="Đứng sau reverse proxy: lấy địa chỉ người dùng từ X-Forwarded-For.")
@pass_state
@naming(_NAMES)
@click.pass_context
def serve(
    ctx: click.Context,
    state: CliState,
    host: str | None,
    port: int | None,
    cert: Path | None,
    key: Path | None,
    self_signed: bool,
    trust_proxy: bool,
) -> None:
    """Mở giao diện điều khiển của đài trong trình duyệt (điện thoại, máy khác trong mạng của xã)."""
    if ctx.invoked_subcommand is not None:
        return
    from truyenthanh.adapters.web import AccessGate, StationWebServer, is_loopback

    settings = state.settings()
    host = host or settings.serve_host
    port = port or settings.serve_port
    where = state.container().locations
    if not where.db_path.exists() and settings.database_url is None:
        raise ConfigError(f"Chưa có đài nào ở {where.data_dir}. Hãy chạy «truyenthanh init» (hoặc «init --demo»).")
    access = web_access(state)
    has_password = access.has_password()
    local = is_loopback(host)
    if not local and not has_password:
        raise ConfigError(
            f"Mở giao diện ra mạng ({host}) cần mật khẩu truy cập của đài: đặt bằng «truyenthanh serve password» "
            "rồi chạy lại.",
            field="host",
        )
    tls = _tls(where.data_dir / WEB_FOLDER, host, cert, key, self_signed=self_signed or (not local and not cert))
    gate = None
    if has_password:
        gate = AccessGate(
            access.check,
            session_hours=settings.serve_session_hours,
            secure_cookie=tls is not None,
            trust_proxy=trust_proxy,
        )

    def ready(url: str) -> None:
        click.echo(f"Đang mở giao diện của đài tại {url} (Ctrl+C để dừng).")
        sys.stdout.flush()

    StationWebServer(session_command(where.data_dir), host=host, port=port, gate=gate, tls=tls, on_ready=ready).serve()


def _tls(folder: Path, host: str, cert: Path | None, key: Path | None, *, self_signed: bool) -> ssl.SSLContext | None:
    """The TLS context to serve with, or ``None`` for plain HTTP (loopback, or behind a reverse proxy)."""
    from truyenthanh.adapters.web import self_signed_certificate, tls_context

    if (cert is None) != (key is None):
        raise ConfigError("Cần cả chứng chỉ (--cert) và khóa bí mật (--key) của nó.", field="cert" if key else "key")
    if cert is None or key is None:
        if not self_signed:
            return None
        cert, key = folder / "cert.pem", folder / "key.pem"
        if not (cert.exists() and key.exists()):
            self_signed_certificate(cert, key, [host])
            click.echo(f"Đã tạo chứng chỉ tự ký: {cert}", err=True)
    try:
        return tls_context(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"Không dùng được chứng chỉ {cert} với khóa {key}: {exc}. Cần hai tệp PEM khớp nhau.", field="cert"
        ) from exc


@serve.command("password")
@click.option("--stdin", "from_stdin", is_flag=True, help="Đọc mật khẩu từ đầu vào chuẩn (một dòng), cho script.")
@pass_state
@naming(_NAMES)
def password(state: CliState, from_stdin: bool) -> None:
    """Đặt hoặc đổi mật khẩu truy cập của đài, hỏi trước khi mở giao diện trong trình duyệt."""
    access = web_access(state)
    actor = current_actor(state)
    access.set_password(actor, read_new_password(from_stdin))
    click.echo("Đã đặt mật khẩu truy cập của đài.")


@serve.command("session", hidden=True)
@pass_state
def session(state: CliState) -> None:
    """Một phiên giao diện cho một trình duyệt (textual-serve chạy lệnh này, không gọi trực tiếp)."""
    from truyenthanh.cli.tui import open_backend
    from truyenthanh.tui.app import TruyenthanhApp

    TruyenthanhApp(partial(open_backend, state)).run()
