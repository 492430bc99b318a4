"""How the command line names what an error is about.

Services and the domain say what is wrong in words and name the input as a ``field`` (``"time"``, ``"rrule"``);
only the command line knows its options. A command says how it names its fields with :func:`naming`, and
:func:`error_text` (used where ``truyenthanh`` prints errors) adds the option to the message: ``Lỗi lịch phát
(--time): ...``. A schedule conflict lists its choices followed by the options that pick them.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

from truyenthanh.errors import TruyenthanhError

if TYPE_CHECKING:  # loaded only when a conflict is printed: the CLI starts without the schedule domain
    from truyenthanh.domain.schedule import Resolution

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class OptionNames:
    """How one command names the inputs its errors concern."""

    fields: Mapping[str, str] = field(default_factory=dict)
    """An error's ``field`` to the option (or options, or argument) that sets it: ``"time"`` -> ``"--time"``."""
    choices: Mapping[Resolution, str] = field(default_factory=dict)
    """A conflict choice to the option that picks it: ``Resolution.FORCE`` -> ``"--force"``."""


COMMON = OptionNames(fields={"reason": "--reason"})
"""Fields named the same way by every command that takes them (used when the command names none itself)."""

_META_KEY = "truyenthanh.option_names"


def naming(names: OptionNames) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a command's callback (below ``@pass_state``): the errors it raises name ``names``' options."""

    def decorate(callback: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(callback)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            # ``meta`` is shared by every context of the invocation, so the top group sees it when printing.
            click.get_current_context().meta[_META_KEY] = names
            return callback(*args, **kwargs)

        return run

    return decorate


def option_names(ctx: click.Context) -> OptionNames:
    """The names set by the command that ran in ``ctx`` (or a context above it), else :data:`COMMON`."""
    found = ctx.meta.get(_META_KEY)
    return found if isinstance(found, OptionNames) else COMMON


def error_text(error: TruyenthanhError, names: OptionNames = COMMON) -> str:
    """The line(s) to print for an error: its title, the option its field concerns, and its message.

    A schedule conflict is told with the options that pick each choice (when ``names`` has them); an option
    the message already shows is not repeated.
    """
    # A schedule conflict can only have been raised once its module was loaded: looking it up there spares every
    # other error (a daemon that is not running, told to ``emergency``) the schedule's modules.
    conflicts = sys.modules.get("truyenthanh.domain.schedule.conflicts")
    if conflicts is not None and isinstance(error, conflicts.ScheduleConflictError) and names.choices:
        return f"{error.title}: {error.explained(names.choices)}"
    option = None
    if error.field is not None:
        option = names.fields.get(error.field) or COMMON.fields.get(error.field)
    if option is None or option in error.message:
        return f"{error.title}: {error.message}"
    return f"{error.title} ({option}): {error.message}"


__all__ = ["COMMON", "OptionNames", "error_text", "naming", "option_names"]
