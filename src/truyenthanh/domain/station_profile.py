"""Who a station is: its name, commune and province, its upstream, its time zone and reading variant (the
station's one record, written by ``truyenthanh init``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from truyenthanh.domain.enums import ReadingVariant
from truyenthanh.domain.provinces import is_city


@dataclass(frozen=True)
class StationProfile:
    """A commune station's identity as shown in its status and checked against a package's communes."""

    name: str
    """Vietnamese name, e.g. "Đài truyền thanh xã Tân Lập"."""
    commune: str
    """The commune (xã) it serves; empty if not given."""
    province: str
    """Its province; empty if not given."""
    upstream: str
    """The body that sends it programme files (district or provincial station, culture office)."""
    timezone: str
    """IANA zone name of the station's clocks, e.g. ``Asia/Ho_Chi_Minh``."""
    reading_variant: ReadingVariant
    """Northern or Southern reading of numbers (nghìn/ngàn, linh/lẻ)."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, as the audit trail keeps it."""
        return {
            "name": self.name,
            "commune": self.commune,
            "province": self.province,
            "upstream": self.upstream,
            "timezone": self.timezone,
            "reading_variant": self.reading_variant.value,
        }


@dataclass(frozen=True)
class ContentCounts:
    """How many records of each kind a station holds (for its status)."""

    audio_assets: int
    programmes: int
    schedules: int
    broadcast_log: int

    def to_json(self) -> dict[str, int]:
        """JSON-ready form, by record kind."""
        return {
            "audio_assets": self.audio_assets,
            "programmes": self.programmes,
            "schedules": self.schedules,
            "broadcast_log": self.broadcast_log,
        }


# --- Setting a station up: its identity and the settings its reports and sound use (helper F4) ---------------

SETUP_SETTINGS = (
    "reading_variant",
    "output_device",
    "preview_device",
    "report_authority",
    "report_issuer",
    "report_number_suffix",
    "report_signer_title",
    "report_signer_name",
)
"""The settings the station's setup (Thiết lập đài, ``truyenthanh station set``) changes in its config file."""

IDENTITY_FIELDS = ("name", "commune", "province")
"""The parts of :class:`StationProfile` the station's setup changes in its record."""

_COMMUNE_PREFIXES = ("xã ", "phường ", "đặc khu ")


def commune_name(typed: str) -> str:
    """The commune's own name from what was typed: spaces tidied, a leading "xã"/"phường"/"đặc khu" dropped
    (reports print "UBND xã" before it)."""
    name = " ".join(typed.split())
    for prefix in _COMMUNE_PREFIXES:
        if name.casefold().startswith(prefix):
            return name[len(prefix) :].strip()
    return name


def suggested_authority(commune: str, province: str) -> str:
    """The governing-body line offered for a station's reports, e.g. "UBND xã Tân Lập, tỉnh Phú Thọ" (a
    commune's name is unique only within its province, so the province is named too)."""
    if not commune:
        return ""
    where = f"UBND xã {commune}"
    if not province:
        return where
    if province.startswith("Thành phố"):
        return f"{where}, {province[0].lower()}{province[1:]}"
    return f"{where}, {'thành phố' if is_city(province) else 'tỉnh'} {province}"


@dataclass(frozen=True)
class StationSetup:
    """What the station's setup shows: its record, the settings it changes, and where they are kept."""

    profile: StationProfile
    settings: dict[str, Any]
    """The value in force of each of :data:`SETUP_SETTINGS` (JSON-ready; ``None``: not set)."""
    config_file: Path
    """The station's TOML file, where the settings are written."""

    @property
    def needs_setup(self) -> bool:
        """Whether the station has not been set up yet (no commune)."""
        return not self.profile.commune.strip()


__all__ = [
    "IDENTITY_FIELDS",
    "SETUP_SETTINGS",
    "ContentCounts",
    "StationProfile",
    "StationSetup",
    "commune_name",
    "suggested_authority",
]
