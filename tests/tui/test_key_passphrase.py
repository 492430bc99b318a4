"""The signing key's passphrase in the TUI (Pilot, the real key service and key files): a locked key is opened
through a modal with hidden input before signing, a wrong passphrase is told there and changes nothing, and a new
key's passphrase is typed twice."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, Label

from tests.tui.conftest import until
from truyenthanh import bootstrap
from truyenthanh.adapters.signing import is_encrypted
from truyenthanh.tui.backend import StationBackend
from truyenthanh.tui.screens.passphrase import PassphraseScreen, with_unlocked_key

NAME = "Đài TT-TH huyện Tân Sơn"
SECRET = "mật khẩu của đài huyện"


class Signing(App[None]):
    """Signs one message on start, as a screen that sends a package would."""

    def __init__(self, backend: StationBackend) -> None:
        super().__init__()
        self.backend = backend
        self.signed: list[bytes] = []

    def on_mount(self) -> None:
        with_unlocked_key(self, self.backend, self._sign)

    def _sign(self) -> None:
        self.signed.append(self.backend.container.keys.private_key().sign(b"goi"))


async def test_a_locked_key_is_opened_in_a_hidden_modal_and_a_wrong_passphrase_is_told_there(
    container: bootstrap.Container,
) -> None:
    container.keys.generate(NAME, passphrase=SECRET)
    key_file = container.keys.keys_dir / f"{container.keys.own().slug}.pem"
    before = key_file.read_bytes()
    app = Signing(StationBackend(container))
    async with app.run_test() as pilot:
        await until(app, pilot, lambda: isinstance(app.screen, PassphraseScreen), "the passphrase modal")
        field = app.screen.query_one("#passphrase", Input)
        assert field.password  # hidden
        assert f"Khóa ký «{NAME}» được bảo vệ bằng mật khẩu" in str(app.screen.query(Label).first().render())
        await pilot.press("enter")
        error = app.screen.query_one("#passphrase-error", Label)
        assert str(error.render()) == "Hãy nhập mật khẩu của khóa."
        await pilot.press(*"sai")
        await pilot.press("enter")
        await pilot.pause()
        assert str(error.render()).startswith(f"Sai mật khẩu của khóa «{NAME}»")
        assert isinstance(app.screen, PassphraseScreen) and field.value == "" and app.signed == []
        assert key_file.read_bytes() == before
        field.value = SECRET  # Vietnamese typed through the terminal's input method
        await pilot.press("enter")
        await until(app, pilot, lambda: not isinstance(app.screen, PassphraseScreen), "the modal closed")
    assert len(app.signed) == 1
    assert container.keys.own_public().verify(b"goi", app.signed[0])
    assert key_file.read_bytes() == before


async def test_esc_gives_up_and_nothing_is_signed(container: bootstrap.Container) -> None:
    container.keys.generate(NAME, passphrase=SECRET)
    app = Signing(StationBackend(container))
    async with app.run_test() as pilot:
        await until(app, pilot, lambda: isinstance(app.screen, PassphraseScreen), "the passphrase modal")
        await pilot.press("escape")
        await until(app, pilot, lambda: not isinstance(app.screen, PassphraseScreen), "the modal closed")
    assert app.signed == []


async def test_a_key_without_a_passphrase_signs_without_asking(container: bootstrap.Container) -> None:
    container.keys.generate(NAME)
    app = Signing(StationBackend(container))
    async with app.run_test() as pilot:
        await until(app, pilot, lambda: len(app.signed) == 1, "the signature")
        assert not isinstance(app.screen, PassphraseScreen)


class NewKey(App[None]):
    """Asks for a new key's passphrase, as a screen that makes a key would, then makes it."""

    def __init__(self, backend: StationBackend) -> None:
        super().__init__()
        self.backend = backend
        self.made: str | None = None

    def on_mount(self) -> None:
        self.push_screen(PassphraseScreen(NAME, new=True), self._make)

    def _make(self, passphrase: str | None) -> None:
        if passphrase is not None:
            self.made = self.backend.generate_key(NAME, passphrase)


async def test_a_new_key_s_passphrase_is_typed_twice(container: bootstrap.Container) -> None:
    app = NewKey(StationBackend(container))
    async with app.run_test() as pilot:
        await until(app, pilot, lambda: isinstance(app.screen, PassphraseScreen), "the passphrase modal")
        first = app.screen.query_one("#passphrase", Input)
        again = app.screen.query_one("#passphrase-again", Input)
        assert first.password and again.password
        first.value = SECRET
        await pilot.press("enter")
        assert again.has_focus
        again.value = "gõ nhầm"
        await pilot.press("enter")
        assert str(app.screen.query_one("#passphrase-error", Label).render()) == "Hai lần nhập không khớp; nhập lại."
        assert first.has_focus and first.value == "" and app.made is None
        first.value = SECRET
        await pilot.press("enter")
        again.value = SECRET
        await pilot.press("enter")
        await until(app, pilot, lambda: app.made is not None, "the key made")
    assert app.made == container.keys.own().fingerprint
    assert is_encrypted((container.keys.keys_dir / f"{container.keys.own().slug}.pem").read_bytes())
    assert container.keys.private_key(passphrase=SECRET).public.fingerprint == app.made
