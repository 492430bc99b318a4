"""The built-in tunes are well formed."""

from __future__ import annotations

from truyenthanh.domain.tunes import TUNES


def test_tunes_have_titles_and_length() -> None:
    assert {"signature", "closing", "alert", "filler"} <= set(TUNES)
    for tune in TUNES.values():
        assert tune.title
        assert 1.0 <= tune.duration_s <= 30.0
        assert all(note.seconds > 0 and note.hz >= 0 for note in tune.notes)


def test_a4_is_440_hz() -> None:
    chime = TUNES["chime"]
    assert chime.notes[1].hz == 392.0  # G4
    assert chime.notes[0].hz == 523.25  # C5
