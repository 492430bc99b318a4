"""The receiver's side of the MQTT link: the port it needs, the guard every station message passes, and the
outbox's courier.

The guard (:class:`Gate`) verifies each envelope's Ed25519 signature against the station key from the
enrolment and applies :func:`~truyenthanh.domain.fleet.judge` with the last accepted sequence number of its
kind: a forged, replayed, stale or foreign message is refused, logged, and shown in the status. A retained
schedule the box already holds (same ``seq``) comes back on every reconnect and is ignored quietly.

The courier (:class:`Courier`) publishes the outbox in order, QoS 1; a message leaves the outbox only when the
broker acknowledged it, so whatever was queued while the link was down goes out, once, when it returns.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from truyenthanh.adapters.signing import PublicKey
from truyenthanh.domain.fleet import COMMAND_MAX_AGE, Enrolment, Envelope, Kind, Refusal, judge, receiver_topic
from truyenthanh.errors import FleetError
from truyenthanh.receiver.outbox import Outbox
from truyenthanh.receiver.state import ReceiverState

log = logging.getLogger(__name__)

_KIND_TEXT = {Kind.SCHEDULE: "lịch phát", Kind.COMMAND: "lệnh"}

PUBLISH_TIMEOUT_S = 5.0
"""How long the courier waits for the broker's acknowledgement of one message."""


class Link(Protocol):
    """What the receiver needs of :class:`truyenthanh.adapters.mqtt.MqttLink`."""

    def start(self) -> None:
        """Connect in the background and keep reconnecting."""

    def subscribe(self, topic_filter: str, handler: Callable[[str, bytes], None], qos: int = 1) -> None:
        """Deliver every message on ``topic_filter`` to ``handler`` (re-subscribed after each reconnect)."""

    def publish(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False, timeout: float | None = None
    ) -> bool:
        """Publish; ``True`` once the broker acknowledged it within ``timeout``."""

    @property
    def connected(self) -> bool:
        """Whether the link is up."""

    def close(self) -> None:
        """Disconnect for good."""


@dataclass(frozen=True)
class Verdict:
    """What the gate decided about one message."""

    envelope: Envelope | None
    """The accepted envelope; ``None`` when refused or ignored."""
    refusal: str | None = None
    """Why it was refused, in Vietnamese (for the status and the log)."""


class Gate:
    """Checks station messages before the receiver acts on them. Thread-safe.

    Args:
        enrolment: the station's name and public key.
        state: where the last accepted sequence numbers are kept.
        offset: the box's clock minus the station's, in seconds, as last measured (for the age of commands).
    """

    def __init__(self, enrolment: Enrolment, state: ReceiverState, offset: Callable[[], float]) -> None:
        self._station = enrolment.station
        try:
            raw = base64.b64decode(enrolment.station_public_key, validate=True)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise FleetError(
                f"Khoá công khai của đài trong {state.enrolment_path} không đọc được (cần 32 byte Ed25519).",
                field="station_public_key",
            )
        self._key = PublicKey(enrolment.station, raw)
        self._state = state
        self._offset = offset
        self._lock = threading.Lock()

    def check(self, raw: bytes, kind: Kind, *, quiet_same: bool = False) -> Verdict:
        """Decode and judge ``raw``, expecting ``kind``. With ``quiet_same``, a schedule with the sequence number
        already held is ignored without a refusal (a retained message coming back)."""
        try:
            envelope = Envelope.decode(raw)
        except FleetError as exc:
            return self._refuse(f"{Refusal.MALFORMED.text}: {exc.message}")
        if envelope.kind is not kind:
            return self._refuse(
                f"{Refusal.MALFORMED.text}: {_KIND_TEXT[envelope.kind]} gửi trên kênh dành cho {_KIND_TEXT[kind]}"
            )
        with self._lock:
            last = self._state.last_seq(kind)
            if quiet_same and envelope.seq == last and self._key.verify(envelope.signed_bytes(), envelope.signature):
                return Verdict(None)
            now = datetime.now(UTC) - timedelta(seconds=self._offset())
            refusal = judge(
                envelope,
                station=self._station,
                verify=self._key.verify,
                last_seq=last,
                now=now,
                max_age=COMMAND_MAX_AGE if kind is Kind.COMMAND else None,
            )
            if refusal is not None:
                return self._refuse(f"{refusal.text} ({_KIND_TEXT[kind]} số {envelope.seq})")
            if kind is Kind.COMMAND:
                # Remembered before acting: a command replayed after a crash is still a replay.
                self._state.save_seq(kind, envelope.seq)
        return Verdict(envelope)

    def verify_stored(self, raw: bytes) -> Envelope | None:
        """The schedule kept on disk, if its signature still verifies against the station's key."""
        try:
            envelope = Envelope.decode(raw)
        except FleetError:
            return None
        if envelope.kind is not Kind.SCHEDULE or envelope.station != self._station:
            return None
        return envelope if self._key.verify(envelope.signed_bytes(), envelope.signature) else None

    def _refuse(self, why: str) -> Verdict:
        at = datetime.now(UTC).astimezone().strftime("%H:%M:%S %d/%m/%Y")
        text = f"{at}: từ chối tin nhắn: {why}"
        log.warning("%s", text)
        return Verdict(None, text)


class Courier:
    """Sends the outbox over the link in order, each message once the broker acknowledged it.

    Args:
        link: the MQTT link.
        outbox: the messages.
        topic: the receiver topic of a leaf (``played``, ``ack``).
    """

    def __init__(self, link: Link, outbox: Outbox, topic: Callable[[str], str]) -> None:
        self._link = link
        self._outbox = outbox
        self._topic = topic
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="receiver-courier", daemon=True)

    def start(self) -> None:
        """Start sending."""
        self._thread.start()

    def nudge(self) -> None:
        """Something was added, or the link came back: try now."""
        self._wake.set()

    def close(self) -> None:
        """Stop sending (what is left stays in the outbox)."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=PUBLISH_TIMEOUT_S + 1)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
            if self._link.connected:
                self.flush()

    def flush(self) -> int:
        """Send what is pending, in order, until the outbox is empty or a publish is not acknowledged; returns
        how many were sent."""
        sent = 0
        while not self._stopping.is_set():
            batch = self._outbox.pending()
            if not batch:
                return sent
            for message in batch:
                ok = self._link.publish(self._topic(message.leaf), message.payload, qos=1, timeout=PUBLISH_TIMEOUT_S)
                if not ok:
                    return sent
                self._outbox.mark_sent(message.key)
                sent += 1
        return sent


def topic_of(enrolment: Enrolment) -> Callable[[str], str]:
    """The receiver's own topic for a leaf."""
    return lambda leaf: receiver_topic(enrolment.station, enrolment.receiver, leaf)


__all__ = ["PUBLISH_TIMEOUT_S", "Courier", "Gate", "Link", "Verdict", "topic_of"]
