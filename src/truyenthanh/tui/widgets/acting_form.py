"""A form whose save acts for a person: with nobody logged in, saving opens the login first and then saves what
was typed; a refusal names the form field it concerns and puts the cursor there."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

from textual.widget import Widget
from textual.widgets import Label

from truyenthanh.domain.accounts import Actor
from truyenthanh.tui.widgets.form import FormRejected, FormScreen

if TYPE_CHECKING:
    from truyenthanh.tui.app import TruyenthanhApp
    from truyenthanh.tui.backend import StationBackend

ResultT = TypeVar("ResultT")


class ActingForm(FormScreen[ResultT]):
    """:class:`FormScreen` that saves as a person.

    Subclasses read :attr:`actor` in :meth:`save`, and map an error's ``field`` to one of their widgets in
    :attr:`FIELDS` (``{"full_name": "#account-full-name"}``, or :meth:`selector`) so that a refusal focuses
    the field it names.
    """

    REASON = "Lưu thay đổi cần biết ai làm: đăng nhập để tiếp tục."
    """What the login says when saving asks for it."""
    FIELDS: ClassVar[dict[str, str]] = {}
    """An error's ``field`` → the selector of the widget to focus."""

    def __init__(self) -> None:
        super().__init__()
        self.actor: Actor | None = None
        """Who the save acts for (set once someone is logged in)."""

    @property
    def backend(self) -> StationBackend:
        """The station facade of the running app."""
        return cast("TruyenthanhApp", self.app).backend

    def action_save(self) -> None:
        """Check the fields, then save as the logged-in person (logging in first if nobody is)."""
        try:
            self.collect()
        except ValueError as exc:
            self.query_one("#form-error", Label).update(str(exc))
            self._focus_field(getattr(exc, "field", None))
            return

        def save_as(actor: Actor) -> None:
            self.actor = actor
            FormScreen.action_save(self)

        cast("TruyenthanhApp", self.app).with_actor(self.REASON, save_as)

    def on_form_rejected(self, message: FormRejected) -> None:
        """Put the cursor in the field the refusal names (the base class shows the reason)."""
        self._focus_field(getattr(message.error, "field", None))

    def selector(self, field: str) -> str | None:
        """The selector of the widget an error's ``field`` concerns (from :attr:`FIELDS`), if any."""
        return self.FIELDS.get(field)

    def _focus_field(self, field: str | None) -> None:
        selector = self.selector(field) if field else None
        if selector is None:
            return
        found = self.query(selector)
        if found:
            widget: Widget = found.first()
            widget.focus()


class FieldError(ValueError):
    """What :meth:`FormScreen.collect` raises for one field: the Vietnamese message and the field's key."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field
