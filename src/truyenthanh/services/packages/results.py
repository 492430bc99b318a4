"""What the package service returns and raises: build results, import previews and outcomes, conflict choices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from truyenthanh.domain.package import (
    Manifest,
)
from truyenthanh.domain.programme_file import (
    PackageInfo,
)
from truyenthanh.domain.station import DayOff
from truyenthanh.errors import PackageError
from truyenthanh.services.packages.days_off import days_off_text

Progress = Callable[[str, int], None]
"""Called after each step with a Vietnamese description of it and the total number of steps known so far."""


class ConflictChoice(StrEnum):
    """What to do with a package's schedules that break the station's rules or collide with its schedule."""

    REFUSE = "refuse"
    """Import nothing while there are conflicts (the default)."""
    SKIP = "skip"
    """Import the programmes, leave the conflicting schedules out."""
    FORCE = "force"
    """Import everything as it is."""

    @property
    def label(self) -> str:
        """Vietnamese description."""
        return {
            "refuse": "không nhập gì khi còn xung đột",
            "skip": "nhập chương trình, bỏ các lịch bị xung đột (--on-conflict skip)",
            "force": "nhập tất cả như trong gói (--on-conflict force)",
        }[self.value]


class ImportAction(StrEnum):
    """What importing would do overall."""

    NEW = "new"
    UPGRADE = "upgrade"
    SAME = "same"
    """This version is already imported: nothing to do."""


@dataclass(frozen=True)
class SignerInfo:
    """Who signed a package, as the station sees it."""

    fingerprint: str
    name: str
    """The name the station trusted the key under (or, for an unknown key, the name the package claims)."""
    trusted: bool

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"fingerprint": self.fingerprint, "name": self.name, "trusted": self.trusted}


@dataclass(frozen=True)
class ProgrammeChange:
    """One programme of the package compared with the station's previous version of it."""

    key: str
    title: str
    change: str
    """``added``, ``changed``, ``removed`` or ``unchanged``."""
    details: tuple[str, ...] = ()
    """What changed (Vietnamese)."""
    schedules: tuple[str, ...] = ()
    """Vietnamese summaries of its schedules."""
    airings: int = 0
    """Airings in the coming :data:`PREVIEW_HORIZON`."""
    first_airing: datetime | None = None
    duration_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "key": self.key,
            "title": self.title,
            "change": self.change,
            "details": list(self.details),
            "schedules": list(self.schedules),
            "airings": self.airings,
            "first_airing": self.first_airing.isoformat() if self.first_airing else None,
            "duration_s": round(self.duration_s, 1),
        }


@dataclass(frozen=True)
class PackageConflict:
    """A schedule of the package that collides with the station's schedule or breaks its rules."""

    programme_key: str
    programme_title: str
    schedule: str
    """Where it is in the programme file (``programme[1].schedule[2]``) and its summary."""
    messages: tuple[str, ...]
    """What is wrong (Vietnamese), one line each."""
    forceable: bool = True
    """``False`` when it cannot be imported even with ``force`` (e.g. the station has no such session)."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "programme": self.programme_key,
            "title": self.programme_title,
            "schedule": self.schedule,
            "messages": list(self.messages),
            "forceable": self.forceable,
        }


@dataclass(frozen=True)
class ImportPreview:
    """Everything an operator needs to decide on an import; nothing has been written."""

    package: PackageInfo
    archive_sha256: str
    signer: SignerInfo | None
    action: ImportAction
    previous_version: int | None
    programmes: tuple[ProgrammeChange, ...]
    conflicts: tuple[PackageConflict, ...]
    warnings: tuple[str, ...]
    retired_airings: int
    """Future airings of the previous version that the import removes."""
    new_audio: int
    reused_audio: int
    days_off: tuple[DayOff, ...] = ()
    """Days off the package adds to the station's list (or renames there)."""

    @property
    def added(self) -> list[ProgrammeChange]:
        """Programmes new to the station."""
        return [p for p in self.programmes if p.change == "added"]

    @property
    def changed(self) -> list[ProgrammeChange]:
        """Programmes of the previous version that this one changes."""
        return [p for p in self.programmes if p.change == "changed"]

    @property
    def removed(self) -> list[ProgrammeChange]:
        """Programmes of the previous version that this one drops."""
        return [p for p in self.programmes if p.change == "removed"]

    @property
    def unchanged(self) -> list[ProgrammeChange]:
        """Programmes identical to the previous version."""
        return [p for p in self.programmes if p.change == "unchanged"]

    @property
    def choices(self) -> tuple[ConflictChoice, ...]:
        """What the operator may choose when there are conflicts."""
        if not self.conflicts:
            return ()
        return (ConflictChoice.SKIP, ConflictChoice.FORCE, ConflictChoice.REFUSE)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        info = self.package
        return {
            "package": {
                "id": info.id,
                "version": info.version,
                "title": info.title,
                "author": info.author,
                "upstream": info.upstream,
                "upstream_id": info.upstream_id,
                "communes": list(info.communes),
            },
            "archive_sha256": self.archive_sha256,
            "signer": self.signer.to_json() if self.signer else None,
            "action": self.action.value,
            "previous_version": self.previous_version,
            "programmes": [p.to_json() for p in self.programmes],
            "conflicts": [c.to_json() for c in self.conflicts],
            "choices": [c.value for c in self.choices],
            "warnings": list(self.warnings),
            "retired_airings": self.retired_airings,
            "new_audio": self.new_audio,
            "reused_audio": self.reused_audio,
            "days_off": [{"date": day.day.isoformat(), "name": day.name} for day in self.days_off],
        }

    def explain(self, zone: ZoneInfo) -> str:
        """The preview as an operator reads it (Vietnamese, several lines)."""
        info = self.package
        lines = [f"Gói «{info.title}» ({info.id}), phiên bản {info.version}, do {info.author} — {info.upstream}."]
        if self.signer is None:
            lines.append("Chữ ký: KHÔNG CÓ (đài cho phép nhận gói không ký).")
        elif self.signer.trusted:
            lines.append(f"Chữ ký: hợp lệ, khóa tin cậy «{self.signer.name}» ({self.signer.fingerprint}).")
        else:
            lines.append(f"Chữ ký: khóa LẠ «{self.signer.name}» ({self.signer.fingerprint}) — đài cho phép nhận.")
        if self.action is ImportAction.SAME:
            lines.append("Phiên bản này đã được nhập trước đây: không có gì thay đổi.")
            return "\n".join(lines)
        if self.previous_version is not None:
            lines.append(
                f"Thay cho phiên bản {self.previous_version}: bỏ {self.retired_airings} lần phát sắp tới của bản cũ "
                "(các lần đã phát vẫn giữ trong nhật ký)."
            )
        labels = {"added": "Thêm", "changed": "Thay đổi", "removed": "Bỏ", "unchanged": "Giữ nguyên"}
        for programme in self.programmes:
            first = (
                f", lần đầu {programme.first_airing.astimezone(zone):%H:%M %d/%m/%Y}" if programme.first_airing else ""
            )
            lines.append(
                f"  {labels[programme.change]}: «{programme.title}» ({programme.key}), "
                f"{programme.duration_s / 60:.1f} phút, {programme.airings} lần phát{first}"
            )
            lines.extend(f"      {detail}" for detail in programme.details)
            lines.extend(f"      lịch: {summary}" for summary in programme.schedules)
        lines.append(f"Âm thanh: {self.new_audio} tệp mới, {self.reused_audio} tệp đã có trong thư viện.")
        if self.days_off:
            lines.append(
                f"Ngày nghỉ thêm vào danh sách của đài ({len(self.days_off)}): {days_off_text(self.days_off)}."
            )
        for warning in self.warnings:
            lines.append(f"Lưu ý: {warning}")
        if self.conflicts:
            lines.append(f"Xung đột với lịch và quy định của đài ({len(self.conflicts)}):")
            for conflict in self.conflicts:
                lines.append(f"  «{conflict.programme_title}», {conflict.schedule}:")
                lines.extend(f"      {message}" for message in conflict.messages)
            lines.append("Có thể chọn: " + "; ".join(c.label for c in self.choices) + ".")
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did."""

    preview: ImportPreview
    imported: bool
    """Something was written (``False`` for a dry run or a package already imported)."""
    programme_ids: tuple[int, ...] = ()
    schedule_ids: tuple[int, ...] = ()
    skipped_schedules: tuple[str, ...] = ()
    """Schedules left out because of conflicts (``skip``) or because they cannot be placed."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "imported": self.imported,
            "programme_ids": list(self.programme_ids),
            "schedule_ids": list(self.schedule_ids),
            "skipped_schedules": list(self.skipped_schedules),
            "preview": self.preview.to_json(),
        }


class PackageConflictError(PackageError):
    """The package's schedules conflict with the station's and no choice was made; :attr:`preview` has them."""

    def __init__(self, preview: ImportPreview, zone: ZoneInfo) -> None:
        super().__init__("Chưa nhập gì vì có xung đột.\n" + preview.explain(zone))
        self.preview = preview


@dataclass(frozen=True)
class BuildResult:
    """A package written by :meth:`PackageService.build`."""

    path: Path
    manifest: Manifest
    signer: SignerInfo | None
    size: int
