import numpy as np
import pytest

from media_pipelines.core.transcripts.audio import SAMPLE_RATE
from media_pipelines.core.transcripts.backend import Word
from media_pipelines.core.transcripts.onsets import active_frames, frame_levels, snap_word


def _burst(start_s: float, end_s: float, total_s: float = 4.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    audio = rng.normal(0, 1e-4, int(total_s * SAMPLE_RATE)).astype(np.float32)
    t = np.arange(int((end_s - start_s) * SAMPLE_RATE)) / SAMPLE_RATE
    audio[int(start_s * SAMPLE_RATE) : int(start_s * SAMPLE_RATE) + len(t)] += 0.3 * np.sin(2 * np.pi * 220 * t)
    return audio


def test_a_word_stretched_over_a_pause_snaps_to_the_waveform():
    active = active_frames(frame_levels(_burst(1.234, 2.5)))
    snapped = snap_word(Word("ask", 0.5, 3.0, 0.9), active)
    assert snapped.start == pytest.approx(1.234, abs=0.011)
    assert snapped.end == pytest.approx(2.5, abs=0.011)
    assert (snapped.word, snapped.probability) == ("ask", 0.9)


def test_a_word_inside_continuous_sound_or_silence_keeps_its_times():
    active = active_frames(frame_levels(_burst(1.0, 3.0)))
    assert snap_word(Word("so", 1.5, 1.8, 0.9), active) == Word("so", 1.5, 1.8, 0.9)
    assert snap_word(Word("uh", 3.2, 3.6, 0.2), active) == Word("uh", 3.2, 3.6, 0.2)


def test_a_word_placed_late_moves_back_to_its_own_onset_after_a_pause():
    """int8 decoding can place a word in the pause after its own sound, or inside it: after the previous
    word, the sound touching the word's start is its onset; in continuous sound it is left alone."""
    active = active_frames(frame_levels(_burst(1.234, 2.5)))
    after_the_sound = snap_word(Word("ask", 2.52, 2.8, 0.9), active, after_s=0.6)
    inside_it = snap_word(Word("ask", 1.6, 2.4, 0.9), active, after_s=0.6)
    for word in (after_the_sound, inside_it):
        assert word.start == pytest.approx(1.234, abs=0.011) and word.end <= 2.5 + 0.011
    no_pause = snap_word(Word("so", 1.6, 2.4, 0.9), active, after_s=1.3)  # the sound began in the previous word
    assert no_pause.start == 1.6
    far_after = snap_word(Word("uh", 3.2, 3.6, 0.2), active, after_s=0.6)  # 0.7 s of silence before it
    assert far_after == Word("uh", 3.2, 3.6, 0.2)


def test_a_word_stretched_over_the_pause_after_it_leaves_the_next_onset_to_the_next_word():
    """Whisper can end "you," where the next line's "ask" begins, 0.6 s of pause later (seen on AMD EPYC
    int8 kernels): the word ends before the pause, and the next word, snapped after it, finds its onset."""
    audio = _burst(0.5, 1.2) + _burst(1.8, 2.6)
    active = active_frames(frame_levels(audio))
    you = snap_word(Word("you,", 0.6, 1.85, 0.9), active)
    assert you.end == pytest.approx(1.2, abs=0.011)
    ask = snap_word(Word("ask", 1.85, 2.3, 0.9), active, after_s=you.end)
    assert ask.start == pytest.approx(1.8, abs=0.011)
