import pytest

from media_pipelines.core.timed_text.align import TimedWord, align_cues, median_drift_ms

SPOKEN = [
    ("And", 0.32), ("so,", 0.76), ("my", 1.38), ("fellow", 1.42), ("Americans", 1.78),
    ("ask", 3.28), ("not", 3.98), ("what", 5.41), ("your", 5.7), ("country", 6.02),
]  # fmt: skip
WORDS = [TimedWord(w, t) for w, t in SPOKEN]


def test_offsets_are_subtitle_minus_speech_per_cue_and_the_median_is_the_drift():
    cues = [(1, 0.82, "And so my fellow Americans"), (2, 3.78, "ask not what your country")]
    alignments = align_cues(cues, WORDS)
    assert [(a.cue_index, a.offset_ms, a.agreement) for a in alignments] == [(1, 500.0, 1.0), (2, 500.0, 1.0)]
    assert median_drift_ms(alignments) == 500.0


def test_misheard_and_unspoken_cues_are_recorded_but_do_not_set_the_drift():
    cues = [
        (1, 0.0, "[applause]"),
        (2, 0.22, "Um, and so my fellow Americans"),  # first word never spoken: no timing
        (3, 3.18, "ask not what our nation"),
    ]
    alignments = align_cues(cues, WORDS)
    assert [a.offset_ms for a in alignments] == [None, None, pytest.approx(-100.0)]
    assert [a.matched_words for a in alignments] == [0, 5, 3]
    assert alignments[2].agreement == pytest.approx(0.6)
    assert median_drift_ms(alignments) == pytest.approx(-100.0)
    assert median_drift_ms(align_cues([(1, 0.0, "nothing like it")], WORDS)) is None
