"""Click's own words in Vietnamese: help headings, the help and version options, and its usage errors.

Click marks these messages for gettext, but gettext reads catalogues only from ``.mo`` files found through the
system's locale. Instead, :func:`install` gives each Click module that translates (each binds ``_`` and
``ngettext`` at import) a lookup in the tables below. A message a newer Click adds, or rewords, is not in
them and stays in English; ``tests/integration/test_cli.py`` shows the help and an error in Vietnamese.
"""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

MESSAGES = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Show this message and exit.": "Xem hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Xem phiên bản rồi thoát.",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: «{command} {option}».",
    "No such option: {name}": "Không có tùy chọn {name}",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "Missing argument": "Thiếu đối số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing command.": "Thiếu lệnh.",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Đối số {name!r} cần {nargs} giá trị.",
    "Aborted!": "Đã hủy.",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là số hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng cho phép {range}.",
    "{value!r} is not a valid boolean.": "{value!r} không phải là có/không hợp lệ.",
    "{name} {filename!r} does not exist.": "Không thấy {filename!r}.",
    "{name} {filename!r} is a file.": "{filename!r} là một tệp, cần một thư mục.",
    "{name} {filename!r} is a directory.": "{filename!r} là một thư mục, cần một tệp.",
    "{name} {filename!r} is not readable.": "Không đọc được {filename!r}.",
    "{name} {filename!r} is not writable.": "Không ghi được vào {filename!r}.",
    "{name} {filename!r} is not executable.": "Không chạy được {filename!r}.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "env var: {var}": "biến môi trường: {var}",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "Lỗi: hai lần nhập không khớp nhau.",
    "Error: The value you entered was invalid.": "Lỗi: giá trị vừa nhập không hợp lệ.",
}
"""Click's message (its English text, placeholders included) to ours."""

PLURALS = {
    "Got unexpected extra argument ({args})": "Thừa đối số ({args})",
    "Option {name!r} requires an argument.": "Tùy chọn {name!r} cần {nargs} giá trị.",
    "{value!r} is not {choice}.": "{value!r} không thuộc các lựa chọn: {choices}.",
    "Did you mean {possibility}?": "Có phải ý là {possibility}?",
    "Takes {nargs} values but 1 was given.": "Cần {nargs} giá trị nhưng nhận được {len}.",
    "{value!r} does not match the format {format}.": "{value!r} không đúng dạng {formats}.",
    "{len_type} values are required, but {len_value} was given.": "Cần {len_type} giá trị, nhận được {len_value}.",
}
"""Click's singular form to ours (Vietnamese has one form for both)."""


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    if singular in PLURALS:
        return PLURALS[singular]
    return singular if count == 1 else plural


def install() -> None:
    """Make Click speak Vietnamese from now on (call before commands are built: some texts are read then)."""
    for module in (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.termui,
        click.types,
    ):
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]
