"""One title timeline: a flash and a beep at the same source instant land at the same title time in every
rendition, whatever the streams' own starts, the container's start or its edit list."""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from media_pipelines.core.probe import probe_file
from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.renditions.plan import RenditionKind
from media_pipelines.core.renditions.standardize import standardize
from media_pipelines.core.shots.analyze import ShotParams, scan_proxy
from media_pipelines.samples.generate import SyncSpec, make_sync_clip

BEEP_TOLERANCE_S = 0.02


def flash_s(path: Path, by_frame_index: bool) -> float:
    """The first white frame: by index / fps (how the shots stage reads the proxy) or by its timestamp."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        start = (container.start_time or 0) / av.time_base
        for index, frame in enumerate(container.decode(stream)):
            if frame.to_ndarray(format="gray").mean() > 200:
                return index / float(stream.average_rate) if by_frame_index else frame.time - start
    raise AssertionError(f"no flash in {path}")


def beep_s(path: Path) -> float:
    """The first loud sample, on the file's timeline (t = 0 its presentation start)."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        start = (container.start_time or 0) / av.time_base
        for frame in container.decode(stream):
            samples = frame.to_ndarray()
            mono = samples[0] if frame.format.is_planar else samples.reshape(-1, frame.layout.nb_channels)[:, 0]
            loud = np.flatnonzero(np.abs(mono.astype(np.float64)) > (0.3 if mono.dtype.kind == "f" else 0.3 * 32768))
            if loud.size:
                return frame.time - start + loud[0] / frame.sample_rate
    raise AssertionError(f"no beep in {path}")


CASES = {
    "audio_starts_late.mp4": SyncSpec(audio_start_s=1.5),
    "video_starts_late.mkv": SyncSpec(video_start_s=1.0),
    "video_starts_late.mp4": SyncSpec(video_start_s=1.0),
    "nonzero_start.ts": SyncSpec(video_start_s=0.5, ts_offset_s=10.0),
    "edit_list.mp4": SyncSpec(trim_s=0.5),
    "edit_list_audio_late.mov": SyncSpec(trim_s=0.52, audio_start_s=0.3),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_flash_and_beep_keep_their_title_time_in_every_rendition(tmp_path, name):
    source = make_sync_clip(CASES[name], tmp_path / name)
    source_flash, source_beep = flash_s(source, by_frame_index=False), beep_s(source)
    probe = probe_file(source)
    result = standardize(source, probe, RenditionParams(), tmp_path / "out")
    kinds = {r.kind: r for r in result.renditions}
    frame_s = 1 / float(Fraction(result.fps))

    for kind in (RenditionKind.PROXY, RenditionKind.MEZZANINE):
        assert flash_s(kinds[kind].path, by_frame_index=True) == pytest.approx(source_flash, abs=frame_s)
    assert beep_s(kinds[RenditionKind.AUDIO].path) == pytest.approx(source_beep, abs=BEEP_TOLERANCE_S)
    assert beep_s(kinds[RenditionKind.MEZZANINE].path) == pytest.approx(source_beep, abs=BEEP_TOLERANCE_S)
    video = next(s for s in probe.streams if s.type == "video")
    assert result.video_start_s == video.start_s
    assert result.source_start_s == probe.start_s


def test_the_synced_instants_agree_with_each_other(tmp_path):
    """Where the source holds them at one instant, the renditions hold them at one instant too."""
    for name in ("audio_starts_late.mp4", "video_starts_late.mkv", "edit_list.mp4"):
        source = make_sync_clip(CASES[name], tmp_path / name)
        result = standardize(source, probe_file(source), RenditionParams(), tmp_path / name.replace(".", "_"))
        kinds = {r.kind: r for r in result.renditions}
        flash = flash_s(kinds[RenditionKind.PROXY].path, by_frame_index=True)
        assert flash == pytest.approx(3.0, abs=1 / 25)
        assert beep_s(kinds[RenditionKind.AUDIO].path) == pytest.approx(3.0, abs=BEEP_TOLERANCE_S)


def test_shots_on_a_late_video_are_on_title_time(tmp_path):
    source = make_sync_clip(SyncSpec(video_start_s=1.0, duration_s=5.0), tmp_path / "late.mkv")
    result = standardize(source, probe_file(source), RenditionParams(), tmp_path / "out")
    proxy = next(r for r in result.renditions if r.kind == RenditionKind.PROXY)
    scan = scan_proxy(proxy.path, proxy.fps, ShotParams())
    # The black padding is its own shot: the picture begins at 1.0 s on the title timeline.
    starts = [shot.start_frame / scan.fps for shot in scan.shots]
    assert starts[0] == 0.0
    assert any(abs(start - 1.0) <= 1 / 25 for start in starts[1:])
    assert result.notes and "padded with black" in result.notes[0]
