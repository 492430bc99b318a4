"""Building and signing packages: an upstream editor's programme file, its audio and (if asked) its
announcements read aloud, written into a ``.ttpkg`` with a manifest and an ed25519 signature."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

from truyenthanh import __version__
from truyenthanh.domain.enums import ItemKind
from truyenthanh.domain.package import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    Manifest,
    ManifestEntry,
    SignatureDoc,
    parse_manifest,
)
from truyenthanh.errors import PackageError
from truyenthanh.services.keys import KeyService
from truyenthanh.services.packages.ports import PackageArchive
from truyenthanh.services.packages.results import BuildResult, Progress, SignerInfo
from truyenthanh.services.packages.verifying import Inspect, check_programme_file
from truyenthanh.services.ports import Clock

PROGRAMME_NAME = "programme.toml"
"""Name of the programme file inside a package."""

Narrate = Callable[[str, Path], str]
"""Reads a written announcement aloud into a WAV file at the given path; returns the engine's name.

Raises:
    SpeechError: nothing could read it.
"""

RENDERED_FOLDER = "rendered"
"""Folder inside a package for announcements read aloud at build time."""


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PackageBuilder:
    """Builds and signs packages with this machine's keys."""

    def __init__(
        self, *, keys: KeyService, archive: PackageArchive, clock: Clock, narrate: Narrate | None, inspect: Inspect
    ) -> None:
        self._keys = keys
        self._inspect = inspect
        self._archive = archive
        self._clock = clock
        self._narrate = narrate

    def build(
        self,
        source: Path,
        output: Path,
        *,
        sign_with: str | None = None,
        render_announcements: bool = False,
        progress: Progress | None = None,
    ) -> BuildResult:
        """Check a programme file, then write a package with it, its audio and a manifest (signed if asked).

        Args:
            render_announcements: also read aloud every announcement that has no recording of its own, so
                stations play exactly this reading (they read the text themselves otherwise).

        Raises:
            ProgrammeFileError: the file or its audio has problems (nothing is written).
            PackageError: the package cannot be written, or the key cannot be used.
            SpeechError: an announcement could not be read aloud.
        """
        with tempfile.TemporaryDirectory() as scratch:
            return self._build(
                source,
                output,
                sign_with=sign_with,
                render_announcements=render_announcements,
                scratch=Path(scratch),
                progress=progress,
            )

    def _build(
        self,
        source: Path,
        output: Path,
        *,
        sign_with: str | None,
        render_announcements: bool,
        scratch: Path,
        progress: Progress | None,
    ) -> BuildResult:
        key = self._keys.private_key(sign_with) if sign_with is not None else None
        programme_file = check_programme_file(source, inspect=self._inspect, progress=progress)
        base = source.resolve().parent
        toml_bytes = source.read_bytes()
        entries: list[tuple[str, bytes | Path]] = [(PROGRAMME_NAME, toml_bytes)]
        listed = [ManifestEntry(PROGRAMME_NAME, len(toml_bytes), _sha256_bytes(toml_bytes))]
        for relative in programme_file.audio_paths():
            audio_path = base.joinpath(*relative.split("/"))
            entries.append((relative, audio_path))
            listed.append(ManifestEntry(relative, audio_path.stat().st_size, self._archive.sha256(audio_path)))
        rendered: list[tuple[str, str]] = []
        if render_announcements:
            if self._narrate is None:
                raise PackageError("Máy này chưa có bộ đọc văn bản để đọc sẵn thông báo.")
            taken = {entry.path for entry in listed}
            for programme in programme_file.programmes:
                for number, item in enumerate(programme.items, start=1):
                    if item.kind is not ItemKind.ANNOUNCEMENT or item.audio:
                        continue
                    relative = f"{RENDERED_FOLDER}/{programme.key}-{number}.wav"
                    if relative in taken:
                        raise PackageError(f"Tệp chương trình đã dùng đường dẫn «{relative}»; hãy đổi tên tệp đó.")
                    target = scratch / f"{programme.key}-{number}.wav"
                    self._narrate(item.text or "", target)
                    entries.append((relative, target))
                    listed.append(ManifestEntry(relative, target.stat().st_size, self._archive.sha256(target)))
                    rendered.append((f"{programme.key}#{number}", relative))
                    if progress:
                        progress(relative, len(listed) + 1)
        manifest = Manifest(
            package_id=programme_file.package.id,
            version=programme_file.package.version,
            programme_file=PROGRAMME_NAME,
            files=tuple(listed),
            created=self._clock.now().astimezone(UTC).isoformat(timespec="seconds"),
            generator=f"truyenthanh {__version__}",
            rendered=tuple(sorted(rendered)),
        )
        manifest_bytes = manifest.to_bytes()
        head: list[tuple[str, bytes | Path]] = [(MANIFEST_NAME, manifest_bytes)]
        signer = None
        if key is not None:
            doc = SignatureDoc(key.public.fingerprint, key.name, key.sign(manifest_bytes))
            head.append((SIGNATURE_NAME, doc.to_bytes()))
            signer = SignerInfo(key.public.fingerprint, key.name, trusted=True)
        self._archive.write(output, head + entries)
        if progress:
            progress(output.name, len(listed))
        return BuildResult(path=output, manifest=manifest, signer=signer, size=output.stat().st_size)

    def sign(self, package: Path, *, key_name: str | None = None) -> SignerInfo:
        """Sign (or re-sign) a package with one of this machine's keys; its content is unchanged.

        Raises:
            PackageError: not a package, or the key cannot be used.
        """
        entries = self._archive.read_entries(package)
        manifest_bytes = entries.get(MANIFEST_NAME)
        if manifest_bytes is None:
            raise PackageError(f"Tệp {package.name} không có manifest.json: không phải gói .ttpkg.")
        parse_manifest(manifest_bytes)
        key = self._keys.private_key(key_name)
        doc = SignatureDoc(key.public.fingerprint, key.name, key.sign(manifest_bytes))
        ordered: list[tuple[str, bytes | Path]] = [(MANIFEST_NAME, manifest_bytes), (SIGNATURE_NAME, doc.to_bytes())]
        ordered += [(name, data) for name, data in entries.items() if name not in (MANIFEST_NAME, SIGNATURE_NAME)]
        self._archive.write(package, ordered)
        return SignerInfo(key.public.fingerprint, key.name, trusted=True)
