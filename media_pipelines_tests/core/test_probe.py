from pathlib import Path

import av
import pytest

from media_pipelines.core.inspect import inspect_file, sha256_file, source_id_for
from media_pipelines.core.media_types import ErrorType, FileStatus, MediaKind
from media_pipelines.core.probe import probe_file
from media_pipelines.core.tools import run_ffmpeg
from media_pipelines.samples import jfk_audio
from media_pipelines_tests.conftest import truncate_copy


def video_stream(probe):
    return next(s for s in probe.streams if s.type == "video")


def test_bikes_probe_matches_the_known_clip(media):
    probe = probe_file(media["bikes"])
    stream = video_stream(probe)
    assert probe.kind == MediaKind.VIDEO
    assert probe.container.startswith("mov,mp4")
    assert probe.duration_s == pytest.approx(10.0, abs=0.05)
    assert (stream.codec, stream.width, stream.height, stream.pix_fmt) == ("h264", 640, 272, "yuv420p")
    assert stream.avg_frame_rate == stream.real_frame_rate == 25.0
    assert stream.variable_frame_rate is False
    assert stream.frame_count == 250 and stream.rotation == 0 and stream.field_order == "progressive"


def test_variable_frame_rate_is_flagged(media):
    stream = video_stream(probe_file(media["vfr"]))
    assert stream.variable_frame_rate is True
    assert stream.avg_frame_rate < stream.real_frame_rate == 25.0


def test_matroska_without_full_index_still_reports_frame_timing(media):
    probe = probe_file(media["silent_mkv"])
    assert probe.container == "matroska,webm"
    assert video_stream(probe).variable_frame_rate is False
    assert [s.type for s in probe.streams] == ["video"]


def test_rotation_odd_size_interlacing_and_surround(media):
    assert video_stream(probe_file(media["rotated"])).rotation in (90, -90)
    odd = video_stream(probe_file(media["odd"]))
    assert (odd.width, odd.height) == (321, 241)
    interlaced = video_stream(probe_file(media["interlaced"]))
    assert interlaced.interlaced is True and interlaced.field_order == "tt"
    audio = next(s for s in probe_file(media["surround"]).streams if s.type == "audio")
    assert (audio.channels, audio.channel_layout, audio.sample_rate) == (6, "5.1", 48000)


def test_audio_only_files_are_audio(media):
    for path in (media["tone"], jfk_audio()):
        probe = probe_file(path)
        assert probe.kind == MediaKind.AUDIO
        assert all(s.type == "audio" for s in probe.streams)
    assert probe_file(jfk_audio()).streams[0].sample_rate == 16000


@pytest.mark.parametrize(
    ("name", "content", "kind", "container"),
    [
        ("subs.srt", "1\n00:00:01,000 --> 00:00:02,500\nHello\n", MediaKind.TIMED_TEXT, "srt"),
        ("subs.txt", "\ufeffWEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", MediaKind.TIMED_TEXT, "webvtt"),
        (
            "subs.xml",
            '<?xml version="1.0"?><tt xmlns="http://www.w3.org/ns/ttml"><body/></tt>',
            MediaKind.TIMED_TEXT,
            "ttml",
        ),
        ("notes.md", "# Delivery notes\nAll reels attached.\n", MediaKind.OTHER, "text"),
    ],
)
def test_text_kinds_are_decided_by_content(tmp_path, name, content, kind, container):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    probe = probe_file(path)
    assert (probe.kind, probe.container) == (kind, container)


def test_utf16_subtitles_are_recognized(tmp_path):
    path = tmp_path / "subs.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nBonjour\n", encoding="utf-16")
    assert probe_file(path).kind == MediaKind.TIMED_TEXT


def test_image_kind_and_extension_is_ignored(tmp_path, media):
    image = tmp_path / "poster.mp4"  # a PNG under a video name: content decides
    run_ffmpeg(["-i", str(media["bikes"]), "-frames:v", "1", "-f", "image2", "-c:v", "png", str(image)])
    assert probe_file(image).kind == MediaKind.IMAGE


def quarantine_reason(path: Path) -> ErrorType:
    inspection = inspect_file(path, path.name)
    assert inspection.status == FileStatus.QUARANTINED
    return inspection.error.error_type


def test_zero_byte_file_is_quarantined_as_empty(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    assert quarantine_reason(tmp_path / "empty.mp4") == ErrorType.EMPTY_FILE


def test_truncated_mp4_is_quarantined_as_truncated(tmp_path, media):
    # bikes.mp4 keeps its index at the end; faststart puts it first: both cut files are truncated.
    assert quarantine_reason(truncate_copy(media["bikes"], tmp_path / "cut.mp4")) == ErrorType.TRUNCATED
    assert quarantine_reason(truncate_copy(media["faststart"], tmp_path / "cut_fs.mp4")) == ErrorType.TRUNCATED


def test_text_named_mp4_is_unrecognized(tmp_path):
    path = tmp_path / "movie.mp4"
    path.write_text("this is not a movie\n")
    assert quarantine_reason(path) == ErrorType.UNRECOGNIZED_FORMAT


def test_random_bytes_named_mov_are_unrecognized(tmp_path):
    path = tmp_path / "reel.mov"
    path.write_bytes(bytes(range(256)) * 64)
    assert quarantine_reason(path) == ErrorType.UNRECOGNIZED_FORMAT


def garbled_copy(source: Path, out: Path, length: int | None) -> Path:
    """The MP4 with `length` bytes of its media data (all of it when None) overwritten."""
    data = bytearray(source.read_bytes())
    mdat = data.index(b"mdat") + 4
    end = len(data) if length is None else mdat + length
    data[mdat:end] = b"\xff" * (end - mdat)
    out.write_bytes(bytes(data))
    return out


def test_damage_at_the_start_keeps_the_file_and_its_true_extent(tmp_path, media):
    inspection = inspect_file(garbled_copy(media["faststart"], tmp_path / "garbled.mp4", 200_000), "garbled.mp4")
    assert inspection.status == FileStatus.OK
    video = video_stream(inspection.probe)
    assert video.decode_error is None
    assert (video.start_s, video.end_s) == pytest.approx((0.0, 10.0), abs=0.05)


def test_a_stream_that_never_decodes_is_a_decode_error(tmp_path, media):
    path = garbled_copy(media["faststart"], tmp_path / "garbled.mp4", None)
    assert quarantine_reason(path) == ErrorType.DECODE_ERROR


def test_inspection_identity_and_checksum(media):
    inspection = inspect_file(media["bikes"], "reels/bikes.mp4")
    assert inspection.source_id == source_id_for("reels/bikes.mp4")
    assert inspection.source_id.startswith("reels-bikes-mp4-")
    assert inspection.sha256 == sha256_file(media["bikes"]) and len(inspection.sha256) == 64
    assert inspection.size_bytes == media["bikes"].stat().st_size
    assert source_id_for("a.b") != source_id_for("a-b")


def test_a_truncated_flac_reports_what_it_holds_not_its_header(tmp_path, media):
    flac = tmp_path / "tone.flac"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4", str(flac)])
    data = flac.read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(data[: len(data) * 45 // 100])
    probe = probe_file(cut)
    [audio] = probe.streams
    assert 1.0 < probe.duration_s < 2.5 and audio.duration_s == pytest.approx(probe.duration_s)


def test_an_avi_whose_first_audio_frames_are_corrupt_is_kept(tmp_path):
    """The xvid + AC3 delivery that used to be quarantined whole: ffmpeg skips the broken frames, so do we."""
    clean = tmp_path / "clean.avi"
    run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4", "-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=4",
         "-c:v", "mpeg4", "-vtag", "xvid", "-q:v", "5", "-c:a", "ac3", "-b:a", "192k", str(clean)]
    )  # fmt: skip
    with av.open(str(clean)) as container:
        audio = [(p.pos, p.size) for p in container.demux() if p.size and p.stream.type == "audio"]
    data = bytearray(clean.read_bytes())
    for pos, size in audio[:2]:
        data[pos : pos + size] = bytes(b ^ 0x5A for b in data[pos : pos + size])
    damaged = tmp_path / "damaged.avi"
    damaged.write_bytes(bytes(data))
    inspection = inspect_file(damaged, "damaged.avi")
    assert inspection.status == FileStatus.OK and inspection.kind == MediaKind.VIDEO
    assert all(s.decode_error is None for s in inspection.probe.streams)
