"""Speech commands: ``normalize`` (the spoken form of a text), ``say`` (render it), ``rerender``."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from truyenthanh.cli.login import current_actor
from truyenthanh.cli.playout import play
from truyenthanh.cli.state import CliState, pass_state
from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.errors import StorageError
from truyenthanh.services.speech import ENGINE_CHOICES


def _text_or_stdin(words: tuple[str, ...]) -> str:
    if words and words != ("-",):
        return " ".join(words)
    return click.get_text_stream("stdin").read()


def _document(words: tuple[str, ...], file: Path | None) -> str:
    """The text to read: from ``--file`` (``-`` is standard input), or the words, or standard input."""
    if file is not None and words:
        raise click.UsageError("Chỉ đưa văn bản bằng một cách: hoặc --file, hoặc ghi sau lệnh.")
    if file is None:
        return _text_or_stdin(words)
    if str(file) == "-":
        return click.get_text_stream("stdin").read()
    try:
        return file.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise click.UsageError(f"Không thấy tệp {file}.") from exc
    except UnicodeDecodeError as exc:
        raise click.UsageError(f"Tệp {file} không phải văn bản UTF-8 (dòng chữ bị hỏng ở byte {exc.start}).") from exc
    except OSError as exc:
        raise click.UsageError(f"Không đọc được tệp {file}: {exc.strerror}.") from exc


# A pasted bullet line ("- Tiêm phòng ...", "-Hạn cuối ...") is text, not an option Click does not know.
@click.command("normalize", context_settings={"ignore_unknown_options": True})
@click.argument("text", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "--variant",
    type=click.Choice([v.value for v in ReadingVariant]),
    help="Cách đọc số: north (nghìn, linh) hoặc south (ngàn, lẻ). Mặc định: theo thiết lập của đài.",
)
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    help="Đọc văn bản từ tệp (UTF-8); «-» là đầu vào chuẩn. Đọc từng đoạn (các đoạn cách nhau một dòng trống).",
)
@click.option("--explain", is_flag=True, help="In thêm từng quy tắc đã dùng: chữ viết, cách đọc và lý do.")
@pass_state
def normalize_command(
    state: CliState, text: tuple[str, ...], variant: str | None, file: Path | None, explain: bool
) -> None:
    """In ra cách đọc của một văn bản.

    TEXT ghi sau lệnh (sau «--» nếu văn bản bắt đầu bằng dấu «-»), hoặc lấy từ --file, hoặc từ đầu vào chuẩn
    khi bỏ trống hay ghi «-». Văn bản dài được đọc từng đoạn; một số hiệu văn bản bị ngắt dòng vẫn đọc một lần.
    """
    from truyenthanh.domain.vietnamese.normalizer import paragraphs

    speech = state.container().speech
    chosen = ReadingVariant(variant) if variant else speech.variant
    blocks = paragraphs(_document(text, file))
    for index, block in enumerate(blocks):
        if index:
            click.echo()
        if not explain:
            click.echo(speech.normalize(block, variant=chosen))
            continue
        spoken, steps = speech.explain(block, variant=chosen)
        click.echo(spoken)
        for step in steps:
            why = f". Lý do: {step.why}" if step.why else ""
            click.echo(f"  • {step.rule}: «{step.written}» → «{step.spoken}»{why}")
        if not steps:
            click.echo("  • Không quy tắc nào thay đổi văn bản này.")


@click.command("say")
@click.argument("text", nargs=-1)
@click.option(
    "--engine",
    type=click.Choice(ENGINE_CHOICES),
    help="Bộ đọc: auto (gTTS, mất mạng thì espeak-ng), gtts hoặc espeak. Mặc định: theo thiết lập của đài.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Chép tệp WAV đã đọc ra đường dẫn này."
)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON cho chương trình khác đọc.")
@click.option("--play", "play_now", is_flag=True, help="Phát ngay bản đọc qua đầu ra của đài (như lệnh «play»).")
@pass_state
@click.pass_context
def say(
    ctx: click.Context,
    state: CliState,
    text: tuple[str, ...],
    engine: str | None,
    output: Path | None,
    as_json: bool,
    play_now: bool,
) -> None:
    """Đọc một văn bản thành tệp âm thanh trong thư viện của đài (TEXT, hoặc đầu vào chuẩn)."""
    if as_json and play_now:
        raise click.UsageError("Không dùng --json cùng --play.")
    container = state.container()
    written = _text_or_stdin(text)
    bar: Any = click.progressbar(length=1, label="Đang tạo giọng đọc", file=sys.stderr)
    with bar:
        rendering = container.speech.synthesize(written, engine=engine)
        bar.update(1)
    asset = rendering.asset
    path = container.locations.media_dir / asset.path
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, output)
        except OSError as exc:
            raise StorageError(f"Không ghi được tệp {output}: {exc.strerror}.") from exc
    if rendering.notice:
        click.echo(f"Lưu ý: {rendering.notice}", err=True)
    if as_json:
        info = {
            "asset_id": asset.id,
            "path": str(path),
            "output": str(output) if output else None,
            "engine": rendering.engine,
            "voice": rendering.voice,
            "duration_s": round(asset.duration_s, 3),
            "loudness_lufs": asset.loudness_lufs,
            "spoken_text": rendering.spoken_text,
            "fell_back": rendering.fell_back,
            "from_cache": rendering.from_cache,
        }
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"Đã đọc bằng {rendering.engine} (giọng {rendering.voice}), dài {asset.duration_s:.1f} giây.")
    click.echo(f"Tệp: {output or path}")
    if play_now:
        ctx.invoke(play, files=(path,), programme_id=None, output=None, fast=False, as_json=False)


@click.command("rerender")
@click.argument("announcement_ids", nargs=-1, type=int)
@pass_state
def rerender(state: CliState, announcement_ids: tuple[int, ...]) -> None:
    """Đọc lại bằng gTTS các thông báo đang dùng giọng dự phòng (khi mạng đã có lại)."""
    speech = state.container().speech
    report = speech.retry_online(list(announcement_ids) or None, by=current_actor(state).username)
    if not report.upgraded and not report.still_offline:
        click.echo("Không có thông báo nào đang dùng giọng dự phòng.")
    for announcement_id in report.upgraded:
        click.echo(f"Thông báo {announcement_id}: đã đọc lại bằng gTTS.")
    for announcement_id, reason in report.still_offline.items():
        click.echo(f"Thông báo {announcement_id}: vẫn dùng giọng dự phòng ({reason}).", err=True)
    if report.still_offline:
        sys.exit(1)
