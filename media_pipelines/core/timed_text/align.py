"""Subtitle cues aligned to ASR words by text, so each cue's timing can be checked against the speech."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from media_pipelines.core.transcripts.wer import normalized

# Cues whose words mostly disagree with the transcript say nothing reliable about timing.
MIN_AGREEMENT = 0.5


@dataclass(frozen=True)
class TimedWord:
    word: str
    start_s: float


@dataclass(frozen=True)
class CueAlignment:
    cue_index: int
    cue_words: int
    matched_words: int
    # Subtitle start minus the start of the cue's first word as spoken (positive: the subtitle is late);
    # None when the cue's first word was not heard, since only that word's time is known in the cue.
    offset_ms: float | None

    @property
    def agreement(self) -> float:
        return self.matched_words / self.cue_words if self.cue_words else 0.0


def align_cues(cues: Sequence[tuple[int, float, str]], words: Sequence[TimedWord]) -> list[CueAlignment]:
    """cues: (cue_index, start_s, text) in time order; words: the transcript in time order."""
    cue_tokens = [(n, k, token) for n, (_, _, text) in enumerate(cues) for k, token in enumerate(normalized(text))]
    word_tokens = [(w, token) for w in words for token in normalized(w.word)[:1]]
    matcher = SequenceMatcher(None, [t for _, _, t in cue_tokens], [t for _, t in word_tokens], autojunk=False)
    matched: dict[int, int] = {}
    first_word: dict[int, TimedWord] = {}
    for block in matcher.get_matching_blocks():
        for i in range(block.size):
            n, k, _ = cue_tokens[block.a + i]
            matched[n] = matched.get(n, 0) + 1
            if k == 0:
                first_word[n] = word_tokens[block.b + i][0]
    counts = [len(normalized(text)) for _, _, text in cues]
    return [
        CueAlignment(
            cue_index=index,
            cue_words=counts[n],
            matched_words=matched.get(n, 0),
            offset_ms=round((start - first_word[n].start_s) * 1000, 1) if n in first_word else None,
        )
        for n, (index, start, _) in enumerate(cues)
    ]


def median_drift_ms(alignments: Sequence[CueAlignment]) -> float | None:
    """The file's drift: the median offset over cues that agree with the transcript."""
    offsets = [a.offset_ms for a in alignments if a.offset_ms is not None and a.agreement >= MIN_AGREEMENT]
    return round(statistics.median(offsets), 1) if offsets else None
