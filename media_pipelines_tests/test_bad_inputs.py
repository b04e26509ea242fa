"""The bad-input suite: 50 broken, hostile or unusual files in one title beside a clean control file, run
twice through `media-lake run`: every file ends as expected, the control and a neighbouring title get
every table, no traceback reaches the CLI, and the second run leaves identical rows."""

from pathlib import Path

from media_pipelines.cli import main
from media_pipelines.core.tools import run_ffmpeg
from media_pipelines.lake.query import table_names
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines.samples import jfk_audio
from media_pipelines.samples.bad_inputs import CONTROL, deliver_bad_inputs
from media_pipelines_tests.conftest import deliver

SUITE, NEIGHBOUR = "bad-inputs", "neighbour"
# The stages a clean video source with audio appears in, by the table that shows it.
PER_SOURCE_TABLES = ("renditions", "rendition_qc", "shots", "frames", "shot_audio", "media_table")


def table_rows(project: Path, table: str, title_id: str) -> list[dict]:
    return read_title_table(LocalStore(project / "data/lake"), table, title_id).to_pylist()


def all_rows(project: Path) -> dict[str, list[dict]]:
    tables = table_names(LocalStore(project / "data/lake"))
    return {f"{t}/{title}": table_rows(project, t, title) for t in tables for title in (SUITE, NEIGHBOUR)}


def test_every_bad_input_ends_as_expected_and_nothing_else_is_touched(project, media, capsys):
    landing = project / "data/landing"
    cases = deliver_bad_inputs(landing / SUITE)
    deliver(landing, NEIGHBOUR, media["edits"])

    assert main(["run"]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err

    raw = {r["file_name"]: r for r in table_rows(project, "raw_files", SUITE)}
    expected = {name: case.expected for name, case in cases.items() if case.expected}
    assert set(raw) == set(expected) | {CONTROL}  # the hidden partial upload is never listed
    outcomes = {name: (raw[name]["kind"], raw[name]["status"], raw[name]["error_type"]) for name in expected}
    assert outcomes == {name: (e.kind, e.status, e.error_type) for name, e in expected.items()}

    qc = {r["source_id"]: r for r in table_rows(project, "rendition_qc", SUITE)}
    rendered = {name for name, e in expected.items() if e.rendered}
    assert {name: qc[raw[name]["source_id"]]["status"] for name in rendered} == dict.fromkeys(rendered, "ok")
    damaged = qc[raw["garbled-audio.avi"]["source_id"]]
    assert damaged["audio_decode_errors"] >= 1 and damaged["first_decode_error_s"] is not None

    control = raw[CONTROL]["source_id"]
    for table in PER_SOURCE_TABLES:
        assert any(r["source_id"] == control for r in table_rows(project, table, SUITE)), table
        assert table_rows(project, table, NEIGHBOUR), table
    assert table_rows(project, "title_summary", SUITE) and table_rows(project, "title_summary", NEIGHBOUR)
    cues: dict[str, list[dict]] = {}
    for row in table_rows(project, "timed_text_cues", SUITE):
        cues.setdefault(row["file_name"], []).append(row)
    assert [c["text"] for c in cues["dialogue.ja.srt"]] == ["一晩中どこにいたの？", "ごめん、電車が遅れたんだ。"]
    assert {c["encoding"] for c in cues["dialogue.ru.srt"]} == {"utf-16-le"}

    assert not (project / "pwned").exists() and not Path("pwned").exists()
    first = all_rows(project)
    assert main(["run"]) == 0
    assert all_rows(project) == first


def test_speech_behind_a_corrupt_audio_frame_is_transcribed_and_its_video_analysed(project, capsys):
    """The xvid + AC3 delivery with a corrupt first audio frame: ok, with a damage warning, not quarantined."""
    title = project / "data/landing/damaged"
    title.mkdir(parents=True)
    avi = title / "reel.avi"
    run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=11", "-i", str(jfk_audio()), "-map", "0:v", "-map", "1:a",
         "-c:v", "mpeg4", "-vtag", "xvid", "-q:v", "5", "-c:a", "ac3", "-b:a", "192k", "-ar", "48000",
         "-fflags", "+bitexact", str(avi)]
    )  # fmt: skip
    data = bytearray(avi.read_bytes())
    first_audio = data.find(b"\x0b\x77", data.find(b"01wb"))
    data[first_audio + 8 : first_audio + 400] = bytes(392)
    avi.write_bytes(bytes(data))

    assert main(["run", "--title", "damaged"]) == 0
    assert "sources_decode_without_damage" in capsys.readouterr().out  # flagged, as a warning
    [raw] = table_rows(project, "raw_files", "damaged")
    assert (raw["kind"], raw["status"]) == ("video", "ok")
    [qc] = table_rows(project, "rendition_qc", "damaged")
    assert qc["status"] == "ok" and qc["audio_decode_errors"] >= 1 and qc["first_decode_error_s"] < 0.1
    words = " ".join(w["word"] for w in table_rows(project, "transcript_words", "damaged")).lower()
    assert "country" in words and "ask not" in words.replace(",", "")
    assert table_rows(project, "shots", "damaged") and table_rows(project, "media_table", "damaged")
