"""Speech engines behind the :class:`~truyenthanh.services.ports.SpeechEngine` port: gTTS (online) and
espeak-ng (offline, always available)."""
