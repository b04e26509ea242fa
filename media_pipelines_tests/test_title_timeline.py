"""The title timeline through every stage: streams that start late keep their title time in shots, speech
regions, words and audio bins, measured against the same speech delivered on its own."""

from pathlib import Path

import pytest

from media_pipelines.cli import main
from media_pipelines.core.tools import run_ffmpeg
from media_pipelines.samples import jfk_audio
from media_pipelines_tests.test_bad_inputs import table_rows

# 1.504 s is 47 of Silero VAD's 32 ms windows: the late copy's speech regions, and so the clips Whisper
# decodes, hold the same samples as the on-time copy's, on any CPU.
AUDIO_LATE_S, VIDEO_LATE_S = 1.504, 1.0
WORD_TOLERANCE_S = 0.05  # words are snapped to 10 ms frames of the waveform; Whisper sees other padding


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

    words = by_file(project, "transcript_words")
    # Both MP4s carry the same AAC encoding of the speech, at different starts; the FLAC is the speech as
    # delivered on its own, whose decode differs slightly (Whisper may place a word elsewhere in it).
    on_time, late = words["video_late.mkv"], words["audio_late.mp4"]
    assert [spoken(w) for w in late] == [spoken(w) for w in on_time]
    assert [w["start_s"] - AUDIO_LATE_S for w in late] == pytest.approx(
        [w["start_s"] for w in on_time], abs=WORD_TOLERANCE_S
    )
    assert late[0]["start_s"] - AUDIO_LATE_S == pytest.approx(words["jfk.flac"][0]["start_s"], abs=WORD_TOLERANCE_S)

    speech = by_file(project, "speech_regions")
    first_speech = speech["audio_late.mp4"][0]["start_s"] - AUDIO_LATE_S
    assert first_speech == pytest.approx(speech["jfk.flac"][0]["start_s"], abs=WORD_TOLERANCE_S)

    shots = by_file(project, "shots")
    # The late video's picture begins at 1.0 s of title time, after black: the shots say so.
    assert [s["start_s"] for s in shots["video_late.mkv"]] == pytest.approx([0.0, VIDEO_LATE_S], abs=0.041)
    assert [s["start_s"] for s in shots["audio_late.mp4"]] == [0.0]

    seconds = {r["second"]: r for r in by_file(project, "audio_timeline")["audio_late.mp4"]}
    assert seconds[0]["silence_share"] == 1.0  # the padding before the audio starts
