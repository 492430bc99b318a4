"""The engine's blocks of audio (standard-library arrays) compute what the same NumPy expressions compute."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from truyenthanh.adapters.playout.frames import Frames

samples = st.lists(st.floats(-2.0, 2.0, width=32), min_size=0, max_size=64).map(
    lambda values: values[: len(values) // 2 * 2]
)


def frames(values: list[float]) -> Frames:
    return Frames.from_float32(np.asarray(values, dtype="<f4").tobytes())


def as_numpy(block: Frames) -> np.ndarray:
    return np.frombuffer(block.tobytes(), dtype="<f4").reshape(-1, 2)


def close(actual: np.ndarray, expected: object) -> None:
    np.testing.assert_allclose(actual, np.asarray(expected, dtype=np.float64).reshape(-1, 2), atol=1e-6)


def test_silence_slices_padding_and_joining_count_frames() -> None:
    block = Frames.silent(5)
    assert len(block) == 5 and block.peak() == 0.0
    tone = frames([0.1, -0.1, 0.2, -0.2, 0.3, -0.3])
    close(as_numpy(tone[1:]), [[0.2, -0.2], [0.3, -0.3]])
    assert len(tone[:10]) == 3
    padded = tone.padded(5)
    assert len(padded) == 5
    close(as_numpy(padded)[3:], [[0.0, 0.0], [0.0, 0.0]])
    assert tone.padded(2) is tone
    joined = Frames.join([tone, tone[:1]])
    close(as_numpy(joined), [[0.1, -0.1], [0.2, -0.2], [0.3, -0.3], [0.1, -0.1]])


def test_int16_mono_goes_to_both_channels_at_full_scale_one() -> None:
    raw = np.array([16384, -32768, 32767], dtype="<i2").tobytes()
    block = Frames.from_int16(raw, channels=1)
    close(as_numpy(block), [[0.5, 0.5], [-1.0, -1.0], [32767 / 32768] * 2])
    stereo = Frames.from_int16(raw[:4], channels=2)
    close(as_numpy(stereo), [[0.5, -1.0]])


@given(samples, st.floats(0.0, 4.0))
def test_scaled_and_shaped_match_numpy(values: list[float], gain: float) -> None:
    block = frames(values)
    expected = np.asarray(values, dtype=np.float32).reshape(-1, 2)
    assert as_numpy(block.scaled(gain)) == pytest.approx(expected * np.float32(gain), rel=1e-6, abs=1e-6)
    envelope = [i / max(1, len(block)) for i in range(len(block))]
    shaped = expected * (np.asarray(envelope, dtype=np.float32) * np.float32(gain))[:, None]
    assert as_numpy(block.shaped(envelope, gain)) == pytest.approx(shaped, rel=1e-5, abs=1e-6)


@given(samples, samples, st.integers(0, 8))
def test_mix_adds_in_place_and_peak_and_clip_limit_to_full_scale(
    base: list[float], extra: list[float], at: int
) -> None:
    out = frames(base).padded(len(base) // 2 + len(extra) // 2 + at)
    expected = as_numpy(out).copy()
    block = frames(extra)
    out.mix(block, at)
    expected[at : at + len(block)] += as_numpy(block)
    assert as_numpy(out) == pytest.approx(expected, abs=1e-6)
    assert out.peak() == pytest.approx(float(np.abs(expected).max(initial=0.0)), abs=1e-6)
    out.clip()
    assert as_numpy(out) == pytest.approx(np.clip(expected, -1.0, 1.0), abs=1e-6)
    assert out.peak() <= 1.0


def test_a_block_that_does_not_fit_is_refused() -> None:
    with pytest.raises(AssertionError):
        Frames.silent(2).mix(Frames.silent(3))


def test_clear_silences_in_place_keeping_the_length() -> None:
    block = frames([0.5, 0.5, -0.5, -0.5])
    samples = block.samples
    block.clear()
    assert block.samples is samples and len(block) == 2 and block.peak() == 0.0
