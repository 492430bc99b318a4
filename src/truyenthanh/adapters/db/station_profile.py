"""The station's identity, zones and content counts in the SQLite database (see
:class:`truyenthanh.services.unit_of_work.StationProfileRepository` for the contract)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from truyenthanh.adapters.db.models import AudioAsset, BroadcastLog, Programme, Schedule, Station, Zone
from truyenthanh.domain.changes import RecordChange
from truyenthanh.domain.station import StationRules
from truyenthanh.domain.station_profile import ContentCounts, StationProfile


class SqlStationProfileRepository:
    """The station's one :class:`~truyenthanh.adapters.db.models.Station` row and its zones, in one session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def profile(self) -> StationProfile | None:
        """The station's identity; ``None`` before ``truyenthanh init``."""
        row = self._session.exec(select(Station)).first()
        if row is None:
            return None
        return StationProfile(
            name=row.name,
            commune=row.commune,
            province=row.province,
            upstream=row.upstream,
            timezone=row.timezone,
            reading_variant=row.reading_variant,
        )

    def create(self, profile: StationProfile, rules: StationRules) -> bool:
        """Write the station's record unless one exists; returns whether it was written (flushes)."""
        if self._session.exec(select(Station.id)).first() is not None:
            return False
        self._session.add(
            Station(
                name=profile.name,
                commune=profile.commune,
                province=profile.province,
                upstream=profile.upstream,
                timezone=profile.timezone,
                reading_variant=profile.reading_variant,
                rules=rules.to_json(),
            )
        )
        self._session.flush()
        return True

    def update(self, profile: StationProfile) -> RecordChange | None:
        """Replace the station's identity with ``profile``'s; ``None`` before ``truyenthanh init`` (flushes)."""
        row = self._session.exec(select(Station)).first()
        if row is None:
            return None
        before = self.profile()
        assert before is not None
        row.name, row.commune, row.province = profile.name, profile.commune, profile.province
        row.upstream, row.timezone, row.reading_variant = profile.upstream, profile.timezone, profile.reading_variant
        self._session.add(row)
        self._session.flush()
        return RecordChange(entity="station", entity_id=row.id, before=before.to_json(), after=profile.to_json())

    def zones(self) -> list[str]:
        """The loudspeaker zones' names, by name."""
        return list(self._session.exec(select(Zone.name).order_by(col(Zone.name))))

    def counts(self) -> ContentCounts:
        """How many rows of each kind the station holds (``COUNT(*)`` each)."""

        def count(model: Any) -> int:
            return int(self._session.exec(select(func.count()).select_from(model)).one())

        return ContentCounts(
            audio_assets=count(AudioAsset),
            programmes=count(Programme),
            schedules=count(Schedule),
            broadcast_log=count(BroadcastLog),
        )


__all__ = ["SqlStationProfileRepository"]
