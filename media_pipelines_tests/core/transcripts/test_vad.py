"""The streaming VAD gives exactly the regions faster-whisper's Silero VAD gives on the whole signal."""

import numpy as np
import pytest
import soundfile
from faster_whisper.vad import VadOptions, get_speech_timestamps

from media_pipelines.core.transcripts.audio import SAMPLE_RATE, audio_blocks
from media_pipelines.core.transcripts.vad import SpeechScorer, VadParams, decode_clips
from media_pipelines.samples import jfk_audio


def speech_with_pauses(pauses_s: list[float]) -> np.ndarray:
    """JFK's passage repeated, separated by pauses of quiet noise (short ones stay inside a region)."""
    speech, _ = soundfile.read(str(jfk_audio()), dtype="float32")
    rng = np.random.default_rng(7)
    parts = [speech]
    for pause in pauses_s:
        parts += [rng.normal(0, 1e-3, int(pause * SAMPLE_RATE)).astype(np.float32), speech[: len(speech) // 2]]
    return np.concatenate(parts)


@pytest.mark.parametrize("params", [VadParams(), VadParams(threshold=0.35, min_silence_ms=200, speech_pad_ms=100)])
@pytest.mark.parametrize("block", [512_000, 16_000, 777])
def test_streamed_regions_equal_the_whole_signal_regions(params, block):
    audio = speech_with_pauses([0.3, 1.2, 4.0, 0.7, 9.5])
    scorer = SpeechScorer()
    for start in range(0, len(audio), block):
        scorer.feed(audio[start : start + block])
    options = VadOptions(
        threshold=params.threshold,
        min_speech_duration_ms=params.min_speech_ms,
        min_silence_duration_ms=params.min_silence_ms,
        speech_pad_ms=params.speech_pad_ms,
    )
    whole = [(round(r["start"] / SAMPLE_RATE, 3), round(r["end"] / SAMPLE_RATE, 3))
             for r in get_speech_timestamps(audio, options)]  # fmt: skip
    streamed = scorer.regions(params)
    assert len(streamed) >= 3 and streamed == whole


def test_a_file_streams_in_blocks_that_tile_it(tmp_path):
    audio = speech_with_pauses([2.0] * 4)
    path = tmp_path / "speech.flac"
    soundfile.write(str(path), audio, SAMPLE_RATE)
    blocks = list(audio_blocks(path))
    assert sum(len(b) for b in blocks) == len(audio) and all(len(b) % 512 == 0 for b in blocks[:-1])
    assert np.allclose(np.concatenate(blocks), audio, atol=1 / 32768)


def test_clips_join_short_pauses_up_to_a_length():
    regions = [(0.0, 100.0), (101.0, 250.0), (251.0, 320.0), (330.0, 331.0)]
    assert decode_clips(regions, max_gap_s=2.0, max_clip_s=300.0) == [(0.0, 250.0), (251.0, 320.0), (330.0, 331.0)]
    assert decode_clips([(0.0, 400.0)], max_gap_s=2.0, max_clip_s=300.0) == [(0.0, 400.0)]  # one region stays whole
