"""Transcribe one audio rendition: speech gating, backend decoding, word-time hygiene, risk scores."""

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from media_pipelines.core.transcripts.audio import SAMPLE_RATE, audio_blocks, read_clip
from media_pipelines.core.transcripts.backend import AsrBackend, AsrSegment, DecodeOptions, Word
from media_pipelines.core.transcripts.hallucination import hallucination_risk
from media_pipelines.core.transcripts.onsets import active_frames, frame_levels, snap_word
from media_pipelines.core.transcripts.vad import SpeechScorer, VadParams, decode_clips


@dataclass(frozen=True)
class ScoredSegment:
    segment: AsrSegment
    risk: float


@dataclass(frozen=True)
class Transcript:
    duration_s: float
    speech_regions: list[tuple[float, float]]
    language: str | None = None
    language_probability: float | None = None
    segments: list[ScoredSegment] = field(default_factory=list)

    @property
    def speech_s(self) -> float:
        return round(sum(end - start for start, end in self.speech_regions), 3)


_DEFAULT_OPTIONS, _DEFAULT_VAD = DecodeOptions(), VadParams()


@dataclass(frozen=True)
class _Scan:
    duration_s: float
    regions: list[tuple[float, float]]
    active: np.ndarray  # per 10 ms: loud enough to be a word's sound


def _scan(path: Path, vad: VadParams) -> _Scan:
    """One streaming pass over the audio: speech regions and the loudness envelope, never the whole signal."""
    scorer, levels = SpeechScorer(), []
    for block in audio_blocks(path):
        scorer.feed(block)
        levels.append(frame_levels(block))
    envelope = np.concatenate(levels) if levels else np.zeros(0)
    return _Scan(round(scorer.samples / SAMPLE_RATE, 3), scorer.regions(vad), active_frames(envelope))


def transcribe_audio(
    path: Path, backend: AsrBackend, options: DecodeOptions = _DEFAULT_OPTIONS, vad: VadParams = _DEFAULT_VAD
) -> Transcript:
    """No speech, no decoding: a silent or music-only source returns an empty transcript at VAD speed. Each
    clip is read from the file and decoded on its own, so memory holds one clip, not the title."""
    scan = _scan(path, vad)
    if not scan.regions:
        return Transcript(scan.duration_s, scan.regions)
    scored, previous_end, info = [], 0.0, None
    for start, end in decode_clips(scan.regions, vad.merge_gap_s, vad.max_clip_s):
        # The language is identified once, on the first clip, and held for the rest of the title.
        language = options.language or (info.language if info else None)
        segments, clip_info = backend.transcribe(
            read_clip(path, start, end), dataclasses.replace(options, language=language)
        )
        info = info or clip_info
        for segment in segments:
            clean = _within(_shifted(segment, start), scan.duration_s, scan.active, previous_end)
            if not clean.text:
                continue
            previous_end = clean.words[-1].end if clean.words else clean.end
            risk = hallucination_risk(
                clean.text, clean.start, clean.end, clean.avg_logprob, clean.compression_ratio, scan.regions
            )
            scored.append(ScoredSegment(clean, risk))
    return Transcript(scan.duration_s, scan.regions, info.language, info.language_probability, scored)


def _shifted(segment: AsrSegment, offset_s: float) -> AsrSegment:
    """A clip's segment on the audio's timeline."""
    words = tuple(dataclasses.replace(w, start=w.start + offset_s, end=w.end + offset_s) for w in segment.words)
    return dataclasses.replace(segment, start=segment.start + offset_s, end=segment.end + offset_s, words=words)


def _within(segment: AsrSegment, duration: float, active, previous_end: float) -> AsrSegment:
    """Word times made monotonic, snapped to the waveform and kept inside the audio; previous_end is where
    the transcript's previous word ends, which bounds how far back a late-placed word's onset may move (the
    segment then starts with it, since Whisper started the segment late too)."""
    start, end = max(0.0, segment.start), min(duration, segment.end)
    words, cursor = [], start
    for w in segment.words:
        w_start = min(max(w.start, cursor), end)
        w_end = min(max(w.end, w_start), end)
        after = max(previous_end, 0.0) if not words else cursor
        word = snap_word(Word(w.word, round(w_start, 3), round(w_end, 3), w.probability), active, after)
        words.append(word)
        cursor = word.end
    start = min(start, words[0].start) if words else start
    return AsrSegment(round(start, 3), round(end, 3), segment.text, segment.avg_logprob, segment.no_speech_prob,
                      segment.compression_ratio, tuple(words))  # fmt: skip
