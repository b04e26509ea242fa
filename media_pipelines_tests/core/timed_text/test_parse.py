"""Real subtitle files from the webvtt-py and pysrt sdists (fetched from the package registry at set-up), plus TTML."""

import pytest

from media_pipelines.core.media_types import ErrorType
from media_pipelines.core.timed_text.model import TimedTextError
from media_pipelines.core.timed_text.parse import parse_timed_text
from media_pipelines_tests.fetch_samples import CACHE


@pytest.fixture(scope="session")
def samples() -> dict[str, bytes]:
    """Fetched at set-up by `python -m media_pipelines_tests.fetch_samples` (the README's set-up line)."""
    if not CACHE.is_dir():
        pytest.fail(f"no subtitle samples in {CACHE}: run the set-up (python -m media_pipelines_tests.fetch_samples)")
    return {path.name: path.read_bytes() for path in CACHE.iterdir()}


def parse(samples, name):
    return parse_timed_text(samples[name], name)


def test_netflix_webvtt(samples):
    subtitles = parse(samples, "netflix_chicas_del_cable.vtt")
    assert (subtitles.format, subtitles.encoding, len(subtitles.cues)) == ("webvtt", "utf-8", 865)
    first, last = subtitles.cues[0], subtitles.cues[-1]
    assert (first.start_s, first.end_s, first.text) == (7.96, 9.48, "[Alba] En 1928,")
    assert last.index == 864 and last.end_s > first.end_s


@pytest.mark.parametrize("name", ["utf-8.srt", "windows-1252.srt"])
def test_long_srt_in_utf8_and_cp1252(samples, name):
    subtitles = parse(samples, name)
    assert subtitles.encoding == ("utf-8" if name == "utf-8.srt" else "cp1252")
    assert len(subtitles.cues) == 1332 and (subtitles.cues[0].start_s, subtitles.cues[0].end_s) == (1.0, 4.0)
    assert [c.text for c in subtitles.cues] == [c.text for c in parse(samples, "utf-8.srt").cues]


@pytest.mark.parametrize("name", ["bom-utf-8.srt", "bom-utf-16-le.srt", "bom-utf-16-be.srt", "bom-utf-32-le.srt"])
def test_byte_order_marks(samples, name):
    assert [(c.start_s, c.text) for c in parse(samples, name).cues] == [
        (c.start_s, c.text) for c in parse(samples, "bom-utf-8.srt").cues
    ]


def test_webvtt_blocks_settings_identifiers_tags_and_language(samples):
    assert len(parse(samples, "comments.vtt").cues) == 3  # NOTE blocks skipped
    assert len(parse(samples, "styles.vtt").cues) == 1 and len(parse(samples, "regions.vtt").cues) == 2
    assert [c.identifier for c in parse(samples, "using_identifiers.vtt").cues][:4] == ["", "second caption", "", "4"]
    assert parse(samples, "metadata_headers.vtt").language == "en"
    tagged = parse(samples, "cue_tags.vtt").cues
    assert all("<" not in c.text for c in tagged)
    karaoke = parse(samples, "youtube_dl.vtt").cues
    assert any(c.word_times for c in karaoke)
    assert parse(samples, "no-indexes.srt").cues


@pytest.mark.parametrize(
    ("name", "error_type"),
    [
        ("missing_timeframe.srt", ErrorType.MALFORMED_TIMED_TEXT),
        ("missing_timeframe.vtt", ErrorType.MALFORMED_TIMED_TEXT),
        ("invalid_timeframe.srt", ErrorType.MALFORMED_TIMED_TEXT),
        ("invalid.vtt", ErrorType.MALFORMED_TIMED_TEXT),
    ],
)
def test_malformed_files_get_a_typed_error(samples, name, error_type):
    with pytest.raises(TimedTextError) as caught:
        parse(samples, name)
    assert caught.value.error_type == error_type


def test_bad_encoding_is_a_typed_error():
    with pytest.raises(TimedTextError) as caught:
        parse_timed_text(b"1\n00:00:01,000 --> 00:00:02,000\nbad \x81\x8d\x90 bytes\n", "x.srt")
    assert caught.value.error_type == ErrorType.ENCODING_ERROR


def test_ttml_with_clock_frame_and_offset_times_and_italics():
    ttml = b"""<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling"
    xmlns:ttp="http://www.w3.org/ns/ttml#parameter" ttp:frameRate="25" xml:lang="fr">
  <body><div>
    <p begin="00:00:01.500" end="00:00:03.000" region="bottom">Bonjour<br/>tout le monde</p>
    <p begin="00:00:04:10" dur="2s"><span tts:fontStyle="italic">en italique</span></p>
    <p begin="250f" end="11000ms">fin</p>
  </div></body>
</tt>"""
    subtitles = parse_timed_text(ttml, "film.xml")
    assert (subtitles.format, subtitles.language) == ("ttml", "fr")
    assert [(c.start_s, c.end_s, c.text, c.italic) for c in subtitles.cues] == [
        (1.5, 3.0, "Bonjour\ntout le monde", False),
        (4.4, 6.4, "en italique", True),
        (10.0, 11.0, "fin", False),
    ]
    assert subtitles.cues[0].raw_settings == "region=bottom"


def test_ttml_cue_ending_before_it_starts_is_an_error():
    ttml = b'<tt xmlns="http://www.w3.org/ns/ttml"><body><p begin="5s" end="2s">x</p></body></tt>'
    with pytest.raises(TimedTextError, match="ends before it starts"):
        parse_timed_text(ttml, "bad.ttml")


def test_language_from_the_file_name():
    assert parse_timed_text(b"1\n00:00:01,000 --> 00:00:02,000\nHi\n", "jfk.en.srt").language == "en"
