"""The MQTT link between a station and its loudspeaker clusters (issue 18), over paho-mqtt 2.x.

One :class:`MqttLink` per process: the station daemon's, or a receiver's. It speaks MQTT 3.1.1: with
``clean_session`` false mosquitto keeps a client's session (its subscriptions and the QoS 1 messages that
arrive while it is away) with no expiry to negotiate, which is what a cluster on a 4G link that drops for hours
needs; MQTT 5's ``clean_start`` would also need a session expiry interval, and we use none of its other features.

The link always uses TLS, checks the broker's host name against its certificate (the certificate authority is
given as PEM text, the one ``truyenthanh broker config`` made) and logs in with a username and password.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion

log = logging.getLogger(__name__)

RECONNECT_MIN_S = 1
RECONNECT_MAX_S = 10
KEEPALIVE_S = 15
"""Seconds between pings; the broker publishes the last will after 1.5 times this without news."""


class MqttLink:
    """A persistent, self-reconnecting MQTT client.

    Thread-safety: every method may be called from any thread. Handlers given to :meth:`subscribe` and the
    ``on_connection`` callback run on paho's network thread: keep them short, and hand long work to another
    thread. An exception in one is logged and the link carries on.
    """

    def __init__(
        self,
        *,
        client_id: str,
        host: str,
        port: int,
        username: str,
        password: str,
        ca_pem: str | None,
        will: tuple[str, bytes, bool] | None = None,
        clean_start: bool = False,
        on_connection: Callable[[bool], None] | None = None,
    ) -> None:
        """Prepare the link (nothing connects before :meth:`start`).

        Args:
            client_id: the MQTT client id; the broker keeps the session under it.
            host, port: the broker; ``host`` must be a name or address in its certificate.
            username, password: the account ``broker config`` wrote.
            ca_pem: the broker's certificate authority as PEM text; ``None`` uses the system's authorities.
            will: ``(topic, payload, retain)`` the broker publishes (QoS 1) when this client vanishes.
            clean_start: ``False`` keeps the session at the broker while this client is offline.
            on_connection: called with ``True`` on every connection and ``False`` on every loss.
        """
        self._host = host
        self._port = port
        self._on_connection = on_connection
        self._lock = threading.Lock()
        self._subscriptions: dict[str, tuple[int, Callable[[str, bytes], None]]] = {}
        self._acked: dict[int, threading.Event] = {}
        self._early_acks: set[int] = set()
        self._abandoned: set[int] = set()
        self._connected = threading.Event()
        self._closed = threading.Event()
        self._network_thread: int | None = None
        self._started = False
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=clean_start,
            protocol=MQTTProtocolVersion.MQTTv311,
        )
        client.username_pw_set(username, password)
        context = ssl.create_default_context(cadata=ca_pem) if ca_pem else ssl.create_default_context()
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        client.tls_set_context(context)
        if will is not None:
            topic, payload, retain = will
            client.will_set(topic, payload, qos=1, retain=retain)
        client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)
        client.on_connect = self._handle_connect
        client.on_disconnect = self._handle_disconnect
        client.on_message = self._handle_message
        client.on_publish = self._handle_publish
        client.on_connect_fail = self._handle_connect_fail
        self._client = client

    # ------------------------------------------------------------------------------------------ public

    def start(self) -> None:
        """Connect in the background and keep reconnecting forever (1 s, doubling up to 10 s)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        self._closed.clear()
        self._client.connect_async(self._host, self._port, keepalive=KEEPALIVE_S)
        self._client.loop_start()

    def subscribe(self, topic_filter: str, handler: Callable[[str, bytes], None], qos: int = 1) -> None:
        """Deliver every message matching ``topic_filter`` to ``handler(topic, payload)``.

        The subscription is remembered and made again after every reconnect. A message matching several
        filters reaches each of their handlers.
        """
        with self._lock:
            self._subscriptions[topic_filter] = (qos, handler)
        self._client.message_callback_add(topic_filter, self._dispatch(handler))
        if self._connected.is_set():
            self._client.subscribe(topic_filter, qos=qos)

    def publish(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False, timeout: float | None = None
    ) -> bool:
        """Send ``payload`` to ``topic``; ``True`` when the broker acknowledged it within ``timeout`` seconds.

        ``timeout`` ``None`` waits until it is acknowledged or the link is closed; ``0`` does not wait. A QoS 1
        message published while the link is down stays queued in this process and goes out when the link
        returns, even after ``False``; a QoS 0 one is dropped. Called from a handler (paho's network thread,
        which must run for an acknowledgement to arrive) it never waits.
        """
        # Never hold our lock while calling into paho: its network thread holds paho's lock when it calls
        # _handle_publish, which takes ours. An acknowledgement that beats the registration is kept aside.
        # We wait on our own event rather than MQTTMessageInfo.wait_for_publish, which raises at once for a
        # message queued while the link is down (rc NO_CONN) although paho sends it on reconnection.
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        done = threading.Event()
        with self._lock:
            if info.mid in self._early_acks:
                self._early_acks.discard(info.mid)
                done.set()
            else:
                self._acked[info.mid] = done
        queued = info.rc == MQTTErrorCode.MQTT_ERR_SUCCESS or (info.rc == MQTTErrorCode.MQTT_ERR_NO_CONN and qos > 0)
        if not queued:
            log.warning("MQTT message to %s not sent: %s", topic, mqtt.error_string(info.rc))
            self._forget(info.mid)
            return False
        if timeout == 0 or threading.get_ident() == self._network_thread:
            return done.is_set()  # still registered: a later acknowledgement just clears it
        deadline = None if timeout is None else time.monotonic() + timeout
        while not done.is_set() and not self._closed.is_set():
            step = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
            if step <= 0:
                break
            done.wait(step)
        self._forget(info.mid)
        return done.is_set()

    @property
    def connected(self) -> bool:
        """Whether the link is up now."""
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        """Block until the link is up, at most ``timeout`` seconds; whether it is."""
        return self._connected.wait(timeout)

    def close(self) -> None:
        """Disconnect cleanly (the broker does not publish the last will) and stop the network thread."""
        with self._lock:
            started, self._started = self._started, False
        if not started:
            return
        self._closed.set()
        self._client.disconnect()
        self._client.loop_stop()
        self._connected.clear()

    # ------------------------------------------------------------------------------------- callbacks

    def _forget(self, mid: int) -> None:
        """Stop waiting for ``mid``; if its acknowledgement still comes, it must not count for a later message
        that reuses the number."""
        with self._lock:
            if self._acked.pop(mid, None) is not None:
                self._abandoned.add(mid)

    def _dispatch(self, handler: Callable[[str, bytes], None]) -> Callable[[mqtt.Client, Any, mqtt.MQTTMessage], None]:
        def deliver(_client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
            try:
                handler(message.topic, bytes(message.payload))
            except Exception:
                log.exception("MQTT handler failed for a message on %s", message.topic)

        return deliver

    def _handle_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _properties: Any) -> None:
        self._network_thread = threading.get_ident()
        if reason.is_failure:
            log.warning("MQTT broker %s:%s refused the connection: %s", self._host, self._port, reason)
            return
        with self._lock:
            subscriptions = [(topic, qos) for topic, (qos, _h) in self._subscriptions.items()]
        if subscriptions:
            client.subscribe(subscriptions)
        self._connected.set()
        log.info("MQTT connected to %s:%s", self._host, self._port)
        self._notify(True)

    def _handle_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _properties: Any
    ) -> None:
        was_up = self._connected.is_set()
        self._connected.clear()
        if was_up:
            level = logging.WARNING if getattr(reason, "is_failure", True) else logging.INFO
            log.log(level, "MQTT link to %s:%s closed: %s", self._host, self._port, reason)
            self._notify(False)

    def _handle_connect_fail(self, _client: mqtt.Client, _userdata: Any) -> None:
        log.info("MQTT broker %s:%s unreachable; retrying", self._host, self._port)

    def _handle_publish(self, _client: mqtt.Client, _userdata: Any, mid: int, _reason: Any, _props: Any) -> None:
        with self._lock:
            event = self._acked.pop(mid, None)
            if event is not None:
                event.set()
            elif mid in self._abandoned:
                self._abandoned.discard(mid)
            else:
                self._early_acks.add(mid)  # publish() has not registered it yet

    def _handle_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        log.debug("MQTT message on %s matched no subscription", message.topic)

    def _notify(self, up: bool) -> None:
        if self._on_connection is None:
            return
        try:
            self._on_connection(up)
        except Exception:
            log.exception("MQTT connection callback failed")


__all__ = ["MqttLink"]
