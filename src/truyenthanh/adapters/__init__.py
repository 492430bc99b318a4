"""The outside world: database, ffmpeg, audio output, speech engines, control socket."""
