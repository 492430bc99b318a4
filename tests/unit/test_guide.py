"""The operator's guide (``docs/huong-dan-van-hanh.md``) stays true to the program.

Every CLI command (walked through click's API, lazy groups included) has a row in the guide's command table, and
every row names a command that exists; a row's TUI place names screens and keys as the TUI labels them. Every
screen with its own key bindings has a section (marked ``<!-- screen: ClassName -->``) whose key table lists each
binding with the words the key bar shows; each function key's screen has its section under "Fn Name".
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import unicodedata
from pathlib import Path

import click
import pytest
from textual.binding import Binding

import truyenthanh.tui.screens
import truyenthanh.tui.widgets
from truyenthanh.cli import main
from truyenthanh.tui.app import TruyenthanhApp
from truyenthanh.tui.keys import describe_key
from truyenthanh.tui.screens.emergency import EmergencyScreen
from truyenthanh.tui.screens.help import HelpScreen

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "huong-dan-van-hanh.md"
SCRIPT_ONLY = "chỉ dòng lệnh: dành cho kịch bản"
_COMMAND_ROW = re.compile(r"^\| `(truyenthanh[^`]*)` \| (.*) \|$")
_KEY_ROW = re.compile(r"^\| `([^`]+)` \| (.*) \|$")
_MARKER = re.compile(r"<!-- screen: (\w+) -->")
_MENTION = re.compile(r"\bF(\d+)\b|`([^`]+)`\s*([^,;()`]*)")


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _cli_commands() -> set[str]:
    """Every command line a user can type: leaf commands, and groups that also run on their own."""
    found: set[str] = set()

    def walk(command: click.Command, path: str, ctx: click.Context) -> None:
        if not isinstance(command, click.Group) or command.invoke_without_command:
            found.add(path)
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, f"{path} {name}"
                walk(sub, f"{path} {name}", click.Context(sub, parent=ctx, info_name=name))

    walk(main, "truyenthanh", click.Context(main, info_name="truyenthanh"))
    return found


def _command_rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in _guide().splitlines():
        match = _COMMAND_ROW.match(line)
        if match:
            assert match[1] not in rows, f"hai dòng cho {match[1]}"
            rows[match[1]] = match[2].strip()
    return rows


def _sections() -> dict[str, tuple[str, dict[str, str]]]:
    """Screen class name → (heading of its section, key → description in its key table)."""
    sections: dict[str, tuple[str, dict[str, str]]] = {}
    heading = ""
    current: dict[str, str] | None = None
    for line in _guide().splitlines():
        if line.startswith("#"):
            heading, current = line.lstrip("#").strip(), None
        elif marker := _MARKER.match(line):
            current = {}
            sections[marker[1]] = (heading, current)
        elif current is not None and (row := _KEY_ROW.match(line)):
            current[row[1]] = row[2].strip()
    return sections


def _own_bindings(cls: type) -> dict[str, str]:
    """Key as shown → description, for the bindings a class declares itself (not inherited)."""
    shown: dict[str, str] = {}
    for binding in cls.__dict__.get("BINDINGS", []):
        assert isinstance(binding, Binding)
        if binding.system or not binding.description:
            continue
        for key in binding.key.split(","):
            shown[describe_key(key.strip())] = binding.description
    return shown


def _tui_classes() -> dict[str, type]:
    """Every class of the TUI that declares key bindings."""
    classes: dict[str, type] = {"TruyenthanhApp": TruyenthanhApp}
    for package in (truyenthanh.tui.screens, truyenthanh.tui.widgets):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and "BINDINGS" in cls.__dict__:
                    classes[name] = cls
    return classes


def _screen_of_function_key() -> dict[str, tuple[type, str]]:
    """``F3`` → (the screen it opens, its name in the top bar)."""
    actions: dict[str, type] = {"emergency": EmergencyScreen, "help": HelpScreen}
    screens: dict[str, tuple[type, str]] = {}
    for binding in TruyenthanhApp.BINDINGS:
        assert isinstance(binding, Binding)
        mode = re.fullmatch(r"switch_mode\('(\w+)'\)", binding.action)
        if mode:
            screens[describe_key(binding.key)] = (type(TruyenthanhApp.MODES[mode[1]]()), binding.description)
        elif binding.action in actions:
            screens[describe_key(binding.key)] = (actions[binding.action], binding.description)
    return screens


def test_guide_is_nfc_vietnamese() -> None:
    """The guide is stored in NFC, as every text a user reads."""
    text = _guide()
    assert unicodedata.normalize("NFC", text) == text
    assert "Hướng dẫn vận hành" in text


def test_every_cli_command_has_a_row_and_every_row_a_command() -> None:
    """The command table lists each command once, and nothing that does not exist."""
    commands = _cli_commands()
    rows = _command_rows()
    assert {"truyenthanh", "truyenthanh serve", "truyenthanh user unlock", "truyenthanh control skip"} <= commands
    assert sorted(commands - rows.keys()) == [], "lệnh chưa có trong bảng của hướng dẫn"
    assert sorted(rows.keys() - commands) == [], "bảng nêu lệnh không có"


def test_every_row_says_where_in_the_tui_with_the_tui_s_own_words() -> None:
    """Each row names a screen by its key and top-bar name and keys by their key-bar words, or says the
    command is for scripts."""
    screens = _screen_of_function_key()
    app_keys = _own_bindings(TruyenthanhApp)
    for command, place in _command_rows().items():
        assert place, command
        if place == SCRIPT_ONLY:
            continue
        screen: type | None = None
        for mention in _MENTION.finditer(place):
            if mention[1]:
                key = f"F{mention[1]}"
                assert key in screens, f"{command}: {key} không mở màn hình nào"
                screen, name = screens[key]
                assert place[mention.end() :].startswith(f" {name}"), f"{command}: {key} là «{name}»"
                continue
            key, words = mention[2], mention[3].strip()
            keys = {**app_keys, **(_own_bindings(screen) if screen else {}), **_inherited(screen)}
            if key == "Enter":
                continue
            assert key in keys, f"{command}: phím {key} không có ở màn hình này"
            assert words and keys[key].startswith(words), f"{command}: {key} là «{keys[key]}», không phải «{words}»"


def _inherited(screen: type | None) -> dict[str, str]:
    """Bindings a screen takes from its base classes (a form's Ctrl+S)."""
    found: dict[str, str] = {}
    for base in reversed(screen.__mro__[1:] if screen else ()):
        found.update(_own_bindings(base))
    return found


def test_every_binding_of_every_screen_is_in_its_section() -> None:
    """Each class with key bindings has a section listing every key with the words its key bar shows."""
    sections = _sections()
    classes = _tui_classes()
    assert {"TodayScreen", "ProgrammesScreen", "ConfirmScreen", "FormScreen"} <= classes.keys()
    for name, cls in classes.items():
        assert name in sections, f"hướng dẫn chưa có phần cho {name}"
        _heading, rows = sections[name]
        for key, description in _own_bindings(cls).items():
            assert key in rows, f"{name}: phím {key} ({description}) chưa có trong hướng dẫn"
            assert rows[key].startswith(description), f"{name}: {key} là «{description}», hướng dẫn ghi «{rows[key]}»"


@pytest.mark.parametrize("key", [f"F{n}" for n in range(1, 13)])
def test_each_function_key_has_its_section(key: str) -> None:
    """F1 to F12 each have a section headed with the key and the screen's name in the top bar."""
    screens = _screen_of_function_key()
    if key not in screens:
        pytest.fail(f"{key} không mở màn hình nào")
    screen, name = screens[key]
    heading, _rows = _sections()[screen.__name__]
    assert heading == f"{key} {name}"


def test_markers_name_real_screens() -> None:
    """A section marker names a class of the TUI (a renamed screen is noticed)."""
    known = {
        name
        for package in (truyenthanh.tui.screens, truyenthanh.tui.widgets)
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}.")
        for name, _cls in inspect.getmembers(importlib.import_module(info.name), inspect.isclass)
    }
    for name in _sections():
        assert name == "TruyenthanhApp" or name in known, name
