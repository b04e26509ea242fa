"""Standardize generated clips and bikes.mp4, then check the outputs by probing and decoding them."""

import hashlib
import re
import subprocess
from pathlib import Path

import av
import pytest

from media_pipelines.core.media_types import MediaKind
from media_pipelines.core.probe import probe_file
from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.renditions.plan import RenditionKind
from media_pipelines.core.renditions.standardize import standardize
from media_pipelines.core.tools import ffmpeg_exe, run_ffmpeg
from media_pipelines.samples.bad_inputs import xvid_with_a_corrupt_frame
from media_pipelines.samples.generate import ClipSpec, Shot, make_audio, make_clip, shots_with_cuts
from media_pipelines_tests.decoding import decode_fully

PARAMS = RenditionParams()


def render(source: Path, tmp_path: Path, params: RenditionParams = PARAMS):
    return standardize(source, probe_file(source), params, tmp_path / "out")


def video_of(path: Path):
    return next(s for s in probe_file(path).streams if s.type == "video")


def keyframe_times(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [float(p.pts * stream.time_base) for p in container.demux(stream) if p.is_keyframe and p.pts is not None]


def assert_standard(result, source: Path, expected_height: int, has_audio: bool) -> None:
    kinds = {r.kind: r for r in result.renditions}
    assert set(kinds) == {RenditionKind.MEZZANINE, RenditionKind.PROXY} | (
        {RenditionKind.AUDIO} if has_audio else set()
    )
    source_video_s, source_audio_s = result.source_video_s, result.source_audio_s
    for kind in (RenditionKind.MEZZANINE, RenditionKind.PROXY):
        stream = video_of(kinds[kind].path)
        assert (stream.codec, stream.pix_fmt, stream.sample_aspect_ratio) == ("h264", "yuv420p", "1:1")
        assert stream.variable_frame_rate is False and stream.rotation == 0
        assert stream.width % 2 == 0 and stream.height % 2 == 0
        decoded = decode_fully(kinds[kind].path)
        assert decoded.ok and decoded.video_frames == stream.frame_count
        assert decoded.video_end_s == pytest.approx(source_video_s, abs=1 / stream.avg_frame_rate + 1e-3)
    mezzanine = video_of(kinds[RenditionKind.MEZZANINE].path)
    assert mezzanine.height == expected_height
    assert (mezzanine.color_primaries, mezzanine.color_transfer, mezzanine.color_space) == ("bt709", "bt709", "bt709")
    assert video_of(kinds[RenditionKind.PROXY].path).height == min(144, expected_height)
    keyframes = keyframe_times(kinds[RenditionKind.MEZZANINE].path)
    assert keyframes[:3] == pytest.approx([0.0, 2.0, 4.0], abs=1e-3) or source_video_s < 4.5
    mezzanine_audio = [s for s in probe_file(kinds[RenditionKind.MEZZANINE].path).streams if s.type == "audio"]
    if has_audio:
        [track] = mezzanine_audio
        assert (track.codec, track.channels, track.sample_rate) == ("aac", 2, 48000)
        audio = probe_file(kinds[RenditionKind.AUDIO].path).streams[0]
        assert (audio.codec, audio.sample_rate, audio.channels) == ("flac", 16000, 1)
        assert decode_fully(kinds[RenditionKind.AUDIO].path).audio_end_s == pytest.approx(source_audio_s, abs=0.05)
    else:
        assert mezzanine_audio == []


def test_bikes(tmp_path, media):
    result = render(media["bikes"], tmp_path)
    assert_standard(result, media["bikes"], expected_height=272, has_audio=False)
    assert "no audio stream: no audio rendition" in result.notes and result.qc.loudness is None


def test_variable_frame_rate_becomes_constant(tmp_path, media):
    result = render(media["vfr"], tmp_path)
    assert_standard(result, media["vfr"], expected_height=240, has_audio=True)
    assert result.fps == "25" and any("variable frame rate" in n for n in result.notes)


def test_rotation_is_applied(tmp_path, media):
    result = render(media["rotated"], tmp_path)
    assert_standard(result, media["rotated"], expected_height=320, has_audio=True)
    assert video_of(result.renditions[1].path).width == 240


def test_odd_size_is_made_even_with_square_pixels(tmp_path, media):
    assert_standard(render(media["odd"], tmp_path), media["odd"], expected_height=240, has_audio=True)


def test_interlaced_source_is_deinterlaced(tmp_path, media):
    result = render(media["interlaced"], tmp_path)
    assert_standard(result, media["interlaced"], expected_height=240, has_audio=True)
    assert any("deinterlaced" in n for n in result.notes)
    assert video_of(result.renditions[1].path).field_order == "progressive"


def test_surround_is_downmixed(tmp_path, media):
    assert_standard(render(media["surround"], tmp_path), media["surround"], expected_height=240, has_audio=True)


def test_video_without_audio(tmp_path, media):
    result = render(media["silent_mkv"], tmp_path)
    assert_standard(result, media["silent_mkv"], expected_height=240, has_audio=False)


def test_target_height_is_never_upscaled_and_is_configurable(tmp_path):
    clip = make_clip(ClipSpec(shots=shots_with_cuts([1.0]), width=1280, height=720), tmp_path / "hd.mp4")
    result = render(clip.path, tmp_path, RenditionParams(target_height=360))
    assert_standard(result, clip.path, expected_height=360, has_audio=True)
    assert video_of(result.renditions[1].path).width == 640


def test_audio_only_source_gets_only_the_audio_rendition(tmp_path, media):
    result = render(media["tone"], tmp_path)
    assert [r.kind for r in result.renditions] == [RenditionKind.AUDIO]
    assert probe_file(result.renditions[0].path).kind == MediaKind.AUDIO
    assert decode_fully(result.renditions[0].path).audio_end_s == pytest.approx(2.0, abs=0.05)


def standalone_ebur128(path: Path) -> float:
    log = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128=framelog=verbose",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", log)[-1])


def test_loudness_matches_ebur128_on_a_tone_of_known_level(tmp_path):
    tone = tmp_path / "tone.wav"  # 1 kHz at -20 dBFS in both channels reads -20 LUFS by BS.1770
    wave = "0.1*sin(2*PI*1000*t)"
    run_ffmpeg(["-f", "lavfi", "-i", f"aevalsrc={wave}|{wave}:s=48000:d=8", "-c:a", "pcm_s24le", str(tone)])
    result = render(tone, tmp_path)
    reference = standalone_ebur128(tone)
    assert result.qc.loudness.integrated_lufs == pytest.approx(reference, abs=0.5)
    assert result.qc.loudness.integrated_lufs == pytest.approx(-20.0, abs=0.5)
    assert result.qc.loudness.true_peak_dbtp == pytest.approx(-20.0, abs=0.5)


def test_black_and_frozen_stretches_are_found(tmp_path):
    spec = ClipSpec(shots=(Shot(1.0, "testsrc2"), Shot(1.5, "color=c=black"), Shot(3.0, "color=c=0x2060c0")))
    clip = make_clip(spec, tmp_path / "qc.mp4")
    result = render(clip.path, tmp_path)
    assert [(round(s.start_s, 1), round(s.end_s, 1)) for s in result.qc.black] == [(1.0, 2.5)]
    assert any(s.start_s == pytest.approx(2.5, abs=0.1) and s.duration_s >= 2.0 for s in result.qc.freezes)


def test_one_corrupt_ac3_frame_does_not_lose_the_audio(tmp_path):
    clean = tmp_path / "clean.ac3"
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000:duration=4",
            "-c:a",
            "ac3",
            "-b:a",
            "192k",
            str(clean),
        ]
    )
    data = bytearray(clean.read_bytes())
    frame = 768  # 192 kb/s AC3 at 48 kHz: 768-byte frames, each starting with the 0x0B77 sync word
    assert data[0:2] == b"\x0b\x77" and data[frame * 60 : frame * 60 + 2] == b"\x0b\x77"
    data[frame * 60 + 10 : frame * 60 + 200] = bytes(190)
    damaged = tmp_path / "damaged.ac3"
    damaged.write_bytes(bytes(data))
    result = render(damaged, tmp_path)
    [audio] = result.renditions
    assert decode_fully(audio.path).audio_end_s == pytest.approx(4.0, abs=0.05)
    [damage] = result.damage
    assert (damage.stream_type, damage.decode_errors) == ("audio", 1)
    assert damage.first_error_s == pytest.approx(60 * 1536 / 48000, abs=0.04)


def test_audio_for_asr_is_lossless_16k_mono_even_from_surround(tmp_path):
    source = make_audio(tmp_path / "surround.wav", 2.0, "noise", channels=6)
    [audio] = render(source, tmp_path).renditions
    stream = probe_file(audio.path).streams[0]
    assert (stream.codec, stream.sample_rate, stream.channels) == ("flac", 16000, 1)


def test_a_damaged_video_renders_to_the_same_bytes_every_time(tmp_path):
    """Concealment under frame threads would vary between runs; a damaged source decodes on one thread."""
    source = tmp_path / "damaged.avi"
    xvid_with_a_corrupt_frame(source)
    digests = set()
    for run in range(6):
        result = render(source, tmp_path / f"run{run}")
        [damage] = result.damage
        assert (damage.stream_type, damage.decode_errors) == ("video", 1)
        digests.add(tuple(hashlib.sha256(r.path.read_bytes()).hexdigest() for r in result.renditions))
    assert len(digests) == 1


def test_the_same_source_renders_to_the_same_bytes(tmp_path):
    """x264's threaded lookahead made 1 render in 7 of this clip differ; every rendition is now reproducible."""
    source = make_clip(
        ClipSpec(shots=shots_with_cuts([3.0, 2.0]), width=960, height=540, audio="noise"), tmp_path / "clip.mp4"
    ).path
    digests = {
        tuple(hashlib.sha256(r.path.read_bytes()).hexdigest() for r in render(source, tmp_path / f"run{i}").renditions)
        for i in range(5)
    }
    assert len(digests) == 1
