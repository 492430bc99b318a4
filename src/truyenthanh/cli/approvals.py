"""``truyenthanh announcement`` and ``truyenthanh programme``: writing announcements and the approval workflow."""

from __future__ import annotations

import json
from pathlib import Path

import click

from truyenthanh.cli.login import current_actor
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import Category, ContentStatus, LabelledEnum, Priority
from truyenthanh.errors import TruyenthanhError
from truyenthanh.services.approvals import ContentView

JSON_HELP = "In kết quả dạng JSON cho chương trình khác đọc."


def _parser(enum: type[LabelledEnum]) -> click.types.FuncParamType:
    def parse(value: str | LabelledEnum) -> LabelledEnum:
        if isinstance(value, LabelledEnum):
            return value
        try:
            return enum.parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc

    return click.types.FuncParamType(parse)


def _line(view: ContentView) -> str:
    extra = ""
    if view.status is ContentStatus.REJECTED and view.rejected_reason:
        extra = f"  lý do: {view.rejected_reason}"
    elif view.approved_by and view.status in (ContentStatus.APPROVED, ContentStatus.AIRED):
        extra = f"  duyệt: {view.approved_by}"
    return f"{view.id:>5}  {view.status.label:<11} {view.priority.label:<11} {view.title}{extra}"


def _print(views: list[ContentView], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([v.to_json() for v in views], ensure_ascii=False, indent=2))
        return
    if not views:
        click.echo("Không có mục nào.")
    for view in views:
        click.echo(_line(view))


def _workflow_commands(group: click.Group, kind: ContentKind) -> None:
    """Add ``list``, ``submit``, ``approve`` and ``reject`` for one kind of content to ``group``."""

    @group.command(name="list")
    @click.option("--status", type=_parser(ContentStatus), help="Chỉ xem một trạng thái (draft, waiting, ...).")
    @click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
    @pass_state
    def list_content(state: CliState, status: ContentStatus | None, as_json: bool) -> None:
        """Liệt kê kèm trạng thái duyệt."""
        _print(state.container().approvals.list(kind, status), as_json)

    @group.command()
    @click.argument("ident", type=int)
    @pass_state
    def submit(state: CliState, ident: int) -> None:
        """Gửi duyệt (bản nháp hoặc bản đã sửa sau khi bị từ chối)."""
        view = state.container().approvals.submit(current_actor(state), kind, ident)
        click.echo(f"Đã gửi duyệt {kind.label} số {view.id}: {view.status.label}.")

    @group.command()
    @click.argument("ident", type=int)
    @pass_state
    def approve(state: CliState, ident: int) -> None:
        """Duyệt nội dung đang chờ duyệt (ghi tên người duyệt)."""
        view = state.container().approvals.approve(current_actor(state), kind, ident)
        click.echo(f"Đã duyệt {kind.label} số {view.id} «{view.title}» (người duyệt: {view.approved_by}).")

    @group.command()
    @click.argument("ident", type=int)
    @click.option("--reason", required=True, help="Lý do từ chối (người soạn sẽ đọc).")
    @pass_state
    def reject(state: CliState, ident: int, reason: str) -> None:
        """Từ chối nội dung đang chờ duyệt, ghi rõ lý do."""
        view = state.container().approvals.reject(current_actor(state), kind, ident, reason)
        click.echo(f"Đã từ chối {kind.label} số {view.id}: {view.rejected_reason}")


@click.group()
def announcement() -> None:
    """Thông báo: soạn, gửi duyệt, duyệt, từ chối."""


@announcement.command()
@click.option("--title", required=True, help="Tiêu đề thông báo.")
@click.option("--text", help="Nội dung thông báo.")
@click.option("--file", "text_file", type=click.Path(dir_okay=False, path_type=Path), help="Đọc nội dung từ tệp.")
@click.option("--category", type=_parser(Category), default=Category.ADMINISTRATION.value, help="Thể loại.")
@click.option("--priority", type=_parser(Priority), default=Priority.NORMAL.value, help="normal, priority.")
@click.option("--submit", is_flag=True, help="Gửi duyệt ngay sau khi soạn.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@pass_state
def add(
    state: CliState,
    *,
    title: str,
    text: str | None,
    text_file: Path | None,
    category: Category,
    priority: Priority,
    submit: bool,
    as_json: bool,
) -> None:
    """Soạn thông báo mới (bản nháp)."""
    if text_file is not None:
        try:
            text = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TruyenthanhError(f"Không đọc được tệp {text_file} (cần văn bản UTF-8): {exc}") from exc
    if not text:
        raise click.UsageError("Cần nội dung: --text hoặc --file.")
    view = state.container().approvals.add_announcement(
        current_actor(state), title=title, text=text, category=category, priority=priority, submit=submit
    )
    if as_json:
        click.echo(json.dumps(view.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"Đã soạn thông báo số {view.id} «{view.title}»: {view.status.label}.")


@announcement.command()
@click.argument("ident", type=int)
@click.option("--title", help="Tiêu đề mới.")
@click.option("--text", help="Nội dung mới.")
@click.option("--category", type=_parser(Category), help="Thể loại mới.")
@click.option("--priority", type=_parser(Priority), help="Mức ưu tiên mới.")
@pass_state
def edit(
    state: CliState,
    ident: int,
    *,
    title: str | None,
    text: str | None,
    category: Category | None,
    priority: Priority | None,
) -> None:
    """Sửa thông báo; thông báo đã gửi duyệt hoặc đã duyệt sẽ trở về bản nháp và phải duyệt lại."""
    if title is None and text is None and category is None and priority is None:
        raise click.UsageError("Cần ít nhất một thay đổi: --title, --text, --category hoặc --priority.")
    view = state.container().approvals.edit_announcement(
        current_actor(state), ident, title=title, text=text, category=category, priority=priority
    )
    click.echo(f"Đã sửa thông báo số {view.id}: {view.status.label}.")


@announcement.command()
@click.argument("ident", type=int)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@pass_state
def show(state: CliState, ident: int, as_json: bool) -> None:
    """Xem một thông báo: trạng thái duyệt, người duyệt và lịch sử thay đổi."""
    container = state.container()
    view = container.approvals.get(ContentKind.ANNOUNCEMENT, ident)
    history = container.audit.entries(entity=ContentKind.ANNOUNCEMENT.value, entity_id=str(ident))
    if as_json:
        data = {**view.to_json(), "history": [line.to_json() for line in history]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(_line(view))
    zone = container.settings.zone
    for line in reversed(history):
        click.echo(f"  {line.at.astimezone(zone):%d/%m/%Y %H:%M}  {line.actor:<16} {line.label}")


_workflow_commands(announcement, ContentKind.ANNOUNCEMENT)


@click.group()
def programme() -> None:
    """Chương trình: gửi duyệt, duyệt, từ chối, xóa."""


_workflow_commands(programme, ContentKind.PROGRAMME)


@programme.command("delete")
@click.argument("ident", type=int)
@pass_state
def delete_programme(state: CliState, ident: int) -> None:
    """Xóa một chương trình không còn lịch phát (nhật ký phát vẫn giữ lịch sử của nó)."""
    gone = state.container().programmes.delete(current_actor(state), ident)
    click.echo(f"Đã xóa chương trình số {gone.id} «{gone.title}» ({gone.items} mục).")
