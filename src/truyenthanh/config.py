"""One ``Settings`` class; every field documented.

Precedence, strongest first: command-line flags, ``TRUYENTHANH_*`` environment variables, the station's TOML
file (``truyenthanh locate config``), then the defaults written here.

The settings that change who may do what (:data:`FILE_ONLY`: ``single_operator``, ``single_operator_name``,
``emergency_roles``) are read only from the station's file: anyone who can set a variable in a shell could
otherwise approve their own content or send emergencies. Changing them is audited by the first command or
daemon that sees the new values (``AccountService.note_role_settings``).
"""

from __future__ import annotations

import os
import re
import tempfile
import textwrap
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from enum import Enum
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomlkit
from pydantic import Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from truyenthanh import locations
from truyenthanh.domain.enums import ReadingVariant, Role
from truyenthanh.errors import ConfigError

FILE_ONLY = frozenset({"single_operator", "single_operator_name", "emergency_roles"})
"""Settings never taken from the environment (they decide who may approve and who may break in on air)."""

_file_values: ContextVar[dict[str, Any] | None] = ContextVar("_file_values", default=None)


class _TomlValues(PydanticBaseSettingsSource):
    """Values read from the station's TOML file (already parsed, so errors can name the line)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return (_file_values.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_file_values.get() or {})


class _EnvironmentExceptRoles(PydanticBaseSettingsSource):
    """The ``TRUYENTHANH_*`` environment variables, without the settings in :data:`FILE_ONLY`."""

    def __init__(self, settings_cls: type[BaseSettings], environment: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        self._environment = environment

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        if field_name in FILE_ONLY:
            return None, field_name, False
        return self._environment.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        return {key: value for key, value in self._environment().items() if key not in FILE_ONLY}


class Settings(BaseSettings):
    """Everything a station can configure."""

    model_config = SettingsConfigDict(
        env_prefix="TRUYENTHANH_",
        extra="forbid",
        use_attribute_docstrings=True,
        validate_default=True,
    )

    data_dir: Path | None = None
    """One folder for the whole station (config, database, media). Unset: the platform's usual folders."""

    database_url: str | None = None
    """SQLAlchemy URL of the station database. Unset: an SQLite file in the data folder."""

    chain_key_file: Path | None = None
    """The secret key the broadcast log and audit trail are hashed with. Unset: ``chain.key`` beside the SQLite
    file, or in the data folder when ``database_url`` names a server (copy it to every machine sharing that
    database, e.g. a second hub machine)."""

    timezone: str = "Asia/Ho_Chi_Minh"
    """IANA time zone in which schedules are written and times are shown. Times are stored in UTC."""

    reading_variant: ReadingVariant = ReadingVariant.NORTH
    """How numbers are read aloud: ``north`` (nghìn, linh) or ``south`` (ngàn, lẻ)."""

    code_letters: Literal["as-written", "nờ", "en"] = "as-written"
    """How letters inside codes (vehicle plates, strains such as A/H5N1) are read: ``as-written`` leaves a
    plate's letters to the speech engine and reads N in a strain "en"; ``nờ`` and ``en`` spell every code letter
    the Vietnamese way (B "bê", F "ép", H "hát") and read N "nờ" or "en". ``truyenthanh normalize`` shows it."""

    target_lufs: float = Field(default=-16.0, ge=-40.0, le=-5.0)
    """Loudness every item is played at, in LUFS (EBU R128 integrated)."""

    true_peak_dbtp: float = Field(default=-1.0, ge=-10.0, le=0.0)
    """Highest true peak allowed after gain, in dBTP."""

    output: str = "device"
    """Where the daemon plays: ``device``, ``file:PATH`` or ``icecast:URL``."""

    output_device: str | None = None
    """Where ``device`` output plays: ``pulse:SINK`` for that PulseAudio sink (natively), or a PortAudio device
    name or index (``python -m sounddevice`` lists them; ``pulse`` reaches PulseAudio through ALSA). Unset:
    PulseAudio's default sink when a PulseAudio server answers (``PULSE_SERVER`` and ``PULSE_SINK`` pick them),
    else PortAudio's default device."""

    preview_device: str | None = None
    """Where the operator listens to files before they go on air (headphones or a monitor speaker): a sound
    device name or index, or ``pulse:SINK`` for a PulseAudio sink. Unset: previews are refused rather than
    played on the default device, which is usually the station's amplifier."""

    sample_rate: int = Field(default=48000, ge=8000, le=192000)
    """Sample rate of the output stream, in Hz."""

    buffer_ms: int = Field(default=40, ge=5, le=50)
    """Length of one audio buffer in milliseconds; commands take effect within one buffer."""

    output_standby_s: float = Field(default=10.0, ge=0, le=3600)
    """For ``device`` output: seconds of silence after which the daemon gives the sound device back until
    shortly before the next airing (an open stream costs CPU even when silent). 0 keeps it open."""

    resume_policy: Literal["resume", "restart"] = "resume"
    """After a break-in, whether the interrupted item resumes where it stopped or restarts."""

    amplifier_on_command: str | list[str] | None = None
    """Command the daemon runs to switch the amplifier on (e.g. a relay), before a session's first item: a list
    of arguments (``["C:/Tools/relay.exe", "on"]``), or a string split as the platform's shell would (POSIX
    words on Linux; Windows' own rules there, so ``C:\\Tools\\relay.exe on`` keeps its backslashes). No shell
    runs it: no pipes or redirections."""

    amplifier_off_command: str | list[str] | None = None
    """Command the daemon runs to switch the amplifier off after a session's last item (as
    ``amplifier_on_command``)."""

    amplifier_lead_s: float = Field(default=10.0, ge=0, le=600)
    """Seconds before a session's first item the amplifier is switched on (and after its last, off)."""

    schedule_lead_s: float = Field(default=3.0, ge=0.5, le=60)
    """Seconds before its start an airing is handed to the audio engine, which starts it to the sample."""

    tts_engine: Literal["auto", "gtts", "espeak"] = "auto"
    """Speech engine: ``auto`` tries gTTS and falls back to espeak-ng."""

    tts_timeout_s: float = Field(default=10.0, gt=0, le=120)
    """Seconds to wait for one gTTS request before giving up."""

    tts_speed: float = Field(default=1.0, ge=0.5, le=2.0)
    """Speaking rate of rendered speech: 1.0 normal, 0.8 slower, 1.2 faster (0.5 to 2.0)."""

    lexicon_file: Path | None = None
    """TOML file of the station's own abbreviations and place names (tables ``[abbreviations]`` and
    ``[words]``, see ``domain/vietnamese/lexicon.py``). Unset: ``lexicon.toml`` beside the config file, if any."""

    upstream_name: str = "Đài Truyền thanh - Truyền hình cấp trên"
    """Name of the body that sends this station programme files (province or former district)."""

    allow_unsigned_packages: bool = False
    """Accept programme packages that are unsigned or signed by a key the station does not trust
    (``truyenthanh keys trust``). Leave off unless the station has no other way to receive programmes."""

    key_passphrase_file: Path | None = None
    """File holding the passphrase of the station's signing key (its first line), if the key has one: how the
    daemon and ``hub run``, which cannot ask anyone, open the key to sign. Keep it readable by the service's
    user only (``chmod 600``). Unset: they cannot sign with a key under a passphrase and say so in their status.
    ``TRUYENTHANH_KEY_PASSPHRASE`` (the passphrase itself, for scripts) takes precedence."""

    single_operator: bool = False
    """One person runs the station: commands do not ask for a login and act as ``single_operator_name``,
    who may approve their own content. Approvals still record that name."""

    single_operator_name: str = ""
    """Full name recorded as author and approver in single-operator mode (required in that mode)."""

    emergency_roles: list[Role] = Field(default_factory=lambda: [Role.ADMIN, Role.APPROVER, Role.OPERATOR])
    """Roles allowed to send an emergency bulletin at once, without approval (add ``editor`` to allow editors)."""

    signed_packages_preapproved: bool = False
    """Programmes imported from a package signed by a trusted upstream key count as approved on import, in the
    name of that upstream. Off: they arrive waiting for the station's own approver."""

    login_max_failures: int = Field(default=5, ge=1, le=100)
    """Wrong passwords in a row after which an account refuses every login for ``login_lockout_minutes``."""

    login_lockout_minutes: float = Field(default=5.0, gt=0, le=24 * 60)
    """How long, in minutes, an account stays locked after ``login_max_failures`` wrong passwords in a row."""

    # Platforms (issue 21): how clients reach the daemon, where the external programs are, when the clock is
    # trusted.
    control_transport: Literal["auto", "tcp"] = "auto"
    """How the daemon listens for its clients: ``auto`` uses a Unix socket where the system has them and loopback
    TCP (127.0.0.1, guarded by a secret token in ``control.json``, readable by the station's users only)
    elsewhere, e.g. on Windows; ``tcp`` always uses loopback TCP. Clients find which in the runtime folder."""

    ffmpeg_path: Path | None = None
    """The ``ffmpeg`` program, or the folder holding ``ffmpeg`` and ``ffprobe``. Unset: PATH, then the usual
    install folders (``C:\\Program Files\\ffmpeg\\bin``, winget's links, ``/usr/local/bin``)."""

    espeak_path: Path | None = None
    """The ``espeak-ng`` program, or its folder. Unset: PATH, then the usual install folders (its Windows
    installer puts it in ``C:\\Program Files\\eSpeak NG`` without adding it to PATH)."""

    clock_check: bool = True
    """The daemon checks the system clock before trusting it to air (boards without a real-time clock start
    with a wrong time after a power cut): a clock behind the last broadcast-log entry, or one that jumped by more
    than ``clock_max_jump_minutes`` while not synchronised by NTP, holds scheduled airings until it is right.
    Emergencies and play-now still go out."""

    clock_max_jump_minutes: float = Field(default=10.0, ge=1, le=24 * 60)
    """The largest jump of the wall clock, against the monotonic clock, that the daemon accepts without NTP
    synchronisation (minutes)."""

    # The TUI in a browser (issue 22, ``truyenthanh serve``). The station access password is not a setting: it is
    # kept hashed in the station folder (``truyenthanh serve password``).
    serve_host: str = "127.0.0.1"
    """Address ``truyenthanh serve`` listens on. Anything but a loopback address (``127.0.0.1``, ``::1``,
    ``localhost``) needs a station access password and is served over HTTPS."""

    serve_port: int = Field(default=8720, ge=1, le=65535)
    """TCP port of ``truyenthanh serve``."""

    serve_max_failures: int = Field(default=5, ge=1, le=100)
    """Wrong station access passwords one address may try within ``serve_failure_window_minutes``; after that
    it is refused, even with the right password, until the oldest failure leaves the window."""

    serve_failure_window_minutes: float = Field(default=5.0, gt=0, le=24 * 60)
    """The window, in minutes, over which ``serve_max_failures`` counts an address's wrong passwords."""

    serve_session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    """How long a browser stays let in after the right station access password (hours)."""

    # IP loudspeaker clusters (issue 18, :mod:`truyenthanh.domain.fleet`). Off until the station has a broker
    # (``truyenthanh broker config``) and zones with receivers.
    fleet_enabled: bool = False
    """Whether the daemon drives IP receivers: publishes the zones' schedules and commands over MQTT and serves
    their files."""

    fleet_station_id: str = Field(default="station", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    """The station's name in MQTT topics (``tt/<id>/...``): lower-case ASCII letters, digits and dashes."""

    fleet_broker_host: str = "127.0.0.1"
    """Where the daemon reaches the MQTT broker (Mosquitto)."""

    fleet_broker_port: int = Field(default=8883, ge=1, le=65535)
    """The broker's TLS port."""

    fleet_public_host: str = ""
    """The station's address as receivers reach it (its LAN or VPN address); empty: ``fleet_broker_host``."""

    fleet_http_host: str = "0.0.0.0"
    """Address of the station's file server for receivers (files by sha256, ``/time``, ``/enrol``)."""

    fleet_http_port: int = Field(default=8730, ge=1, le=65535)
    """TCP port of that file server."""

    fleet_enrol_code_minutes: float = Field(default=60.0, gt=0, le=7 * 24 * 60)
    """How long a one-time enrolment code stays valid (minutes)."""

    fleet_stale_hours: float = Field(default=24.0, gt=0, le=7 * 24)
    """A receiver whose schedule copy is older than this (since its last sync) shows as stale on the station."""

    # The upstream office (issue 19): ``hub_*`` are the hub's own settings (``truyenthanh hub``, in the hub's
    # data folder); ``upstream_*`` a station's rules for what its hub sends (``truyenthanh upstream enrol``).
    hub_id: str = Field(default="hub", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    """The hub's name in MQTT topics (``tt/<hub_id>/...``): lower-case ASCII letters, digits and dashes."""

    hub_broker_host: str = "127.0.0.1"
    """Where the hub reaches its MQTT broker (Mosquitto)."""

    hub_broker_port: int = Field(default=8883, ge=1, le=65535)
    """The hub broker's TLS port."""

    hub_public_host: str = ""
    """The hub's address as stations reach it; empty: ``hub_broker_host``."""

    hub_http_host: str = "0.0.0.0"
    """Address of the hub's file server for stations (packages by sha256, ``/time``, ``/enrol``)."""

    hub_http_port: int = Field(default=8740, ge=1, le=65535)
    """TCP port of the hub's file server."""

    hub_instance: str = Field(default="", pattern=r"^[A-Za-z0-9._-]{0,40}$")
    """This hub process's name among the hub processes sharing one database and broker (its MQTT client id is
    made from it: two processes with one id would push each other off the broker). Empty: this machine's host
    name; set it when two hub processes run on one machine."""

    upstream_emergency_allowed: bool = True
    """Whether an emergency from the station's hub (signed by its key) breaks in at once on the station's own
    output; off: it is refused and the hub is told why."""

    upstream_status_s: float = Field(default=60.0, ge=1, le=3600)
    """How often the station reports its health to its hub (seconds; also on every change)."""

    # Reports (Decree 30/2020/NĐ-CP layout). Empty: the report prints the dotted placeholder of the decree's
    # templates, to be written in by hand, or the station record's value where it has one.
    report_authority: str = ""
    """Governing body printed above the station's name, e.g. ``UBND xã Tân Lập`` (empty: "UBND xã" and the
    station's commune)."""

    report_issuer: str = ""
    """Issuing body, e.g. ``Đài Truyền thanh xã Tân Lập`` (empty: the station's name)."""

    report_number_suffix: str = ""
    """What follows ``BC-`` in the document number line «Số: …/BC-ĐTT», e.g. ``ĐTT``."""

    report_commune: str = ""
    """The commune named in «Tân Lập, ngày … tháng … năm …» (empty: the station record's commune)."""

    report_province: str = ""
    """The province (empty: the station record's province)."""

    report_signer_title: str = ""
    """Title above the signature, e.g. ``TRƯỞNG ĐÀI`` or ``KT. CHỦ TỊCH``."""

    report_signer_name: str = ""
    """Full name of the person who signs the reports, printed under the signing space."""

    report_recipients: list[str] = Field(default_factory=list)
    """«Nơi nhận» lines, e.g. ``["UBND xã (để báo cáo);", "Lưu: VT."]`` (empty: the usual recipients)."""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"múi giờ không tồn tại: «{value}» (ví dụ đúng: Asia/Ho_Chi_Minh)") from exc
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags (init arguments) beat the environment, which beats the TOML file; the role settings
        (:data:`FILE_ONLY`) come from the file (or the program's own arguments), never the environment."""
        return (init_settings, _EnvironmentExceptRoles(settings_cls, env_settings), _TomlValues(settings_cls))

    def locations(self) -> locations.Locations:
        """The station's paths under these settings."""
        return locations.resolve(self.data_dir)

    @property
    def zone(self) -> ZoneInfo:
        """The station's time zone object."""
        return ZoneInfo(self.timezone)


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, ""
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Tệp {path}: không phải văn bản UTF-8 (byte thứ {exc.start}).") from exc
    except OSError as exc:
        raise ConfigError(f"Không đọc được tệp {path}: {exc.strerror}.") from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        place = f", dòng {where.group(1)}, cột {where.group(2)}" if where else ""
        raise ConfigError(
            f"Tệp {path}{place}: sai cú pháp TOML ({exc}). Hãy sửa dòng đó rồi chạy lại.",
        ) from exc


def _line_of(key: str, text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None


def load_settings(data_dir: Path | None = None, **flags: Any) -> Settings:
    """Build the settings for one station from flags, environment and its TOML file.

    Args:
        data_dir: the station folder given on the command line (else ``TRUYENTHANH_DATA_DIR``).
        **flags: other command-line values; ``None`` values are ignored.

    Raises:
        ConfigError: the file cannot be read or parsed, or a value is invalid; the message names the file,
            the line and the field.
    """
    chosen_dir = data_dir if data_dir is not None else locations.data_dir_from_env()
    config_file = locations.resolve(chosen_dir).config_file
    file_values, text = _read_toml(config_file)
    init = {key: value for key, value in flags.items() if value is not None}
    if data_dir is not None:
        init["data_dir"] = data_dir
    token = _file_values.set(file_values)
    try:
        return Settings(**init)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "?"
            top = str(error["loc"][0]) if error["loc"] else field
            source = _source_of(top, init=init, file_values=file_values, text=text, config_file=config_file)
            reason = _vietnamese_reason(error)
            problems.append(f"{source}, mục «{field}»: {reason}")
        raise ConfigError("Cấu hình không hợp lệ:\n  " + "\n  ".join(problems)) from exc
    finally:
        _file_values.reset(token)


def _source_of(field: str, *, init: dict[str, Any], file_values: dict[str, Any], text: str, config_file: Path) -> str:
    """Where the value of ``field`` that failed came from, in the precedence order: a command-line flag, a
    ``TRUYENTHANH_*`` environment variable (never for :data:`FILE_ONLY`), the station's file and its line."""
    if field in init:
        return "tùy chọn dòng lệnh"
    if field not in FILE_ONLY:
        wanted = f"TRUYENTHANH_{field}".upper()
        # pydantic-settings matches variable names case-insensitively; name the variable as it is spelt.
        variable = next((name for name in os.environ if name.upper() == wanted), None)
        if variable is not None:
            return f"biến môi trường {variable}"
    if field in file_values:
        line = _line_of(field, text)
        return f"tệp {config_file}, dòng {line}" if line else f"tệp {config_file}"
    return "thiết lập"


def _vietnamese_reason(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == "extra_forbidden":
        return "không có thiết lập nào tên như vậy"
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type"):
        return f"cần một số, nhận được «{given}»"
    if kind in ("greater_than_equal", "greater_than"):
        return f"phải lớn hơn hoặc bằng {ctx.get('ge', ctx.get('gt'))}, nhận được «{given}»"
    if kind in ("less_than_equal", "less_than"):
        return f"phải nhỏ hơn hoặc bằng {ctx.get('le', ctx.get('lt'))}, nhận được «{given}»"
    if kind in ("enum", "literal_error"):
        return f"giá trị «{given}» không hợp lệ; chấp nhận: {ctx.get('expected', '')}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in ("string_type", "path_type"):
        return f"cần một chuỗi ký tự, nhận được «{given}»"
    return f"giá trị «{given}» không hợp lệ"


# --- The station's config file: written with every setting documented (helper F4) ----------------------------

CONFIG_HEADER = """\
# Cấu hình của đài truyền thanh (truyenthanh). Mỗi thiết lập có lời giải thích và giá trị mặc định; bỏ dấu «#»
# ở đầu dòng «tên = giá trị» để đổi. Biến môi trường TRUYENTHANH_<TÊN> và tham số dòng lệnh mạnh hơn tệp này.
# Station configuration: every setting with its documentation and default; remove the «#» to change one.
"""
"""The opening comment of a config file written by ``init``."""

_NOT_IN_FILE = frozenset({"data_dir"})
"""Settings that make no sense in the file (the file lives in the station folder ``data_dir`` names)."""


def _toml_value(value: Any) -> Any:
    """``value`` as TOML can hold it: enums by their value, paths as text, lists item by item."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return [_toml_value(item) for item in value]
    return value


def _config_template() -> str:
    """Every setting (but :data:`_NOT_IN_FILE`) as a commented block: its documentation, then its default as a
    commented-out line ready to be uncommented."""
    blocks = [CONFIG_HEADER]
    for name, field in Settings.model_fields.items():
        if name in _NOT_IN_FILE:
            continue
        doc = " ".join((field.description or "").split())
        lines = textwrap.wrap(doc, width=108, break_on_hyphens=False)
        default = field.get_default(call_default_factory=True)
        if default is None:
            lines += ["Mặc định: không đặt."]
            example = f"# {name} ="
        else:
            example = f"# {name} = {tomlkit.item(_toml_value(default)).as_string()}"
        blocks.append("\n".join([*(f"# {line}" for line in lines), example]) + "\n")
    return "\n".join(blocks)


def _with_values(text: str, changes: Mapping[str, Any]) -> str:
    """``text`` (a TOML document) with ``changes`` set (``None``: the line removed, so the default applies).

    A setting already in the file is changed where it is, keeping its comments; one only present as the
    template's commented-out line takes that line's place; any other is added at the end.
    """
    document = tomlkit.parse(text)
    placed: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None:
            document.pop(name, None)
        elif name in document:
            document[name] = _toml_value(value)
        else:
            placed[name] = _toml_value(value)
    text = document.as_string()
    for name, value in placed.items():
        line = f"{name} = {tomlkit.item(value).as_string()}"
        pattern = re.compile(rf"^#[ \t]*{re.escape(name)}[ \t]*=.*$", re.MULTILINE)
        text, found = pattern.subn(line.replace("\\", "\\\\"), text, count=1)
        if not found:
            document = tomlkit.parse(text)
            document[name] = value
            text = document.as_string()
    return text


def _check_values(path: Path, text: str, changes: Mapping[str, Any]) -> None:
    """Refuse ``text`` unless the settings accept it, naming the first changed setting they refuse.

    Raises:
        ConfigError: with ``field`` set to the setting's name.
    """
    token = _file_values.set(tomllib.loads(text))
    try:
        Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "?"
            if name.split(".")[0] in changes:
                raise ConfigError(
                    f"Thiết lập «{name}»: {_vietnamese_reason(error)}. Chưa ghi gì vào tệp {path}.",
                    field=name.split(".")[0],
                ) from exc
        raise ConfigError(f"Tệp {path} đang có thiết lập không hợp lệ; hãy sửa trước: {exc}") from exc
    finally:
        _file_values.reset(token)


def write_config_file(path: Path, changes: Mapping[str, Any] | None = None) -> bool:
    """Write the station's TOML file: created, when missing, listing every setting with its documentation and
    default (commented out), then with ``changes`` set in it (``None``: back to the default). The settings not
    changed, the comments and the layout stay as they were; an existing file is never replaced by the template.

    The file is checked before it is written and replaced in one step (a temporary file renamed over it), so
    a refused value or a failed write leaves it as it was.

    Returns:
        Whether the file was written (``False``: it existed and there was nothing to change).

    Raises:
        ConfigError: a value is refused (``field`` names the setting), the existing file cannot be read or
            parsed (path and line), or the file cannot be written.
    """
    changes = dict(changes or {})
    unknown = [name for name in changes if name not in Settings.model_fields or name in _NOT_IN_FILE]
    if unknown:
        raise ConfigError(f"Không có thiết lập nào tên «{unknown[0]}» để ghi vào {path}.", field=unknown[0])
    _, existing = _read_toml(path)
    if path.exists() and not changes:
        return False
    text = _with_values(existing if path.exists() else _config_template(), changes)
    _check_values(path, text, changes)
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o640
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as out:
            temporary = Path(out.name)
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise ConfigError(f"Không ghi được tệp cấu hình {path}: {exc.strerror or exc}.") from exc
    return True
