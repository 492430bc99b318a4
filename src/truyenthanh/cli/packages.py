"""``truyenthanh package`` and ``truyenthanh keys``: programme packages from upstream, and their signing keys."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import click

from truyenthanh.cli.flags import OptionNames, naming
from truyenthanh.cli.login import current_actor
from truyenthanh.cli.passphrase import FIELDS, interactive, new_passphrase, passphrase_file_option, unlock
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain.approval import ContentKind
from truyenthanh.domain.enums import ContentStatus
from truyenthanh.domain.package import PACKAGE_SUFFIX
from truyenthanh.errors import ConfigError, PackageError, StorageError
from truyenthanh.services.keys import KeyInfo
from truyenthanh.services.packages import ConflictChoice, ImportOutcome

JSON_HELP = "In kết quả dạng JSON cho chương trình khác đọc."

_KEY_NAMES = OptionNames(fields={**FIELDS, "new": "--new-passphrase-file"})


class _Steps:
    """One line on stderr, rewritten after each step (the service tells the number of steps as it learns it).

    Shown only when stderr is a terminal and the output is not JSON: scripts read stdout and a clean stderr.
    """

    def __init__(self, label: str, *, as_json: bool = False) -> None:
        self._label = label
        self._shown = not as_json and sys.stderr.isatty()
        self._done = 0
        self._width = 0

    def __enter__(self) -> _Steps:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._shown and self._width:
            click.echo("", err=True)

    def __call__(self, step: str, total: int) -> None:
        """Record one step done."""
        self._done += 1
        total = max(total, self._done)
        if self._shown:
            text = f"{self._label}: {self._done}/{total} ({self._done / total:.0%}) {step}"
            # Pad over the previous, longer text: a carriage return alone leaves its tail on screen.
            click.echo("\r" + text.ljust(self._width), nl=False, err=True)
            self._width = len(text)


@click.group()
def package() -> None:
    """Gói chương trình từ tuyến trên: kiểm tra, đóng gói, ký, nhập."""


@package.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@pass_state
def validate(state: CliState, file: Path, as_json: bool) -> None:
    """Kiểm tra tệp chương trình (TOML) và các tệp âm thanh nó dùng; báo mọi lỗi một lần, không thay đổi gì."""
    from truyenthanh.domain.programme_file import ProgrammeFileError

    service = state.container().packages
    try:
        checked = service.check_file(file)
    except ProgrammeFileError as exc:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "valid": False,
                        "problems": [
                            {"line": p.line, "field": p.field, "message": p.message, "text": p.format(file.name)}
                            for p in exc.problems
                        ],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            click.get_current_context().exit(1)
        raise
    info = checked.package
    if as_json:
        click.echo(
            json.dumps(
                {
                    "valid": True,
                    "package_id": info.id,
                    "version": info.version,
                    "programmes": [p.key for p in checked.programmes],
                    "audio": checked.audio_paths(),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo(
        f"Tệp {file} hợp lệ: gói «{info.id}» phiên bản {info.version}, {len(checked.programmes)} chương trình, "
        f"{len(checked.audio_paths())} tệp âm thanh."
    )


@package.command("build")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=f"Tệp gói (mặc định: TÊN{PACKAGE_SUFFIX})."
)
@click.option("--sign", "sign_with", help="Ký luôn bằng khóa này của máy (tên hoặc tên tệp khóa).")
@click.option(
    "--render-announcements",
    is_flag=True,
    help="Đọc sẵn các thông báo chưa có bản thu (theo tts_engine) để mọi đài phát cùng một bản đọc.",
)
@passphrase_file_option
@pass_state
@naming(_KEY_NAMES)
def build(
    state: CliState,
    file: Path,
    output: Path | None,
    sign_with: str | None,
    render_announcements: bool,
    passphrase_file: Path | None,
) -> None:
    """Đóng gói tệp chương trình cùng âm thanh thành tệp .ttpkg (có manifest với mã SHA-256 từng tệp)."""
    target = output or file.with_suffix(PACKAGE_SUFFIX)
    if sign_with is not None:
        unlock(state.container().keys, sign_with, passphrase_file)
    with _Steps("Đang kiểm tra và đóng gói") as steps:
        result = state.container().packages.build(
            file, target, sign_with=sign_with, render_announcements=render_announcements, progress=steps
        )
    signed = f", ký bằng «{result.signer.name}» ({result.signer.fingerprint})" if result.signer else ", CHƯA KÝ"
    click.echo(
        f"Đã tạo gói {result.path} ({result.size} byte): «{result.manifest.package_id}» phiên bản "
        f"{result.manifest.version}, {len(result.manifest.files)} tệp{signed}."
    )


@package.command("sign")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", "key_name", help="Khóa dùng để ký (khi máy có nhiều khóa).")
@passphrase_file_option
@pass_state
@naming(_KEY_NAMES)
def sign(state: CliState, file: Path, key_name: str | None, passphrase_file: Path | None) -> None:
    """Ký gói .ttpkg bằng khóa của máy này (ký lại nếu đã có chữ ký)."""
    unlock(state.container().keys, key_name, passphrase_file)
    signer = state.container().packages.sign(file, key_name=key_name)
    click.echo(f"Đã ký {file} bằng khóa «{signer.name}» (dấu vân tay {signer.fingerprint}).")


@package.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Chỉ xem trước: kiểm tra và cho biết sẽ thêm, đổi gì; không ghi gì.")
@click.option(
    "--on-conflict",
    type=click.Choice([c.value for c in ConflictChoice]),
    default=ConflictChoice.REFUSE.value,
    show_default=True,
    help="Khi lịch trong gói trùng lịch hoặc trái quy định của đài: refuse (không nhập), skip (bỏ các lịch đó), "
    "force (vẫn nhập).",
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@pass_state
def import_(state: CliState, file: Path, dry_run: bool, on_conflict: str, as_json: bool) -> None:
    """Nhập gói .ttpkg: kiểm tra chữ ký và mã băm, xem trước thay đổi, rồi nhập trong một lần (tất cả hoặc không)."""
    container = state.container()
    actor = None if dry_run else current_actor(state)
    with _Steps("Đang kiểm tra gói", as_json=as_json) as steps:
        if actor is None:
            outcome = ImportOutcome(preview=container.packages.preview(file, progress=steps), imported=False)
        else:
            outcome = container.packages.import_package(actor, file, choice=ConflictChoice(on_conflict), progress=steps)
    if as_json:
        click.echo(json.dumps(outcome.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(outcome.preview.explain(container.settings.zone))
    if dry_run:
        click.echo("Chạy thử (--dry-run): chưa ghi gì.")
    elif outcome.imported:
        click.echo(
            f"Đã nhập: {len(outcome.programme_ids)} chương trình, {len(outcome.schedule_ids)} lịch phát."
            + (
                f" Bỏ qua {len(outcome.skipped_schedules)} lịch: {'; '.join(outcome.skipped_schedules)}."
                if outcome.skipped_schedules
                else ""
            )
        )
        views = [container.approvals.get(ContentKind.PROGRAMME, ident) for ident in outcome.programme_ids]
        waiting = [str(view.id) for view in views if view.status is ContentStatus.WAITING]
        if waiting:
            click.echo(
                f"Chương trình số {', '.join(waiting)} đang chờ duyệt: chỉ được phát khi người duyệt của đài chạy "
                "«truyenthanh programme approve SỐ» (duyệt cả các thông báo đi kèm)."
            )
        for view in views:
            if view.status is ContentStatus.APPROVED:
                click.echo(f"Chương trình số {view.id} được duyệt sẵn: {view.approved_by}.")


@package.command("list")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@pass_state
def list_packages(state: CliState, as_json: bool) -> None:
    """Các gói đã nhập vào đài (mới nhất trước)."""
    rows = state.container().packages.imported()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("Đài chưa nhập gói nào.")
    for row in rows:
        signer = row["signer"] or "KHÔNG KÝ"
        click.echo(f"{row['package_id']} v{row['version']}  «{row['title']}»  ký: {signer}  nhập {row['imported_at']}")


@click.group()
def keys() -> None:
    """Khóa ký gói: tạo, xuất khóa công khai, tin cậy khóa của tuyến trên."""


def _key_line(key: KeyInfo) -> str:
    line = f"{key.fingerprint}  {key.name}" + (f"  (tệp {key.slug})" if key.slug else "")
    return line + ("  [có mật khẩu]" if key.locked else "")


@keys.command("generate")
@click.argument("name")
@click.option("--no-passphrase", is_flag=True, help="Không đặt mật khẩu cho khóa (chỉ quyền của tệp bảo vệ nó).")
@passphrase_file_option
@pass_state
@naming(_KEY_NAMES)
def generate(state: CliState, name: str, no_passphrase: bool, passphrase_file: Path | None) -> None:
    """Tạo khóa ký mới cho cơ quan biên tập (ví dụ: «Đài TT-TH huyện Tân Sơn»); hỏi mật khẩu bảo vệ khóa."""
    service = state.container().keys
    secret = new_passphrase(passphrase_file, none=no_passphrase, keys=service, what=f"khóa «{name.strip()}»")
    key = service.generate(name, passphrase=secret)
    protected = " (có mật khẩu)" if secret else ""
    click.echo(f"Đã tạo khóa «{key.name}», dấu vân tay {key.fingerprint}{protected}.")
    click.echo(f"Khóa bí mật nằm ở {service.keys_dir}; đừng gửi cho ai. Gửi khóa công khai: «truyenthanh keys export».")


@keys.command("passphrase")
@click.argument("name", required=False)
@click.option("--remove", is_flag=True, help="Bỏ mật khẩu của khóa.")
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Đọc mật khẩu mới từ tệp này (dòng đầu), thay vì hỏi.",
)
@passphrase_file_option
@pass_state
@naming(_KEY_NAMES)
def passphrase(
    state: CliState, name: str | None, remove: bool, new_passphrase_file: Path | None, passphrase_file: Path | None
) -> None:
    """Đặt, đổi hoặc bỏ (--remove) mật khẩu của khóa ký NAME; khóa công khai không đổi."""
    service = state.container().keys
    info = service.own(name)
    old = None
    if service.locked(info.slug):
        unlock(service, info.slug, passphrase_file)
        old = service.configured_passphrase()
    if not remove and new_passphrase_file is None and not interactive():
        raise PackageError("Cần --new-passphrase-file TỆP (mật khẩu mới) hoặc --remove (bỏ mật khẩu).", field="new")
    secret = new_passphrase(new_passphrase_file, none=remove, keys=service, what=f"khóa «{info.name}»", use_env=False)
    service.set_passphrase(info.slug, old=old, new=secret)
    if secret:
        click.echo(f"Đã đặt mật khẩu mới cho khóa «{info.name}» ({info.fingerprint}).")
    else:
        click.echo(f"Khóa «{info.name}» ({info.fingerprint}) không còn mật khẩu; hãy giữ kín tệp khóa.")


@keys.command("export")
@click.argument("name", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Ghi ra tệp (mặc định: in ra).")
@pass_state
def export(state: CliState, name: str | None, output: Path | None) -> None:
    """Xuất khóa công khai để gửi cho các đài xã (họ chạy «truyenthanh keys trust TỆP»)."""
    data = state.container().keys.export(name)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    output.write_bytes(data)
    click.echo(f"Đã ghi khóa công khai vào {output}.", err=True)


@keys.command("trust")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def trust(state: CliState, file: Path) -> None:
    """Tin cậy khóa công khai của tuyến trên (so dấu vân tay với họ qua điện thoại trước)."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise click.FileError(str(file), exc.strerror) from exc
    key, new = state.container().keys.trust(current_actor(state), raw, str(file))
    if new:
        click.echo(f"Đã tin cậy khóa «{key.name}», dấu vân tay {key.fingerprint}.")
    else:
        click.echo(f"Khóa «{key.name}» ({key.fingerprint}) đã được tin cậy từ trước; không thay đổi gì.")


@keys.command("untrust")
@click.argument("fingerprint")
@pass_state
def untrust(state: CliState, fingerprint: str) -> None:
    """Thôi tin cậy một khóa (theo dấu vân tay)."""
    key = state.container().keys.untrust(current_actor(state), fingerprint)
    click.echo(f"Đã thôi tin cậy khóa «{key.name}» ({key.fingerprint}).")


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@pass_state
def list_keys(state: CliState, as_json: bool) -> None:
    """Khóa ký của máy này và các khóa tuyến trên mà đài tin cậy."""
    service = state.container().keys
    own = service.own_keys()
    try:
        trusted = service.trusted()
    except StorageError:
        trusted = []  # an editor's machine: keys, no station
    if as_json:
        click.echo(
            json.dumps(
                {"own": [k.to_json() for k in own], "trusted": [k.to_json() for k in trusted]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    click.echo("Khóa ký của máy này:" if own else "Máy này chưa có khóa ký.")
    for key in own:
        click.echo(f"  {_key_line(key)}")
    click.echo("Khóa tuyến trên đài tin cậy:" if trusted else "Đài chưa tin cậy khóa nào.")
    for key in trusted:
        click.echo(f"  {_key_line(key)}")


EXAMPLES = Path(__file__).resolve().parents[3] / "schedules"
"""The example programme files shipped with the source (``schedules/``)."""

EXAMPLE = "xa-tan-lap-tuan-48.toml"
"""The example a new station starts from: a week of morning and afternoon sessions."""


@package.command("example")
@click.option(
    "--week",
    default="next",
    show_default=True,
    help="Tuần của lịch phát: next (tuần tới), this (tuần này) hoặc tuần ISO như 2026-W49.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp chương trình được ghi (mặc định: tan-lap-tuan-SỐ.toml ở thư mục hiện tại); các tệp âm thanh nó "
    "dùng được chép vào thư mục audio/ bên cạnh.",
)
@pass_state
@naming(OptionNames(fields={"week": "--week", "output": "--output"}))
def example(state: CliState, week: str, output: Path | None) -> None:
    """Ghi một tệp chương trình mẫu cho tuần tới (hoặc tuần chỉ ra), từ ví dụ kèm theo phần mềm: đóng gói rồi
    nhập vào đài là có lịch phát thật."""
    from truyenthanh.domain.programme_file import audio_references, move_to_week

    container = state.container()
    monday = _week_start(week, container.clock.now().astimezone(container.settings.zone).date())
    source = EXAMPLES / EXAMPLE
    try:
        text = move_to_week(source.read_text(encoding="utf-8"), monday)
    except OSError as exc:
        raise StorageError(f"Không đọc được tệp ví dụ {source} ({exc.strerror or exc}).", field="week") from exc
    try:
        commune = container.station.setup().profile.commune
    except StorageError:
        commune = ""  # no station here yet: the example keeps its own commune
    if commune:
        text = text.replace('communes = ["Tân Lập"]', f"communes = [{json.dumps(commune, ensure_ascii=False)}]")
    iso = monday.isocalendar()
    target = output or Path(f"tan-lap-tuan-{iso.week}-{iso.year}.toml")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for relative, _where, _line in audio_references(text):
            copy = target.parent / relative
            if not copy.exists():
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(EXAMPLES / relative, copy)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise StorageError(f"Không ghi được {exc.filename or target}: {exc.strerror or exc}.", field="output") from exc
    sunday = monday + timedelta(days=6)
    click.echo(f"Đã ghi {target}: lịch phát tuần {iso.week} ({monday:%d/%m}–{sunday:%d/%m/%Y}).")
    click.echo(f"Tiếp theo: «truyenthanh package build {target}», rồi «truyenthanh package import» tệp .ttpkg vừa tạo.")


def _week_start(week: str, today: date) -> date:
    """The Monday of ``next``, ``this`` or an ISO week ``YYYY-Www``.

    Raises:
        ConfigError: anything else (``field`` is ``week``).
    """
    this_monday = today - timedelta(days=today.weekday())
    if week == "this":
        return this_monday
    if week == "next":
        return this_monday + timedelta(days=7)
    try:
        year, number = week.upper().split("-W")
        return date.fromisocalendar(int(year), int(number), 1)
    except ValueError as exc:
        raise ConfigError(
            f"Tuần «{week}» không hợp lệ: dùng next (tuần tới), this (tuần này) hoặc dạng 2026-W49.", field="week"
        ) from exc
