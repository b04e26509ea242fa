"""Every asset check, failing and passing, on a real rendition and on the faults each one exists to catch;
the checks that protect downstream stages are blocking errors, the rest are warnings."""

import dataclasses

import dagster as dg
import pytest

from media_pipelines.core.renditions.damage import StreamDamage
from media_pipelines.core.renditions.ffmpeg_log import Segment
from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.renditions.plan import RenditionKind
from media_pipelines.core.renditions.standardize import render_source
from media_pipelines.definitions import build_definitions
from media_pipelines.defs.file_checks import files_parse_check
from media_pipelines.defs.renditions import checks
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.shots.assets import TILING_CHECK, shots, tiling_check
from media_pipelines.defs.source_errors import SourceError, sources_check
from media_pipelines.samples.generate import ClipSpec, make_clip, shots_with_cuts


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> checks.Verified:
    tmp = tmp_path_factory.mktemp("checks")
    source = make_clip(ClipSpec(shots=shots_with_cuts([2.0, 2.0])), tmp / "clip.mp4").path
    rendered = render_source(source, RenditionParams(), tmp / "out")
    return checks.Verified("clip", rendered.result, rendered.decoded)


def with_report(item: checks.Verified, kind: RenditionKind, **changes) -> checks.Verified:
    return dataclasses.replace(item, decoded={**item.decoded, kind: dataclasses.replace(item.decoded[kind], **changes)})


def with_result(item: checks.Verified, **changes) -> checks.Verified:
    return dataclasses.replace(item, result=dataclasses.replace(item.result, **changes))


def test_blocking_checks_are_the_ones_downstream_stages_rely_on():
    specs = {spec.name: spec for spec in renditions.check_specs} | {spec.name: spec for spec in shots.check_specs}
    blocking = {name for name, spec in specs.items() if spec.blocking}
    assert blocking == {checks.DECODES_CHECK, checks.DURATION_CHECK, TILING_CHECK}
    assert all(specs[name].description for name in blocking)


def test_every_check_of_every_stage_says_what_it_verifies():
    defs = build_definitions({})
    specs = [
        spec for asset in defs.resolve_all_asset_specs() for spec in defs.resolve_assets_def(asset.key).check_specs
    ]
    assert len(specs) == 12 and all(spec.description for spec in specs)


def test_decode_check(whole):
    passed = checks.decode_check([whole])
    assert passed.passed and passed.severity == dg.AssetCheckSeverity.ERROR
    missing = with_report(whole, RenditionKind.PROXY, error="video: the file holds 60 of the 100 frames ffmpeg encoded")
    failed = checks.decode_check([whole, missing])
    assert not failed.passed and "clip/proxy: video: the file holds 60" in failed.metadata["problems"].value
    short = with_report(whole, RenditionKind.MEZZANINE, video_frames=99)
    assert "decoded 99 of 100 frames" in checks.decode_check([short]).metadata["problems"].value


def test_duration_check(whole):
    assert checks.duration_check([whole]).passed
    video_late = with_report(whole, RenditionKind.MEZZANINE, video_end_s=whole.result.source_video_s + 0.08)
    failed = checks.duration_check([video_late])
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    assert "| clip | mezzanine | 80.0 | 41.0 |" in failed.metadata["gaps"].value
    audio_short = with_report(whole, RenditionKind.AUDIO, audio_end_s=whole.result.source_audio_s - 0.2)
    assert not checks.duration_check([audio_short]).passed
    within = with_report(whole, RenditionKind.AUDIO, audio_end_s=whole.result.source_audio_s - 0.03)
    assert checks.duration_check([within]).passed


def test_black_and_freeze_check(whole):
    assert checks.black_freeze_check([whole]).passed
    black = with_result(whole, qc=dataclasses.replace(whole.result.qc, black=[Segment(1.0, 1.8)]))
    failed = checks.black_freeze_check([black])
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.WARN
    assert failed.metadata["findings"].value == "clip: black 1.00-1.80 s"


def test_source_damage_check(whole):
    assert checks.source_damage_check([whole]).passed
    damaged = with_result(whole, damage=(StreamDamage(1, "audio", 3, 0.512),))
    failed = checks.source_damage_check([damaged])
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.WARN
    assert "| clip | audio | 3 | 0.512 |" in failed.metadata["damage"].value


def test_tiling_check():
    tiled = [
        {"source_id": "a", "shot_index": 0, "start_frame": 0, "end_frame": 50},
        {"source_id": "a", "shot_index": 1, "start_frame": 50, "end_frame": 100},
    ]
    assert tiling_check(tiled, {"a": 100}).passed
    gap = [tiled[0], {**tiled[1], "start_frame": 52}]
    failed = tiling_check(gap, {"a": 100})
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    assert not tiling_check(tiled, {"a": 101}).passed  # the last shot stops short of the mezzanine's end
    assert not tiling_check(tiled, {"a": 100, "b": 40}).passed  # a source with no shots at all


def test_sources_check():
    assert sources_check([]).passed
    failed = sources_check([SourceError("b", "decode_error", "no frame")])
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.WARN
    assert "b: decode_error" in failed.metadata["errors"].value


def test_files_parse_check():
    assert files_parse_check("timed_text_files_parse", []).passed
    failed = files_parse_check("timed_text_files_parse", ["broken.srt: encoding_error"])
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.WARN
