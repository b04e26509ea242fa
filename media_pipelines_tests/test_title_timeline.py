"""The title timeline through every stage: streams that start late keep their title time in shots, speech
regions, words and audio bins, measured against the same speech delivered on its own."""

from pathlib import Path

import pytest

from media_pipelines.cli import main
from media_pipelines.core.tools import run_ffmpeg
from media_pipelines.samples import jfk_audio
from media_pipelines.samples.demo import JFK_LINES
from media_pipelines_tests.test_bad_inputs import table_rows

AUDIO_LATE_S, VIDEO_LATE_S = 1.5, 1.0
WORD_TOLERANCE_S = 0.05  # phrase onsets are snapped to 10 ms frames of the waveform (int8 and float32 agree)


def mux(out: Path, video_offset_s: float, audio_offset_s: float) -> Path:
    """testsrc2 for 12 s and the JFK speech, each stream starting at its offset on the source's clock."""
    run_ffmpeg(
        ["-itsoffset", str(video_offset_s), "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=12",
         "-itsoffset", str(audio_offset_s), "-i", str(jfk_audio()), "-map", "0:v", "-map", "1:a",
         "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-fflags", "+bitexact", str(out)]
    )  # fmt: skip
    return out


def spoken(word: dict) -> str:
    return "".join(ch for ch in word["word"].lower() if ch.isalnum())


def by_file(project: Path, table: str) -> dict[str, list[dict]]:
    names = {r["source_id"]: r["file_name"] for r in table_rows(project, "raw_files", "timeline")}
    grouped: dict[str, list[dict]] = {}
    for row in sorted(table_rows(project, table, "timeline"), key=lambda r: (r["source_id"], r["start_s"])):
        grouped.setdefault(names[row["source_id"]], []).append(row)
    return grouped


def test_late_streams_keep_their_title_time_in_every_table(project):
    title = project / "data/landing/timeline"
    title.mkdir(parents=True)
    (title / "jfk.flac").write_bytes(jfk_audio().read_bytes())
    mux(title / "audio_late.mp4", 0.0, AUDIO_LATE_S)
    mux(title / "video_late.mkv", VIDEO_LATE_S, 0.0)
    assert main(["run", "--title", "timeline"]) == 0

    # The truth is the waveform, not one machine's Whisper: each phrase starts where the clip's energy does
    # (JFK_LINES), and every copy must have a word starting there, shifted by its own delay. Boundaries
    # between words inside continuous speech are Whisper's estimate and are not compared.
    words = by_file(project, "transcript_words")
    for name, delay in (("jfk.flac", 0.0), ("video_late.mkv", 0.0), ("audio_late.mp4", AUDIO_LATE_S)):
        starts = [w["start_s"] for w in words[name]]
        for onset, _, text in JFK_LINES:
            nearest = min(starts, key=lambda s: abs(s - onset - delay))
            assert nearest == pytest.approx(onset + delay, abs=WORD_TOLERANCE_S), (name, text)
    assert [spoken(w) for w in words["audio_late.mp4"]][:3] == ["and", "so", "my"]

    speech = by_file(project, "speech_regions")
    first_speech = speech["audio_late.mp4"][0]["start_s"] - AUDIO_LATE_S
    assert first_speech == pytest.approx(speech["jfk.flac"][0]["start_s"], abs=WORD_TOLERANCE_S)

    shots = by_file(project, "shots")
    # The late video's picture begins at 1.0 s of title time, after black: the shots say so.
    assert [s["start_s"] for s in shots["video_late.mkv"]] == pytest.approx([0.0, VIDEO_LATE_S], abs=0.041)
    assert [s["start_s"] for s in shots["audio_late.mp4"]] == [0.0]

    seconds = {r["second"]: r for r in by_file(project, "audio_timeline")["audio_late.mp4"]}
    assert seconds[0]["silence_share"] == 1.0  # the padding before the audio starts
