from pathlib import Path

import dagster as dg
import pytest

from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.shots.assets import TILING_CHECK, shots
from media_pipelines.lake.shots import FRAMES, SHOTS
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines_tests.conftest import deliver


def run_title(title_id, resources, instance):
    instance.add_dynamic_partitions(titles_partitions.name, [title_id])
    return dg.materialize(
        [raw_media, renditions, shots], partition_key=title_id, resources=resources, instance=instance
    )


def test_shots_and_frames_tables_for_a_title(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "reel", media["bikes"], media["tone"])
    deliver(lake_roots["landing"], "reel", media["bikes"], names=("bikes_again.mp4",))
    result = run_title("reel", resources, instance)

    lake = LocalStore(lake_roots["lake"])
    shot_rows = read_title_table(lake, SHOTS, "reel").to_pylist()
    by_source = {}
    for row in shot_rows:
        by_source.setdefault(row["source_id"], []).append(row)
    assert len(by_source) == 2  # the audio-only source has no shots
    for rows in by_source.values():
        assert [r["start_s"] for r in rows] == pytest.approx([0.0, 1.20, 3.04, 5.48, 7.48, 9.68], abs=0.041)
        assert rows[-1]["end_s"] == pytest.approx(10.0) and rows[-1]["end_frame"] == 250
        assert [r["transition_in"] for r in rows] == ["start"] + ["cut"] * 5
        assert all((lake_roots["lake"] / r["keyframe_uri"]).is_file() for r in rows)
    first, second = by_source.values()
    # The same film delivered twice: each shot's near-duplicate group spans both copies.
    assert [r["duplicate_group"] for r in first] == [r["duplicate_group"] for r in second]

    frames = read_title_table(lake, FRAMES, "reel").to_pylist()
    assert sum(f["is_keyframe"] for f in frames) == len(shot_rows)
    sample = next(f for f in frames if not f["is_keyframe"])
    assert 0 <= sample["brightness"] <= 1 and len(sample["phash"]) == 16 and sample["dominant_colors"]
    assert len(sample["edge_grid"]) == 16 * 9 and int(sample["edge_grid"], 16) > 0

    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == TILING_CHECK]
    assert evaluation.passed
    [materialization] = result.asset_materializations_for_node("shots")
    sheets = [Path(v.value) for k, v in materialization.metadata.items() if k.startswith("contact_sheet ")]
    assert len(sheets) == 2 and all(s.is_file() and s.is_relative_to(lake_roots["lake"]) for s in sheets)
    assert materialization.metadata["near_duplicate_shots"].value == 6
