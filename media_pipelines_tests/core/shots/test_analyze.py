import numpy as np
from PIL import Image

from media_pipelines.core.probe import probe_file
from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.renditions.plan import RenditionKind
from media_pipelines.core.renditions.standardize import standardize
from media_pipelines.core.shots.analyze import ShotParams, analyze_source
from media_pipelines.core.shots.duplicates import group_near_duplicates
from media_pipelines.core.shots.features import frame_features, hamming
from media_pipelines.samples.generate import ClipSpec, Shot, make_clip, shots_with_cuts


def analyzed(tmp_path, spec: ClipSpec):
    clip = make_clip(spec, tmp_path / "clip.mp4")
    result = standardize(clip.path, probe_file(clip.path), RenditionParams(), tmp_path / "renditions")
    out = {r.kind: r for r in result.renditions}
    proxy, mezzanine = out[RenditionKind.PROXY], out[RenditionKind.MEZZANINE]
    analysis = analyze_source(
        proxy.path, (proxy.width, proxy.height), mezzanine.path, mezzanine.fps, 50, ShotParams(), tmp_path / "shots"
    )
    return clip, mezzanine, analysis


def test_shots_tile_the_video_and_keyframes_are_full_size(tmp_path):
    clip, mezzanine, analysis = analyzed(tmp_path, ClipSpec(shots=shots_with_cuts([1.5, 2.0, 1.0])))
    assert [(s.start_frame, s.end_frame) for s in analysis.shots] == [(0, 38), (38, 88), (88, 113)]
    assert analysis.frame_count == mezzanine.frame_count == 113
    keyframes = analysis.keyframes()
    assert sorted(keyframes) == [0, 1, 2]
    for shot in analysis.shots:
        key = keyframes[shot.index]
        assert shot.start_frame <= key.frame_index < shot.end_frame
        assert Image.open(key.keyframe_path).size == (mezzanine.width, mezzanine.height)
    samples = [f for f in analysis.frames if not f.keyframe_path]
    assert all(f.frame_index % 25 == 0 for f in samples) and samples[1].motion is not None


def test_a_clip_shorter_than_the_sample_interval_is_one_shot_with_a_keyframe(tmp_path):
    _, mezzanine, analysis = analyzed(tmp_path, ClipSpec(shots=shots_with_cuts([0.8])))
    assert [(s.start_frame, s.end_frame) for s in analysis.shots] == [(0, mezzanine.frame_count)]
    assert [f.frame_index for f in analysis.frames] == [0] and analysis.frames[0].motion is None
    assert list(analysis.keyframes()) == [0]


def test_keyframe_of_a_shot_that_fades_in_is_not_black(tmp_path):
    spec = ClipSpec(shots=shots_with_cuts([2.0]) + (Shot(3.0, "smptebars", "fade", 1.6),))
    _, _, analysis = analyzed(tmp_path, spec)
    assert [s.transition_in for s in analysis.shots] == ["start", "fade"]
    faded_in = analysis.keyframes()[1]
    assert not faded_in.features.is_blank and faded_in.features.brightness > 0.2
    image = np.asarray(Image.open(faded_in.keyframe_path))
    assert image.mean() > 50


def test_perceptual_hash_survives_scaling_and_brightness_but_not_a_new_picture(media, tmp_path):
    _, _, analysis = analyzed(tmp_path, ClipSpec(shots=shots_with_cuts([1.0, 1.0])))
    first = np.asarray(Image.open(analysis.keyframes()[0].keyframe_path))
    variants = [first[::2, ::2], np.clip(first.astype(int) + 25, 0, 255).astype(np.uint8)]
    base = frame_features(first).phash
    assert all(hamming(base, frame_features(v).phash) <= 4 for v in variants)
    other = frame_features(np.asarray(Image.open(analysis.keyframes()[1].keyframe_path))).phash
    assert hamming(base, other) > 16
    assert group_near_duplicates([base, other, frame_features(variants[0]).phash], max_distance=10) == [0, 1, 0]
