"""Transcribe one audio rendition: speech gating, backend decoding, word-time hygiene, risk scores."""

from dataclasses import dataclass, field
from pathlib import Path

from media_pipelines.core.transcripts.audio import SAMPLE_RATE, load_audio
from media_pipelines.core.transcripts.backend import AsrBackend, AsrSegment, DecodeOptions, Word
from media_pipelines.core.transcripts.hallucination import hallucination_risk
from media_pipelines.core.transcripts.onsets import active_frames, snap_word
from media_pipelines.core.transcripts.vad import VadParams, decode_clips, speech_regions


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


def transcribe_audio(
    path: Path, backend: AsrBackend, options: DecodeOptions = _DEFAULT_OPTIONS, vad: VadParams = _DEFAULT_VAD
) -> Transcript:
    """No speech, no decoding: a silent or music-only source returns an empty transcript at VAD speed."""
    audio = load_audio(path)
    duration = round(len(audio) / SAMPLE_RATE, 3)
    regions = speech_regions(audio, vad)
    if not regions:
        return Transcript(duration, regions)
    segments, info = backend.transcribe(audio, decode_clips(regions, vad.merge_gap_s), options)
    active = active_frames(audio)
    scored, previous_end = [], 0.0
    for segment in segments:
        clean = _within(segment, duration, active, previous_end)
        if not clean.text:
            continue
        previous_end = clean.words[-1].end if clean.words else clean.end
        risk = hallucination_risk(
            clean.text, clean.start, clean.end, clean.avg_logprob, clean.compression_ratio, regions
        )
        scored.append(ScoredSegment(clean, risk))
    return Transcript(duration, regions, info.language, info.language_probability, scored)


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
