"""Renditions are checked against what ffmpeg encoded into them, and that check agrees with a full decode."""

import pytest

from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.renditions.plan import RenditionKind
from media_pipelines.core.renditions.standardize import render_source
from media_pipelines.core.renditions.verify import verify_rendition
from media_pipelines.samples.generate import ClipSpec, make_clip, shots_with_cuts
from media_pipelines_tests.decoding import decode_fully


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("verify")
    source = make_clip(ClipSpec(shots=shots_with_cuts([3.0, 3.0, 2.2])), tmp / "three.mp4").path
    return render_source(source, RenditionParams(), tmp / "out")


def test_a_whole_rendition_passes_and_reads_as_a_full_decode_does(rendered):
    assert set(rendered.decoded) == {RenditionKind.MEZZANINE, RenditionKind.PROXY, RenditionKind.AUDIO}
    for rendition in rendered.result.renditions:
        vouched, decoded = rendered.decoded[rendition.kind], decode_fully(rendition.path)
        assert vouched.ok and decoded.ok
        assert vouched.video_frames == decoded.video_frames
        for vouched_end, decoded_end in ((vouched.video_end_s, decoded.video_end_s),
                                         (vouched.audio_end_s, decoded.audio_end_s)):  # fmt: skip
            assert (vouched_end is None) == (decoded_end is None)
            if decoded_end is not None:
                assert vouched_end == pytest.approx(decoded_end, abs=0.03)
    assert rendered.result.frames_encoded[RenditionKind.MEZZANINE]["video"] == 205  # 8.2 s at 25 fps


@pytest.mark.parametrize("kind", [RenditionKind.MEZZANINE, RenditionKind.AUDIO])
@pytest.mark.parametrize("keep", [0.5, 0.97])
def test_a_rendition_cut_short_after_encoding_fails(rendered, tmp_path, kind, keep):
    rendition = next(r for r in rendered.result.renditions if r.kind == kind)
    data = rendition.path.read_bytes()
    cut = tmp_path / rendition.path.name
    cut.write_bytes(data[: int(len(data) * keep)])
    report = verify_rendition(cut, rendered.result.frames_encoded[kind])
    assert not report.ok, report


def test_a_file_holding_fewer_frames_than_were_encoded_fails(rendered):
    mezzanine = next(r for r in rendered.result.renditions if r.kind == RenditionKind.MEZZANINE)
    claimed = {"video": 206, "audio": rendered.result.frames_encoded[RenditionKind.MEZZANINE]["audio"]}
    report = verify_rendition(mezzanine.path, claimed)
    assert not report.ok and "205 of the 206 frames" in report.error
    assert not verify_rendition(mezzanine.path, {}).ok  # nothing vouched for: not accepted on trust


def test_a_rendition_whose_last_frames_are_damaged_fails(rendered, tmp_path):
    proxy = next(r for r in rendered.result.renditions if r.kind == RenditionKind.PROXY)
    data = bytearray(proxy.path.read_bytes())
    # +faststart puts the index first, so the last bytes are the last frames' payload.
    data[-2000:] = bytes(2000)
    damaged = tmp_path / "proxy.mp4"
    damaged.write_bytes(bytes(data))
    assert not verify_rendition(damaged, rendered.result.frames_encoded[RenditionKind.PROXY]).ok
