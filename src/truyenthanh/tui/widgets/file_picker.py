"""Choosing files as in a desktop program: a folder tree of the home folder and the mounted USB drives.

Only folders and files with the wanted endings are listed. Space (or Enter) on a file chooses it or leaves it;
Space on a folder chooses every wanted file directly in it. Chosen files are marked in the tree and counted
under it, and stay chosen while the operator moves to another place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Label, Select, Static
from textual.widgets.directory_tree import DirEntry
from textual.widgets.tree import TreeNode

CHOSEN_MARK = "[x] "
"""Put before a chosen file's name in the tree (plain characters: old consoles lack the ballot box glyphs)."""


class AudioTree(DirectoryTree):
    """A :class:`DirectoryTree` that lists folders and the wanted files only, and remembers which are chosen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "choose", "Chọn / bỏ tệp"),
    ]

    class ChoiceChanged(Message):
        """The set of chosen files changed."""

    def __init__(self, path: Path, *, extensions: Sequence[str], multiple: bool, id: str | None = None) -> None:
        """Args:
        path: the folder shown first.
        extensions: lower-case file name endings listed (``.mp3``).
        multiple: whether several files may be chosen (otherwise choosing one leaves the previous one).
        id: the widget's id.
        """
        super().__init__(path, id=id)
        self.extensions = tuple(extensions)
        self.multiple = multiple
        self.chosen: list[Path] = []
        """The chosen files, in the order they were chosen."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        """Visible folders and files with a wanted ending."""
        return [
            path
            for path in paths
            if not path.name.startswith(".") and (path.suffix.lower() in self.extensions or self._safe_is_dir(path))
        ]

    def render_label(self, node: TreeNode[DirEntry], base_style: Style, style: Style) -> Text:
        """The usual label, marked when the file is chosen."""
        label = super().render_label(node, base_style, style)
        if node.data is not None and node.data.path in self.chosen:
            return Text.assemble((CHOSEN_MARK, "bold"), label)
        return label

    def toggle(self, path: Path) -> None:
        """Choose ``path`` or, if it is chosen, leave it."""
        if path in self.chosen:
            self.chosen.remove(path)
            self._changed([path])
            return
        before = list(self.chosen)
        self.chosen = [*self.chosen, path] if self.multiple else [path]
        self._changed([*before, path])

    def choose_folder(self, folder: Path) -> None:
        """Choose every wanted file directly in ``folder`` (all of them already chosen: leave them all)."""
        try:
            found = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in self.extensions)
        except OSError:
            found = []
        if not found:
            return
        before = list(self.chosen)
        if all(path in self.chosen for path in found):
            self.chosen = [path for path in self.chosen if path not in found]
        elif self.multiple:
            self.chosen += [path for path in found if path not in self.chosen]
        else:
            self.chosen = found[:1]
        self._changed([*before, *found])

    def action_choose(self) -> None:
        """Space: choose the file under the cursor, or the wanted files of the folder under it."""
        node = self.cursor_node
        if node is None or node.data is None:
            return
        path = node.data.path
        if self._safe_is_dir(path):
            self.choose_folder(path)
        else:
            self.toggle(path)

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        """Enter or a click on a file chooses it or leaves it."""
        event.stop()
        self.toggle(event.path)

    def _changed(self, paths: Iterable[Path]) -> None:
        """Repaint the lines of ``paths`` (their mark changed) and tell the picker."""
        touched = set(paths)
        waiting = [self.root]
        while waiting:
            node = waiting.pop()
            if node.data is not None and node.data.path in touched:
                node.refresh()
            waiting.extend(node.children)
        self.post_message(self.ChoiceChanged())


class FilePicker(Vertical):
    """A place to start from (home folder, USB drives), the folder tree, and what is chosen so far."""

    def __init__(
        self,
        places: Sequence[tuple[str, Path]],
        *,
        extensions: Sequence[str],
        multiple: bool = True,
        id: str | None = None,
    ) -> None:
        """Args:
        places: (Vietnamese label, folder) to start from; the first is shown first. Empty: the home folder.
        extensions: lower-case file name endings listed (``.mp3``).
        multiple: whether several files may be chosen.
        id: the widget's id.
        """
        super().__init__(id=id, classes="file-picker")
        self._places = list(places) or [("Thư mục nhà", Path.home())]
        self._extensions = tuple(extensions)
        self._multiple = multiple

    def compose(self) -> ComposeResult:
        """Places, tree, summary."""
        yield Select(
            [(label, str(path)) for label, path in self._places],
            value=str(self._places[0][1]),
            allow_blank=False,
            id="picker-places",
        )
        yield AudioTree(self._places[0][1], extensions=self._extensions, multiple=self._multiple, id="picker-tree")
        yield Static(self._summary(), id="picker-chosen")

    @property
    def folders(self) -> AudioTree:
        """The folder tree."""
        return self.query_one("#picker-tree", AudioTree)

    @property
    def chosen(self) -> list[Path]:
        """The chosen files, in the order they were chosen."""
        return list(self.folders.chosen) if self.is_mounted else []

    def on_select_changed(self, event: Select.Changed) -> None:
        """Show the chosen place in the tree (what was chosen elsewhere stays chosen)."""
        if event.select.id == "picker-places" and isinstance(event.value, str):
            event.stop()
            self.folders.path = Path(event.value)

    def on_audio_tree_choice_changed(self, _message: AudioTree.ChoiceChanged) -> None:
        """Count what is chosen."""
        self.query_one("#picker-chosen", Static).update(self._summary())

    def _summary(self) -> str:
        chosen = self.chosen
        if not chosen:
            how = "Space hoặc Enter: chọn tệp; Space trên thư mục: chọn mọi tệp trong đó"
            return f"Chưa chọn tệp nào ({how})."
        names = ", ".join(path.name for path in chosen[:3]) + (" …" if len(chosen) > 3 else "")
        return f"Đã chọn {len(chosen)} tệp: {names}"


class FilePickerScreen(ModalScreen[list[Path] | None]):
    """A dialog around a :class:`FilePicker`: Ctrl+S (or "Chọn") hands back the chosen files, Esc nothing.

    A separate dialog, opened from a form, rather than a tree inside the form: the tree's directory loader
    lives as long as the tree, and a form stays light for people who type a path.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "done", "Chọn", priority=True),
        Binding("escape", "cancel", "Hủy"),
    ]

    def __init__(
        self, heading: str, places: Sequence[tuple[str, Path]], *, extensions: Sequence[str], multiple: bool = True
    ) -> None:
        """Args:
        heading: what the files are for (Vietnamese).
        places: where the tree can start (see :class:`FilePicker`).
        extensions: lower-case file name endings listed.
        multiple: whether several files may be chosen.
        """
        super().__init__()
        self._heading = heading
        self._places = places
        self._extensions = extensions
        self._multiple = multiple

    def compose(self) -> ComposeResult:
        """Heading, picker, error line, buttons."""
        with Vertical(classes="form picker-dialog"):
            yield Label(self._heading, classes="form-heading")
            yield FilePicker(self._places, extensions=self._extensions, multiple=self._multiple, id="picker")
            yield Label("", id="picker-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Chọn (Ctrl+S)", id="picker-done", variant="primary")
                yield Button("Hủy (Esc)", id="picker-cancel")

    def on_mount(self) -> None:
        """Start in the tree, so the arrows and Space work at once."""
        self.query_one("#picker-places", Select).compact = True
        self.query_one("#picker-tree", AudioTree).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Buttons do what their keys do."""
        if event.button.id == "picker-done":
            self.action_done()
        elif event.button.id == "picker-cancel":
            self.action_cancel()

    def action_done(self) -> None:
        """Hand back the chosen files; with none chosen, say how to choose and stay open."""
        chosen = self.query_one("#picker", FilePicker).chosen
        if not chosen:
            self.query_one("#picker-error", Label).update(
                "Chưa chọn tệp nào: đưa con trỏ tới tệp rồi nhấn Space hoặc Enter (Space trên thư mục: chọn mọi tệp "
                "trong đó)."
            )
            return
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        """Close, choosing nothing."""
        self.dismiss(None)


__all__ = ["CHOSEN_MARK", "AudioTree", "FilePicker", "FilePickerScreen"]
