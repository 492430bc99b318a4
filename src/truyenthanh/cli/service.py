"""``truyenthanh service install|remove [--serve|--broker|--receiver]``: start the station's daemon, with
``--serve`` its TUI in a browser (``truyenthanh serve``), with ``--broker`` its MQTT broker for the loudspeaker
clusters (Mosquitto on the ``broker config`` configuration, Linux only), or with ``--receiver`` a
loudspeaker-cluster box's receiver (``truyenthanh receiver run``), at boot (systemd on Linux, a scheduled task on
Windows)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from truyenthanh.adapters import autostart
from truyenthanh.cli.flags import OptionNames, naming
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.errors import ConfigError

_NAMES = OptionNames(
    fields={
        "host": "--host",
        "port": "--port",
        "user": "--user",
        "data_dir": "--data-dir",
        "unit_dir": "--unit-dir",
        "state_dir": "--state-dir",
    }
)

_UNIT_DIR = click.option(
    "--unit-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=autostart.DEFAULT_UNIT_DIR,
    show_default=True,
    help="Thư mục tệp dịch vụ systemd.",
)
_SERVE = click.option(
    "--serve",
    is_flag=True,
    help="Giao diện trong trình duyệt («truyenthanh serve») thay cho dịch vụ phát.",
)
_BROKER = click.option(
    "--broker",
    is_flag=True,
    help="Máy chủ tin nhắn của các cụm loa (Mosquitto, cấu hình do «broker config» ghi) thay cho dịch vụ phát.",
)
_RECEIVER = click.option(
    "--receiver",
    is_flag=True,
    help="Máy thu cụm loa («truyenthanh receiver run») thay cho dịch vụ phát: dùng trên máy của cụm loa.",
)


@click.group("service")
def service() -> None:
    """Cho dịch vụ phát (hoặc giao diện trong trình duyệt) tự chạy khi máy khởi động (systemd trên Linux, Task
    Scheduler trên Windows)."""


@service.command("install")
@_SERVE
@_BROKER
@_RECEIVER
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=autostart.DEFAULT_RECEIVER_DIR,
    show_default=True,
    help="Với --receiver: thư mục trạng thái của máy thu.",
)
@click.option("--user", default="truyenthanh", show_default=True, help="Tài khoản chạy dịch vụ (Linux).")
@click.option("--group", default=None, help="Nhóm của người vận hành (mặc định: trùng tên tài khoản).")
@click.option(
    "--host",
    default=autostart.DEFAULT_SERVE_HOST,
    show_default=True,
    help="Với --serve: địa chỉ lắng nghe (khác 127.0.0.1 thì cần mật khẩu truy cập, đặt trước bằng «serve password»).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=autostart.DEFAULT_SERVE_PORT,
    show_default=True,
    help="Với --serve: cổng TCP.",
)
@_UNIT_DIR
@click.option("--no-start", is_flag=True, help="Chỉ ghi tệp, không bật và chạy dịch vụ.")
@click.option("--docs", default=None, help="Địa chỉ tài liệu ghi trong dịch vụ (mặc định: README cạnh chương trình).")
@pass_state
@naming(_NAMES)
def install(
    state: CliState,
    serve: bool,
    broker: bool,
    receiver: bool,
    state_dir: Path,
    user: str,
    group: str | None,
    host: str,
    port: int,
    unit_dir: Path,
    no_start: bool,
    docs: str | None,
) -> None:
    """Cài dịch vụ phát (hoặc với --serve giao diện trong trình duyệt, với --broker máy chủ tin nhắn) của đài này
    (--data-dir), hoặc với --receiver máy thu cụm loa (--state-dir), để tự chạy khi máy khởi động."""
    which = _which(serve, broker, receiver)
    if not serve:
        _refuse_serve_options()
    if not receiver:
        _refuse_receiver_options()
    program = autostart.installed_program()
    if receiver:
        plan = autostart.ServicePlan(
            program=program,
            data_dir=state_dir.expanduser().absolute(),
            user=user,
            group=group or user,
            documentation=docs or f"file://{Path(program).resolve().parents[2] / 'README.md'}",
            service=autostart.RECEIVER,
        )
        _install_receiver(plan, unit_dir=unit_dir, start=not no_start)
        return
    if broker:
        _install_broker(state, program, user, group or user, docs, unit_dir=unit_dir, start=not no_start)
        return
    plan = autostart.ServicePlan(
        program=program,
        data_dir=state.settings().locations().data_dir,
        user=user,
        group=group or user,
        documentation=docs or f"file://{Path(program).resolve().parents[2] / 'README.md'}",
        service=which,
        host=host,
        port=port,
    )
    if serve:
        _require_access_password(plan)
    label = plan.service.label
    if sys.platform == "win32":
        autostart.install_windows(plan)
        click.echo(f"Đã tạo tác vụ «{plan.service.task_name}» chạy {label} khi Windows khởi động.")
        return
    target = autostart.install_systemd(plan, unit_dir=unit_dir, start=not no_start)
    click.echo(f"Đã ghi {target} (dữ liệu: {plan.data_dir}, tài khoản: {plan.user}, nhóm: {plan.group}).")
    if no_start:
        click.echo(f"Chưa bật: chạy «systemctl daemon-reload && systemctl enable --now {plan.service.unit_name}».")
    else:
        click.echo(f"Đã bật và chạy {label}; «systemctl status {plan.service.status_name}» để xem.")
    if serve:
        scheme = "http" if _is_loopback(host) else "https"
        click.echo(f"Giao diện sẽ mở tại {scheme}://{host}:{port}/ (địa chỉ của máy này trong mạng của xã).")


def _which(serve: bool, broker: bool, receiver: bool) -> autostart.BootService:
    """The program the flags choose (the daemon when none); more than one is refused."""
    if serve + broker + receiver > 1:
        raise click.UsageError("Chọn nhiều nhất một trong: --serve, --broker, --receiver.")
    chosen = [each for flag, each in ((serve, autostart.SERVE), (broker, autostart.BROKER),
                                      (receiver, autostart.RECEIVER)) if flag]  # fmt: skip
    return chosen[0] if chosen else autostart.DAEMON


def _install_broker(
    state: CliState, program: str, user: str, group: str, docs: str | None, *, unit_dir: Path, start: bool
) -> None:
    """Write (and enable, and start when its configuration exists) the broker's unit; say what is left."""
    if sys.platform == "win32":
        raise ConfigError(
            "Trên Windows hãy chạy Mosquitto bằng dịch vụ của chính nó, với tệp cấu hình do «broker config» ghi.",
            field="broker",
        )
    data_dir = state.settings().locations().data_dir
    plan = autostart.ServicePlan(
        program=program,
        data_dir=data_dir,
        user=user,
        group=group,
        documentation=docs or f"file://{Path(program).resolve().parents[2] / 'README.md'}",
        service=autostart.BROKER,
        mosquitto=shutil.which("mosquitto") or autostart.DEFAULT_MOSQUITTO,
    )
    target = autostart.install_systemd(plan, unit_dir=unit_dir, start=start)
    click.echo(f"Đã ghi {target} (cấu hình: {data_dir / 'broker' / 'mosquitto.conf'}, tài khoản: {user}).")
    configured = (data_dir / "broker" / "mosquitto.conf").is_file()
    if not start:
        click.echo(f"Chưa bật: chạy «systemctl daemon-reload && systemctl enable --now {plan.service.unit_name}».")
    elif configured:
        click.echo(f"Đã bật và chạy {plan.service.label}; «systemctl status {plan.service.status_name}» để xem.")
    if not configured:
        click.echo(
            "Chưa có cấu hình máy chủ tin nhắn: chạy «truyenthanh broker config --host ĐỊA_CHỈ_MÀ_CỤM_LOA_DÙNG» "
            f"(với tài khoản {user}), rồi «systemctl start {plan.service.unit_name}»."
        )


def _install_receiver(plan: autostart.ServicePlan, *, unit_dir: Path, start: bool) -> None:
    """Write (and unless told not to, enable and start) the receiver's unit or task, and say what is left: a box
    that is not enrolled yet waits for «receiver enrol» (the unit's ``ConditionPathExists``)."""
    enrolled = (plan.data_dir / "enrolment.json").is_file()
    label = plan.service.label
    if sys.platform == "win32":
        autostart.install_windows(plan)
        click.echo(f"Đã tạo tác vụ «{plan.service.task_name}» chạy {label} khi Windows khởi động.")
    else:
        target = autostart.install_systemd(plan, unit_dir=unit_dir, start=start)
        click.echo(f"Đã ghi {target} (trạng thái: {plan.data_dir}, tài khoản: {plan.user}, nhóm: {plan.group}).")
        if not start:
            click.echo(f"Chưa bật: chạy «systemctl daemon-reload && systemctl enable --now {plan.service.unit_name}».")
        elif enrolled:
            click.echo(f"Đã bật và chạy {label}; «systemctl status {plan.service.status_name}» để xem.")
        else:
            click.echo(f"Đã bật {label}; nó chỉ chạy khi máy thu đã ghi danh với đài.")
    if not enrolled:
        click.echo(
            f"Máy thu chưa ghi danh: lấy mã bằng «truyenthanh zone enroll KHU_VỰC» trên máy của đài, rồi trên máy này "
            f"chạy «{plan.program} receiver enrol http://ĐỊA_CHỈ_ĐÀI:8730 MÃ --name TÊN --state-dir {plan.data_dir}» "
            f"(với tài khoản {plan.user}) và «systemctl start {plan.service.unit_name}»."
        )


def _refuse_receiver_options() -> None:
    """``--state-dir`` given without ``--receiver`` would be ignored without a word: say so instead."""
    ctx = click.get_current_context()
    if ctx.get_parameter_source("state_dir") != click.core.ParameterSource.DEFAULT:
        raise click.UsageError("--state-dir chỉ dùng với --receiver (máy thu cụm loa).", ctx)


def _refuse_serve_options() -> None:
    """``--host``/``--port`` given for the daemon would be ignored without a word: say so instead."""
    ctx = click.get_current_context()
    for name in ("host", "port"):
        if ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT:
            raise click.UsageError(f"--{name} chỉ dùng với --serve (giao diện trong trình duyệt).", ctx)


def _is_loopback(host: str) -> bool:
    from truyenthanh.adapters.web import is_loopback

    return is_loopback(host)


def _require_access_password(plan: autostart.ServicePlan) -> None:
    """Refuse, before anything is written, a serve service that would stop at once: an address other than
    loopback needs the station access password (``truyenthanh serve`` checks the same at every start).

    Raises:
        ConfigError: no password is set, or its file cannot be read.
    """
    from truyenthanh.adapters.web import AccessPasswordFile
    from truyenthanh.cli.serve import WEB_FOLDER

    if _is_loopback(plan.host):
        return
    secret = AccessPasswordFile(plan.data_dir / WEB_FOLDER / "access-password")
    try:
        has_password = secret.read() is not None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Không đọc được mật khẩu truy cập của đài ({secret.path}): {exc}.", field="host") from exc
    if not has_password:
        raise ConfigError(
            f"Giao diện mở ra mạng ({plan.host}) cần mật khẩu truy cập của đài, mà {plan.data_dir} chưa có: đặt "
            "bằng «truyenthanh serve password» (với tài khoản chạy dịch vụ) rồi cài lại. Chưa ghi gì.",
            field="host",
        )


@service.command("remove")
@_SERVE
@_BROKER
@_RECEIVER
@_UNIT_DIR
@click.option("--no-stop", is_flag=True, help="Chỉ xóa tệp, không dừng dịch vụ.")
def remove(serve: bool, broker: bool, receiver: bool, unit_dir: Path, no_stop: bool) -> None:
    """Dừng và gỡ dịch vụ phát (hoặc với --serve giao diện trong trình duyệt, với --broker máy chủ tin nhắn, với
    --receiver máy thu cụm loa) khỏi danh sách tự chạy; dữ liệu của đài (của máy thu) giữ nguyên."""
    which = _which(serve, broker, receiver)
    if sys.platform == "win32":
        autostart.remove_windows(which)
        click.echo(f"Đã xóa tác vụ «{which.task_name}».")
        return
    if autostart.remove_systemd(unit_dir=unit_dir, stop=not no_stop, service=which):
        click.echo(f"Đã gỡ {which.label} ({unit_dir / which.unit_name}); dữ liệu của đài giữ nguyên.")
    else:
        click.echo(f"Không có {which.label} nào được cài ở {unit_dir}.")
