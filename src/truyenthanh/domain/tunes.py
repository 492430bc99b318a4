"""The station's own signature tunes and signal tones, written as notes (nothing downloaded, nothing copyrighted).

Each tune is rendered to audio by the ffmpeg adapter; programmes refer to them by name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    """One note: frequency in Hz (0 is a rest) and duration in seconds."""

    hz: float
    seconds: float


@dataclass(frozen=True)
class Tune:
    """A named tune and how it sounds."""

    name: str
    """Stable identifier used in programme files (``jingle = "signature"``)."""
    title: str
    """Vietnamese title shown in the library."""
    notes: tuple[Note, ...]
    timbre: str = "bell"
    """``bell`` (decaying, with an octave partial) or ``tone`` (steady sine)."""

    @property
    def duration_s(self) -> float:
        """Total length in seconds."""
        return sum(note.seconds for note in self.notes)


def _melody(text: str) -> tuple[Note, ...]:
    """Parse ``"G4:0.4 A4:0.4 -:0.2"`` (scientific pitch, ``-`` is a rest)."""
    names = {"C": -9, "D": -7, "E": -5, "F": -4, "G": -2, "A": 0, "B": 2}
    notes = []
    for token in text.split():
        pitch, seconds = token.split(":")
        if pitch == "-":
            notes.append(Note(0.0, float(seconds)))
            continue
        semitone = names[pitch[0]] + (1 if "#" in pitch else 0) + 12 * (int(pitch[-1]) - 4)
        notes.append(Note(round(440.0 * 2 ** (semitone / 12), 2), float(seconds)))
    return tuple(notes)


TUNES: dict[str, Tune] = {
    tune.name: tune
    for tune in (
        Tune(
            "signature",
            "Nhạc hiệu mở đầu",
            _melody("G4:0.35 A4:0.35 C5:0.35 D5:0.35 E5:0.7 D5:0.35 C5:0.35 A4:0.35 C5:0.7 G4:0.35 A4:0.35 C5:1.4"),
        ),
        Tune("closing", "Nhạc hiệu kết thúc", _melody("E5:0.4 D5:0.4 C5:0.4 A4:0.4 G4:0.8 A4:0.4 C5:1.6")),
        Tune("chime", "Tín hiệu thông báo", _melody("C5:0.5 G4:0.5 C5:1.0")),
        Tune(
            "alert",
            "Tín hiệu khẩn cấp",
            tuple(Note(hz, 0.25) for hz in (960.0, 770.0) * 6),
            timbre="tone",
        ),
        Tune("tone", "Âm chuẩn 1 kHz", (Note(1000.0, 5.0),), timbre="tone"),
        Tune(
            "filler",
            "Nhạc đệm dự phòng",
            _melody("C4:1.0 E4:1.0 G4:1.0 E4:1.0 F4:1.0 A4:1.0 G4:2.0 -:0.5 C4:1.0 E4:1.0 G4:1.0 C5:2.5"),
        ),
    )
}
"""Every tune the program can render, by name."""
