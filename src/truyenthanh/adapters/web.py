"""The operator's TUI in a browser: textual-serve behind a station access password, over HTTPS (issue 22).

textual-serve starts one app process per browser websocket (its ``command``, run through the shell) and relays
the terminal to xterm.js in the page. :class:`StationWebServer` adds, in front of it, the access password page
(:class:`AccessGate`: an aiohttp middleware and a session cookie), TLS, and URLs taken from each request so the
page works whatever name or address the browser used.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import ipaddress
import secrets
import ssl
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web
from textual_serve.server import Server

from truyenthanh.adapters.files import write_atomic

COOKIE = "truyenthanh_access"
"""Name of the session cookie a browser gets after the right access password."""

ENTRY_PATH = "/vao"
"""The access password page ("vào": enter)."""

PHONE_COLUMNS = 50
"""Columns the page asks for on a narrow screen: the TUI's narrow layout needs at least 48, and xterm.js loses
a column or two at the edges. A 390 px phone gets a 13 px font (16 px would give about 40 columns)."""

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class AccessPasswordFile:
    """The hash of the station access password in one file of the station folder, mode 0600.

    Implements :class:`truyenthanh.services.web_access.SecretStore`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        """The file (``web/access-password`` in the station folder)."""

    def read(self) -> str | None:
        """The stored hash, or ``None`` if the file does not exist or is empty."""
        try:
            value = self.path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        return value or None

    def write(self, value: str) -> None:
        """Replace the stored hash atomically; the file is readable by its owner only."""
        # Created 0600 before the data goes in: the hash is never readable by others, not even for a moment.
        write_atomic(self.path, (value + "\n").encode("ascii"), mode=0o600)


def self_signed_certificate(cert: Path, key: Path, hosts: list[str], *, days: int = 3650) -> None:
    """Write a self-signed certificate for ``hosts`` (names or addresses) and its private key (0600), PEM.

    Browsers warn about it once; the station can replace both files with ones from its own authority.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys([*hosts, "localhost", "127.0.0.1"]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host.strip("[]"))))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "truyenthanh serve")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    key_bytes = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_atomic(key, key_bytes, mode=0o600)
    write_atomic(cert, certificate.public_bytes(serialization.Encoding.PEM))


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server TLS context for ``cert`` and ``key`` (PEM files).

    Raises:
        OSError, ssl.SSLError: a file is missing or not a certificate/key pair (the CLI names the file).
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class AccessCheck(Protocol):
    """Checks one access password attempt (``WebAccessService.check``); blocking (scrypt, a database write)."""

    def __call__(self, address: str, password: str) -> str | None:
        """``None`` to let the browser in, otherwise the Vietnamese reason for the refusal."""
        ...


class AccessGate:
    """The station access password page and the session cookie that lets a browser past it."""

    def __init__(self, check: AccessCheck, *, session_hours: float, secure_cookie: bool, trust_proxy: bool) -> None:
        self._check = check
        self._session_seconds = session_hours * 3600
        self._secure_cookie = secure_cookie
        self._trust_proxy = trust_proxy
        self._sessions: dict[str, float] = {}

    def address(self, request: web.Request) -> str:
        """The browser's address: the peer, or the last hop a trusted reverse proxy added to X-Forwarded-For."""
        if self._trust_proxy and (forwarded := request.headers.get("X-Forwarded-For")):
            return forwarded.split(",")[-1].strip()
        return request.remote or "?"

    def admitted(self, request: web.Request) -> bool:
        """Whether the request carries a live session cookie."""
        token = request.cookies.get(COOKIE, "")
        expires = self._sessions.get(token)
        if expires is None:
            return False
        if expires < time.monotonic():
            del self._sessions[token]
            return False
        return True

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Send every request without a session to the access password page."""
        if request.path == ENTRY_PATH or self.admitted(request):
            return await handler(request)
        if request.path == "/ws":
            raise web.HTTPForbidden(text="Cần mật khẩu truy cập đài.")
        raise web.HTTPSeeOther(ENTRY_PATH)

    async def show(self, request: web.Request) -> web.Response:
        """The access password page."""
        return _entry_page("")

    async def submit(self, request: web.Request) -> web.StreamResponse:
        """Check the password; on success set the session cookie and go to the app."""
        form = await request.post()
        password = str(form.get("password", ""))
        refusal = await asyncio.to_thread(self._check, self.address(request), password)
        if refusal is not None:
            return _entry_page(refusal, status=403)
        token = secrets.token_urlsafe(32)
        self._sessions[token] = time.monotonic() + self._session_seconds
        response = web.Response(status=303, headers={"Location": "/"})
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(self._session_seconds),
            httponly=True,
            samesite="Strict",
            secure=self._secure_cookie,
        )
        return response


_PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Truyền thanh xã: mật khẩu truy cập</title>
<style>
body {{ background: #0c181f; color: #eee; font-family: sans-serif; margin: 0; padding: 1.5em; }}
main {{ max-width: 26em; margin: 2em auto; }}
input, button {{ font-size: 1.1em; padding: .5em; width: 100%; box-sizing: border-box; margin-top: .5em; }}
p.error {{ color: #ff8a80; }}
</style>
</head>
<body>
<main>
<h1>Truyền thanh xã</h1>
<p>Nhập mật khẩu truy cập của đài để mở giao diện điều khiển.</p>
{error}
<form method="post" action="{action}">
<label for="password">Mật khẩu truy cập</label>
<input id="password" name="password" type="password" autocomplete="current-password" autofocus required>
<button id="enter" type="submit">Vào</button>
</form>
</main>
</body>
</html>
"""


# Sent for "/" without ?fontsize=: textual-serve sizes the terminal's font from the query only, and the page
# cannot know the browser's width before a script in it runs. A monospace cell is about 0.6 em wide.
_FONT_PROBE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Truyền thanh xã</title>
<script>
const size = Math.max(8, Math.min(16, Math.floor(window.innerWidth / ({columns} * 0.6))));
const query = new URLSearchParams(window.location.search);
query.set("fontsize", String(size));
window.location.replace(window.location.pathname + "?" + query.toString());
</script>
</head>
<body style="background: #0c181f; color: #eee; font-family: sans-serif;">
<p>Đang mở giao diện điều khiển… (cần bật JavaScript)</p>
</body>
</html>
"""

_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def font_probe_page() -> web.Response:
    """The page that picks the terminal's font size from the browser's width (a phone gets :data:`PHONE_COLUMNS`
    columns, a PC 16 px) and reloads the app page with ``?fontsize=``."""
    return web.Response(
        text=_FONT_PROBE.format(columns=PHONE_COLUMNS),
        content_type="text/html",
        charset="utf-8",
        headers={"Cache-Control": "no-store"},
    )


def _entry_page(error: str, *, status: int = 200) -> web.Response:
    shown = f'<p class="error" id="error">{html.escape(error)}</p>' if error else ""
    return web.Response(
        text=_PAGE.format(error=shown, action=ENTRY_PATH),
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers={"Cache-Control": "no-store"},
    )


class StationWebServer(Server):
    """textual-serve's server with the access gate, TLS, and per-request public URLs."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        gate: AccessGate | None,
        tls: ssl.SSLContext | None,
        on_ready: Callable[[str], None],
    ) -> None:
        super().__init__(command, host=host, port=port, title="Truyền thanh xã")
        self._gate = gate
        self._tls = tls
        self._on_ready = on_ready
        self.public_url = f"{'https' if tls else 'http'}://{host}:{port}"

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        if self._gate is not None:
            app.middlewares.append(self._gate.middleware)
            app.router.add_get(ENTRY_PATH, self._gate.show)
            app.router.add_post(ENTRY_PATH, self._gate.submit)
        return app

    async def handle_index(self, request: web.Request) -> Any:
        """The app page, its URLs built from the address the browser used (a LAN IP, a name, a proxy's); without
        ``?fontsize=`` first the page that picks one for the browser's width (:func:`font_probe_page`)."""
        if "fontsize" not in request.query:
            return font_probe_page()
        scheme = request.headers.get("X-Forwarded-Proto", request.scheme)
        self.public_url = f"{scheme}://{request.host}"
        response = await super().handle_index(request)
        if isinstance(response, web.Response) and response.text is not None and _VIEWPORT not in response.text:
            # textual-serve's page has no viewport tag: a phone would lay it out 980 px wide and zoom out.
            response.text = response.text.replace("<head>", "<head>\n" + _VIEWPORT, 1)
        return response

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: the ready line is said once the socket listens (see :meth:`serve`)."""

    def initialize_logging(self) -> None:
        """Keep textual-serve's Rich log handler off: the CLI's own messages are enough."""

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT or SIGTERM; ``on_ready`` is called once the port accepts connections."""
        self.debug = debug
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        try:
            import signal

            loop.add_signal_handler(signal.SIGINT, stop.set)
            loop.add_signal_handler(signal.SIGTERM, stop.set)
        except (NotImplementedError, AttributeError):  # Windows: Ctrl+C raises KeyboardInterrupt instead
            pass
        runner = web.AppRunner(await self._make_app(), handle_signals=False, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port, ssl_context=self._tls).start()
            self._on_ready(self.public_url)
            await stop.wait()
        finally:
            # Closes every websocket: textual-serve then stops each session's app process.
            await runner.cleanup()


__all__ = [
    "COOKIE",
    "ENTRY_PATH",
    "PHONE_COLUMNS",
    "AccessCheck",
    "AccessGate",
    "AccessPasswordFile",
    "StationWebServer",
    "font_probe_page",
    "is_loopback",
    "self_signed_certificate",
    "tls_context",
]
