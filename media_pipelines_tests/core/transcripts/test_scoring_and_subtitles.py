from media_pipelines.core.transcripts.hallucination import hallucination_risk, outside_speech, repetition
from media_pipelines.core.transcripts.subtitles import to_srt, to_vtt

SPEECH = [(0.0, 10.0)]


def test_a_clean_segment_has_no_risk():
    assert hallucination_risk("ask what you can do for your country", 1.0, 4.0, -0.3, 1.3, SPEECH) == 0.0


def test_each_signal_raises_the_risk_on_its_own():
    loop = "thank you for watching " * 6
    assert repetition(loop) > 0.7 and hallucination_risk(loop, 1.0, 4.0, -0.3, 1.3, SPEECH) > 0.7
    assert (
        outside_speech(12.0, 14.0, SPEECH) == 1.0
        and hallucination_risk("hello there", 12.0, 14.0, -0.3, 1.3, SPEECH) == 1.0
    )
    assert hallucination_risk("hello there", 1.0, 2.0, -1.5, 1.3, SPEECH) == 1.0
    assert hallucination_risk("hello there", 1.0, 2.0, -0.3, 2.6, SPEECH) == 1.0
    assert 0.4 < hallucination_risk("hello there", 1.0, 2.0, -1.0, 1.3, SPEECH) < 0.6


def test_srt_and_vtt():
    cues = [(0.02, 8.06, "And so my fellow Americans"), (3725.5, 3726.25, "ask what")]
    assert to_srt(cues) == (
        "1\n00:00:00,020 --> 00:00:08,060\nAnd so my fellow Americans\n\n2\n01:02:05,500 --> 01:02:06,250\nask what\n"
    )
    assert to_vtt(cues).startswith("WEBVTT\n\n00:00:00.020 --> 00:00:08.060\nAnd so my fellow Americans\n")
