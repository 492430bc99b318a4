"""Who a station is: its name, commune and province, its upstream, its time zone and reading variant (the
station's one record, written by ``truyenthanh init``)."""

from __future__ import annotations

from dataclasses import dataclass

from truyenthanh.domain.enums import ReadingVariant


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


__all__ = ["ContentCounts", "StationProfile"]
