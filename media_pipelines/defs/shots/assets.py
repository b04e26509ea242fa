import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pyarrow as pa

from media_pipelines.core.provenance import short_digest
from media_pipelines.core.renditions.plan import keyframe_interval_frames
from media_pipelines.core.shots.analyze import ShotParams, SourceShots, analyze_source
from media_pipelines.core.shots.duplicates import group_near_duplicates
from media_pipelines.core.shots.sheet import contact_sheet
from media_pipelines.core.tools import code_version
from media_pipelines.defs import groups
from media_pipelines.defs.automation import STAGE_AUTOMATION
from media_pipelines.defs.metadata import ROW_COUNT, SUMMARY, tables_metadata, titled
from media_pipelines.defs.partitions import title_id_of, titles_partitions
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.resources import StorageRoot
from media_pipelines.defs.retries import HEAVY_RETRY
from media_pipelines.defs.source_errors import per_source, sources_check, sources_check_spec, split_outcomes
from media_pipelines.lake.media import publish_stage_media
from media_pipelines.lake.renditions import RENDITIONS
from media_pipelines.lake.shots import (
    FRAMES,
    FRAMES_SCHEMA,
    FRAMES_SPEC,
    SHOTS,
    SHOTS_SCHEMA,
    SHOTS_SPEC,
    frame_rows,
    shot_rows,
)
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import read_title_table, write_title_table

STAGE = "shots"
TILING_CHECK = "shots_tile_each_source"
TILING_DESCRIPTION = "Each source's shots run from its first frame to its last with no gap or overlap."
CONTACT_SHEET = "contact_sheet.jpg"
PARAMS = ShotParams()
# Keyframes and their features are decoded by FFmpeg and resized and encoded by Pillow.
SHOTS_CODE_VERSION = code_version("shots-5", PARAMS.to_json(), libraries=("pillow",), media_tools=True)


@dataclass(frozen=True)
class _Analyzed:
    source_id: str
    sha256: str
    expected_frames: int
    analysis: SourceShots
    keyframe_uris: dict[int, str]
    contact_sheet_key: str


@dg.asset(
    metadata=tables_metadata(SHOTS_SPEC, FRAMES_SPEC),
    partitions_def=titles_partitions,
    deps=[renditions],
    pool="cpu",
    automation_condition=STAGE_AUTOMATION,
    code_version=SHOTS_CODE_VERSION,
    kinds={"video", "lance"},
    group_name=groups.ANALYSIS,
    check_specs=[
        # Every later table keys rows by shot: a gap or an overlap would misplace them, so it stops them.
        dg.AssetCheckSpec(TILING_CHECK, asset="shots", blocking=True, description=TILING_DESCRIPTION),
        sources_check_spec("shots"),
    ],
    retry_policy=HEAVY_RETRY,
)
def shots(context: dg.AssetExecutionContext, lake: StorageRoot) -> dg.MaterializeResult:
    """Shots of every video source (cuts, fades, dissolves) with keyframes, frame features and near-duplicate groups."""
    title_id = title_id_of(context)
    store = lake.store()
    by_source: dict[str, dict[str, dict]] = {}
    for row in read_title_table(store, RENDITIONS, title_id).to_pylist():
        by_source.setdefault(row["source_id"], {})[row["kind"]] = row
    videos = {s: kinds for s, kinds in sorted(by_source.items()) if "proxy" in kinds and "mezzanine" in kinds}
    with tempfile.TemporaryDirectory(prefix="shots-") as tmp:
        analyzed, errors = split_outcomes(
            [
                per_source(context, source_id, lambda kinds=kinds: _analyze(store, title_id, kinds, Path(tmp)))
                for source_id, kinds in videos.items()
            ]
        )
        hashes = [
            (a.source_id, i, f.features.phash) for a in analyzed for i, f in sorted(a.analysis.keyframes().items())
        ]
        groups = group_near_duplicates([h for _, _, h in hashes], PARAMS.duplicate_max_distance)
        group_of = {(s, i): f"{hashes[g][0]}/{hashes[g][1]}" for (s, i, _), g in zip(hashes, groups, strict=True)}
        shot_table, frame_table = [], []
        for a in analyzed:
            source_groups = {i: group_of[(a.source_id, i)] for i in a.keyframe_uris}
            args = (a.source_id, a.sha256, a.analysis, a.keyframe_uris)
            shot_table += shot_rows(*args, source_groups, PARAMS.to_json(), SHOTS_CODE_VERSION)
            frame_table += frame_rows(*args, SHOTS_CODE_VERSION)
        write_title_table(store, SHOTS, title_id, pa.Table.from_pylist(shot_table, schema=SHOTS_SCHEMA))
        write_title_table(store, FRAMES, title_id, pa.Table.from_pylist(frame_table, schema=FRAMES_SCHEMA))
        metadata = _metadata(store, shot_table, frame_table, analyzed)
    inputs = " ".join(sorted(kinds["mezzanine"]["uri"] for kinds in videos.values()))
    return dg.MaterializeResult(
        metadata=metadata,
        data_version=dg.DataVersion(short_digest(PARAMS.to_json(), inputs)),
        check_results=titled(
            title_id,
            [
                tiling_check(shot_table, {a.source_id: a.expected_frames for a in analyzed}),
                sources_check(errors),
            ],
        ),
    )


def _analyze(store: ObjectStore, title_id: str, kinds: dict[str, dict], tmp: Path) -> _Analyzed:
    proxy, mezzanine = kinds["proxy"], kinds["mezzanine"]
    source_id = mezzanine["source_id"]
    # Keyed by parameters and the mezzanine's lake key (which names its rendition generation): changed
    # inputs write a new folder, never over files that the committed tables still point to; the key, not
    # the URI, so the same lake on local disk or S3 names its folders alike.
    generation = short_digest(PARAMS.to_json(), store.key_for(mezzanine["uri"]), SHOTS_CODE_VERSION, length=12)
    out_dir = tmp / source_id / generation
    with store.local_copy(store.key_for(proxy["uri"])) as proxy_path:
        with store.local_copy(store.key_for(mezzanine["uri"])) as mezzanine_path:
            size, fps = (proxy["width"], proxy["height"]), mezzanine["fps"]
            gop = keyframe_interval_frames(fps, json.loads(mezzanine["params_json"])["keyframe_interval_s"])
            analysis = analyze_source(proxy_path, size, mezzanine_path, fps, gop, PARAMS, out_dir)
    keyframes = sorted(analysis.keyframes().items())
    labels = [(f"#{i} {analysis.shots[i].start_s(analysis.fps):.1f}s", k.keyframe_path) for i, k in keyframes]
    sheet = contact_sheet(labels, out_dir / CONTACT_SHEET)
    local = {f"{source_id}/{generation}/{p.name}": p for p in [sheet, *(k.keyframe_path for _, k in keyframes)]}
    uris = publish_stage_media(store, title_id, STAGE, local)
    return _Analyzed(
        source_id=source_id,
        sha256=mezzanine["source_sha256"],
        expected_frames=mezzanine["frame_count"],
        analysis=analysis,
        keyframe_uris={i: uris[f"{source_id}/{generation}/{k.keyframe_path.name}"] for i, k in keyframes},
        contact_sheet_key=uris[f"{source_id}/{generation}/{sheet.name}"],
    )


def tiling_check(shot_table: list[dict], frame_counts: dict[str, int]) -> dg.AssetCheckResult:
    """Each source's shots run from frame 0 to its last frame (frame_counts: per source, its mezzanine's)
    with no gap or overlap."""
    problems = []
    for source_id, frame_count in frame_counts.items():
        rows = sorted((r for r in shot_table if r["source_id"] == source_id), key=lambda r: r["shot_index"])
        edges = [0] + [r["end_frame"] for r in rows]
        starts = [r["start_frame"] for r in rows] + [frame_count]
        if edges != starts:
            problems.append(f"{source_id}: shot edges {edges[:6]}... do not meet starts {starts[:6]}...")
    return dg.AssetCheckResult(
        check_name=TILING_CHECK, passed=not problems, metadata={"problems": "\n".join(problems) or "none"}
    )


def _metadata(store: ObjectStore, shot_table: list[dict], frame_table: list[dict], analyzed: list[_Analyzed]) -> dict:
    duration = sum(a.analysis.frame_count / a.analysis.fps for a in analyzed)
    transitions = {t: sum(r["transition_in"] == t for r in shot_table) for t in ("cut", "fade", "dissolve")}
    groups = {r["duplicate_group"] for r in shot_table}
    average = duration / max(len(shot_table), 1)
    metadata = {
        SUMMARY: f"{len(shot_table)} shots in {len(analyzed)} sources, {average:.1f} s average",
        "shots": len(shot_table),
        ROW_COUNT: len(shot_table),
        "average_shot_s": round(average, 3),
        "transitions": dg.MetadataValue.json(transitions),
        "near_duplicate_shots": len(shot_table) - len(groups),
        "sampled_frames": len(frame_table),
    }
    for a in analyzed:  # files in the lake the UI links to, never image bytes in the event log
        metadata[f"contact_sheet {a.source_id}"] = dg.MetadataValue.path(store.uri_for(a.contact_sheet_key))
    return metadata
