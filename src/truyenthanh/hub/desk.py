"""The hub operator's desk: send a package, an emergency or its cancellation to all or some stations, and list
the stations with their health. Each sending is one short MQTT session as the hub (QoS 1, acknowledged by the
broker before it returns); the stations' answers reach the running hub (:class:`~truyenthanh.hub.Hub`) and are
read back with :meth:`HubDesk.answers`."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from truyenthanh.bootstrap import Container
from truyenthanh.domain.fleet import Action, Command, Envelope, FileRef, Kind, zone_topic
from truyenthanh.domain.upstream import PackageNotice, StationHealth
from truyenthanh.errors import FleetError
from truyenthanh.hub import hub_link

PUBLISH_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Sent:
    """What one sending did: its id (to read the answers with) and the stations (slugs) it went to."""

    command_id: str
    stations: tuple[str, ...]


@dataclass(frozen=True)
class StationView:
    """A subscribed station as the hub's operator sees it."""

    slug: str
    name: str
    online: bool
    last_seen: datetime | None
    health: StationHealth | None


class HubDesk:
    """Sending and listing for the hub's operator (the CLI's ``hub`` commands).

    Args:
        container: the hub's services, built from :func:`~truyenthanh.hub.hub_settings`.
    """

    def __init__(self, container: Container) -> None:
        self._container = container
        self._hub = container.settings.hub_id

    # --- stations -----------------------------------------------------------------------------------------

    def stations(self) -> list[StationView]:
        """Every subscribed station (revoked ones left out), by name, with its last health report."""
        with self._container.store.transaction() as uow:
            records = [r for r in uow.fleet.receivers() if r.revoked_at is None]
        views = []
        for record in sorted(records, key=lambda r: r.name):
            try:
                health = StationHealth.from_dict(record.last_status) if record.last_status else None
            except FleetError:
                health = None
            views.append(StationView(record.slug, record.name, record.online, record.last_seen, health))
        return views

    def _zones(self, to: Sequence[str]) -> list[str]:
        """The zones (one per station) ``to`` names, every one when empty.

        Raises:
            FleetError: a name that is no station's (``field`` ``to``).
        """
        zones = self._container.fleet.zones()
        if not zones:
            raise FleetError("Tuyến trên chưa có đài nào: thêm bằng «truyenthanh hub station add TÊN».", field="to")
        if not to:
            return [z.slug for z in zones]
        chosen = []
        for wanted in to:
            found = next(
                (z for z in zones if wanted in (z.slug, z.name) or z.name.casefold() == wanted.casefold()), None
            )
            if found is None:
                known = ", ".join(z.name for z in zones)
                raise FleetError(f"Không có đài «{wanted}» ở tuyến trên. Các đài có: {known}.", field="to")
            chosen.append(found.slug)
        return list(dict.fromkeys(chosen))

    # --- sending ------------------------------------------------------------------------------------------

    def send_package(self, actor: str, package: Path, to: Sequence[str] = ()) -> Sent:
        """Offer a signed ``.ttpkg`` to the stations ``to`` names (every one when empty): it is kept in the
        hub's database under its sha256, recorded, and a signed notice published to each.

        Raises:
            FleetError: the file cannot be read, no such station, or the broker did not take the notice.
        """
        zones = self._zones(to)
        digest, size = self._keep(package, "package")
        notice = PackageNotice(f"pkg-{secrets.token_hex(6)}", digest, size, package.name)
        self._send(actor, notice.notice_id, "package", zones, kind=Kind.PACKAGE, body=notice.to_dict())
        return Sent(notice.notice_id, tuple(zones))

    def send_emergency(
        self, actor: str, text: str | None, to: Sequence[str] = (), *, repeat: int = 1, audio: Path | None = None
    ) -> Sent:
        """Send an emergency bulletin to the stations ``to`` names (every one when empty): ``text`` to be read by
        each station's speech engine, or a recorded ``audio`` file each station fetches from the hub first.

        Raises:
            FleetError: neither text nor audio (or both), an unreadable file, no such station, or the broker did
                not take the command.
        """
        cleaned = " ".join((text or "").split())
        if bool(cleaned) == (audio is not None):
            raise FleetError("Bản tin khẩn cấp cần nội dung hoặc một tệp âm thanh (chỉ một trong hai).", field="text")
        zones = self._zones(to)
        items: tuple[FileRef, ...] = ()
        if audio is not None:
            digest, size = self._keep(audio, "file")
            items = (FileRef(digest, size, 0.0, audio.name),)
        title = cleaned[:60] or (audio.stem if audio else "")
        command = Command(f"em-{secrets.token_hex(6)}", Action.EMERGENCY, items=items, repeat=repeat, title=title)
        self._send(
            actor,
            command.command_id,
            "emergency",
            zones,
            kind=Kind.COMMAND,
            body={**command.to_dict(), "text": cleaned},
        )
        return Sent(command.command_id, tuple(zones))

    def cancel_emergency(self, actor: str, to: Sequence[str] = ()) -> Sent:
        """Cancel the running emergency at the stations ``to`` names (every one when empty).

        Raises:
            FleetError: no such station, or the broker did not take the command.
        """
        command = Command(f"cancel-{secrets.token_hex(6)}", Action.CANCEL)
        zones = self._zones(to)
        self._send(actor, command.command_id, "cancel", zones, kind=Kind.COMMAND, body=command.to_dict())
        return Sent(command.command_id, tuple(zones))

    def _keep(self, path: Path, field: str) -> tuple[str, int]:
        """Keep ``path``'s bytes in the hub's database under their sha256 (once), where every hub process serves
        them; their digest and size.

        Raises:
            FleetError: the file cannot be read (``field`` names the argument).
        """
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise FleetError(f"Không đọc được tệp {path}: {exc.strerror or exc}.", field=field) from exc
        digest = hashlib.sha256(content).hexdigest()
        with self._container.store.transaction() as uow:
            uow.hub_files.put(digest, path.name, content, at=self._container.clock.now())
        return digest, len(content)

    def answers(self, command_id: str) -> dict[str, dict[str, Any]]:
        """The stations' answers to a sending so far, by station slug."""
        return {k: dict(v) for k, v in self._container.fleet.command_acks(command_id).items()}

    def _send(self, actor: str, ident: str, action: str, zones: list[str], *, kind: Kind, body: dict[str, Any]) -> None:
        container = self._container
        fleet = container.fleet
        key = container.keys.private_key()
        seq = fleet.next_seq()
        now = container.clock.now()
        with container.store.transaction() as uow:
            uow.fleet.add_command(
                command_id=ident,
                action=action,
                zones=zones,
                receiver_slug=None,
                seq=seq,
                issued_by=actor,
                issued_at=now,
            )
        envelope = Envelope(kind, self._hub, seq, now, body).signed(key.sign)
        payload = envelope.encode()
        link = hub_link(container, f"desk-{secrets.token_hex(4)}")
        link.start()
        try:
            if not link.wait_connected(PUBLISH_TIMEOUT_S):
                raise FleetError("Không kết nối được máy chủ tin nhắn của tuyến trên; chưa gửi gì.", field="broker")
            for zone in zones:
                if not link.publish(zone_topic(self._hub, zone, "command"), payload, timeout=PUBLISH_TIMEOUT_S):
                    raise FleetError(f"Máy chủ tin nhắn không nhận tin cho đài «{zone}».", field="broker")
        finally:
            link.close()


__all__ = ["HubDesk", "Sent", "StationView"]
