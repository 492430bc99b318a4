"""Vietnamese speech for announcements: normalise, render with an engine chain, cache, store as an asset.

The chain ``auto`` asks gTTS first and falls back to espeak-ng; whichever engine spoke is recorded on the
asset and the announcement. Renderings are cached by (spoken text, engine, voice, speed) in the station's
cache folder, and stored in the media folder as audio assets measured for loudness like any other asset
(through the library service). Records are reached only through the
:class:`~truyenthanh.services.unit_of_work.Store` (assets, announcements), files through the
:class:`~truyenthanh.services.media.MediaTools` port.

Air time never waits on the network. Every rendering method takes ``due``, the moment the audio must be on air
(an emergency: now). When that moment is closer than the gTTS timeout (setting ``tts_timeout_s``), online
engines are used only through the cache: a rendering of the same text already there is used, otherwise the
offline voice (espeak-ng) speaks at once, and the online rendering is requested in a background thread. It is
stored like any rendering (and, for an announcement, recorded on it), so the next airing uses the better voice;
:attr:`Rendering.upgrade` lets the caller switch to it as soon as it arrives (an emergency's repeats).
``allow_network=False`` is stricter: online engines only through the cache, nothing asked in the background.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path

from truyenthanh.config import Settings
from truyenthanh.domain.content import AnnouncementScript, AssetRecord, DuplicateAssetError
from truyenthanh.domain.enums import AssetSource, Category, ReadingVariant
from truyenthanh.domain.vietnamese import CodeLetters, Lexicon, normalize
from truyenthanh.domain.vietnamese.lexicon_file import LexiconEntry, station_entries, with_entry
from truyenthanh.domain.vietnamese.normalizer import Step, explain
from truyenthanh.errors import AudioError, ConfigError, NotFoundError, SpeechError, StorageError
from truyenthanh.locations import Locations
from truyenthanh.services.audit import DAEMON_ACTOR
from truyenthanh.services.library import LibraryService
from truyenthanh.services.media import MediaTools
from truyenthanh.services.ports import Clock, SpeechEngine
from truyenthanh.services.unit_of_work import Store

logger = logging.getLogger(__name__)

ENGINE_CHOICES = ("auto", "gtts", "espeak")
"""What a station or a command can ask for: the chain, or one engine."""
CHAIN = ("gtts", "espeak")
"""The order ``auto`` tries the engines in."""
RENDER_LOCK_STRIPES = 16
"""Renderings of the same text never run twice at once in one process; different texts mostly in parallel."""
LEXICON_FILENAME = "lexicon.toml"
"""The station lexicon looked for beside the config file when ``lexicon_file`` is not set."""


@dataclass(frozen=True)
class Rendering:
    """The outcome of turning one text into speech.

    Attributes:
        asset: the stored audio (its ``engine`` and ``voice`` say who spoke).
        spoken_text: the normalised text the engine read.
        engine: the engine that spoke.
        voice: the voice it used.
        fell_back: an earlier engine of the chain failed and a later one spoke instead.
        reason: why the earlier engine failed (Vietnamese), when ``fell_back``.
        from_cache: the audio came from the cache; no engine ran.
        upgrade: the online engine's rendering of the same text, asked for in the background because air time
            could not wait for it (``None``: nothing asked). It resolves to that :class:`Rendering` (already
            stored, and recorded on the announcement) or to the :class:`SpeechError` that stopped it; its
            callbacks run in the background thread.
    """

    asset: AssetRecord
    spoken_text: str
    engine: str
    voice: str
    fell_back: bool = False
    reason: str | None = None
    from_cache: bool = False
    upgrade: Future[Rendering] | None = field(default=None, compare=False, repr=False)

    @property
    def notice(self) -> str | None:
        """What to tell the operator when the better voice could not be used (``None``: nothing to tell)."""
        if not self.fell_back:
            return None
        if self.upgrade is not None:
            return (
                f"Chưa có sẵn bản đọc gTTS và không kịp chờ mạng: đã đọc ngay bằng giọng dự phòng {self.engine} "
                f"({self.voice}); bản gTTS đang được tạo để dùng cho các lần phát sau."
            )
        why = (self.reason or "").rstrip(".")
        return (
            f"Không dùng được gTTS ({why}); đã đọc bằng giọng dự phòng {self.engine} ({self.voice}). "
            "Khi có mạng trở lại, có thể đọc lại bằng gTTS."
        )


@dataclass(frozen=True)
class _Cached:
    """A rendering in the cache folder and how it was obtained."""

    path: Path
    engine: str
    voice: str
    failures: list[str]
    from_cache: bool
    skipped_online: str | None = None
    """The first online engine passed over because the network could not be waited for."""


@dataclass(frozen=True)
class RetryReport:
    """What :meth:`SpeechService.retry_online` achieved.

    Attributes:
        upgraded: announcements now rendered by the online engine.
        still_offline: announcements that kept their offline rendering, with the reason.
    """

    upgraded: list[int] = field(default_factory=list)
    still_offline: dict[int, str] = field(default_factory=dict)


class SpeechService:
    """Normalises text and renders it to stored speech assets. Thread-safe."""

    def __init__(
        self,
        *,
        settings: Settings,
        locations: Locations,
        store: Store,
        media: MediaTools,
        clock: Clock,
        library: LibraryService,
        engines: Mapping[str, SpeechEngine],
    ) -> None:
        """Args:
        settings: the station's speech settings (engine, variant, speed, gTTS timeout, lexicon file).
        locations: the cache, media and config folders.
        store: where announcements and audio assets are kept.
        media: hashing renderings.
        clock: the time of renderings, and how close air time is.
        library: measures renderings and stores them as assets with their files.
        engines: the speech engines by name (``gtts``, ``espeak``).
        """
        self._settings = settings
        self._library = library
        self._locations = locations
        self._store = store
        self._media = media
        self._clock = clock
        self._engines = dict(engines)
        self._lexicon: Lexicon | None = None
        self._lexicon_read: tuple[int, int] | None = None
        self._lock = threading.Lock()
        # Striped locks, one set per engine: bounded memory however many texts a long-running daemon renders,
        # and an offline rendering never waits behind an online one that is waiting on the network.
        self._render_locks = {name: tuple(threading.Lock() for _ in range(RENDER_LOCK_STRIPES)) for name in engines}
        self._station_checked = False
        self._upgrades: dict[str, Future[Rendering]] = {}
        """Online renderings asked for in the background and not finished yet, by what they render."""
        self.spawn: Callable[[Callable[[], None]], None] = _in_thread
        """Runs background work (an online rendering air time could not wait for); tests may run it inline."""

    # --- text ----------------------------------------------------------------------------------------------

    @property
    def variant(self) -> ReadingVariant:
        """The station's reading variant (setting ``reading_variant``)."""
        return self._settings.reading_variant

    def lexicon(self) -> Lexicon:
        """The built-in lexicon extended by the station's file (read once).

        Raises:
            ConfigError: the station's lexicon file is unreadable or malformed (the message names it).
        """
        with self._lock:
            stamp = self._lexicon_stamp()
            if self._lexicon is None or stamp != self._lexicon_read:
                self._lexicon = self._load_lexicon()
                self._lexicon_read = stamp
            return self._lexicon

    # --- the station's own lexicon file, as the TUI lists and edits it --------------------------------------

    def _lexicon_stamp(self) -> tuple[int, int] | None:
        """The station file's modification time and size: a file changed by another process (the TUI's
        "Từ điển đọc", an editor) is read again at the next use, in the daemon too."""
        path = self._lexicon_path()
        try:
            found = path.stat() if path is not None else None
        except OSError:
            return None
        return None if found is None else (found.st_mtime_ns, found.st_size)

    def lexicon_file(self) -> Path:
        """Where the station's own entries are (or will be) written: ``lexicon_file``, else ``lexicon.toml``
        beside the config file."""
        return self._lexicon_path() or self._locations.config_file.parent / LEXICON_FILENAME

    def _lexicon_text(self) -> str:
        path = self.lexicon_file()
        try:
            return path.read_text(encoding="utf-8") if path.is_file() else ""
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Không đọc được tệp từ điển {path}: {exc}.") from exc

    def lexicon_entries(self) -> list[LexiconEntry]:
        """The station's own entries, as its file lists them (the built-in ones are not listed).

        Raises:
            ConfigError: the file is unreadable or malformed (file, line, field).
        """
        return station_entries(self._lexicon_text(), source=str(self.lexicon_file()))

    def save_lexicon_entry(self, entry: LexiconEntry, *, replacing: LexiconEntry | None = None) -> LexiconEntry:
        """Add ``entry`` to the station's file, or put it in place of ``replacing``; comments and the other
        entries are kept, and the file is replaced whole (never half written). The next reading uses it.

        Not audited: the audit trail records changes to the station's database, and the station's files
        (config, lexicon) are not recorded there yet.

        Raises:
            ConfigError: the file or the change would not load (file, line, field); the file is left as it was.
            StorageError: the file cannot be written.
        """
        path = self.lexicon_file()
        with self._lock:
            text = with_entry(self._lexicon_text(), entry, replacing=replacing, source=str(path))
            try:
                self._media.write_atomic(path, text.encode("utf-8"))
            except OSError as exc:
                raise StorageError(f"Không ghi được tệp từ điển {path}: {exc.strerror}.") from exc
            self._lexicon = None
        saved = [e for e in station_entries(text, source=str(path)) if e.same_place(entry)]
        return saved[0] if saved else entry

    def _lexicon_path(self) -> Path | None:
        configured = self._settings.lexicon_file
        config_folder = self._locations.config_file.parent
        if configured is None:
            default = config_folder / LEXICON_FILENAME
            return default if default.is_file() else None
        path = configured.expanduser()
        return path if path.is_absolute() else config_folder / path

    def _load_lexicon(self) -> Lexicon:
        path = self._lexicon_path()
        if path is None:
            return Lexicon.builtin()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise ConfigError(f"Không thấy tệp từ điển {path} (thiết lập «lexicon_file»).") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"Tệp từ điển {path}: không phải văn bản UTF-8 (byte thứ {exc.start}).") from exc
        except OSError as exc:
            raise ConfigError(f"Không đọc được tệp từ điển {path}: {exc.strerror}.") from exc
        return Lexicon.builtin().with_toml(text, source=str(path))

    @property
    def code_letters(self) -> CodeLetters:
        """How the station reads letters inside plates, codes and strain names (setting ``code_letters``)."""
        return CodeLetters(self._settings.code_letters)

    def normalize(self, text: str, *, variant: ReadingVariant | None = None) -> str:
        """The words an announcer would say for ``text`` (station variant, code letters and lexicon; the
        variant may be overridden)."""
        return normalize(text, variant=variant or self.variant, lexicon=self.lexicon(), letters=self.code_letters)

    def explain(self, text: str, *, variant: ReadingVariant | None = None) -> tuple[str, list[Step]]:
        """Like :meth:`normalize`, and also every rule that changed the text, in the order they ran."""
        return explain(text, variant=variant or self.variant, lexicon=self.lexicon(), letters=self.code_letters)

    # --- rendering -----------------------------------------------------------------------------------------

    def render(self, text: str, *, engine: str | None = None, title: str | None = None) -> AssetRecord:
        """Render ``text`` and return the stored asset (see :meth:`synthesize`)."""
        return self.synthesize(text, engine=engine, title=title).asset

    def synthesize(
        self,
        text: str,
        *,
        engine: str | None = None,
        title: str | None = None,
        category: Category = Category.OTHER,
        allow_network: bool = True,
        due: datetime | None = None,
    ) -> Rendering:
        """Normalise ``text``, render it with ``engine`` (default: the station's ``tts_engine``), store it.

        Args:
            text: the written text (any encoding the normaliser accepts).
            engine: ``auto`` (gTTS, then espeak-ng), ``gtts`` or ``espeak``.
            title: the asset's title (default: the start of the text).
            category: the asset's content category.
            allow_network: ``False`` uses online engines only through the cache.
            due: when the audio must be on air (timezone-aware; ``None``: no hurry). Closer than the gTTS
                timeout, online engines are used only through the cache, the offline voice speaks even if the
                chosen engine is online-only, and the online rendering comes later (:attr:`Rendering.upgrade`).

        Raises:
            SpeechError: nothing could be rendered (the message gives each engine's reason).
            StorageError: the station is not initialised or its folders cannot be written.
        """
        rendering, online = self._render(
            text, engine=engine, title=title, category=category, allow_network=allow_network, due=due
        )
        if online is None:
            return rendering
        upgrade = self._in_background(
            f"text\0{online}\0{rendering.spoken_text}",
            partial(self.synthesize, text, engine=online, title=title, category=category),
        )
        return replace(rendering, upgrade=upgrade)

    def _render(
        self,
        text: str,
        *,
        engine: str | None,
        title: str | None,
        category: Category,
        allow_network: bool,
        due: datetime | None,
    ) -> tuple[Rendering, str | None]:
        """Render and store ``text``; also the online engine passed over for lack of time, if any."""
        urgent = allow_network and self._too_soon(due)
        spoken, cached = self._speak(text, engine=engine, allow_network=allow_network and not urgent, urgent=urgent)
        asset = self._store_rendering(
            cached.path, title=title or _title_of(text), category=category, engine=cached.engine, voice=cached.voice
        )
        rendering = Rendering(
            asset=asset,
            spoken_text=spoken,
            engine=cached.engine,
            voice=cached.voice,
            fell_back=bool(cached.failures),
            reason="; ".join(cached.failures) or None,
            from_cache=cached.from_cache,
        )
        return rendering, cached.skipped_online

    def _too_soon(self, due: datetime | None) -> bool:
        """Whether air time comes before an online engine could answer (within the gTTS timeout)."""
        return due is not None and (due - self._clock.now()).total_seconds() < self._settings.tts_timeout_s

    def _in_background(self, key: str, work: Callable[[], Rendering]) -> Future[Rendering]:
        """Run ``work`` with :attr:`spawn`, once at a time per ``key`` (a second ask gets the pending future)."""
        with self._lock:
            pending = self._upgrades.get(key)
            if pending is not None:
                return pending
            future: Future[Rendering] = Future()
            self._upgrades[key] = future

        def run() -> None:
            try:
                result = work()
            except Exception as exc:  # any failure is handed to whoever waits on the future
                logger.info("online rendering not made: %s", getattr(exc, "message", exc))
                with self._lock:
                    self._upgrades.pop(key, None)
                future.set_exception(exc)
                return
            with self._lock:
                self._upgrades.pop(key, None)
            future.set_result(result)

        self.spawn(run)
        return future

    def render_file(self, text: str, target: Path, *, engine: str | None = None) -> str:
        """Render ``text`` into the WAV file ``target`` without recording an asset (package builds).

        Uses the same chain and cache as :meth:`synthesize`; ``target`` appears whole or not at all.

        Returns:
            The name of the engine that spoke.

        Raises:
            SpeechError: no engine could render it.
            StorageError: ``target`` cannot be written.
        """
        _spoken, cached = self._speak(text, engine=engine, allow_network=True)
        try:
            _copy_whole(cached.path, target)
        except OSError as exc:
            raise StorageError(f"Không ghi được tệp {target}: {exc.strerror}.") from exc
        return cached.engine

    def _speak(
        self, text: str, *, engine: str | None, allow_network: bool, urgent: bool = False
    ) -> tuple[str, _Cached]:
        """Normalise and render through the chain into the cache; the first engine that speaks wins.

        ``urgent``: air time cannot wait for the network (``allow_network`` is then ``False``); the first
        online engine passed over is noted so it can be asked later.
        """
        spoken = self.normalize(text)
        if not any(ch.isalnum() for ch in spoken):
            raise SpeechError("Văn bản không có chữ nào để đọc.")
        failures: list[str] = []
        skipped: str | None = None
        for name in self._chain(engine or self._settings.tts_engine, urgent=urgent):
            candidate = self._engines[name]
            voice = candidate.voice(self.variant)
            path = self._cache_path(spoken, name, voice)
            if candidate.online and not allow_network:
                # Through the cache only, and without the render lock: a rendering of this text in progress holds
                # it for as long as the network makes it wait (the file appears whole or not at all).
                if _is_rendered(path):
                    return spoken, _Cached(path, name, voice, failures, from_cache=True, skipped_online=skipped)
                if urgent:
                    skipped = skipped or name
                    failures.append(f"{name}: chưa có sẵn bản đọc và không kịp chờ mạng trước giờ phát")
                else:
                    failures.append(f"{name}: chưa có sẵn bản đọc và không được dùng mạng lúc này")
                continue
            # One rendering per cache entry at a time; other texts render in parallel.
            with self._render_lock(name, path):
                from_cache = _is_rendered(path)
                if not from_cache:
                    try:
                        candidate.synthesize(spoken, voice=voice, speed=self._settings.tts_speed, target=path)
                    except SpeechError as exc:
                        failures.append(exc.message)
                        continue
            return spoken, _Cached(path, name, voice, failures, from_cache=from_cache, skipped_online=skipped)
        raise SpeechError("Không đọc được văn bản: " + "; ".join(failures))

    def _chain(self, choice: str, *, urgent: bool = False) -> tuple[str, ...]:
        if choice not in ENGINE_CHOICES:
            raise SpeechError(f"Không có bộ đọc «{choice}»; chọn một trong: {', '.join(ENGINE_CHOICES)}.")
        names: tuple[str, ...] = CHAIN if choice == "auto" else (choice,)
        missing = [name for name in names if name not in self._engines]
        if missing:
            raise SpeechError(f"Bộ đọc {', '.join(missing)} chưa được cài đặt trong chương trình.")
        if urgent:
            # Air time first: a station that chose an online engine alone is still heard, in the offline voice.
            offline = [n for n in CHAIN if n in self._engines and not self._engines[n].online and n not in names]
            names += tuple(offline)
        return names

    def _render_lock(self, engine: str, cached: Path) -> threading.Lock:
        return self._render_locks[engine][hash(cached.name) % RENDER_LOCK_STRIPES]

    def _cache_path(self, spoken: str, engine: str, voice: str) -> Path:
        key = f"{engine}\0{voice}\0{self._settings.tts_speed:.3f}\0{spoken}"
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return self._locations.cache_dir / "speech" / f"{engine}-{digest[:32]}.wav"

    def _require_station(self) -> None:
        if self._station_checked:
            return
        if self._store.schema_revision() is None:
            raise StorageError(
                f"Chưa có đài nào ở {self._locations.data_dir}. Hãy chạy «truyenthanh init» trước khi tạo giọng đọc."
            )
        self._station_checked = True

    def _store_rendering(
        self, rendered: Path, *, title: str, category: Category, engine: str, voice: str
    ) -> AssetRecord:
        """Record a rendering as a library asset (measured like any import), once per distinct audio."""
        self._require_station()
        digest = self._media.sha256_file(rendered)
        existing = self._asset_by_sha(digest)
        if existing is not None and (self._locations.media_dir / existing.path).is_file():
            return existing
        try:
            inspected = self._library.inspect(rendered)
        except AudioError as exc:
            raise SpeechError(f"Bản đọc {rendered} hỏng: {exc.message}") from exc
        record = inspected.record(
            title=title, category=category, language="vi", source=AssetSource.TTS, created_at=self._clock.now()
        )
        try:
            with self._library.staged() as (uow, staging):
                staging.stage(rendered, inspected.media_path)
                if existing is not None:
                    return existing
                stored, _change = uow.assets.add(replace(record, engine=engine, voice=voice))
        except DuplicateAssetError:
            # Another thread or process stored the same rendering first.
            same = self._asset_by_sha(digest)
            if same is None:
                raise
            return same
        return stored

    def _asset_by_sha(self, digest: str) -> AssetRecord | None:
        with self._store.transaction() as uow:
            return uow.assets.by_sha(digest)

    # --- announcements -------------------------------------------------------------------------------------

    def render_announcement(
        self,
        announcement_id: int,
        *,
        engine: str | None = None,
        allow_network: bool = True,
        due: datetime | None = None,
        by: str = DAEMON_ACTOR,
    ) -> Rendering:
        """Render an announcement and record its spoken text, engine, voice and asset on it, audited for ``by``
        (a username; the daemon's own renderings ahead of air are recorded as ``daemon``).

        If gTTS cannot be reached the espeak-ng rendering is used and the result says so
        (:attr:`Rendering.fell_back`, :attr:`Rendering.notice`). With ``due`` closer than the gTTS timeout the
        offline voice speaks at once (see :meth:`synthesize`); the online rendering, when it arrives, is
        recorded on the announcement in its place (:attr:`Rendering.upgrade`).

        Raises:
            NotFoundError: no announcement has this id.
            SpeechError: no engine could render it (the announcement is left as it was).
        """
        announcement = self._script(announcement_id)
        rendering, online = self._render(
            announcement.text,
            engine=engine,
            title=announcement.title,
            category=announcement.category,
            allow_network=allow_network,
            due=due,
        )
        assert rendering.asset.id is not None
        with self._store.transaction() as uow:
            change = uow.announcements.record_rendering(
                announcement_id,
                spoken_text=rendering.spoken_text,
                engine=rendering.engine,
                voice=rendering.voice,
                asset_id=rendering.asset.id,
                at=self._clock.now(),
            )
            if change is None:
                raise NotFoundError(f"Thông báo số {announcement_id} vừa bị xóa.")
            uow.audited(by, "announcement.render", change)
        if online is None:
            return rendering
        upgrade = self._in_background(
            f"announcement\0{announcement_id}", partial(self.render_announcement, announcement_id, engine=online, by=by)
        )
        return replace(rendering, upgrade=upgrade)

    def _script(self, announcement_id: int) -> AnnouncementScript:
        with self._store.transaction() as uow:
            announcement = uow.announcements.script(announcement_id)
        if announcement is None:
            raise NotFoundError(f"Không có thông báo số {announcement_id}.")
        return announcement

    def is_ready(self, announcement_id: int) -> bool:
        """Whether the announcement's audio matches its current text and is on disk."""
        with self._store.transaction() as uow:
            announcement = uow.announcements.script(announcement_id)
            asset_id = announcement.asset_id if announcement is not None else None
            asset = uow.assets.get(asset_id) if asset_id is not None else None
        if announcement is None:
            raise NotFoundError(f"Không có thông báo số {announcement_id}.")
        if announcement.asset_id is None or announcement.spoken_text != self.normalize(announcement.text):
            return False
        return asset is not None and (self._locations.media_dir / asset.path).is_file()

    def engines(self, announcement_ids: Iterable[int]) -> dict[int, str]:
        """The engine of each announcement's current rendering, by id (never-rendered or missing ones left out):
        what the broadcast log records for an announcement item that goes on air (one transaction)."""
        found: dict[int, str] = {}
        with self._store.transaction() as uow:
            for announcement_id in dict.fromkeys(announcement_ids):
                script = uow.announcements.script(announcement_id)
                if script is not None and script.engine:
                    found[announcement_id] = script.engine
        return found

    def ensure_rendered(
        self, announcement_ids: Sequence[int], *, allow_network: bool = False, due: datetime | None = None
    ) -> list[Rendering]:
        """Make sure each announcement has audio for its current text; render those that do not.

        Meant for the daemon ahead of air: by default online engines are used only through the cache, so it
        never waits on the network; with ``allow_network`` it may, unless ``due`` (the airing's start) is closer
        than the gTTS timeout (see :meth:`synthesize`). Every announcement is tried even if one fails.

        Returns:
            The renderings made (announcements already ready are not listed).

        Raises:
            SpeechError: some announcements could not be rendered or do not exist; the message lists them
                (the others were rendered).
        """
        made: list[Rendering] = []
        problems: list[str] = []
        for announcement_id in announcement_ids:
            try:
                if self.is_ready(announcement_id):
                    continue
                made.append(self.render_announcement(announcement_id, allow_network=allow_network, due=due))
            except (SpeechError, NotFoundError) as exc:
                problems.append(f"thông báo {announcement_id}: {exc.message}")
        if problems:
            raise SpeechError("Chưa chuẩn bị được giọng đọc cho " + "; ".join(problems))
        return made

    def retry_online(self, announcement_ids: Sequence[int] | None = None, *, by: str = DAEMON_ACTOR) -> RetryReport:
        """Re-render with gTTS the announcements that were read by an offline engine (a fallback).

        Args:
            announcement_ids: which announcements; ``None``: every one whose audio is not from gTTS.
            by: who asks (a username), recorded in the audit trail.

        Returns:
            Which announcements now have gTTS audio and which kept their offline audio, with the reason.
        """
        with self._store.transaction() as uow:
            candidates = uow.announcements.rendered_without("gtts", announcement_ids)
        report = RetryReport()
        for announcement_id in candidates:
            try:
                self.render_announcement(announcement_id, engine="gtts", by=by)
            except SpeechError as exc:
                report.still_offline[announcement_id] = exc.message
            else:
                report.upgraded.append(announcement_id)
        return report


def _is_rendered(path: Path) -> bool:
    """Whether a cache entry holds audio (more than a WAV header)."""
    return path.is_file() and path.stat().st_size > 44


def _copy_whole(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` so that readers see the old file or the whole new one, never a part."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    try:
        shutil.copyfile(source, partial)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _in_thread(work: Callable[[], None]) -> None:
    # A daemon thread: a request hanging on the network must not hold up the process's exit.
    threading.Thread(target=work, name="speech-online", daemon=True).start()


def _title_of(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 60 else line[:59].rstrip() + "…"


__all__ = ["CHAIN", "ENGINE_CHOICES", "Rendering", "RetryReport", "SpeechService"]
