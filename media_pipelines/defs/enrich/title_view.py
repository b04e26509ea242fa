"""One title at a glance, for its `title_summary` page: every stage's latest build, summary and previews."""

from collections.abc import Sequence
from datetime import UTC, datetime

import dagster as dg

from media_pipelines.defs.metadata import SUMMARY

# Metadata entries that are images a stage published for the title (files in the lake, linked, not inlined).
PREVIEW_PREFIXES = ("contact_sheet", "still", "timeline")


def stage_table(instance: dg.DagsterInstance, stages: Sequence[dg.AssetKey], title_id: str) -> str:
    """A markdown table of each stage's latest materialization of the title: when, by which run, its
    one-line summary and its previews."""
    lines = ["| stage | built (UTC) | run | summary | previews |", "|---|---|---|---|---|"]
    for key in stages:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, asset_partitions=[title_id]), limit=1
        ).records
        if not records:
            lines.append(f"| {key.to_user_string()} | never | | | |")
            continue
        record = records[0]
        metadata = record.asset_materialization.metadata
        built = datetime.fromtimestamp(record.timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S")
        summary = metadata[SUMMARY].value if SUMMARY in metadata else ""
        previews = ", ".join(
            f"[{name}]({entry.value})" for name, entry in sorted(metadata.items()) if name.startswith(PREVIEW_PREFIXES)
        )
        run = f"[{record.run_id[:8]}](/runs/{record.run_id})"
        cells = [key.to_user_string(), built, run, summary, previews]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
