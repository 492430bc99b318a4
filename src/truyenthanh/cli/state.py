"""What every command shares: the chosen station folder, its settings, and the wired container."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # imported when first needed: the TUI paints its first frame before the database layer loads
    from truyenthanh import bootstrap
    from truyenthanh.config import Settings


@dataclass
class CliState:
    """Lazily loads settings and builds the container the first time a command needs them."""

    data_dir: Path | None
    flags: dict[str, Any] = field(default_factory=dict)
    _settings: Settings | None = None
    _container: bootstrap.Container | None = None

    def settings(self) -> Settings:
        """The station's settings (flags beat environment beat file)."""
        if self._settings is None:
            from truyenthanh.config import load_settings

            self._settings = load_settings(self.data_dir, **self.flags)
        return self._settings

    def container(self) -> bootstrap.Container:
        """The wired services for this station."""
        if self._container is None:
            from truyenthanh import bootstrap

            self._container = bootstrap.build(self.settings())
        return self._container

    def close(self) -> None:
        """Release what the container opened."""
        if self._container is not None:
            self._container.close()


pass_state = click.make_pass_decorator(CliState)
