"""Issue 18: the transport between a station and its loudspeaker clusters, with a real mosquitto."""
