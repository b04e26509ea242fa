import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pyarrow as pa

from media_pipelines.core.media_types import USABLE_KINDS, FileStatus
from media_pipelines.core.provenance import short_digest
from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.renditions.standardize import STILL, render_source
from media_pipelines.core.tools import code_version, tool_versions_json
from media_pipelines.defs import groups
from media_pipelines.defs.automation import STAGE_AUTOMATION
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.metadata import ROW_COUNT, SUMMARY, tables_metadata, titled
from media_pipelines.defs.partitions import title_id_of, titles_partitions
from media_pipelines.defs.renditions import checks
from media_pipelines.defs.resources import QcSettings, StorageRoot
from media_pipelines.defs.retries import HEAVY_RETRY
from media_pipelines.defs.source_errors import SourceError, per_source
from media_pipelines.lake.media import publish_stage_media
from media_pipelines.lake.originals import original_key
from media_pipelines.lake.raw_files import RAW_FILES
from media_pipelines.lake.renditions import (
    RENDITION_QC,
    RENDITION_QC_SCHEMA,
    RENDITION_QC_SPEC,
    RENDITIONS,
    RENDITIONS_SCHEMA,
    RENDITIONS_SPEC,
    qc_row,
    rendition_rows,
)
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import read_title_table, write_title_table

STAGE = "renditions"
_DEFAULTS = RenditionParams()
RENDITIONS_CODE_VERSION = code_version("renditions-3", _DEFAULTS.to_json(), media_tools=True)


class RenditionConfig(dg.Config):
    target_height: int = _DEFAULTS.target_height
    keyframe_interval_s: float = _DEFAULTS.keyframe_interval_s
    crf: int = _DEFAULTS.crf
    preset: str = _DEFAULTS.preset
    proxy_height: int = _DEFAULTS.proxy_height
    # None: the deployment's `qc` resource decides (see QcSettings).
    loudness_target_lufs: float | None = None
    loudness_tolerance_lu: float | None = None
    true_peak_max_dbtp: float | None = None

    def params(self) -> RenditionParams:
        return RenditionParams(
            target_height=self.target_height,
            keyframe_interval_s=self.keyframe_interval_s,
            crf=self.crf,
            preset=self.preset,
            proxy_height=self.proxy_height,
        )


@dg.asset(
    metadata=tables_metadata(RENDITIONS_SPEC, RENDITION_QC_SPEC),
    partitions_def=titles_partitions,
    deps=[raw_media],
    pool="transcode",
    automation_condition=STAGE_AUTOMATION,
    code_version=RENDITIONS_CODE_VERSION,
    kinds={"ffmpeg", "video", "lance"},
    group_name=groups.INGEST,
    check_specs=checks.CHECK_SPECS,
    retry_policy=HEAVY_RETRY,
)
def renditions(
    context: dg.AssetExecutionContext, config: RenditionConfig, lake: StorageRoot, qc: QcSettings
) -> dg.MaterializeResult:
    """Standard renditions of each source (CFR H.264 mezzanine, analysis proxy, 16 kHz audio) with loudness QC."""
    title_id = title_id_of(context)
    store, params = lake.store(), config.params()
    sources = [
        row
        for row in read_title_table(store, RAW_FILES, title_id).to_pylist()
        if row["status"] == FileStatus.OK and row["kind"] in USABLE_KINDS
    ]
    with tempfile.TemporaryDirectory(prefix="renditions-") as tmp:
        outcomes = [_render_source(context, store, title_id, source, params, Path(tmp)) for source in sources]
        rows = [row for o in outcomes for row in o.rows]
        verified = [o.verified for o in outcomes if o.verified]
        write_title_table(store, RENDITIONS, title_id, pa.Table.from_pylist(rows, schema=RENDITIONS_SCHEMA))
        qc_rows = [o.qc_row for o in outcomes]
        write_title_table(store, RENDITION_QC, title_id, pa.Table.from_pylist(qc_rows, schema=RENDITION_QC_SCHEMA))
        stills = {o.qc_row["source_id"]: o.still_key for o in outcomes if o.still_key}
        metadata = _metadata(store, rows, verified, stills)
    if not verified:
        raise dg.Failure(f"no source of title {title_id} could be rendered", metadata=metadata, allow_retries=False)
    return dg.MaterializeResult(
        metadata=metadata,
        data_version=dg.DataVersion(short_digest(params.to_json(), *sorted(s["sha256"] for s in sources))),
        check_results=titled(
            title_id,
            [
                checks.decode_check(verified),
                checks.duration_check(verified),
                checks.loudness_check(verified, qc.overridden_by(config).loudness_window()),
                checks.black_freeze_check(verified),
                checks.source_damage_check(verified),
            ],
        ),
    )


@dataclass(frozen=True)
class _SourceOutcome:
    qc_row: dict
    rows: list[dict] = field(default_factory=list)
    verified: checks.Verified | None = None
    still_key: str | None = None


def _render_source(
    context: dg.AssetExecutionContext,
    store: ObjectStore,
    title_id: str,
    source: dict,
    params: RenditionParams,
    tmp: Path,
) -> _SourceOutcome:
    """Render, verify and publish one source; a source ffmpeg cannot read is recorded, not raised."""
    source_id, sha256 = source["source_id"], source["sha256"]
    # A folder per input (parameters, source checksum, code version): changed inputs never overwrite files
    # that the committed tables still point to; a re-run with the same inputs rewrites the same files.
    generation = short_digest(params.to_json(), sha256, RENDITIONS_CODE_VERSION, length=12)
    out_dir = tmp / source_id
    with store.local_copy(original_key(sha256)) as path:
        rendered = per_source(context, source_id, lambda: render_source(path, params, out_dir))
    if isinstance(rendered, SourceError):
        return _SourceOutcome(qc_row(source_id, sha256, RENDITIONS_CODE_VERSION, error=rendered))
    result = rendered.result
    local = {f"{source_id}/{generation}/{r.path.name}": r.path for r in result.renditions}
    if rendered.still:
        local[f"{source_id}/{generation}/{STILL}"] = rendered.still
    uris = publish_stage_media(store, title_id, STAGE, local)
    by_kind = {str(r.kind): uris[f"{source_id}/{generation}/{r.path.name}"] for r in result.renditions}
    rows = rendition_rows(
        source_id, sha256, result.renditions, by_kind, params.to_json(), tool_versions_json(), RENDITIONS_CODE_VERSION
    )
    return _SourceOutcome(
        qc_row=qc_row(source_id, sha256, RENDITIONS_CODE_VERSION, result=result),
        rows=rows,
        verified=checks.Verified(source_id, result, rendered.decoded),
        still_key=uris.get(f"{source_id}/{generation}/{STILL}"),
    )


def _findings(verified: list[checks.Verified]) -> list[str]:
    lines = []
    for v in verified:
        lines += [f"- {v.source_id}: {note}" for note in v.result.notes]
        lines += [f"- {v.source_id}: black {s.start_s:.2f}-{s.end_s:.2f} s" for s in v.result.qc.black]
        lines += [f"- {v.source_id}: frozen {s.start_s:.2f}-{s.end_s:.2f} s" for s in v.result.qc.freezes]
    return lines


def _metadata(store: ObjectStore, rows: list[dict], verified: list[checks.Verified], stills: dict[str, str]) -> dict:
    table = [
        "| source | kind | codec | size | fps | frames | audio | duration (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        size = f"{r['width']}x{r['height']}" if r["width"] else ""
        audio = f"{r['sample_rate']} Hz x{r['channels']}" if r["sample_rate"] else ""
        cells = [r["source_id"], r["kind"], r["codec"], size, r["fps"] or "", r["frame_count"] or "", audio]
        table.append("| " + " | ".join(map(str, cells)) + f" | {r['duration_s']:.3f} |")
    loudness = [
        f"| {v.source_id} | {q.integrated_lufs} | {q.loudness_range_lu} | {q.true_peak_dbtp} |"
        for v in verified
        if (q := v.result.qc.loudness)
    ]
    media_s = sum(v.result.source_video_s or v.result.source_audio_s or 0 for v in verified)
    metadata = {
        SUMMARY: f"{len(rows)} renditions of {len(verified)} sources ({media_s:.1f} s)",
        "renditions": dg.MetadataValue.md("\n".join(table)),
        "loudness": dg.MetadataValue.md(
            "| source | LUFS | LRA (LU) | true peak (dBTP) |\n|---|---|---|---|\n" + "\n".join(loudness)
        ),
        "qc_findings": dg.MetadataValue.md("\n".join(_findings(verified)) or "none"),
        "sources_rendered": len(verified),
        "media_duration_s": round(media_s, 3),
        ROW_COUNT: len(rows),
    }
    for source_id, key in stills.items():  # files in the lake the UI links to, never image bytes in the event log
        metadata[f"still {source_id}"] = dg.MetadataValue.path(store.uri_for(key))
    return metadata
