"""``truyenthanh user``: accounts and roles."""

from __future__ import annotations

import json

import click

from truyenthanh.cli.login import current_actor, read_new_password
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain.enums import Role
from truyenthanh.errors import TruyenthanhError

FLAGS = {"full_name": "--name", "role": "--role"}
"""The option of ``truyenthanh user add`` that sets each field an account error may name."""


def with_flag(exc: TruyenthanhError) -> TruyenthanhError:
    """``exc`` with the command-line option of the field it concerns named at the end of its message."""
    flag = FLAGS.get(exc.field or "")
    if flag is None:
        return exc
    named = type(exc)(f"{exc.message} (tùy chọn {flag})", title=exc.title, field=exc.field)
    return named


ROLE_HELP = "Vai trò: admin (quản trị), editor (biên tập), approver (duyệt), operator (vận hành)."


def _role(_ctx: click.Context, _param: click.Parameter, value: str) -> Role:
    try:
        role = Role.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    assert isinstance(role, Role)
    return role


@click.group()
def user() -> None:
    """Tài khoản và vai trò người dùng."""


@user.command()
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Họ tên đầy đủ (ghi vào nhật ký và biên bản duyệt).")
@click.option("--role", required=True, callback=_role, help=ROLE_HELP)
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu của tài khoản mới từ một dòng đầu vào chuẩn.")
@pass_state
def add(state: CliState, username: str, full_name: str, role: Role, password_stdin: bool) -> None:
    """Thêm tài khoản. Tài khoản đầu tiên (quản trị) tạo được mà không cần đăng nhập."""
    accounts = state.container().accounts
    actor = current_actor(state) if accounts.has_users() else None
    password = read_new_password(password_stdin)
    try:
        info = accounts.add(actor, username=username, full_name=full_name, role=role, password=password)
    except TruyenthanhError as exc:
        raise with_flag(exc) from exc
    click.echo(f"Đã thêm tài khoản «{info.username}» ({info.full_name}, vai trò {info.role.label}).")


@user.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho chương trình khác đọc.")
@pass_state
def list_users(state: CliState, as_json: bool) -> None:
    """Liệt kê các tài khoản."""
    users = state.container().accounts.list()
    if as_json:
        click.echo(json.dumps([u.to_json() for u in users], ensure_ascii=False, indent=2))
        return
    if not users:
        click.echo("Chưa có tài khoản nào. Tạo tài khoản quản trị: truyenthanh user add TÊN --name ... --role admin")
    now = state.container().clock.now()
    zone = state.container().settings.zone
    for info in users:
        state_label = "đã khóa" if info.disabled else "hoạt động"
        line = f"{info.username:<20} {info.role.label:<10} {state_label:<10} {info.full_name}"
        if info.locked_until is not None and info.locked_at(now):
            line += f" (tạm khóa đến {info.locked_until.astimezone(zone):%H:%M %d/%m/%Y})"
        click.echo(line)


@user.command()
@click.argument("username", required=False)
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu mới từ một dòng đầu vào chuẩn.")
@pass_state
def passwd(state: CliState, username: str | None, password_stdin: bool) -> None:
    """Đổi mật khẩu của mình, hoặc của người khác (quản trị)."""
    actor = current_actor(state)
    target = username or actor.username
    state.container().accounts.set_password(actor, target, read_new_password(password_stdin))
    click.echo(f"Đã đổi mật khẩu của «{target}».")


@user.command()
@click.argument("username")
@click.option("--enable", is_flag=True, help="Mở khóa lại tài khoản thay vì khóa.")
@pass_state
def disable(state: CliState, username: str, enable: bool) -> None:
    """Khóa một tài khoản (không xóa: lịch sử vẫn giữ tên người đó)."""
    actor = current_actor(state)
    info = state.container().accounts.set_disabled(actor, username, disabled=not enable)
    click.echo(f"Đã {'mở khóa' if enable else 'khóa'} tài khoản «{info.username}».")


@user.command()
@click.argument("username")
@pass_state
def unlock(state: CliState, username: str) -> None:
    """Mở tạm khóa của tài khoản bị khóa vì nhập sai mật khẩu nhiều lần (quản trị)."""
    actor = current_actor(state)
    info = state.container().accounts.unlock(actor, username)
    click.echo(f"Đã mở tạm khóa tài khoản «{info.username}»; có thể đăng nhập lại ngay.")


@user.command()
@click.argument("username")
@click.argument("role", callback=_role, metavar="VAI_TRÒ")
@pass_state
def role(state: CliState, username: str, role: Role) -> None:
    """Đổi vai trò của một tài khoản (quản trị). VAI_TRÒ: admin, editor, approver hoặc operator."""
    actor = current_actor(state)
    info = state.container().accounts.set_role(actor, username, role)
    click.echo(f"Tài khoản «{info.username}» ({info.full_name}) giờ có vai trò {info.role.label}.")
